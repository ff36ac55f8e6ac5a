package service_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/store"
)

// An endpoint's deliveries list the failed attempt with its event, its
// answer and the retry it waits for; only an admin may read them, and
// a deleted endpoint has none to show.
func TestListEndpointDeliveries(t *testing.T) {
	svc, _ := consoleService(t)
	ctx := t.Context()
	admin := service.Call{Caller: &service.Caller{KeyID: "key_test", Role: coffer.RoleAdmin}}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not today", http.StatusServiceUnavailable)
	}))
	t.Cleanup(receiver.Close)
	ep, err := svc.CreateWebhookEndpoint(ctx, admin, api.WebhookEndpointCreate{URL: receiver.URL, EventTypes: []string{"account.credits.granted"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.CreateAccount(ctx, admin, api.AccountCreate{Name: "Acme", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateGrant(ctx, admin, a.ID, api.GrantCreate{Kind: "monetary", Amount: money.MustParse("5"), Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := svc.ListEndpointDeliveries(ctx, admin, ep.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Data) != 1 {
		t.Fatalf("deliveries: %+v", list.Data)
	}
	d := list.Data[0]
	if d.EventType != "account.credits.granted" || d.Status != "pending" || len(d.Attempts) != 1 || d.Attempts[0].StatusCode != 503 ||
		d.NextAttemptAt == nil || d.LastError == "" {
		t.Fatalf("the delivery reads %+v", d)
	}
	owner := service.Call{Caller: &service.Caller{KeyID: "usr_owner", Role: coffer.RoleAccount, AccountID: a.ID}}
	_, err = svc.ListEndpointDeliveries(ctx, owner, ep.ID, store.Page{})
	wantCode(t, err, coffer.EForbidden)
	if err := svc.DeleteWebhookEndpoint(ctx, admin, ep.ID); err != nil {
		t.Fatal(err)
	}
	_, err = svc.ListEndpointDeliveries(ctx, admin, ep.ID, store.Page{})
	wantCode(t, err, coffer.ENotFound)
}
