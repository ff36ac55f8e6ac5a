package e2e

import (
	"strings"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/store"
)

// events lists the account's outbox events of the given types.
func (h *harness) events(acct string, types ...string) []*ledger.Event {
	h.t.Helper()
	evs, _, err := h.srv.Store().ListEvents(h.ctx, store.EventFilter{Page: store.Page{Limit: 1000}, AccountID: acct, Types: types})
	if err != nil {
		h.t.Fatalf("list events: %v", err)
	}
	return evs
}

// ownerClient is a client with an account key for acct.
func (h *harness) ownerClient(acct string) *client.Client {
	h.t.Helper()
	secret, _, err := h.srv.Service().CreateAPIKey(h.ctx, coffer.RoleAccount, acct, "owner")
	if err != nil {
		h.t.Fatalf("create account key: %v", err)
	}
	return h.client(client.WithAPIKey(secret))
}

// The failure ladder with a card that always declines: tries at the first
// fall below the threshold, then at 75%, 50%, 25% and 0% of it; the last
// failure at zero suspends the account. Strict debits are then refused;
// reads, payment-method changes and purchases still work, and a good
// purchase reactivates the account.
func TestPaymentsFailureLadderSuspendsAndPurchaseReactivates(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("ladder", "")
		bad := h.card(a.ID, payments.TestCardDecline)
		h.grant(a.ID, api.GrantCreate{Amount: amt("100.00"), Category: "paid"})
		if _, err := h.admin.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(true), PaymentMethodID: &bad.ID,
			Threshold: amtp("100.00"), Amount: amtp("20.00")}); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			debit    string
			attempts int
			retryAt  string
		}{
			{"10.00", 1, "75.00"}, // 90: first try fails, next at 75%
			{"5.00", 1, "75.00"},  // 85: above 75, no try
			{"10.00", 2, "50.00"}, // 75: second try
			{"20.00", 2, "50.00"}, // 55: no try
			{"5.00", 3, "25.00"},  // 50: third try
			{"25.00", 4, "0"},     // 25: fourth try
			{"24.00", 4, "0"},     // 1: no try
		}
		for i, st := range steps {
			h.mustDebit(a.ID, "ladder-"+string(rune('a'+i)), st.debit)
			ps := h.rechargeAttempts(a.ID, st.attempts)
			if n := count(ps, string(coffer.PaymentFailed)); n != st.attempts {
				t.Fatalf("step %d: %d failed attempts, want %d", i, n, st.attempts)
			}
			ar, err := h.admin.GetAutoRecharge(h.ctx, a.ID)
			if err != nil || ar.State != "retrying" || ar.RetryAtBalance == nil || *ar.RetryAtBalance != amt(st.retryAt) {
				t.Fatalf("step %d: auto-recharge %+v %v, want retry at %s", i, ar, err, st.retryAt)
			}
			if ar.RetryAt == nil || *ar.RetryAt != *ar.RetryAtBalance {
				t.Fatalf("step %d: the deprecated retry_at %v is not retry_at_balance %v", i, ar.RetryAt, ar.RetryAtBalance)
			}
			if acc, _ := h.admin.GetAccount(h.ctx, a.ID); acc.Status != "active" {
				t.Fatalf("step %d: account %s before the ladder ran out", i, acc.Status)
			}
		}
		// The last rung: at 0.00 the fifth try fails and the account is suspended.
		h.mustDebit(a.ID, "ladder-last", "1.00")
		ps := h.rechargeAttempts(a.ID, 5)
		if ps[4].Status != string(coffer.PaymentFailed) || ps[4].FailureCode != "card_declined" {
			t.Fatalf("last attempt %+v", ps[4])
		}
		acc, err := h.admin.GetAccount(h.ctx, a.ID)
		if err != nil || acc.Status != "suspended" {
			t.Fatalf("account %+v %v, want suspended", acc, err)
		}
		if ar, _ := h.admin.GetAutoRecharge(h.ctx, a.ID); ar.State != "exhausted" || ar.Failures != 5 {
			t.Fatalf("auto-recharge %+v, want exhausted after 5 failures", ar)
		}
		// Every attempt's failure and the suspension are in the outbox.
		failed := h.events(a.ID, "recharge.failed")
		if len(failed) != 5 {
			t.Fatalf("recharge.failed events: %d %v", len(failed), failed)
		}
		// Under a test clock that stands still the events share an
		// instant, so compare them as a set: each names the next rung.
		rungs := map[string]bool{}
		for _, ev := range failed {
			if ev.Data["failure_code"] != "card_declined" {
				t.Fatalf("event %v", ev.Data)
			}
			next, _ := ev.Data["next_retry_at_balance"].(string)
			rungs[next] = true
		}
		for _, want := range []string{"75.00", "50.00", "25.00", "0.00", ""} {
			if !rungs[want] {
				t.Fatalf("no failure named the next rung %q: %v", want, rungs)
			}
		}
		if n := len(h.events(a.ID, "account.suspended")); n != 1 {
			t.Fatalf("%d account.suspended events, want 1", n)
		}
		// Strict debits are refused; reads work.
		wantCode(t, h.debit(a.ID, "while-suspended", "0.01"), "account_suspended")
		wantAmount(t, "balance", h.balance(a.ID).Balance, "0")
		// The owner can still manage payment methods and buy.
		owner := h.ownerClient(a.ID)
		good, err := owner.AddPaymentMethod(h.ctx, a.ID, api.PaymentMethodCreate{Type: "card", CardNumber: payments.TestCardSuccess, ExpMonth: 1, ExpYear: 2031})
		if err != nil {
			t.Fatalf("add card while suspended: %v", err)
		}
		if _, err := owner.SetDefaultPaymentMethod(h.ctx, good.ID); err != nil {
			t.Fatalf("set default while suspended: %v", err)
		}
		p, err := owner.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("150.00")})
		if err != nil || p.Status != string(coffer.PaymentSucceeded) || p.PaymentMethodID != good.ID {
			t.Fatalf("purchase %+v %v", p, err)
		}
		acc, _ = h.admin.GetAccount(h.ctx, a.ID)
		if acc.Status != "active" {
			t.Fatalf("account %s after a good purchase, want active", acc.Status)
		}
		wantAmount(t, "balance", h.balance(a.ID).Balance, "150.00")
		if n := len(h.events(a.ID, "account.reactivated")); n != 1 {
			t.Fatalf("%d account.reactivated events, want 1", n)
		}
		if ev := h.events(a.ID, "purchase.succeeded"); len(ev) != 1 || ev[0].Data["payment_id"] != p.ID {
			t.Fatalf("purchase.succeeded events %v", ev)
		}
		// Strict debits work again.
		h.mustDebit(a.ID, "after-reactivation", "1.00")
		wantAmount(t, "balance", h.balance(a.ID).Balance, "149.00")
		// The successful payment started the ladder afresh.
		if ar, _ := h.admin.GetAutoRecharge(h.ctx, a.ID); ar.State != "idle" || ar.Failures != 0 {
			t.Fatalf("auto-recharge %+v after a successful payment, want idle", ar)
		}
	})
}

// Delayed billing leaves a debt of 3.20; the next purchase repays it
// first, and the rest becomes a paid grant.
func TestPaymentsPurchaseRepaysDebt(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("delayed", "")
		h.card(a.ID, payments.TestCardSuccess)
		late := amt("3.20")
		if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "served", Amount: &late, AllowNegative: true}); err != nil {
			t.Fatal(err)
		}
		b := h.balance(a.ID)
		wantAmount(t, "balance", b.Balance, "-3.20")
		wantAmount(t, "debt", b.Debt, "3.20")
		p, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("25.00")})
		if err != nil || p.Status != string(coffer.PaymentSucceeded) {
			t.Fatalf("purchase %+v %v", p, err)
		}
		b = h.balance(a.ID)
		wantAmount(t, "balance", b.Balance, "21.80")
		wantAmount(t, "debt", b.Debt, "0")
		g, err := h.admin.GetGrant(h.ctx, p.GrantID)
		if err != nil || g.Amount != amt("25.00") || g.Remaining != amt("21.80") || g.Category != "paid" {
			t.Fatalf("grant %+v %v", g, err)
		}
	})
}

// The minimum purchase and the trust tier's maximum are refused with
// messages that say what the limit is.
func TestPaymentsPurchaseLimits(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("limits", "")
		h.card(a.ID, payments.TestCardSuccess)
		_, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("24.99")})
		wantCode(t, err, "invalid_request")
		if msg := err.Error(); !strings.Contains(msg, "at least 25.00 USD, the minimum purchase") {
			t.Fatalf("minimum message: %s", msg)
		}
		_, err = h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("1000.01")})
		wantCode(t, err, "invalid_request")
		if msg := err.Error(); !strings.Contains(msg, "more than 1000.00 USD, the largest single purchase for trust tier 1") {
			t.Fatalf("maximum message: %s", msg)
		}
		tier := 0
		if _, err := h.admin.UpdateAccount(h.ctx, a.ID, api.AccountUpdate{TrustTier: &tier}); err != nil {
			t.Fatal(err)
		}
		_, err = h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("100.01")})
		if !strings.Contains(err.Error(), "largest single purchase for trust tier 0") {
			t.Fatalf("tier 0 message: %v", err)
		}
		if _, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("100.00")}); err != nil {
			t.Fatalf("a purchase at the maximum: %v", err)
		}
		wantAmount(t, "balance", h.balance(a.ID).Balance, "100.00")
		// A declined card changes nothing and says so.
		bad := h.card(a.ID, payments.TestCardInsufficientFunds)
		_, err = h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("50.00"), PaymentMethodID: bad.ID})
		wantCode(t, err, "payment_failed")
		if !strings.Contains(err.Error(), "insufficient_funds") || !strings.Contains(err.Error(), "balance is unchanged") {
			t.Fatalf("decline message: %v", err)
		}
		wantAmount(t, "balance", h.balance(a.ID).Balance, "100.00")
	})
}

// A purchase retried with the same Idempotency-Key — in sequence or at
// once — charges once and credits once.
func TestPaymentsRetriedPurchaseChargesOnce(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("retry", "")
		h.card(a.ID, payments.TestCardSuccess)
		key := client.WithIdempotencyKey("buy-credits-1")
		first, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("40.00")}, key)
		if err != nil {
			t.Fatal(err)
		}
		type res struct {
			id  string
			err error
		}
		out := make(chan res, 8)
		for range 8 {
			go func() {
				p, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("40.00")}, key)
				if err != nil {
					out <- res{err: err}
					return
				}
				out <- res{id: p.ID}
			}()
		}
		for range 8 {
			r := <-out
			if r.err != nil || r.id != first.ID {
				t.Fatalf("retry answered %s %v, want %s", r.id, r.err, first.ID)
			}
		}
		// Concurrent first attempts under a new key also make one payment.
		key2 := client.WithIdempotencyKey("buy-credits-2")
		for range 6 {
			go func() {
				p, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("30.00")}, key2)
				if err != nil {
					out <- res{err: err}
					return
				}
				out <- res{id: p.ID}
			}()
		}
		var id2 string
		for range 6 {
			r := <-out
			if r.err != nil || (id2 != "" && r.id != id2) {
				t.Fatalf("concurrent first attempts: %s %v (other %s)", r.id, r.err, id2)
			}
			id2 = r.id
		}
		ps := h.payments(a.ID, string(coffer.SourcePurchase))
		if len(ps) != 2 {
			t.Fatalf("%d purchases recorded, want 2", len(ps))
		}
		wantAmount(t, "balance", h.balance(a.ID).Balance, "70.00")
		// The same key with a different body is refused.
		_, err = h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("41.00")}, key)
		wantCode(t, err, "idempotency_key_reused")
	})
}

// An operator locks auto-recharge on: the owner may change its payment
// method but not turn it off.
func TestPaymentsLockedAutoRecharge(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("locked", "")
		c1 := h.card(a.ID, payments.TestCardSuccess)
		h.grant(a.ID, api.GrantCreate{Amount: amt("50.00"), Category: "paid"})
		owner := h.ownerClient(a.ID)
		if _, err := owner.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(true), Threshold: amtp("10.00"), Amount: amtp("25.00"), Locked: boolp(true)}); client.ErrorCode(err) != "forbidden" {
			t.Fatalf("owner locking: %v", err)
		}
		if _, err := h.admin.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(true), Threshold: amtp("10.00"), Amount: amtp("25.00"), Locked: boolp(true)}); err != nil {
			t.Fatal(err)
		}
		_, err := owner.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(false)})
		wantCode(t, err, "conflict")
		if !strings.Contains(err.Error(), "locked on by the operator") {
			t.Fatalf("lock message: %v", err)
		}
		c2, err := owner.AddPaymentMethod(h.ctx, a.ID, api.PaymentMethodCreate{Type: "paypal", PayPalEmail: "owner@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		ar, err := owner.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{PaymentMethodID: &c2.ID})
		if err != nil || ar.PaymentMethodID != c2.ID || !ar.Enabled || !ar.Locked {
			t.Fatalf("owner changing the method: %+v %v", ar, err)
		}
		// The method in use cannot be removed; the old one can.
		if _, err := owner.RemovePaymentMethod(h.ctx, c2.ID); client.ErrorCode(err) != "conflict" {
			t.Fatalf("removing the auto-recharge method: %v", err)
		}
		if _, err := owner.RemovePaymentMethod(h.ctx, c1.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// The daily cap stops a runaway loop: with a cap of 50.00 and charges of
// 20.00, two charges run, the third would pass the cap and is reported as
// recharge.failed with a cap reason instead.
func TestPaymentsDailyCap(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("capped", "")
		c := h.card(a.ID, payments.TestCardSuccess)
		h.grant(a.ID, api.GrantCreate{Amount: amt("100.00"), Category: "paid"})
		if _, err := h.admin.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(true), PaymentMethodID: &c.ID,
			Threshold: amtp("100.00"), Amount: amtp("20.00"), DailyCap: amtp("50.00")}); err != nil {
			t.Fatal(err)
		}
		h.mustDebit(a.ID, "big", "90.00")
		h.rechargeAttempts(a.ID, 2)
		wantAmount(t, "balance", h.balance(a.ID).Balance, "50.00")
		ar, err := h.admin.GetAutoRecharge(h.ctx, a.ID)
		if err != nil || ar.SpentToday != amt("40.00") {
			t.Fatalf("auto-recharge %+v %v", ar, err)
		}
		// The cap is reported by the run's next turn, after the second
		// charge was recorded.
		var capped []*ledger.Event
		waitFor(h.t, "the cap reported", func() bool {
			capped = h.events(a.ID, "recharge.failed")
			return len(capped) > 0
		})
		if len(capped) != 1 || capped[0].Data["reason"] != "daily_cap" || capped[0].Data["failure_code"] != "daily_cap_reached" {
			t.Fatalf("cap events %v", capped)
		}
		if n := len(h.events(a.ID, "recharge.succeeded")); n != 2 {
			t.Fatalf("%d recharge.succeeded events, want 2", n)
		}
		// The cap starts again each day: two more charges the next day,
		// and the one still needed the day after. The day turns once the
		// run that reported the cap has let go of the account, or the
		// sweep the advance runs would find it taken and do nothing.
		waitFor(h.t, "the capped run to end", func() bool { return !h.rechargeRunning(a.ID) })
		h.advance("24h")
		h.rechargeAttempts(a.ID, 4)
		wantAmount(t, "balance", h.balance(a.ID).Balance, "90.00")
		h.advance("24h")
		h.rechargeAttempts(a.ID, 5)
		wantAmount(t, "balance", h.balance(a.ID).Balance, "110.00")
	})
}
