package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/service"
)

// TestWebhooksReachAFlakyReceiver: a receiver on loopback fails half its
// requests at random. Every event still arrives, under one webhook-id per
// event and endpoint, every signature verifies with the official library,
// retries back off on Coffer's clock, and every attempt is on record.
func TestWebhooksReachAFlakyReceiver(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := startWith(t, dsn, nil)
		rcv := newReceiver(t, 0.5)
		ep, err := h.admin.CreateWebhookEndpoint(h.ctx, api.WebhookEndpointCreate{URL: rcv.srv.URL + "/hooks", Description: "ops"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ep.Secret, "whsec_") || ep.Status != "enabled" {
			t.Fatalf("endpoint %+v", ep)
		}
		rcv.setSecret(ep.Secret)

		// Events of several kinds: accounts, grants, debits crossing
		// alerts (250, 100, 10 by default), depletion, a void.
		for i := range 3 {
			a := h.account(fmt.Sprintf("Flaky %d", i), "")
			h.grant(a.ID, api.GrantCreate{Amount: amt("300.00")})
			g := h.grant(a.ID, api.GrantCreate{Amount: amt("5.00")})
			if _, err := h.admin.VoidGrant(h.ctx, g.ID, api.GrantVoid{Reason: "test"}); err != nil {
				t.Fatal(err)
			}
			for j, amount := range []string{"60.00", "150.00", "85.00", "5.00"} {
				if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: fmt.Sprint(j), Amount: amtp(amount)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		evs := h.allEvents(client.EventParams{})
		types := map[string]int{}
		for _, e := range evs {
			types[e.Type]++
		}
		for _, typ := range []string{"account.created", "account.credits.granted", "account.credits.voided",
			"balance.alert_triggered", "account.credits.balance_depleted"} {
			if types[typ] == 0 {
				t.Fatalf("no %s among %v", typ, types)
			}
		}

		// Deliveries go out at once; retries fall due as Coffer's clock
		// moves. Advance an hour at a time until everything arrived.
		ids := eventIDs(evs)
		now := clockStart
		for i := 0; len(rcv.missing(ids)) > 0; i++ {
			if i == 100 {
				t.Fatalf("after 100 hours %d of %d events never arrived", len(rcv.missing(ids)), len(ids))
			}
			// Before the clock moves on, the worker makes every attempt
			// due by now.
			waitFor(t, "the attempts due at "+now.Format(time.RFC3339), func() bool { return h.attemptsMade(rcv.missing(ids), now) })
			c, err := h.admin.AdvanceClock(h.ctx, api.ClockAdvance{By: "1h"})
			if err != nil {
				t.Fatalf("advance clock: %v", err)
			}
			now = c.Now
		}

		// One webhook-id per event and endpoint: a receiver can drop repeats.
		rcv.mu.Lock()
		for id, hooks := range rcv.byEvent {
			if len(hooks) != 1 {
				t.Errorf("event %s arrived under %d webhook-ids", id, len(hooks))
			}
		}
		rcv.mu.Unlock()

		// Every attempt is logged, and the waits grow.
		retried := 0
		for _, e := range evs {
			d, err := h.admin.GetEvent(h.ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Deliveries) != 1 {
				t.Fatalf("event %s has %d deliveries", e.ID, len(d.Deliveries))
			}
			del := d.Deliveries[0]
			if del.Status != "succeeded" || del.EndpointID != ep.ID || del.Channel != "webhook" {
				t.Fatalf("delivery %+v", del)
			}
			if got := rcv.requestsFor(del.ID); got != len(del.Attempts) {
				t.Fatalf("delivery %s: receiver saw %d requests, %d attempts logged", del.ID, got, len(del.Attempts))
			}
			for k, a := range del.Attempts {
				if a.N != k+1 || a.Succeeded != (k == len(del.Attempts)-1) {
					t.Fatalf("attempt %d of %s: %+v", k, del.ID, a)
				}
				if !a.Succeeded && (a.StatusCode != 500 || !strings.Contains(a.Response, "bad day")) {
					t.Fatalf("failed attempt not recorded as the receiver answered: %+v", a)
				}
				if k > 0 {
					gap := a.AttemptedAt.Sub(del.Attempts[k-1].AttemptedAt)
					if gap < service.DefaultRetries()[k-1] {
						t.Fatalf("attempt %d of %s came %s after the last; the schedule says %s", k+1, del.ID, gap, service.DefaultRetries()[k-1])
					}
				}
			}
			if len(del.Attempts) > 1 {
				retried++
			}
		}
		if retried == 0 {
			t.Fatal("no delivery needed a retry: the receiver did not fail")
		}
		if ep2, _ := h.admin.GetWebhookEndpoint(h.ctx, ep.ID); ep2.Secret != "" || ep2.Status != "enabled" {
			t.Fatalf("endpoint after delivery: %+v", ep2)
		}
	})
}

// TestWebhookEndpointsAdmin: create, list, update, filter, rotate, replay,
// fail for good, delete.
func TestWebhookEndpointsAdmin(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := startWith(t, dsn, nil)
		rcv := newReceiver(t, 0)
		_, err := h.admin.CreateWebhookEndpoint(h.ctx, api.WebhookEndpointCreate{URL: "ftp://nope"})
		wantCode(t, err, "invalid_request")
		ep, err := h.admin.CreateWebhookEndpoint(h.ctx, api.WebhookEndpointCreate{URL: rcv.srv.URL,
			EventTypes: []string{"balance.*", "account.credits.balance_depleted"}})
		if err != nil {
			t.Fatal(err)
		}
		rcv.setSecret(ep.Secret)
		list, err := h.admin.ListWebhookEndpoints(h.ctx, client.ListParams{})
		if err != nil || len(list.Data) != 1 || list.Data[0].Secret != "" || list.Data[0].EventTypes[0] != "balance.*" {
			t.Fatalf("list %+v %v", list, err)
		}
		// An account key may not manage endpoints.
		a := h.account("Filtered", "")
		secret, _, err := h.srv.Service().CreateAPIKey(h.ctx, "account", a.ID, "owner")
		if err != nil {
			t.Fatal(err)
		}
		acctClient := h.client(client.WithAPIKey(secret))
		_, err = acctClient.ListWebhookEndpoints(h.ctx, client.ListParams{})
		wantCode(t, err, "forbidden")

		h.grant(a.ID, api.GrantCreate{Amount: amt("120.00")})
		if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "1", Amount: amtp("120.00")}); err != nil {
			t.Fatal(err)
		}
		// Only the subscribed types: two alerts (100, 10) and the depletion.
		want := h.allEvents(client.EventParams{Types: []string{"balance.alert_triggered", "account.credits.balance_depleted"}})
		if len(want) != 3 {
			t.Fatalf("events %+v", want)
		}
		waitFor(t, "filtered events", func() bool { return len(rcv.missing(eventIDs(want))) == 0 })
		rcv.mu.Lock()
		if len(rcv.got) != 3 {
			t.Errorf("receiver got %d events, want only the 3 subscribed", len(rcv.got))
		}
		rcv.mu.Unlock()
		// The account key sees its own events, filtered and paged.
		page, err := acctClient.ListEvents(h.ctx, client.EventParams{ListParams: client.ListParams{Limit: 2}})
		if err != nil || len(page.Data) != 2 || !page.HasMore || page.Data[0].AccountID != a.ID {
			t.Fatalf("account's events %+v %v", page, err)
		}

		// Rotate: the answer shows the new secret; later deliveries are
		// signed with it.
		rot, err := h.admin.UpdateWebhookEndpoint(h.ctx, ep.ID, api.WebhookEndpointUpdate{RotateSecret: true})
		if err != nil || rot.Secret == "" || rot.Secret == ep.Secret {
			t.Fatalf("rotate %+v %v", rot, err)
		}
		rcv.setSecret(rot.Secret)
		before := rcv.total()
		// Replay one event: same webhook-id as the first time.
		res, err := h.admin.RedeliverEvent(h.ctx, want[0].ID, api.Redeliver{})
		if err != nil || res.Deliveries != 1 {
			t.Fatalf("redeliver %+v %v", res, err)
		}
		waitFor(t, "the replay", func() bool { return rcv.total() == before+1 })
		rcv.mu.Lock()
		if hooks := rcv.byEvent[want[0].ID]; len(hooks) != 1 || rcv.requests[hooks[0]] != 2 {
			t.Errorf("replay arrived under %v (%d requests)", hooks, rcv.requests[hooks[0]])
		}
		rcv.mu.Unlock()
		// Replay a time range: everything subscribed in it.
		from, to := clockStart.Add(-time.Minute), clockStart.Add(time.Minute)
		res, err = h.admin.RedeliverEvents(h.ctx, api.Redeliver{From: &from, To: &to})
		if err != nil || res.Deliveries != 3 || res.Events < 3 {
			t.Fatalf("range redeliver %+v %v", res, err)
		}
		waitFor(t, "the range replay", func() bool { return rcv.total() == before+4 })

		// An endpoint that never answers 2xx: after about three days of
		// retries the delivery fails and the endpoint shows as failing.
		rcv.mu.Lock()
		rcv.failRate, rcv.maxFails = 1, 1<<30
		rcv.mu.Unlock()
		if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "2", Amount: amtp("1.00"), AllowNegative: true}); err != nil {
			t.Fatal(err)
		}
		h.grant(a.ID, api.GrantCreate{Amount: amt("50.00")})
		if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "3", Amount: amtp("45.00")}); err != nil {
			t.Fatal(err)
		}
		// Under a frozen test clock every event shares one instant, so find
		// this one by its figures rather than by order.
		var alert api.Event
		for _, e := range h.allEvents(client.EventParams{Types: []string{"balance.alert_triggered"}}) {
			if e.Data["previous_balance"] == "49.00" {
				alert = e
			}
		}
		if alert.ID == "" {
			t.Fatal("no alert for the fall from 49.00")
		}
		waitFor(t, "the first attempt", func() bool {
			d, _ := h.admin.GetEvent(h.ctx, alert.ID)
			return len(d.Deliveries) == 1 && len(d.Deliveries[0].Attempts) == 1
		})
		for range 100 {
			if d, _ := h.admin.GetEvent(h.ctx, alert.ID); d.Deliveries[0].Status != "pending" {
				break
			}
			h.advance("1h")
		}
		d, err := h.admin.GetEvent(h.ctx, alert.ID)
		if err != nil || d.Deliveries[0].Status != "failed" || len(d.Deliveries[0].Attempts) != len(service.DefaultRetries())+1 {
			t.Fatalf("after the retries: %+v %v", d, err)
		}
		if last := d.Deliveries[0].Attempts[len(d.Deliveries[0].Attempts)-1]; last.AttemptedAt.Sub(d.Deliveries[0].Attempts[0].AttemptedAt) < 72*time.Hour {
			t.Fatalf("gave up after %s, want about three days", last.AttemptedAt.Sub(d.Deliveries[0].Attempts[0].AttemptedAt))
		}
		got, err := h.admin.GetWebhookEndpoint(h.ctx, ep.ID)
		if err != nil || got.Status != "failing" || got.FailingSince == nil {
			t.Fatalf("endpoint after giving up: %+v %v", got, err)
		}
		// Disable, re-enable: the failing mark clears.
		if _, err := h.admin.UpdateWebhookEndpoint(h.ctx, ep.ID, api.WebhookEndpointUpdate{Enabled: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		got, err = h.admin.UpdateWebhookEndpoint(h.ctx, ep.ID, api.WebhookEndpointUpdate{Enabled: ptr(true)})
		if err != nil || got.Status != "enabled" || got.FailingSince != nil {
			t.Fatalf("re-enabled: %+v %v", got, err)
		}
		if err := h.admin.DeleteWebhookEndpoint(h.ctx, ep.ID); err != nil {
			t.Fatal(err)
		}
		_, err = h.admin.GetWebhookEndpoint(h.ctx, ep.ID)
		wantCode(t, err, "not_found")
	})
}

func ptr[T any](v T) *T { return &v }

// attemptsMade reports whether every delivery of the events has had each
// attempt due at now: it is done, or its next attempt lies after now.
func (h *harness) attemptsMade(ids []string, now time.Time) bool {
	h.t.Helper()
	for _, id := range ids {
		d, err := h.admin.GetEvent(h.ctx, id)
		if err != nil {
			h.t.Fatalf("event %s: %v", id, err)
		}
		if len(d.Deliveries) == 0 {
			return false
		}
		for _, dl := range d.Deliveries {
			if dl.Status == "pending" && (dl.NextAttemptAt == nil || !dl.NextAttemptAt.After(now)) {
				return false
			}
		}
	}
	return true
}

// TestDeliveryAfterRestart: the server stops after events are committed
// but before they are delivered — once with delivery off, once in the
// middle of an attempt — and a new server on the same store delivers them.
func TestDeliveryAfterRestart(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		rcv := newReceiver(t, 0)
		first, stopFirst := startStoppable(t, dsn, func(c *app.ServerConfig) { c.Service.Notify.NoDelivery = true })
		ep, err := first.admin.CreateWebhookEndpoint(first.ctx, api.WebhookEndpointCreate{URL: rcv.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		rcv.setSecret(ep.Secret)
		a := first.account("Restarted", "")
		first.grant(a.ID, api.GrantCreate{Amount: amt("20.00")})
		evs := first.allEvents(client.EventParams{})
		if len(evs) != 2 {
			t.Fatalf("events %+v", evs)
		}
		stopFirst()
		if rcv.total() != 0 {
			t.Fatalf("a server with delivery off sent %d webhooks", rcv.total())
		}

		// Second life: delivery on. The receiver holds the first request
		// until the server is gone, so that attempt never completes.
		rcv.mu.Lock()
		rcv.block = make(chan struct{})
		rcv.mu.Unlock()
		second, stopSecond := startStoppable(t, dsn, func(c *app.ServerConfig) { c.ClockAt = clockStart.Add(time.Hour) })
		second.admin = second.client(client.WithAPIKey(first.srv.AdminKey))
		<-rcv.arrived
		if _, err := second.admin.Debit(second.ctx, api.DebitCreate{AccountID: a.ID, EventID: "1", Amount: amtp("20.00")}); err != nil {
			t.Fatal(err)
		}
		evs = second.allEvents(client.EventParams{})
		stopSecond() // cancels the attempt in flight: it is not recorded
		rcv.mu.Lock()
		close(rcv.block)
		rcv.block = nil
		rcv.mu.Unlock()

		// Third life: what was claimed comes back once its lease runs out
		// on Coffer's clock; what was never tried goes at once.
		third := startWith(t, dsn, func(c *app.ServerConfig) { c.ClockAt = clockStart.Add(time.Hour) })
		third.admin = third.client(client.WithAPIKey(first.srv.AdminKey))
		third.advance("5m")
		ids := eventIDs(evs)
		waitFor(t, "every event after the restarts", func() bool { return len(rcv.missing(ids)) == 0 })
		waitRecorded(t, third.admin, ids)
		for _, e := range evs {
			d, err := third.admin.GetEvent(third.ctx, e.ID)
			if err != nil || len(d.Deliveries) != 1 || d.Deliveries[0].Status != "succeeded" {
				t.Fatalf("event %s: %+v %v", e.ID, d, err)
			}
			if !slices.ContainsFunc(d.Deliveries[0].Attempts, func(a api.Attempt) bool { return a.Succeeded }) {
				t.Fatalf("event %s has no successful attempt: %+v", e.ID, d.Deliveries[0])
			}
		}
	})
}
