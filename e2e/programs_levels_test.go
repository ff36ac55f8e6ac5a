package e2e

import (
	"strings"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/mail"
	"github.com/cofferdev/coffer/payments"
)

// TestProgramLevelsDecliningCard walks the program's failure ladder with a
// card that always declines (a declining card is still a payment method,
// so the enrolment is accepted). With the default levels and 500.00 of
// gift left, nothing is credited before February, so the balance with
// credits is the balance plus 500.00 and the two auto-payment levels meet
// at a balance of −500.00:
//
//   - auto-payment: the balance reaches −500.00 (balance with credits
//     0.00). The recharge refills to 20.00 above that level, so it asks
//     for 20.00; the card declines. recharge.failed, next try at
//     payment_method_required_at; the account stays active.
//   - payment_method_required_at, −505.00: the retry (25.00) declines.
//     recharge.failed and payment_method.required, which e-mails the
//     owner the "add a payment method" notice; next try at suspend_at.
//   - suspend_at, −510.00, which is also the account's floor: the retry
//     (30.00) declines, the ladder is exhausted and the account is
//     suspended (account.suspended). Strict debits are refused.
//
// The owner then adds a working card and makes it auto-recharge's method
// (which starts the ladder afresh): the 30.00 payment succeeds and the
// account is reactivated.
func TestProgramLevelsDecliningCard(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		smtp := smtpServer(t)
		h := startWith(t, dsn, func(c *app.ServerConfig) {
			c.ClockAt = jan2026
			c.Service.Notify.SMTP = mail.Config{Host: "127.0.0.1", Port: smtp.PortNumber(), TLS: mail.TLSNone,
				From: "billing@coffer.test", HELO: "coffer.test"}
		})
		p, err := h.admin.CreateProgram(h.ctx, api.ProgramCreate{Name: "Impact Access", Currency: "USD", Gift: amt("500.00"), StartsOn: "2026-01"})
		if err != nil {
			t.Fatal(err)
		}
		a := h.account("Declining nonprofit", "")
		bad := h.card(a.ID, payments.TestCardDecline)
		if _, err := h.admin.Enroll(h.ctx, p.ID, api.EnrollmentCreate{AccountID: a.ID}); err != nil {
			t.Fatalf("enrol with a declining card: %v", err)
		}
		ar, err := h.admin.GetAutoRecharge(h.ctx, a.ID)
		if err != nil || !ar.Enabled || !ar.Locked || ar.PaymentMethodID != bad.ID {
			t.Fatalf("auto-recharge after enrolment: %+v %v", ar, err)
		}
		wantAmount(t, "auto-payment threshold", ar.Threshold, "-499.999999")
		acct, err := h.admin.GetAccount(h.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantAmount(t, "floor", acct.MinBalance, "-510.00")
		status := func() string {
			t.Helper()
			acc, err := h.admin.GetAccount(h.ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return acc.Status
		}
		wantRetry := func(step, at string) {
			t.Helper()
			ar, err := h.admin.GetAutoRecharge(h.ctx, a.ID)
			if err != nil || ar.State != "retrying" || ar.RetryAtBalance == nil || *ar.RetryAtBalance != amt(at) {
				t.Fatalf("%s: auto-recharge %+v %v, want a retry at %s", step, ar, err, at)
			}
		}

		// Down to −500.00 in January: not before, the first auto-payment.
		for i, d := range []string{"100.00", "100.00", "100.00", "100.00"} {
			h.mustDebit(a.ID, "jan-"+string(rune('a'+i)), d)
		}
		h.rechargeAttempts(a.ID, 0)
		h.mustDebit(a.ID, "jan-e", "100.00")
		b := h.balance(a.ID)
		wantAmount(t, "balance", b.Balance, "-500.00")
		wantAmount(t, "balance with credits", b.BalanceWithCredits, "0.00")
		ps := h.rechargeAttempts(a.ID, 1)
		if ps[0].Status != string(coffer.PaymentFailed) || ps[0].FailureCode != "card_declined" || ps[0].Amount != amt("20.00") {
			t.Fatalf("first auto-payment %+v", ps[0])
		}
		if n := len(h.events(a.ID, "recharge.failed")); n != 1 {
			t.Fatalf("%d recharge.failed events, want 1", n)
		}
		if n := len(h.events(a.ID, "payment_method.required", "account.suspended")); n != 0 || status() != "active" {
			t.Fatalf("after the first failure: %d payment_method.required/account.suspended events, account %s", n, status())
		}
		wantRetry("after the first failure", "-505.00")

		// Above −505.00 nothing is tried again.
		h.mustDebit(a.ID, "jan-f", "4.99")
		h.rechargeAttempts(a.ID, 1)
		// At −505.00: the retry fails and the owner is asked for a payment
		// method.
		h.mustDebit(a.ID, "jan-g", "0.01")
		ps = h.rechargeAttempts(a.ID, 2)
		if ps[1].Status != string(coffer.PaymentFailed) || ps[1].Amount != amt("25.00") {
			t.Fatalf("second auto-payment %+v", ps[1])
		}
		req := h.events(a.ID, "payment_method.required")
		if len(req) != 1 || req[0].Data["balance"] != "-505.00" || req[0].Data["suspend_at"] != "-510.00" || req[0].Data["program_id"] != p.ID {
			t.Fatalf("payment_method.required events: %+v", req)
		}
		if n := len(h.events(a.ID, "recharge.failed")); n != 2 || status() != "active" {
			t.Fatalf("at -505.00: %d recharge.failed events, account %s", n, status())
		}
		wantRetry("at -505.00", "-510.00")
		for n := 0; ; n++ {
			m := nextMail(t, smtp, n)
			if !strings.Contains(m.data, "Subject: Add a payment method to keep your account running") {
				continue
			}
			if len(m.to) != 1 || m.to[0] != "owner@example.com" || !strings.Contains(m.data, "Balance now: -505.00 USD") {
				t.Fatalf("payment method e-mail to %v:\n%s", m.to, m.data)
			}
			break
		}

		// At −510.00, the floor: the retry fails and the account is
		// suspended.
		h.mustDebit(a.ID, "jan-h", "5.00")
		ps = h.rechargeAttempts(a.ID, 3)
		if ps[2].Status != string(coffer.PaymentFailed) || ps[2].Amount != amt("30.00") {
			t.Fatalf("third auto-payment %+v", ps[2])
		}
		if s := status(); s != "suspended" {
			t.Fatalf("account %s at -510.00, want suspended", s)
		}
		susp := h.events(a.ID, "account.suspended")
		if len(susp) != 1 || susp[0].Data["balance"] != "-510.00" || susp[0].Data["program_id"] != p.ID {
			t.Fatalf("account.suspended events: %+v", susp)
		}
		if n := len(h.events(a.ID, "recharge.failed")); n != 3 {
			t.Fatalf("%d recharge.failed events, want 3", n)
		}
		if ar, _ := h.admin.GetAutoRecharge(h.ctx, a.ID); ar.State != "exhausted" || ar.Failures != 3 {
			t.Fatalf("auto-recharge %+v, want exhausted after 3 failures", ar)
		}
		wantCode(t, h.debit(a.ID, "while-suspended", "0.01"), coffer.EAccountSuspended)
		wantAmount(t, "balance while suspended", h.balance(a.ID).Balance, "-510.00")

		// The owner adds a card that works and makes it auto-recharge's
		// method: the payment goes through and the account is back.
		owner := h.ownerClient(a.ID)
		good, err := owner.AddPaymentMethod(h.ctx, a.ID, api.PaymentMethodCreate{Type: "card", CardNumber: payments.TestCardSuccess, ExpMonth: 1, ExpYear: 2031})
		if err != nil {
			t.Fatalf("add a card while suspended: %v", err)
		}
		if _, err := owner.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{PaymentMethodID: &good.ID}); err != nil {
			t.Fatalf("change auto-recharge's method: %v", err)
		}
		ps = h.rechargeAttempts(a.ID, 4)
		if ps[3].Status != string(coffer.PaymentSucceeded) || ps[3].Amount != amt("30.00") || ps[3].PaymentMethodID != good.ID {
			t.Fatalf("auto-payment with the new card %+v", ps[3])
		}
		if s := status(); s != "active" {
			t.Fatalf("account %s after a payment succeeded, want active", s)
		}
		if n := len(h.events(a.ID, "account.reactivated")); n != 1 {
			t.Fatalf("%d account.reactivated events, want 1", n)
		}
		wantAmount(t, "balance after the payment", h.balance(a.ID).Balance, "-480.00")
		ar, err = h.admin.GetAutoRecharge(h.ctx, a.ID)
		if err != nil || !ar.Enabled || !ar.Locked || ar.State != "idle" || ar.PaymentMethodID != good.ID {
			t.Fatalf("auto-recharge after the payment: %+v %v", ar, err)
		}
		h.mustDebit(a.ID, "after-reactivation", "1.00")
	})
}

// TestProgramEnrolmentPaymentMethod: a program that requires a payment
// method refuses an account without one, saying what to add; one that
// does not enrols it, and leaves its auto-recharge unlocked.
func TestProgramEnrolmentPaymentMethod(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := startWith(t, dsn, func(c *app.ServerConfig) { c.ClockAt = jan2026 })
		strict, err := h.admin.CreateProgram(h.ctx, api.ProgramCreate{Name: "Strict", Currency: "USD", Gift: amt("100.00"), StartsOn: "2026-01"})
		if err != nil {
			t.Fatal(err)
		}
		if !strict.RequiresPaymentMethod {
			t.Fatalf("requires_payment_method is not true by default")
		}
		a := h.account("No card", "")
		_, err = h.admin.Enroll(h.ctx, strict.ID, api.EnrollmentCreate{AccountID: a.ID})
		wantCode(t, err, coffer.EConflict)
		for _, want := range []string{"requires a payment method", "add a card or PayPal account", "/v1/accounts/" + a.ID + "/payment_methods"} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("refusal %q does not say %q", err, want)
			}
		}
		if b := h.balance(a.ID); b.Gift != nil || b.GiftedRemaining != 0 {
			t.Fatalf("a refused enrolment left a gift: %+v", b)
		}
		if acc, _ := h.admin.GetAccount(h.ctx, a.ID); acc.MinBalance != 0 {
			t.Fatalf("a refused enrolment moved the floor to %s", acc.MinBalance)
		}

		lax, err := h.admin.CreateProgram(h.ctx, api.ProgramCreate{Name: "Lax", Currency: "USD", Gift: amt("100.00"), StartsOn: "2026-01",
			RequiresPaymentMethod: boolp(false)})
		if err != nil {
			t.Fatal(err)
		}
		e, err := h.admin.Enroll(h.ctx, lax.ID, api.EnrollmentCreate{AccountID: a.ID})
		if err != nil {
			t.Fatalf("enrol without a payment method in a program that needs none: %v", err)
		}
		if e.Status != "active" || e.GrantID == "" || e.Gift.Remaining != amt("100.00") {
			t.Fatalf("enrollment %+v", e)
		}
		ar, err := h.admin.GetAutoRecharge(h.ctx, a.ID)
		if err != nil || ar.Locked || ar.Enabled {
			t.Fatalf("auto-recharge with no method in a program that needs none: %+v %v", ar, err)
		}
		// With a card the owner turns auto-recharge on and, since nothing
		// locks it, off again.
		owner := h.ownerClient(a.ID)
		card, err := owner.AddPaymentMethod(h.ctx, a.ID, api.PaymentMethodCreate{Type: "card", CardNumber: payments.TestCardSuccess, ExpMonth: 1, ExpYear: 2031})
		if err != nil {
			t.Fatal(err)
		}
		if ar, err = owner.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(true), PaymentMethodID: &card.ID}); err != nil || !ar.Enabled || ar.Locked {
			t.Fatalf("owner turns auto-recharge on: %+v %v", ar, err)
		}
		if ar, err = owner.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(false)}); err != nil || ar.Enabled {
			t.Fatalf("owner turns unlocked auto-recharge off: %+v %v", ar, err)
		}
		// The month's true-up leaves the owner's choice alone.
		h.mustDebit(a.ID, "jan", "30.00")
		h.advanceTo(feb2026)
		wantAmount(t, "gift left", h.balance(a.ID).GiftedRemaining, "70.00")
		if ar, err = h.admin.GetAutoRecharge(h.ctx, a.ID); err != nil || ar.Enabled || ar.Locked {
			t.Fatalf("auto-recharge after the true-up: %+v %v", ar, err)
		}
	})
}
