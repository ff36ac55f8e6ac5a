package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/mail"
	"github.com/cofferdev/coffer/payments"
)

// TestPaymentEmails: the events the payments side raises — a recharge that
// failed, the account suspended when the ladder runs out — e-mail the
// account's recipients, next to the low-balance and depletion notices.
func TestPaymentEmails(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		smtp := smtpServer(t)
		h := startWith(t, dsn, func(c *app.ServerConfig) {
			c.Service.Notify.SMTP = mail.Config{Host: "127.0.0.1", Port: smtp.PortNumber(), TLS: mail.TLSNone,
				From: "billing@coffer.test", HELO: "coffer.test"}
		})
		a, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: "Ladder", Currency: "USD", Email: "owner@ladder.test"})
		if err != nil {
			t.Fatal(err)
		}
		bad := h.card(a.ID, payments.TestCardDecline)
		h.grant(a.ID, api.GrantCreate{Amount: amt("100.00"), Category: "paid"})
		if _, err := h.admin.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(true), PaymentMethodID: &bad.ID,
			Threshold: amtp("100.00"), Amount: amtp("20.00")}); err != nil {
			t.Fatal(err)
		}
		// Each debit takes the balance below the next rung of the ladder:
		// 90, 75, 50, 25, then 0, where the last failure suspends.
		for i, d := range []string{"10.00", "15.00", "25.00", "25.00", "25.00"} {
			h.mustDebit(a.ID, "pay-"+string(rune('a'+i)), d)
			h.rechargeAttempts(a.ID, i+1)
		}
		// 5 failed recharges, the suspension, the alerts at 100 and 10 and
		// the depletion.
		const want = 9
		subjects := map[string]int{}
		for n := range want {
			m := nextMail(t, smtp, n)
			if !slices.Equal(m.to, []string{"owner@ladder.test"}) {
				t.Fatalf("e-mail to %v", m.to)
			}
			for _, l := range strings.Split(m.data, "\r\n") {
				if s, ok := strings.CutPrefix(l, "Subject: "); ok {
					subjects[s]++
				}
			}
			if strings.Contains(m.data, "Subject: We could not recharge your account") &&
				(!strings.Contains(m.data, "automatic recharge of 20.00 USD") || !strings.Contains(m.data, "Reason: the payment was declined")) {
				t.Fatalf("recharge-failed e-mail lacks its figures:\n%s", m.data)
			}
			if strings.Contains(m.data, "Subject: Your account is suspended") && !strings.Contains(m.data, "Balance now: 0.00 USD") {
				t.Fatalf("suspension e-mail:\n%s", m.data)
			}
		}
		wantSubjects := map[string]int{
			"We could not recharge your account": 5,
			"Your account is suspended":          1,
			"Your balance is below 100.00 USD":   1,
			"Your balance is below 10.00 USD":    1,
			"Your balance has run out":           1,
		}
		for s, n := range wantSubjects {
			if subjects[s] != n {
				t.Fatalf("e-mails by subject %v, want %v", subjects, wantSubjects)
			}
		}
	})
}
