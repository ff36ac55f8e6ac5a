package e2e

import (
	"database/sql"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// rawDB is the harness's store opened beside the server, to read what the
// API does not show. It is opened once and closed when the test ends.
func (h *harness) rawDB() *sql.DB {
	h.t.Helper()
	if h.store == nil {
		h.store = openStoreDB(h.t, h.dsn)
	}
	return h.store
}

// openStoreDB opens the store at dsn beside the server using it, a
// process of its own or not, and closes it when the test ends.
func openStoreDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver, src := "sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)"
	if strings.HasPrefix(dsn, "postgres://") {
		driver, src = "pgx", dsn
	}
	db, err := sql.Open(driver, src)
	if err != nil {
		t.Fatalf("open the store beside the server: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// rechargeRunning reports whether a recharge run, in any process, holds
// the account's lease: a run claims the auto_recharge row before its first
// charge and gives it back after its last, so a free lease means no charge
// is on its way (service/recharge.go).
func (h *harness) rechargeRunning(acct string) bool {
	h.t.Helper()
	q := "SELECT lease_token FROM auto_recharge WHERE account_id = ?"
	if strings.HasPrefix(h.dsn, "postgres://") {
		q = "SELECT lease_token FROM auto_recharge WHERE account_id = $1"
	}
	var token string
	if err := h.rawDB().QueryRowContext(h.ctx, q, acct).Scan(&token); err != nil {
		h.t.Fatalf("read the recharge lease of %s: %v", acct, err)
	}
	return token != ""
}

// openRawDB is openStoreDB, by the name the close tests use.
func openRawDB(t *testing.T, dsn string) *sql.DB { return openStoreDB(t, dsn) }
