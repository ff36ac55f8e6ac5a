package storetest

import (
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// Balance alerts, webhook endpoints, the event list and deliveries.

var notifyTests = []struct {
	name string
	fn   func(*testing.T, store.Store)
}{
	{"AlertSettings", testAlertSettings},
	{"AlertsCrossInBatch", testAlertsCrossInBatch},
	{"UsageAndRecommendations", testUsageAndRecommendations},
	{"WebhookEndpoints", testWebhookEndpoints},
	{"EventsAndDeliveries", testEventsAndDeliveries},
}

func testAlertSettings(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	if _, err := s.GetAlertSettings(f.ctx, a.ID); coffer.ErrorCode(err) != coffer.ENotFound {
		t.Fatalf("no settings yet: %v", err)
	}
	set := &coffer.AlertSettings{AccountID: a.ID, OwnerSet: true, Thresholds: []money.Amount{amt("500"), amt("50")},
		Emails: []string{"cfo@acme.test"}, UpdatedAt: f.now}
	if err := s.PutAlertSettings(f.ctx, set); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetAlertSettings(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "settings", got, set)
	// The batch loads the thresholds with the state; an account without
	// settings gets the defaults.
	b := f.account()
	f.mustBatch([]string{a.ID, b.ID}, func(sts map[string]*ledger.State, w *writes) error {
		same(t, "owner thresholds", sts[a.ID].Alerts, set.Thresholds)
		same(t, "default thresholds", sts[b.ID].Alerts, ledger.DefaultAlertThresholds())
		return nil
	})
}

// testAlertsCrossInBatch: alert events are written with the debit that
// crossed, in its transaction.
func testAlertsCrossInBatch(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("300")}))
	eff := f.mustApply(a.ID, debit(ledger.Debit{EventID: "e1", Amount: amt("295")}))
	var got []string
	for _, ev := range eff.Events {
		if ev.Type == ledger.EventAlertTriggered {
			got = append(got, ev.Data["threshold"].(string))
		}
	}
	same(t, "crossed", got, []string{"250.00", "100.00", "10.00"})
	evs, _, err := s.ListEvents(f.ctx, store.EventFilter{Types: []string{ledger.EventAlertTriggered}, AccountID: a.ID})
	if err != nil || len(evs) != 3 {
		t.Fatalf("stored alert events %d (%v), want 3", len(evs), err)
	}
}

func testUsageAndRecommendations(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	owner := f.account()
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("100")}))
	f.tick(time.Hour)
	f.mustApply(a.ID, debit(ledger.Debit{EventID: "e1", Amount: amt("30")}))
	f.mustApply(a.ID, debit(ledger.Debit{EventID: "e2", Amount: amt("90"), AllowNegative: true})) // 70 from lots, 20 debt
	f.mustApply(a.ID, debit(ledger.Debit{EventID: "e3", Unit: "sms", Quantity: amt("5"), UnitPrice: amt("1"),
		AllowNegative: true}))
	usage, err := s.UsageBetween(f.ctx, []string{a.ID, owner.ID}, t0, f.now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "usage", usage, map[string]money.Amount{a.ID: amt("125")})
	if u, _ := s.UsageBetween(f.ctx, []string{a.ID}, f.now.Add(time.Second), f.now.Add(time.Hour)); len(u) != 0 {
		t.Fatalf("usage outside the window: %v", u)
	}

	ids, err := s.AccountsToRecommend(f.ctx, f.now, "", 10)
	if err != nil || len(ids) != 2 {
		t.Fatalf("due %v %v", ids, err)
	}
	if err := s.PutAlertSettings(f.ctx, &coffer.AlertSettings{AccountID: owner.ID, OwnerSet: true,
		Thresholds: []money.Amount{amt("7")}, UpdatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	recs := []coffer.Recommendation{
		{AccountID: a.ID, Recommended: amt("125"), Thresholds: []money.Amount{amt("125"), amt("100"), amt("10")}},
		{AccountID: owner.ID, Recommended: amt("3"), Thresholds: []money.Amount{amt("100"), amt("10"), amt("3")}},
	}
	if err := s.SaveRecommendations(f.ctx, recs, f.now); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetAlertSettings(f.ctx, a.ID)
	if err != nil || got.OwnerSet || got.Recommended != amt("125") || !got.RecommendedAt.Equal(f.now) {
		t.Fatalf("recommended row %+v %v", got, err)
	}
	same(t, "recommended thresholds", got.Thresholds, recs[0].Thresholds)
	got, err = s.GetAlertSettings(f.ctx, owner.ID)
	if err != nil || !got.OwnerSet || got.Recommended != amt("3") {
		t.Fatalf("owner row %+v %v", got, err)
	}
	same(t, "owner thresholds kept", got.Thresholds, []money.Amount{amt("7")})
	if ids, _ := s.AccountsToRecommend(f.ctx, f.now.Add(-time.Second), "", 10); len(ids) != 0 {
		t.Fatalf("due again at once: %v", ids)
	}
	if ids, _ := s.AccountsToRecommend(f.ctx, f.now, "", 10); len(ids) != 2 {
		t.Fatalf("not due a day later: %v", ids)
	}
}

func testWebhookEndpoints(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	e := &coffer.WebhookEndpoint{ID: f.ids.New(coffer.PrefixWebhookEndpoint, f.now), URL: "https://hooks.test/a", Description: "ops",
		EventTypes: []string{"account.*"}, Enabled: true, Secret: "whsec_AAAA", CreatedAt: f.now, UpdatedAt: f.now}
	if err := s.CreateWebhookEndpoint(f.ctx, e, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetWebhookEndpoint(f.ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "endpoint", got, e)
	upd, err := s.UpdateWebhookEndpoint(f.ctx, e.ID, func(e *coffer.WebhookEndpoint) error {
		e.Enabled, e.EventTypes = false, nil
		return nil
	}, nil)
	if err != nil || upd.Enabled {
		t.Fatalf("update %+v %v", upd, err)
	}
	list, more, err := s.ListWebhookEndpoints(f.ctx, store.Page{Limit: 10})
	if err != nil || more || len(list) != 1 || list[0].Enabled || list[0].EventTypes != nil {
		t.Fatalf("list %+v %v %v", list, more, err)
	}
	if err := s.DeleteWebhookEndpoint(f.ctx, e.ID, f.now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetWebhookEndpoint(f.ctx, e.ID); coffer.ErrorCode(err) != coffer.ENotFound {
		t.Fatalf("deleted endpoint: %v", err)
	}
	wantCode(t, s.DeleteWebhookEndpoint(f.ctx, e.ID, f.now), coffer.ENotFound)
}

func testEventsAndDeliveries(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("5")}))
	f.tick(time.Second)
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("6")}))
	evs, more, err := s.ListEvents(f.ctx, store.EventFilter{Page: store.Page{Limit: 1}, AccountID: a.ID})
	if err != nil || !more || len(evs) != 1 || evs[0].Data["amount"] != "6.00" {
		t.Fatalf("newest first: %+v %v %v", evs, more, err)
	}
	older, more, err := s.ListEvents(f.ctx, store.EventFilter{Page: store.Page{Limit: 5, StartingAfter: evs[0].ID}, AccountID: a.ID})
	if err != nil || more || len(older) != 1 || older[0].Data["amount"] != "5.00" {
		t.Fatalf("next page: %+v %v %v", older, more, err)
	}
	if got, err := s.GetEvent(f.ctx, evs[0].ID); err != nil || got.Type != ledger.EventGranted {
		t.Fatalf("get event %+v %v", got, err)
	}
	ranged, _, err := s.ListEvents(f.ctx, store.EventFilter{From: t0, To: t0.Add(time.Second)})
	if err != nil || len(ranged) != 1 || ranged[0].ID != older[0].ID {
		t.Fatalf("time range: %+v %v", ranged, err)
	}

	ep := &coffer.WebhookEndpoint{ID: f.ids.New(coffer.PrefixWebhookEndpoint, f.now), URL: "https://hooks.test/a", Enabled: true,
		Secret: "whsec_AAAA", CreatedAt: f.now, UpdatedAt: f.now}
	if err := s.CreateWebhookEndpoint(f.ctx, ep, nil); err != nil {
		t.Fatal(err)
	}
	route := func(ev *ledger.Event, eps []*coffer.WebhookEndpoint) []*coffer.Delivery {
		var out []*coffer.Delivery
		for _, e := range eps {
			out = append(out, &coffer.Delivery{ID: f.ids.New(coffer.PrefixDelivery, f.now), EventID: ev.ID, Channel: coffer.ChannelWebhook,
				EndpointID: e.ID, Status: coffer.DeliveryPending, NextAttemptAt: f.now, CreatedAt: f.now, UpdatedAt: f.now})
		}
		return out
	}
	n, err := s.DispatchEvents(f.ctx, f.now, 10, route)
	if err != nil || n != 2 {
		t.Fatalf("dispatched %d %v", n, err)
	}
	if n, _ := s.DispatchEvents(f.ctx, f.now, 10, route); n != 0 {
		t.Fatalf("dispatched again: %d", n)
	}
	claimed, err := s.ClaimDeliveries(f.ctx, f.now, f.now.Add(time.Minute), 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claimed %d %v", len(claimed), err)
	}
	if again, _ := s.ClaimDeliveries(f.ctx, f.now, f.now.Add(time.Minute), 10); len(again) != 0 {
		t.Fatalf("a leased delivery was claimed twice")
	}
	d := claimed[0]
	d.Attempts, d.Status, d.NextAttemptAt, d.LastError, d.UpdatedAt = 1, coffer.DeliveryFailed, time.Time{}, "HTTP 500", f.now
	fail := true
	if err := s.RecordAttempt(f.ctx, &coffer.Attempt{DeliveryID: d.ID, N: 1, StatusCode: 500, Latency: 1500 * time.Microsecond,
		Response: "boom", AttemptedAt: f.now}, d, &fail); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.GetWebhookEndpoint(f.ctx, ep.ID); !e.FailingSince.Equal(f.now) {
		t.Fatalf("endpoint not marked failing: %+v", e)
	}
	ds, atts, err := s.ListDeliveries(f.ctx, d.EventID)
	if err != nil || len(ds) != 1 || ds[0].Status != coffer.DeliveryFailed || len(atts[d.ID]) != 1 ||
		atts[d.ID][0].Latency != 1500*time.Microsecond || atts[d.ID][0].Response != "boom" {
		t.Fatalf("deliveries %+v %+v %v", ds, atts, err)
	}
	// The endpoint's deliveries, newest first: the other event's, not yet
	// attempted, then d with its attempt.
	newest, more, eatts, err := s.ListEndpointDeliveries(f.ctx, ep.ID, store.Page{Limit: 1})
	if err != nil || !more || len(newest) != 1 || newest[0].ID != claimed[1].ID || len(eatts[newest[0].ID]) != 0 {
		t.Fatalf("endpoint deliveries, first page: %+v %v %+v %v", newest, more, eatts, err)
	}
	older2, more, eatts, err := s.ListEndpointDeliveries(f.ctx, ep.ID, store.Page{Limit: 5, StartingAfter: newest[0].ID})
	if err != nil || more || len(older2) != 1 || older2[0].ID != d.ID || len(eatts[d.ID]) != 1 || eatts[d.ID][0].StatusCode != 500 {
		t.Fatalf("endpoint deliveries, next page: %+v %v %+v %v", older2, more, eatts, err)
	}
	// Replaying keeps the delivery (its id is the webhook-id) and sets it
	// pending again.
	f.tick(time.Hour)
	re := &coffer.Delivery{ID: f.ids.New(coffer.PrefixDelivery, f.now), EventID: d.EventID, Channel: coffer.ChannelWebhook,
		EndpointID: ep.ID, Status: coffer.DeliveryPending, NextAttemptAt: f.now, CreatedAt: f.now, UpdatedAt: f.now}
	if err := s.ScheduleDeliveries(f.ctx, []*coffer.Delivery{re}); err != nil {
		t.Fatal(err)
	}
	claimed, err = s.ClaimDeliveries(f.ctx, f.now, f.now.Add(time.Minute), 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("after replay claimed %d %v", len(claimed), err)
	}
	for _, c := range claimed {
		if c.EventID == d.EventID && (c.ID != d.ID || c.Attempts != 1) {
			t.Fatalf("replay changed the delivery: %+v", c)
		}
	}
	// A replay scheduled while an attempt is in flight stands: the
	// attempt is logged, but the delivery stays pending.
	var inFlight *coffer.Delivery
	for _, c := range claimed {
		if c.ID == d.ID {
			inFlight = c
		}
	}
	f.tick(time.Second)
	re.NextAttemptAt, re.UpdatedAt = f.now, f.now
	if err := s.ScheduleDeliveries(f.ctx, []*coffer.Delivery{re}); err != nil {
		t.Fatal(err)
	}
	inFlight.Status, inFlight.NextAttemptAt, inFlight.UpdatedAt = coffer.DeliverySucceeded, time.Time{}, f.now
	if err := s.RecordAttempt(f.ctx, &coffer.Attempt{StatusCode: 200, AttemptedAt: f.now, Succeeded: true}, inFlight, nil); err != nil {
		t.Fatal(err)
	}
	ds, atts, _ = s.ListDeliveries(f.ctx, d.EventID)
	if len(ds) != 1 || ds[0].Status != coffer.DeliveryPending || ds[0].Attempts != 2 || len(atts[d.ID]) != 2 || atts[d.ID][1].N != 2 {
		t.Fatalf("replay during an attempt: %+v %+v", ds, atts)
	}

	if err := s.DeleteWebhookEndpoint(f.ctx, ep.ID, f.now); err != nil {
		t.Fatal(err)
	}
	ds, _, _ = s.ListDeliveries(f.ctx, d.EventID)
	if len(ds) != 1 || ds[0].Status != coffer.DeliveryCanceled {
		t.Fatalf("deleting the endpoint left %+v", ds)
	}
}
