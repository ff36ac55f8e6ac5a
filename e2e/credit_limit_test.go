package e2e

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/ledger"
)

// TestCreditLimit drives the credit limit over HTTP: served usage and an
// over-capture run into debt down to the account's credit limit and are
// refused past it with 402 credit_limit_reached, the first refusal raises
// one event, and raising the limit lets usage through again.
func TestCreditLimit(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: "Limited", Currency: "USD",
			MinBalance: amtp("-10.00"), CreditLimit: amtp("-50.00")})
		if err != nil {
			t.Fatal(err)
		}
		wantAmount(t, "credit_limit", a.CreditLimit, "-50.00")
		h.grant(a.ID, api.GrantCreate{Amount: amt("20.00")})
		served := func(event, amount string) error {
			_, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: event, Amount: amtp(amount), AllowNegative: true})
			return err
		}
		if err := served("s1", "69.99"); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			wantCode(t, served(fmt.Sprint("over-", i), "0.02"), coffer.ECreditLimitReached)
		}
		_, err = h.admin.CreateHold(h.ctx, api.HoldCreate{AccountID: a.ID, Amount: amt("0.01"), TTL: "10m"})
		wantCode(t, err, coffer.EInsufficientBalance) // a hold is strict: the floor stops it
		wantAmount(t, "balance", h.balance(a.ID).Balance, "-49.99")
		evs, err := h.admin.ListEvents(h.ctx, client.EventParams{Types: []string{ledger.EventCreditLimit}, AccountID: a.ID})
		if err != nil || len(evs.Data) != 1 {
			t.Fatalf("want one %s event, got %v %v", ledger.EventCreditLimit, evs, err)
		}

		// A raised limit lets the refused usage through.
		if _, err := h.admin.UpdateAccount(h.ctx, a.ID, api.AccountUpdate{CreditLimit: amtp("-100.00")}); err != nil {
			t.Fatal(err)
		}
		if err := served("over-0", "0.02"); err != nil {
			t.Fatal(err)
		}
		// A limit above the floor is refused, naming the field.
		_, err = h.admin.UpdateAccount(h.ctx, a.ID, api.AccountUpdate{CreditLimit: amtp("-5.00")})
		var ae *client.Error
		if !errors.As(err, &ae) || ae.Param != "credit_limit" {
			t.Fatalf("a limit above the floor: want a refusal naming credit_limit, got %v", err)
		}

		// An over-capture past the limit is refused and the hold stays.
		h.grant(a.ID, api.GrantCreate{Amount: amt("60.00")}) // repays the debt, leaves 9.99
		hd, err := h.admin.CreateHold(h.ctx, api.HoldCreate{AccountID: a.ID, Amount: amt("1.00"), TTL: "10m"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.admin.CaptureHold(h.ctx, hd.ID, api.HoldCapture{Amount: amt("5000.00")})
		wantCode(t, err, coffer.ECreditLimitReached)
		if g, err := h.admin.GetHold(h.ctx, hd.ID); err != nil || g.Status != "active" {
			t.Fatalf("hold after a refused capture: %+v %v", g, err)
		}
		if _, err := h.admin.CaptureHold(h.ctx, hd.ID, api.HoldCapture{Amount: amt("100.00")}); err != nil {
			t.Fatal(err)
		}
		wantAmount(t, "balance", h.balance(a.ID).Balance, "-90.01")
	})
}

// TestServedUsageCannotOverflow repeats the huge served debits that once
// overflowed an account's debt and failed whole batches: each is answered
// with a 4xx, never a 500, on an account with the default credit limit.
func TestServedUsageCannotOverflow(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Huge", "")
		wantAmount(t, "default credit_limit", a.CreditLimit, "-1000.00")
		sub, err := h.admin.CreateSubaccount(h.ctx, a.ID, api.SubaccountCreate{Name: "gw"})
		if err != nil {
			t.Fatal(err)
		}
		sc := h.client(client.WithSubaccount(sub.AuthID, sub.AuthToken))
		for i := range 10 {
			_, err := sc.Debit(h.ctx, api.DebitCreate{EventID: fmt.Sprint("nK-", i), Amount: amtp("999999999999.999999"), AllowNegative: true})
			wantCode(t, err, coffer.ECreditLimitReached)
		}
		if _, err := sc.Debit(h.ctx, api.DebitCreate{EventID: "small", Amount: amtp("999.99"), AllowNegative: true}); err != nil {
			t.Fatal(err)
		}
		wantAmount(t, "balance", h.balance(a.ID).Balance, "-999.99")
	})
}
