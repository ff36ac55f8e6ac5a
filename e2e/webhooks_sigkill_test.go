package e2e

import (
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
)

// TestDeliveryAfterSIGKILL kills the real binary with SIGKILL while its
// webhook attempts hang at the receiver, after the events were committed.
// A new server on the same store delivers every one of them once the dead
// process's claims have lapsed.
func TestDeliveryAfterSIGKILL(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := cofferBin
	stores(t, func(t *testing.T, dsn string) {
		rcv := newReceiver(t, 0)
		rcv.block = make(chan struct{}) // every request hangs until released
		p := startServe(t, bin, dsn, "doomed")
		c := client.New(p.URL(), client.WithAPIKey(p.AdminKey()))
		ctx := t.Context()
		ep, err := c.CreateWebhookEndpoint(ctx, api.WebhookEndpointCreate{URL: rcv.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		rcv.setSecret(ep.Secret)
		a, err := c.CreateAccount(ctx, api.AccountCreate{Name: "Killed", Currency: "USD", Email: "k@kill.test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateGrant(ctx, a.ID, api.GrantCreate{Amount: amt("300.00")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Debit(ctx, api.DebitCreate{AccountID: a.ID, EventID: "1", Amount: amtp("295.00")}); err != nil {
			t.Fatal(err)
		}
		<-rcv.arrived // an attempt is in flight, held by the receiver
		p.kill()
		rcv.mu.Lock()
		if len(rcv.got) != 0 {
			t.Fatalf("%d events were delivered before the kill", len(rcv.got))
		}
		close(rcv.block)
		rcv.block = nil
		rcv.mu.Unlock()

		// The dead process leased what it claimed for two minutes of its
		// (wall) clock; the new server's clock starts past that.
		h := startWith(t, dsn, func(c *app.ServerConfig) { c.ClockAt = time.Now().Add(5 * time.Minute) })
		h.admin = h.client(client.WithAPIKey(p.AdminKey()))
		evs := h.allEvents(client.EventParams{})
		if len(evs) != 5 { // created, granted, and the alerts at 250, 100 and 10
			t.Fatalf("%d events: %+v", len(evs), evs)
		}
		ids := eventIDs(evs)
		waitFor(t, "every event after SIGKILL", func() bool { return len(rcv.missing(ids)) == 0 })
		// The receiver may have the event the killed process had in flight
		// before the new server's own attempt at it is recorded: wait for
		// the record, which is what must survive the kill.
		waitRecorded(t, h.admin, ids)
		for _, e := range evs {
			if d, err := h.admin.GetEvent(h.ctx, e.ID); err != nil || len(d.Deliveries) != 1 {
				t.Fatalf("event %s after restart: %+v %v", e.ID, d, err)
			}
		}
	})
}
