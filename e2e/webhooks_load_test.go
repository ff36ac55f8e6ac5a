package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// TestSlowReceiverDoesNotSlowDebits: while every webhook hangs at the
// receiver, debits that raise events still answer at once — delivery runs
// beside the committer, never in its way.
func TestSlowReceiverDoesNotSlowDebits(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := startWith(t, dsn, nil)
		rcv := newReceiver(t, 0)
		rcv.block = make(chan struct{})
		defer func() {
			rcv.mu.Lock()
			if rcv.block != nil {
				close(rcv.block)
				rcv.block = nil
			}
			rcv.mu.Unlock()
		}()
		ep, err := h.admin.CreateWebhookEndpoint(h.ctx, api.WebhookEndpointCreate{URL: rcv.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		rcv.setSecret(ep.Secret)
		a := h.account("Busy", "")
		h.grant(a.ID, api.GrantCreate{Amount: amt("1000.00")})
		<-rcv.arrived // the worker is stuck in an attempt
		for i := range 40 {
			// Some of these cross alerts and raise events of their own.
			start := time.Now()
			if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: fmt.Sprint(i), Amount: amtp("20.00")}); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("debit %d took %s while the receiver hung", i, d)
			}
		}
		if got := rcv.total(); got != 0 {
			t.Fatalf("%d webhooks completed while the receiver hung", got)
		}
	})
}

// TestTwoProcessesShareDelivery: two servers on one PostgreSQL both
// deliver; every event arrives, and each delivery is attempted once.
func TestTwoProcessesShareDelivery(t *testing.T) {
	t.Parallel()
	dsn := pgtest.TestPostgresDSN(t)
	one, stopOne := startStoppable(t, dsn, nil)
	two, stopTwo := startStoppable(t, dsn, nil)
	two.admin = two.client(client.WithAPIKey(one.srv.AdminKey))
	rcv := newReceiver(t, 0)
	ep, err := one.admin.CreateWebhookEndpoint(one.ctx, api.WebhookEndpointCreate{URL: rcv.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	rcv.setSecret(ep.Secret)
	var wg sync.WaitGroup
	for i, h := range []*harness{one, two} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 5 {
				a, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: fmt.Sprintf("p%d-%d", i, j), Currency: "USD"})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := h.admin.CreateGrant(h.ctx, a.ID, api.GrantCreate{Amount: amt("300.00")}); err != nil {
					t.Error(err)
					return
				}
				if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "1", Amount: amtp("295.00")}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	evs := one.allEvents(client.EventParams{})
	if len(evs) != 2*5*5 { // created, granted, three alerts per account
		t.Fatalf("%d events", len(evs))
	}
	ids := eventIDs(evs)
	waitFor(t, "every event from both processes", func() bool { return len(rcv.missing(ids)) == 0 })
	// Once every delivery is recorded as done, neither process has more
	// to send; once both have stopped and the receiver has finished every
	// request it took, nothing more can arrive.
	waitRecorded(t, one.admin, ids)
	stopOne()
	stopTwo()
	rcv.srv.Close()
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for id, n := range rcv.requests {
		if n != 1 {
			t.Errorf("webhook %s was sent %d times by two healthy processes", id, n)
		}
	}
}
