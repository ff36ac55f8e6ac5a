package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/ledger"
)

// TestKeysCreateStartsNoJob: `coffer keys create` builds a service to make
// the key and runs none of the server's background work. An event waits
// undispatched in the outbox; a delivery job, had the command started
// one, would dispatch it at once. After the command it is still waiting.
func TestKeysCreateStartsNoJob(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := filepath.Join(t.TempDir(), "coffer.db")
	st, err := app.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	now := clockStart
	a := &coffer.Account{ID: coffer.NewID(coffer.PrefixAccount, now), Name: "Waiting", Currency: "USD",
		Status: ledger.StatusActive, BillingMode: "prepaid", CreatedAt: now, UpdatedAt: now}
	ev := ledger.Event{ID: coffer.NewID(coffer.PrefixEvent, now), Type: "account.created", AccountID: a.ID, CreatedAt: now}
	if err := st.CreateAccount(ctx, a, []ledger.Event{ev}, nil); err != nil {
		t.Fatal(err)
	}
	st.Close()

	out, err := runAdmin(t, "keys", "create", "--db", db, "--role", "admin")
	if err != nil || !strings.Contains(out, "ck_") {
		t.Fatalf("keys create: %v\n%s", err, out)
	}

	st, err = app.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	none := func(*ledger.Event, []*coffer.WebhookEndpoint) []*coffer.Delivery { return nil }
	n, err := st.DispatchEvents(ctx, now.Add(time.Hour), 10, none)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d events left undispatched after keys create, want 1: the command ran the delivery job", n)
	}
}
