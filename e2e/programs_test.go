package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/mail"
	"github.com/cofferdev/coffer/payments"
)

var (
	jan2026 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	feb2026 = time.Date(2026, 2, 1, 0, 2, 0, 0, time.UTC) // a minute after the true-up may run
	mar2026 = time.Date(2026, 3, 1, 0, 2, 0, 0, time.UTC)
)

// TestImpactProgram is the gifted-credits reference page's story, January
// to March: a $500 gift, a negative balance during the month, the true-up
// on the 1st, auto-payment exactly when the balance with credits reaches
// zero, the gift used up with an e-mail and an event, and from then the
// default auto-recharge, locked on.
func TestImpactProgram(t *testing.T) {
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
		wantAmount(t, "suspend_at default", p.SuspendAt, "-510.00")
		a := h.account("Nonprofit", "")
		// Without a payment method the enrolment is refused, saying what
		// to add.
		_, err = h.admin.Enroll(h.ctx, p.ID, api.EnrollmentCreate{AccountID: a.ID})
		if wantCode(t, err, coffer.EConflict); !strings.Contains(err.Error(), "add a card or PayPal account") {
			t.Fatalf("refusal: %v", err)
		}
		card := h.card(a.ID, payments.TestCardSuccess)
		e, err := h.admin.Enroll(h.ctx, p.ID, api.EnrollmentCreate{AccountID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		ar, err := h.admin.GetAutoRecharge(h.ctx, a.ID)
		if err != nil || !ar.Enabled || !ar.Locked || ar.PaymentMethodID != card.ID {
			t.Fatalf("auto-recharge after enrolment: %+v %v", ar, err)
		}
		// The owner cannot turn it off.
		owner := h.ownerClient(a.ID)
		_, err = owner.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(false)})
		wantCode(t, err, coffer.EConflict)

		debits := 0
		spend := func(n int) {
			t.Helper()
			for range n {
				debits++
				h.mustDebit(a.ID, fmt.Sprint("u", debits), "10.00")
			}
		}
		// January: 120.00 of usage. The balance runs negative; nothing is
		// charged.
		spend(12)
		b := h.balance(a.ID)
		wantAmount(t, "January balance", b.Balance, "-120.00")
		wantAmount(t, "January balance with credits", b.BalanceWithCredits, "380.00")
		wantAmount(t, "gifted remaining", b.GiftedRemaining, "500.00")
		if b.Gift == nil || b.Gift.ProgramID != p.ID || b.Gift.CreditedPeriod != "from 2026-01" || b.Gift.CreditLastApplied != "" {
			t.Fatalf("gift in the balance: %+v", b.Gift)
		}
		if n := len(h.payments(a.ID, "auto_recharge")); n != 0 {
			t.Fatalf("%d charges in January", n)
		}

		// February 1: the true-up credits January's 120.00.
		h.advanceTo(feb2026)
		b = h.balance(a.ID)
		wantAmount(t, "after the February true-up", b.Balance, "0.00")
		wantAmount(t, "gift left", b.GiftedRemaining, "380.00")
		if b.Gift.CreditLastApplied != "2026-01" {
			t.Fatalf("credit_last_applied %q", b.Gift.CreditLastApplied)
		}

		// February: 430.00. Auto-payment starts exactly when the balance
		// with credits reaches zero, after 380.00, and not before.
		spend(37)
		wantAmount(t, "balance with credits after 370.00", h.balance(a.ID).BalanceWithCredits, "10.00")
		if n := len(h.payments(a.ID, "auto_recharge")); n != 0 {
			t.Fatalf("%d charges before the balance with credits reached zero", n)
		}
		spend(1)
		pays := h.rechargeAttempts(a.ID, 1)
		wantAmount(t, "first auto-payment", pays[0].Amount, "20.00")
		// 430.00 in all: each time the balance with credits is back at
		// zero, another refill of 20.00.
		for attempts := 2; attempts <= 3; attempts++ {
			spend(2)
			h.rechargeAttempts(a.ID, attempts)
		}
		spend(1)
		b = h.balance(a.ID)
		wantAmount(t, "end of February", b.Balance, "-370.00")

		// March 1: the true-up credits the 380.00 left; the gift is used up.
		h.advanceTo(mar2026)
		b = h.balance(a.ID)
		wantAmount(t, "after the March true-up", b.Balance, "10.00")
		wantAmount(t, "gift left", b.GiftedRemaining, "0.00")
		evs, err := h.admin.ListEvents(h.ctx, client.EventParams{AccountID: a.ID, Types: []string{ledger.EventGiftExhausted}})
		if err != nil || len(evs.Data) != 1 {
			t.Fatalf("gift_exhausted events: %v %v", evs, err)
		}
		var exhausted bool
		for n := 0; !exhausted; n++ {
			m := nextMail(t, smtp, n)
			exhausted = strings.Contains(m.data, "Subject: Your gifted credit is used up")
		}
		// March: the default recharge is on and locked: at 8.50 it
		// charges 11.50 to bring the balance back to 20.00.
		ar, err = h.admin.GetAutoRecharge(h.ctx, a.ID)
		if err != nil || !ar.Enabled || !ar.Locked || ar.Threshold.String() != "10.00" || ar.Target == nil || ar.Target.String() != "20.00" {
			t.Fatalf("auto-recharge in March: %+v %v", ar, err)
		}
		h.mustDebit(a.ID, "march-1", "1.50")
		pays = h.rechargeAttempts(a.ID, 4)
		wantAmount(t, "the March refill", pays[3].Amount, "11.50")
		wantAmount(t, "March balance", h.balance(a.ID).Balance, "20.00")
		if got, err := h.admin.ListEnrollments(h.ctx, p.ID, client.ListParams{}); err != nil || len(got.Data) != 1 || got.Data[0].ExhaustedAt == nil {
			t.Fatalf("enrollments: %+v %v", got, err)
		}
		_ = e
	})
}

// enrolled makes a program and enrols a new account with a card in it.
func (h *harness) enrolled(name string) *api.Enrollment {
	h.t.Helper()
	p, err := h.admin.CreateProgram(h.ctx, api.ProgramCreate{Name: name + " program", Currency: "USD", Gift: amt("100.00"), StartsOn: "2026-03"})
	if err != nil {
		h.t.Fatalf("program: %v", err)
	}
	a := h.account(name, "")
	h.card(a.ID, payments.TestCardSuccess)
	e, err := h.admin.Enroll(h.ctx, p.ID, api.EnrollmentCreate{AccountID: a.ID})
	if err != nil {
		h.t.Fatalf("enrol: %v", err)
	}
	return e
}
