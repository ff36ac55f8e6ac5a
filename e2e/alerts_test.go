package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/mail"
	"github.com/cofferdev/coffer/money"
)

// smtpServer starts a real SMTP server in-process on loopback.
func smtpServer(t *testing.T) *smtpmock.Server {
	t.Helper()
	srv := smtpmock.New(smtpmock.ConfigurationAttr{MultipleRcptto: true, MultipleMessageReceiving: true})
	if err := srv.Start(); err != nil {
		t.Fatalf("smtp server: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

// received is one message the SMTP server got: its recipients and text.
type received struct {
	to   []string
	data string
}

// nextMail waits for the server's next message after the n already read.
func nextMail(t *testing.T, srv *smtpmock.Server, n int) received {
	t.Helper()
	msgs, err := srv.WaitForMessages(n+1, waitLimit)
	if err != nil {
		t.Fatalf("waiting for e-mail %d: %v", n+1, err)
	}
	m := msgs[n]
	var to []string
	for _, rr := range m.RcpttoRequestResponse() {
		addr := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(rr[0]), "RCPT TO:<"), ">")
		to = append(to, addr)
	}
	slices.Sort(to)
	// Bodies are quoted-printable; undo the soft line breaks to read them.
	data := strings.ReplaceAll(m.MsgRequest(), "=\r\n", "")
	return received{to: to, data: strings.ReplaceAll(data, "=3D", "=")}
}

// TestBalanceAlertsAndEmail: the owner's three thresholds, a fourth
// refused, alerts that fire once per crossing (several from one debit),
// re-arm when the balance rises, depletion, and the e-mails a real SMTP
// server receives, with their recipients and figures.
func TestBalanceAlertsAndEmail(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		smtp := smtpServer(t)
		h, stop := startStoppable(t, dsn, func(c *app.ServerConfig) {
			c.Service.Notify.SMTP = mail.Config{Host: "127.0.0.1", Port: smtp.PortNumber(), TLS: mail.TLSNone,
				From: "billing@coffer.test", HELO: "coffer.test"}
		})
		in := api.AccountCreate{Name: "Ada Voice", Currency: "USD", Email: "owner@ada.test",
			NotificationEmails: []string{"ops@ada.test"}}
		a, err := h.admin.CreateAccount(h.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		// Defaults before the owner says anything.
		al, err := h.admin.GetBalanceAlerts(h.ctx, a.ID)
		if err != nil || al.Source != "default" || len(al.Thresholds) != 3 || al.Thresholds[0].Threshold != amt("250") {
			t.Fatalf("defaults %+v %v", al, err)
		}
		_, err = h.admin.SetBalanceAlerts(h.ctx, a.ID, api.BalanceAlertsUpdate{
			Thresholds: []money.Amount{amt("500"), amt("200"), amt("50"), amt("5")}})
		wantCode(t, err, "invalid_request")
		_, err = h.admin.SetBalanceAlerts(h.ctx, a.ID, api.BalanceAlertsUpdate{
			Thresholds: []money.Amount{amt("500")}, Emails: []string{"not an address"}})
		wantCode(t, err, "invalid_request")
		al, err = h.admin.SetBalanceAlerts(h.ctx, a.ID, api.BalanceAlertsUpdate{
			Thresholds: []money.Amount{amt("50"), amt("500"), amt("200")}, Emails: []string{"cfo@ada.test"}})
		if err != nil || al.Source != "owner" || al.Thresholds[0].Threshold != amt("500") || al.Thresholds[2].Threshold != amt("50") {
			t.Fatalf("set %+v %v", al, err)
		}
		wantTo := []string{"cfo@ada.test", "ops@ada.test", "owner@ada.test"}

		h.grant(a.ID, api.GrantCreate{Amount: amt("1000.00")})
		debit := func(id, amount string) {
			t.Helper()
			if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: id, Amount: amtp(amount)}); err != nil {
				t.Fatal(err)
			}
		}
		alerts := func() []string {
			var out []string
			for _, e := range h.allEvents(eventsOf(a.ID, "balance.alert_triggered")) {
				out = append(out, e.Data["threshold"].(string))
			}
			slices.Sort(out)
			return out
		}
		mails := 0
		expectLow := func(threshold, balance, recommended string) {
			t.Helper()
			m := nextMail(t, smtp, mails)
			mails++
			if !slices.Equal(m.to, wantTo) {
				t.Fatalf("low-balance e-mail to %v, want %v", m.to, wantTo)
			}
			for _, want := range []string{"Subject: Your balance is below " + threshold + " USD",
				"Balance now:          " + balance + " USD", "Average daily usage:  " + recommended + " USD"} {
				if !strings.Contains(m.data, want) {
					t.Fatalf("e-mail lacks %q:\n%s", want, m.data)
				}
			}
		}

		debit("1", "450.00") // 550: no alert
		debit("2", "100.00") // 450: crosses 500
		if got := alerts(); !slices.Equal(got, []string{"500.00"}) {
			t.Fatalf("alerts %v", got)
		}
		// Usage so far 550.00 on the account's first day.
		expectLow("500.00", "450.00", "550.00")
		debit("3", "10.00")  // 440: still below 500, nothing new
		debit("4", "410.00") // 30: crosses 200 and 50 in one debit
		if got := alerts(); !slices.Equal(got, []string{"200.00", "50.00", "500.00"}) {
			t.Fatalf("alerts %v", got)
		}
		expectLow2 := []received{nextMail(t, smtp, mails), nextMail(t, smtp, mails+1)}
		mails += 2
		subjects := []string{}
		for _, m := range expectLow2 {
			for _, line := range strings.Split(m.data, "\r\n") {
				if strings.HasPrefix(line, "Subject: ") {
					subjects = append(subjects, line)
				}
			}
			if !strings.Contains(m.data, "Balance now:          30.00 USD") || !strings.Contains(m.data, "Average daily usage:  970.00 USD") {
				t.Fatalf("e-mail figures:\n%s", m.data)
			}
		}
		slices.Sort(subjects)
		if !slices.Equal(subjects, []string{"Subject: Your balance is below 200.00 USD", "Subject: Your balance is below 50.00 USD"}) {
			t.Fatalf("subjects %v", subjects)
		}

		// A grant re-arms every alert; GET shows them armed.
		h.grant(a.ID, api.GrantCreate{Amount: amt("1000.00")})
		al, _ = h.admin.GetBalanceAlerts(h.ctx, a.ID)
		for _, th := range al.Thresholds {
			if !th.Armed {
				t.Fatalf("not re-armed: %+v", al)
			}
		}
		// Down to zero: all three again from one debit, and the depletion.
		debit("5", "1030.00")
		if got := alerts(); len(got) != 6 {
			t.Fatalf("alerts after the second fall %v", got)
		}
		var depleted, low int
		for range 4 {
			m := nextMail(t, smtp, mails)
			mails++
			if !slices.Equal(m.to, wantTo) {
				t.Fatalf("e-mail to %v", m.to)
			}
			switch {
			case strings.Contains(m.data, "Subject: Your balance has run out"):
				depleted++
				if !strings.Contains(m.data, "has reached 0.00 USD") {
					t.Fatalf("depletion e-mail:\n%s", m.data)
				}
			case strings.Contains(m.data, "Subject: Your balance is below"):
				low++
			}
		}
		if depleted != 1 || low != 3 {
			t.Fatalf("%d depletion and %d low-balance e-mails, want 1 and 3", depleted, low)
		}
		deps := h.allEvents(eventsOf(a.ID, "account.credits.balance_depleted"))
		if len(deps) != 1 {
			t.Fatalf("depletion events %d", len(deps))
		}
		waitFor(t, "e-mail deliveries recorded", func() bool {
			d, err := h.admin.GetEvent(h.ctx, deps[0].ID)
			return err == nil && len(d.Deliveries) == 1 && d.Deliveries[0].Channel == "email" && d.Deliveries[0].Status == "succeeded"
		})
		// No more e-mail can come once the server has stopped (its
		// delivery worker with it) and the SMTP server has ended every
		// session it had, each message then on its list.
		stop()
		if err := smtp.Stop(); err != nil {
			t.Fatalf("stop the SMTP server: %v", err)
		}
		if n := len(smtp.Messages()); n != mails {
			t.Fatalf("the SMTP server got %d messages, want %d", n, mails)
		}
	})
}

// TestAlertRecommendation: an account whose owner never set alerts gets
// one at its average daily usage and the others at 100 and 10, recomputed
// daily on Coffer's clock; an owner's alerts are never changed, though the
// recommendation is still served beside them.
func TestAlertRecommendation(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := startWith(t, dsn, nil)
		auto := h.account("Auto", "")
		owner := h.account("Owner", "")
		for _, a := range []string{auto.ID, owner.ID} {
			h.grant(a, api.GrantCreate{Amount: amt("10000.00")})
		}
		if _, err := h.admin.SetBalanceAlerts(h.ctx, owner.ID, api.BalanceAlertsUpdate{Thresholds: []money.Amount{amt("42")}}); err != nil {
			t.Fatal(err)
		}
		day := 0
		spend := func(amount string) {
			t.Helper()
			for _, a := range []string{auto.ID, owner.ID} {
				if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a, EventID: fmt.Sprintf("d%d", day),
					Amount: amtp(amount)}); err != nil {
					t.Fatal(err)
				}
			}
			day++
		}
		spend("600.00")
		// Live figure before the job: 600 on the first day.
		al, err := h.admin.GetBalanceAlerts(h.ctx, auto.ID)
		if err != nil || al.Recommended != amt("600") || al.Source != "default" {
			t.Fatalf("before the job %+v %v", al, err)
		}
		h.advance("24h") // the daily job runs
		al, _ = h.admin.GetBalanceAlerts(h.ctx, auto.ID)
		wantThresholds(t, al, "recommended", "600.00", "100.00", "10.00")
		spend("300.00")
		h.advance("24h") // 900 over two days
		al, _ = h.admin.GetBalanceAlerts(h.ctx, auto.ID)
		wantThresholds(t, al, "recommended", "450.00", "100.00", "10.00")
		if al.RecommendedAt == nil || !al.RecommendedAt.Equal(clockStart.Add(48*time.Hour)) {
			t.Fatalf("recommended at %v", al.RecommendedAt)
		}
		// The owner's one alert stands; the recommendation is served.
		al, _ = h.admin.GetBalanceAlerts(h.ctx, owner.ID)
		wantThresholds(t, al, "owner", "42.00")
		if al.Recommended != amt("450") {
			t.Fatalf("owner's recommendation %s", al.Recommended)
		}
		// Forty days on, usage older than 30 days no longer counts.
		h.advance("960h")
		spend("90.00")
		h.advance("24h")
		al, _ = h.admin.GetBalanceAlerts(h.ctx, auto.ID)
		wantThresholds(t, al, "recommended", "100.00", "10.00", "3.00")
		// The recommended alert fires when crossed.
		if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: auto.ID, EventID: "big", Amount: amtp("9005.00")}); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range h.allEvents(eventsOf(auto.ID, "balance.alert_triggered")) {
			got = append(got, e.Data["threshold"].(string))
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{"10.00", "100.00"}) {
			t.Fatalf("alerts fired %v (balance %s)", got, h.balance(auto.ID).Balance)
		}
	})
}

func wantThresholds(t *testing.T, al *api.BalanceAlerts, source string, want ...string) {
	t.Helper()
	var got []string
	for _, th := range al.Thresholds {
		got = append(got, th.Threshold.String())
	}
	if al.Source != source || !slices.Equal(got, want) {
		t.Fatalf("alerts %s %v, want %s %v", al.Source, got, source, want)
	}
}
