package main

import (
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
)

func testProgram() api.Program {
	return api.Program{ID: "prog_01", Object: "program", Name: "Impact Access", Currency: "USD", Gift: money.MustParse("500"),
		StartsOn: "2026-01", RequiresPaymentMethod: true,
		AutoPayment:             api.ProgramAutoPayment{BalanceWithCredits: 0, Balance: money.MustParse("-500")},
		PaymentMethodRequiredAt: money.MustParse("-505"), SuspendAt: money.MustParse("-510"),
		AfterExhaustion: api.ProgramRecharge{Threshold: money.MustParse("10"), Target: money.MustParse("20")},
		CreatedAt:       created, UpdatedAt: created}
}

func testEnrollment() api.Enrollment {
	return api.Enrollment{ID: "enr_01", Object: "enrollment", ProgramID: "prog_01", AccountID: "acct_01", Status: "active",
		GrantID: "grant_01", CreatedAt: created,
		Gift: api.GiftView{ProgramID: "prog_01", Original: money.MustParse("500"), Remaining: money.MustParse("380"),
			CreditedPeriod: "from 2026-01", CreditLastApplied: "2026-01"}}
}

func TestProgramsCreate(t *testing.T) {
	f := newFakeServer(t, 201, testProgram())
	out, _, err := run(t, f.URL, "programs", "create", "--name", "Impact Access", "--gift", "500", "--starts-on", "2026-01",
		"--ends-on", "2026-12", "--currency", "usd", "--requires-payment-method=false", "--auto-payment-balance", "-400",
		"--suspend-at", "-600", "--after-exhaustion-target", "50", "--idempotency-key", "k1")
	if err != nil {
		t.Fatal(err)
	}
	r, body := f.last(t)
	if r.Method != "POST" || r.URL.Path != "/v1/programs" || r.Header.Get("Idempotency-Key") != "k1" {
		t.Errorf("request = %s %s key %q", r.Method, r.URL.Path, r.Header.Get("Idempotency-Key"))
	}
	// Only the levels given are sent; the server gives the others theirs.
	want := `{"name":"Impact Access","currency":"USD","gift":"500.00","starts_on":"2026-01","ends_on":"2026-12",` +
		`"requires_payment_method":false,"auto_payment":{"balance":"-400.00"},"suspend_at":"-600.00","after_exhaustion":{"target":"50.00"}}`
	if body != want {
		t.Errorf("body = %s\nwant   %s", body, want)
	}
	if !strings.Contains(out, "ID                    prog_01\n") {
		t.Errorf("output:\n%s", out)
	}
}

func TestProgramsCreateSendsNoLevelsUnlessGiven(t *testing.T) {
	f := newFakeServer(t, 201, testProgram())
	if _, _, err := run(t, f.URL, "programs", "create", "--name", "P", "--gift", "100", "--starts-on", "2026-03"); err != nil {
		t.Fatal(err)
	}
	if _, body := f.last(t); body != `{"name":"P","gift":"100.00","starts_on":"2026-03"}` {
		t.Errorf("body = %s", body)
	}
}

func TestProgramsShowInWords(t *testing.T) {
	f := newFakeServer(t, 200, testProgram())
	out, _, err := run(t, f.URL, "programs", "get", "prog_01")
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := f.last(t); r.Method != "GET" || r.URL.Path != "/v1/programs/prog_01" {
		t.Errorf("request = %s %s", r.Method, r.URL.Path)
	}
	want := "" +
		"ID                    prog_01\n" +
		"Name                  Impact Access\n" +
		"Currency              USD\n" +
		"Gift                  500.00 USD\n" +
		"Credited period       from 2026-01\n" +
		"Gift expires          never\n" +
		"Payment method        required to enrol; auto-recharge locked on\n" +
		"Auto-payment          when the balance with credits falls to 0.00 USD or the balance to -500.00 USD\n" +
		"Payment method asked  after a failed payment, at a balance of -505.00 USD\n" +
		"Suspension            with the payment failing, at a balance of -510.00 USD\n" +
		"After the gift        auto-recharge to 20.00 USD when the balance falls below 10.00 USD\n" +
		"Created               2026-03-01T12:00:00Z\n" +
		"Updated               2026-03-01T12:00:00Z\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}

	p := testProgram()
	p.EndsOn, p.RequiresPaymentMethod = "2026-06", false
	f = newFakeServer(t, 200, p)
	out, _, err = run(t, f.URL, "programs", "show", "prog_01")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"Credited period       2026-01 to 2026-06\n",
		"Gift expires          what is left once 2026-06 is credited\n",
		"Payment method        not required\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestProgramsList(t *testing.T) {
	p := testProgram()
	q := testProgram()
	q.ID, q.Name, q.EndsOn, q.RequiresPaymentMethod = "prog_02", "Startups", "2026-12", false
	f := newFakeServer(t, 200, api.List[api.Program]{Data: []api.Program{p, q}, HasMore: true})
	out, errOut, err := run(t, f.URL, "programs", "list", "--limit", "2")
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := f.last(t); r.URL.Path != "/v1/programs" || r.URL.RawQuery != "limit=2" {
		t.Errorf("request = %s?%s", r.URL.Path, r.URL.RawQuery)
	}
	want := "" +
		"ID       NAME           CURRENCY  GIFT    CREDITED PERIOD     PAYMENT METHOD REQUIRED  CREATED\n" +
		"prog_01  Impact Access  USD       500.00  from 2026-01        yes                      2026-03-01T12:00:00Z\n" +
		"prog_02  Startups       USD       500.00  2026-01 to 2026-12  no                       2026-03-01T12:00:00Z\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if errOut != "more results: add --starting-after prog_02\n" {
		t.Errorf("stderr = %q", errOut)
	}
}

func TestProgramsUpdateSendsOnlyGivenFlags(t *testing.T) {
	f := newFakeServer(t, 200, testProgram())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--name", "Renamed", "--payment-method-required-at", "-520"}, `{"name":"Renamed","payment_method_required_at":"-520.00"}`},
		// An empty --ends-on is sent: it clears the end.
		{[]string{"--ends-on", ""}, `{"ends_on":""}`},
		{[]string{"--requires-payment-method=false", "--auto-payment-balance-with-credits", "-5", "--after-exhaustion-threshold", "15", "--gift", "250"},
			`{"gift":"250.00","requires_payment_method":false,"auto_payment":{"balance_with_credits":"-5.00"},"after_exhaustion":{"threshold":"15.00"}}`},
		{[]string{"--requires-payment-method"}, `{"requires_payment_method":true}`},
		{nil, `{}`},
	} {
		if _, _, err := run(t, f.URL, append([]string{"programs", "update", "prog_01"}, tc.args...)...); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		r, body := f.last(t)
		if r.Method != "PATCH" || r.URL.Path != "/v1/programs/prog_01" || body != tc.want {
			t.Errorf("%v: %s %s %s\nwant %s", tc.args, r.Method, r.URL.Path, body, tc.want)
		}
	}
}

func TestProgramsEnrollListAndUnenroll(t *testing.T) {
	f := newFakeServer(t, 201, testEnrollment())
	out, _, err := run(t, f.URL, "programs", "enroll", "prog_01", "--account", "acct_01")
	if err != nil {
		t.Fatal(err)
	}
	if r, body := f.last(t); r.Method != "POST" || r.URL.Path != "/v1/programs/prog_01/enrollments" || body != `{"account_id":"acct_01"}` {
		t.Errorf("enroll: %s %s %s", r.Method, r.URL.Path, body)
	}
	want := "" +
		"ID                   enr_01\n" +
		"Program              prog_01\n" +
		"Account              acct_01\n" +
		"Status               active\n" +
		"Grant                grant_01\n" +
		"Original gift        500.00\n" +
		"Gift remaining       380.00\n" +
		"Credited period      from 2026-01\n" +
		"Credit last applied  2026-01\n" +
		"Created              2026-03-01T12:00:00Z\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}

	ended := testEnrollment()
	at := created.Add(time.Hour)
	ended.Status, ended.EndedAt, ended.Gift.Remaining, ended.Gift.CreditLastApplied = "ended", &at, 0, ""
	f = newFakeServer(t, 200, api.List[api.Enrollment]{Data: []api.Enrollment{testEnrollment(), ended}})
	out, _, err = run(t, f.URL, "programs", "enrollments", "prog_01")
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := f.last(t); r.Method != "GET" || r.URL.Path != "/v1/programs/prog_01/enrollments" {
		t.Errorf("enrollments: %s %s", r.Method, r.URL.Path)
	}
	want = "" +
		"ID      ACCOUNT  STATUS  GIFT    REMAINING  CREDITED PERIOD  LAST CREDITED  CREATED               ENDED\n" +
		"enr_01  acct_01  active  500.00  380.00     from 2026-01     2026-01        2026-03-01T12:00:00Z  -\n" +
		"enr_01  acct_01  ended   500.00  0.00       from 2026-01     -              2026-03-01T12:00:00Z  2026-03-01T13:00:00Z\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}

	f = newFakeServer(t, 200, ended)
	out, _, err = run(t, f.URL, "programs", "unenroll", "enr_01")
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := f.last(t); r.Method != "DELETE" || r.URL.Path != "/v1/enrollments/enr_01" || r.Header.Get("Idempotency-Key") == "" {
		t.Errorf("unenroll: %s %s", r.Method, r.URL.Path)
	}
	for _, s := range []string{"Status               ended\n", "Credit last applied  not yet\n", "Ended                2026-03-01T13:00:00Z\n"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestBalanceShowsTheGift(t *testing.T) {
	g := testEnrollment().Gift
	f := newFakeServer(t, 200, api.Balance{Object: "balance", AccountID: "acct_01", Currency: "USD",
		Balance: money.MustParse("-120"), GiftedRemaining: money.MustParse("380"), BalanceWithCredits: money.MustParse("260"),
		Gift: &g, Status: "active", At: created})
	out, _, err := run(t, f.URL, "balance", "acct_01")
	if err != nil {
		t.Fatal(err)
	}
	want := "" +
		"Gifted remaining      380.00\n" +
		"Balance with credits  260.00\n" +
		"Program               prog_01\n" +
		"Original gift         500.00\n" +
		"Credited period       from 2026-01\n" +
		"Credit last applied   2026-01\n" +
		"Pending               0.00\n"
	if !strings.Contains(out, want) {
		t.Errorf("output lacks\n%s\nin:\n%s", want, out)
	}

	// Before the first true-up, and with no gift at all.
	g.CreditLastApplied = ""
	f = newFakeServer(t, 200, api.Balance{AccountID: "acct_01", Gift: &g})
	if out, _, err = run(t, f.URL, "balance", "acct_01"); err != nil || !strings.Contains(out, "Credit last applied   not yet\n") {
		t.Errorf("before the first true-up: %v\n%s", err, out)
	}
	f = newFakeServer(t, 200, api.Balance{AccountID: "acct_01"})
	if out, _, err = run(t, f.URL, "balance", "acct_01"); err != nil || strings.Contains(out, "Program") || strings.Contains(out, "gift") || strings.Contains(out, "Credit last") {
		t.Errorf("without a gift: %v\n%s", err, out)
	}
}

func TestProgramCommandLineErrors(t *testing.T) {
	f := newFakeServer(t, 200, "{}")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"programs", "create", "--name", "P", "--starts-on", "2026-01"}, `"gift" not set`},
		{[]string{"programs", "create", "--gift", "5", "--starts-on", "2026-01"}, `"name" not set`},
		{[]string{"programs", "create", "--name", "P", "--gift", "5"}, `"starts-on" not set`},
		{[]string{"programs", "create", "--name", "P", "--gift", "5.1234567", "--starts-on", "2026-01"}, "has more than 6 decimal places"},
		{[]string{"programs", "update", "prog_01", "--suspend-at", "lots"}, "is not a decimal number"},
		{[]string{"programs", "update", "prog_01", "--currency", "EUR"}, "unknown flag: --currency"},
		{[]string{"programs", "enroll", "prog_01"}, `"account" not set`},
		{[]string{"programs", "unenroll"}, "accepts 1 arg(s), received 0"},
		{[]string{"programs", "enrollments"}, "accepts 1 arg(s), received 0"},
	} {
		_, _, err := run(t, f.URL, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) != 0 {
		t.Errorf("%d requests sent for refused command lines", len(f.reqs))
	}
}
