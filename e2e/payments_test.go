package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/payments"
)

// card adds a sandbox test card to the account.
func (h *harness) card(acct, number string) *api.PaymentMethod {
	h.t.Helper()
	m, err := h.admin.AddPaymentMethod(h.ctx, acct, api.PaymentMethodCreate{Type: "card", CardNumber: number, ExpMonth: 12, ExpYear: 2030, CVC: "123"})
	if err != nil {
		h.t.Fatalf("add card %s: %v", number, err)
	}
	return m
}

func (h *harness) debit(acct, event, amount string) error {
	a := amt(amount)
	_, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: acct, EventID: event, Amount: &a})
	return err
}

func (h *harness) mustDebit(acct, event, amount string) {
	h.t.Helper()
	if err := h.debit(acct, event, amount); err != nil {
		h.t.Fatalf("debit %s %s: %v", event, amount, err)
	}
}

// payments lists the account's payments from source, oldest first.
func (h *harness) payments(acct, source string) []api.Payment {
	h.t.Helper()
	l, err := h.admin.ListPayments(h.ctx, acct, client.PaymentListParams{ListParams: client.ListParams{Limit: 100}, Source: source})
	if err != nil {
		h.t.Fatalf("list payments: %v", err)
	}
	return l.Data
}

func count(ps []api.Payment, status string) int {
	n := 0
	for _, p := range ps {
		if p.Status == status {
			n++
		}
	}
	return n
}

// rechargeAttempts waits until the account's auto-recharge has nothing
// left to do: the given number of recharge attempts exist, none is
// processing, and no run holds the account's lease, so no further charge
// is on its way; then there must be exactly that many.
func (h *harness) rechargeAttempts(acct string, want int) []api.Payment {
	h.t.Helper()
	var ps []api.Payment
	waitFor(h.t, fmt.Sprintf("%d recharge attempts", want), func() bool {
		ps = h.payments(acct, string(coffer.SourceAutoRecharge))
		return len(ps) >= want && count(ps, string(coffer.PaymentProcessing)) == 0 && !h.rechargeRunning(acct)
	})
	if ps = h.payments(acct, string(coffer.SourceAutoRecharge)); len(ps) != want {
		h.t.Fatalf("%d recharge attempts, want %d: %+v", len(ps), want, ps)
	}
	return ps
}

func boolp(b bool) *bool    { return &b }
func strp(s string) *string { return &s }

// The reference example: threshold 100.00, recharge amount 20.00, and a
// one-off spend that takes the balance from 100.00 to 10.00 — exactly five
// charges of 20.00 and a final balance of 110.00.
func TestPaymentsFixedRechargeFiveCharges(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Plivo-like", "")
		c := h.card(a.ID, payments.TestCardSuccess)
		if _, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("100.00"), PaymentMethodID: c.ID}); err != nil {
			t.Fatal(err)
		}
		ar, err := h.admin.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(true), PaymentMethodID: &c.ID,
			Threshold: amtp("100.00"), Amount: amtp("20.00")})
		if err != nil || !ar.Enabled || ar.DailyCap == nil {
			t.Fatalf("put auto-recharge: %+v %v", ar, err)
		}
		h.mustDebit(a.ID, "spend-90", "90.00")
		ps := h.rechargeAttempts(a.ID, 5)
		for _, p := range ps {
			if p.Status != string(coffer.PaymentSucceeded) || p.Amount != amt("20.00") || p.GrantID == "" {
				t.Fatalf("recharge %+v", p)
			}
		}
		wantAmount(t, "balance", h.balance(a.ID).Balance, "110.00")
		g, err := h.admin.GetGrant(h.ctx, ps[0].GrantID)
		if err != nil || g.Category != "paid" || g.ExpiresAt == nil || !g.ExpiresAt.Equal(clockStart.Add(365*24*time.Hour)) {
			t.Fatalf("recharge grant %+v %v", g, err)
		}
	})
}

// Many concurrent debits on one account never make a duplicate charge:
// with a fixed amount, the balance ends at or above the threshold and
// less than one recharge above it.
func TestPaymentsConcurrentDebitsNoDuplicateCharge(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("busy", "")
		c := h.card(a.ID, payments.TestCardSuccess)
		h.grant(a.ID, api.GrantCreate{Amount: amt("100.00"), Category: "paid"})
		if _, err := h.admin.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(true), PaymentMethodID: &c.ID,
			Threshold: amtp("100.00"), Amount: amtp("20.00")}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = h.debit(a.ID, fmt.Sprintf("burst-%d", i), "2.50")
			}()
		}
		wg.Wait()
		var bal api.Balance
		waitFor(h.t, "the balance back at the threshold", func() bool {
			ps := h.payments(a.ID, string(coffer.SourceAutoRecharge))
			bal = *h.balance(a.ID)
			return bal.Balance >= amt("100.00") && count(ps, string(coffer.PaymentProcessing)) == 0 && !h.rechargeRunning(a.ID)
		})
		bal = *h.balance(a.ID)
		ps := h.payments(a.ID, string(coffer.SourceAutoRecharge))
		if bal.Balance < amt("100.00") || bal.Balance >= amt("120.00") {
			t.Fatalf("balance %s after %d recharges: a duplicate charge overshot", bal.Balance, len(ps))
		}
		// Every debit fits in the first 100.00, so all 40 succeed:
		// balance = 100 - 40×2.50 + 20×charges.
		want := amt("0")
		for _, p := range ps {
			if p.Status != string(coffer.PaymentSucceeded) {
				t.Fatalf("recharge %+v", p)
			}
			want += amt("20.00")
		}
		wantAmount(t, "balance", bal.Balance, want.String())
	})
}

// Target mode: below 10.00 refill to 20.00; at 8.50 one charge of 11.50.
func TestPaymentsTargetRecharge(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("target", "")
		c := h.card(a.ID, payments.TestCardSuccess)
		if _, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("25.00")}); err != nil {
			t.Fatal(err) // the first card is the default
		}
		if _, err := h.admin.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(true), PaymentMethodID: &c.ID,
			Threshold: amtp("10.00"), Target: amtp("20.00")}); err != nil {
			t.Fatal(err)
		}
		h.mustDebit(a.ID, "e1", "16.50")
		ps := h.rechargeAttempts(a.ID, 1)
		if ps[0].Amount != amt("11.50") || ps[0].Status != string(coffer.PaymentSucceeded) {
			t.Fatalf("recharge %+v, want one charge of 11.50", ps[0])
		}
		wantAmount(t, "balance", h.balance(a.ID).Balance, "20.00")
	})
}
