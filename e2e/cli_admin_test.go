package e2e

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/cofferdev/coffer/api"
)

// runAdmin runs the coffer binary with args and returns all it wrote.
func runAdmin(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, errOut, err := runCoffer(t, nil, args...)
	return out + errOut, err
}

// TestCheckCommand proves `coffer check` passes on a healthy store and
// fails, naming the violation, on a corrupted one.
func TestCheckCommand(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "coffer.db")
	h := start(t, db)
	a := h.account("Checked", "")
	g := h.grant(a.ID, api.GrantCreate{Amount: amt("10.00")})
	if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "1", Amount: amtp("4.00")}); err != nil {
		t.Fatal(err)
	}
	out, err := runAdmin(t, "check", "--db", db)
	if err != nil || !strings.Contains(out, "ok") {
		t.Fatalf("check on a healthy store: %v\n%s", err, out)
	}

	// Corrupt one lot behind the ledger's back. The server's background
	// workers may be writing, so wait for the lock as the store does.
	rawDSN := "file:" + db + "?_pragma=busy_timeout(5000)"
	raw, err := sql.Open("sqlite", rawDSN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE lots SET remaining = remaining + 1000000 WHERE id = ?`, g.ID); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, err = runAdmin(t, "check", "--db", db)
	if err == nil || !strings.Contains(out, g.ID) {
		t.Fatalf("check on a corrupted store should fail naming %s: %v\n%s", g.ID, err, out)
	}
	// Put it back so the harness's own check at cleanup passes.
	raw, _ = sql.Open("sqlite", rawDSN)
	raw.Exec(`UPDATE lots SET remaining = remaining - 1000000 WHERE id = ?`, g.ID)
	raw.Close()
}

func TestKeysCreateCommand(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "coffer.db")
	out, err := runAdmin(t, "keys", "create", "--db", db, "--role", "usage", "--name", "gateway")
	if err != nil {
		t.Fatalf("keys create: %v\n%s", err, out)
	}
	if !strings.Contains(out, "ck_usage_") {
		t.Fatalf("no usage key printed:\n%s", out)
	}
	if _, err := runAdmin(t, "keys", "create", "--db", db, "--role", "account"); err == nil {
		t.Fatal("an account key without --account should be refused")
	}
	if _, err := runAdmin(t, "keys", "create", "--db", db, "--role", "root"); err == nil {
		t.Fatal("an unknown role should be refused")
	}
}
