package console_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/service"
)

// The money pages' browser tests: the overview's charts, buying credits,
// payment methods, auto-recharge and balance alerts.

// startClockSite starts Coffer on SQLite with a test clock at at, which
// the test moves with s.advance.
func startClockSite(t *testing.T, at time.Time) *site {
	t.Helper()
	return launch(t, "sqlite", app.ServerConfig{TestClock: true, ClockAt: at})
}

// advance moves the test clock on by d.
func (s *site) advance(d time.Duration) {
	s.t.Helper()
	if _, err := s.srv.Service().AdvanceClock(s.t.Context(), s.admin, api.ClockAdvance{By: d.String()}); err != nil {
		s.t.Fatal(err)
	}
}

// card adds a sandbox card to the account behind the browser's back.
func (s *site) card(accountID, number string) *api.PaymentMethod {
	s.t.Helper()
	m, err := s.srv.Service().AddPaymentMethod(s.t.Context(), s.admin, accountID, api.PaymentMethodCreate{Type: payments.Card,
		CardNumber: number, ExpMonth: 12, ExpYear: 2099, CVC: "123"})
	if err != nil {
		s.t.Fatal(err)
	}
	return m
}

// balance is the account's balance as the service reads it.
func (s *site) balance(accountID string) money.Amount {
	s.t.Helper()
	b, err := s.srv.Service().Balance(s.t.Context(), s.admin, accountID, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return b.Balance
}

// seedUsage gives the account 100.00 and two days of usage on the test
// clock: 10.00 on the first, 20.00 on the second; the account being two
// days old, its average daily usage is 15.00.
func (s *site) seedUsage(accountID string) {
	s.t.Helper()
	ctx, svc := s.t.Context(), s.srv.Service()
	if _, err := svc.CreateGrant(ctx, s.admin, accountID, api.GrantCreate{Amount: money.FromInt(100), Category: "paid", Reason: "Opening credit"}); err != nil {
		s.t.Fatal(err)
	}
	for i, amount := range []int64{10, 20} {
		a := money.FromInt(amount)
		if _, err := svc.Debit(ctx, s.admin, api.DebitCreate{AccountID: accountID, EventID: fmt.Sprintf("call-%d", i), Amount: &a}); err != nil {
			s.t.Fatal(err)
		}
		s.advance(24 * time.Hour)
	}
}

var clockStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// An owner's alerts start as the daily job recommended them, one at the
// average daily usage (15.00), shown beside them; the owner removes that
// one, is refused a threshold of zero beside the field in the service's
// words, and puts it back with the recommendation's button: the alerts
// are the owner's own from then on, which the service keeps.
func TestBalanceAlertsAndTheRecommendation(t *testing.T) {
	t.Parallel()
	s := startClockSite(t, clockStart)
	a := s.account("Acme Rockets")
	s.seedUsage(a.ID)
	temp := s.user("owner@acme.test", coffer.UserOwner, a.ID)
	b := openTab(t, s)
	b.firstSignIn("owner@acme.test", temp)
	if st := b.visit("/accounts/" + a.ID + "/alerts"); st != http.StatusOK {
		t.Fatalf("the alerts page answered %d", st)
	}
	if rec := b.text("#recommendation"); !strings.Contains(rec, "average daily usage is $15.00") {
		t.Fatalf("the recommendation says %q", rec)
	}
	// The day's recommendation job has put one alert at the average.
	if src := b.text("#alerts-source"); !strings.Contains(src, "from the account's usage") {
		t.Fatalf("the alerts' source says %q", src)
	}
	b.shoot("alerts")
	b.submit("form[action$='/alerts/remove']:has(input[value='15.00']) button")
	if n := b.text(".notice"); !strings.Contains(n, "Removed the alert at $15.00") {
		t.Fatalf("after removing: %q", n)
	}
	b.fill(map[string]string{"#alert-thresholds": "0"})
	if st := b.submit("form.add-alert button[type=submit]"); st != http.StatusBadRequest {
		t.Fatalf("a threshold of zero answered %d", st)
	}
	if msg := b.text("#alert-thresholds-error"); !strings.Contains(msg, "must each be above zero") {
		t.Fatalf("the threshold's error says %q", msg)
	}
	b.submit("#recommendation button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "Added an alert at $15.00") {
		t.Fatalf("after adding the recommendation: %q", n)
	}
	if src := b.text("#alerts-source"); !strings.Contains(src, "account's own") {
		t.Fatalf("the alerts' source after a change says %q", src)
	}
	got, err := s.srv.Service().GetBalanceAlerts(t.Context(), s.admin, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var th []string
	for _, x := range got.Thresholds {
		th = append(th, x.Threshold.String())
	}
	if strings.Join(th, " ") != "100.00 15.00 10.00" || got.Source != service.AlertsOwner {
		t.Fatalf("the service keeps %v from %s", th, got.Source)
	}
}

// The overview draws the balance of the last days and the usage per day,
// with the runway told under the bars.
func TestOverviewCharts(t *testing.T) {
	t.Parallel()
	s := startClockSite(t, clockStart)
	a := s.account("Acme Rockets")
	s.seedUsage(a.ID)
	b := openTab(t, s)
	b.firstSignIn(s.srv.StaffEmail, s.srv.StaffPassword)
	b.visit("/accounts/" + a.ID)
	// An SVG's title is not drawn, so it has no text to read: its
	// content is what a screen reader names the picture by.
	title, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById("balance-chart-title").textContent`))
	if err != nil || !strings.Contains(title, "Balance at the end of each day") {
		t.Fatalf("the balance chart is titled %q (%v)", title, err)
	}
	if note := b.text("#usage-chart .coffer-chart-note"); !strings.Contains(note, "At 15.00 USD a day the balance lasts about") {
		t.Fatalf("the usage chart's note says %q", note)
	}
	b.shoot("overview-charts")
}

// An owner adds a sandbox card (a bad number refused beside the field),
// sees the purchase limits before buying, is refused an amount under the
// minimum, buys 50.00 and sees it succeed and the balance change; a
// declining card is told as a failure that charged nothing. Then it turns
// auto-recharge on, a missing threshold refused beside it. Another
// account's Payments tab is not found.
func TestBuyCreditsWithASandboxCard(t *testing.T) {
	t.Parallel()
	s := startSite(t, "sqlite")
	a, other := s.account("Acme Rockets"), s.account("Globex Corporation")
	temp := s.user("owner@acme.test", coffer.UserOwner, a.ID)
	b := openTab(t, s)
	b.firstSignIn("owner@acme.test", temp)
	page := "/accounts/" + a.ID + "/payments"
	b.visit(page)
	if lim := b.text("#buy-limits"); !strings.Contains(lim, "at least $25.00") || !strings.Contains(lim, "at most $1,000.00") {
		t.Fatalf("the limits read %q", lim)
	}
	b.fill(map[string]string{"#card-card_number": "1234 5678", "#card-exp_month": "12", "#card-exp_year": "2099", "#card-cvc": "123"})
	if st := b.submit("form[aria-labelledby=add-card-title] button[type=submit]"); st != http.StatusBadRequest {
		t.Fatalf("a bad card number answered %d", st)
	}
	if msg := b.text("#card-card_number-error"); !strings.Contains(msg, "is not a valid card number") {
		t.Fatalf("the card number's error says %q", msg)
	}
	b.fill(map[string]string{"#card-card_number": "4242 4242 4242 4242", "#card-exp_month": "12", "#card-exp_year": "2099", "#card-cvc": "123"})
	b.submit("form[aria-labelledby=add-card-title] button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "Added Visa •••• 4242") {
		t.Fatalf("after adding the card: %q", n)
	}
	b.fill(map[string]string{"#buy-amount": "10"})
	if st := b.submit("form[action$='/purchases'] button[type=submit]"); st != http.StatusBadRequest {
		t.Fatalf("a purchase under the minimum answered %d", st)
	}
	if msg := b.text("#buy-amount-error"); !strings.Contains(msg, "at least 25.00") {
		t.Fatalf("the amount's error says %q", msg)
	}
	b.fill(map[string]string{"#buy-amount": "50.00"})
	b.submit("form[action$='/purchases'] button[type=submit]")
	if r := b.text("#buy-result"); !strings.Contains(r, "Payment succeeded") || !strings.Contains(r, "balance, which is now $50.00") {
		t.Fatalf("the purchase's result says %q", r)
	}
	b.shoot("payments")
	if got := s.balance(a.ID); got != money.FromInt(50) {
		t.Fatalf("the balance after buying: %s", got)
	}

	declining := s.card(a.ID, payments.TestCardDecline)
	b.visit(page)
	b.fill(map[string]string{"#buy-amount": "30", "#buy-payment_method_id": declining.ID})
	if st := b.submit("form[action$='/purchases'] button[type=submit]"); st != http.StatusPaymentRequired {
		t.Fatalf("a declined purchase answered %d", st)
	}
	if msg := b.text("#buy-payment_method_id-error"); !strings.Contains(msg, "declined") || !strings.Contains(b.text(".result-failed"), "Payment failed") {
		t.Fatalf("the decline says %q", msg)
	}
	if got := s.balance(a.ID); got != money.FromInt(50) {
		t.Fatalf("the balance after a decline: %s", got)
	}

	b.fill(map[string]string{"#recharge-enabled": "on", "#recharge-amount": "25"}) // the threshold left blank
	if st := b.submit("form[action$='/auto_recharge'] button[type=submit]"); st != http.StatusBadRequest {
		t.Fatalf("auto-recharge without a threshold answered %d", st)
	}
	if msg := b.text("#recharge-threshold-error"); !strings.Contains(msg, "greater than zero") {
		t.Fatalf("the threshold's error says %q", msg)
	}
	b.fill(map[string]string{"#recharge-enabled": "on", "#recharge-threshold": "10", "#recharge-amount": "25"})
	b.submit("form[action$='/auto_recharge'] button[type=submit]")
	if st := b.text("#recharge-state"); !strings.Contains(st, "On.") || !strings.Contains(st, "below $10.00, it charges $25.00") {
		t.Fatalf("auto-recharge after saving reads %q", st)
	}
	if st := b.visit("/accounts/" + other.ID + "/payments"); st != http.StatusNotFound {
		t.Fatalf("another account's payments answered %d", st)
	}
}

// An owner adds a bank account, which waits for the code of its deposit;
// a wrong code says how many tries are left, beside the code; the right
// one verifies it. The bank account becomes the default, and the card
// is removed.
func TestVerifyABankAccount(t *testing.T) {
	t.Parallel()
	s := startSite(t, "sqlite")
	a := s.account("Acme Rockets")
	card := s.card(a.ID, payments.TestCardSuccess)
	temp := s.user("owner@acme.test", coffer.UserOwner, a.ID)
	b := openTab(t, s)
	b.firstSignIn("owner@acme.test", temp)
	b.visit("/accounts/" + a.ID + "/payments")
	b.fill(map[string]string{"#bank-account_holder_name": "Acme Rockets LLC", "#bank-routing_number": payments.TestRoutingNumber,
		"#bank-account_number": payments.TestBankAccount})
	b.submit("form[aria-labelledby=add-bank-title] button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "Added Bank account •••• 6789") || !strings.Contains(n, "6-digit code") {
		t.Fatalf("after adding the bank account: %q", n)
	}
	ms, err := s.srv.Service().ListPaymentMethods(t.Context(), s.admin, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var bank string
	for _, m := range ms.Data {
		if m.Type == payments.USBankAccount {
			bank = m.ID
		}
	}
	code, err := s.srv.Service().SandboxVerificationCode(t.Context(), s.admin, bank)
	if err != nil {
		t.Fatal(err)
	}
	b.shoot("payment-methods")
	wrong := "111111"
	if code.Code == wrong {
		wrong = "222222"
	}
	verify := "form[action$='/" + bank + "/verify']"
	b.fill(map[string]string{"#verify-" + bank + "-code": wrong})
	if st := b.submit(verify + " button[type=submit]"); st != http.StatusBadRequest {
		t.Fatalf("a wrong code answered %d", st)
	}
	if msg := b.text("#verify-" + bank + "-code-error"); !strings.Contains(msg, "2 tries left") {
		t.Fatalf("the code's error says %q", msg)
	}
	b.fill(map[string]string{"#verify-" + bank + "-code": code.Code})
	b.submit(verify + " button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "Verified Bank account •••• 6789") {
		t.Fatalf("after the right code: %q", n)
	}
	b.submit("form[action$='/" + bank + "/default'] button")
	if n := b.text(".notice"); !strings.Contains(n, "is now the default") {
		t.Fatalf("after making it the default: %q", n)
	}
	b.submit("form[action$='/" + card.ID + "/remove'] button")
	if n := b.text(".notice"); !strings.Contains(n, "Visa •••• 4242 was removed") {
		t.Fatalf("after removing the card: %q", n)
	}
	ms, err = s.srv.Service().ListPaymentMethods(t.Context(), s.admin, a.ID)
	if err != nil || len(ms.Data) != 1 || ms.Data[0].ID != bank || !ms.Data[0].Default || ms.Data[0].Status != "active" {
		t.Fatalf("the methods left: %+v %v", ms, err)
	}
}

// An owner whose account is in a gifted-credit program that requires a
// payment method sees auto-recharge locked on, told why in words: no
// switch and no levels to change, only the card it charges, which it may
// save. Staff see every setting of it, and its lock.
func TestAutoRechargeLockedByAProgram(t *testing.T) {
	t.Parallel()
	s := startClockSite(t, time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC))
	a := s.account("Helping Hands")
	s.card(a.ID, payments.TestCardSuccess)
	ctx, svc := t.Context(), s.srv.Service()
	prog, err := svc.CreateProgram(ctx, s.admin, api.ProgramCreate{Name: "Impact Access", Currency: "USD", Gift: money.FromInt(500), StartsOn: "2026-01"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Enroll(ctx, s.admin, prog.ID, api.EnrollmentCreate{AccountID: a.ID}); err != nil {
		t.Fatal(err)
	}
	temp := s.user("owner@hands.test", coffer.UserOwner, a.ID)
	b := openTab(t, s)
	b.firstSignIn("owner@hands.test", temp)
	b.visit("/accounts/" + a.ID + "/payments")
	locked := b.text("#recharge-lock-note")
	for _, want := range []string{"Locked on by a gifted-credit program", prog.ID, "cannot be turned off", "suspended at", "change the card"} {
		if !strings.Contains(locked, want) {
			t.Fatalf("the locked state says %q, without %q", locked, want)
		}
	}
	for _, sel := range []string{"#recharge-enabled", "#recharge-threshold", "#recharge-amount", "#recharge-locked"} {
		n, err := b.count("form[action$='/auto_recharge'] " + sel)
		if err != nil || n != 0 {
			t.Fatalf("a locked auto-recharge offers the owner %s (%d, %v)", sel, n, err)
		}
	}
	b.shoot("auto-recharge-locked")
	b.submit("form[action$='/auto_recharge'] button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "Auto-recharge settings saved") {
		t.Fatalf("saving the card it charges: %q", n)
	}
	ar, err := svc.GetAutoRecharge(ctx, s.admin, a.ID)
	if err != nil || !ar.Enabled || !ar.Locked {
		t.Fatalf("auto-recharge after the owner saved: %+v %v", ar, err)
	}

	// Staff see the same account with every setting, and the lock.
	staff := openTab(t, s)
	staff.firstSignIn(s.srv.StaffEmail, s.srv.StaffPassword)
	staff.visit("/accounts/" + a.ID + "/payments")
	if note := staff.text("#recharge-lock-note"); !strings.Contains(note, "As staff you may change every setting") {
		t.Fatalf("staff are told %q", note)
	}
	if v, err := staff.value("#recharge-locked"); err != nil || v != "on" {
		t.Fatalf("staff's lock select reads %q (%v)", v, err)
	}
}
