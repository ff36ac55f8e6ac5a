package service_test

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// seriesStart is when the seeded account opens: noon, so each day's
// usage falls inside its UTC day.
var seriesStart = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

// seeded is an account with four months of history on a test clock:
// purchases, a promotional grant that expires (the sweep running two
// days late), one that takes effect later, a grant voided the next day,
// unit credits, daily usage by the account and a subaccount, and debt at
// the end. usage holds the money each day's debits took.
type seeded struct {
	svc     *service.Service
	clock   *coffer.TestClock
	admin   service.Call
	account *api.Account
	other   *api.Account
	sub     *api.Subaccount
	usage   map[string]money.Amount // by date
	days    int
}

// newSeriesService is a service on a fresh store and a test clock at
// seriesStart.
func newSeriesService(t *testing.T, dsn string) (*service.Service, *coffer.TestClock) {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	clock := coffer.NewTestClock(seriesStart)
	svc := service.New(st, clock, slog.New(slog.DiscardHandler), service.DefaultConfig())
	t.Cleanup(func() { svc.Close(); st.Close() })
	return svc, clock
}

func seed(t *testing.T, dsn string) *seeded {
	t.Helper()
	ctx := t.Context()
	svc, clock := newSeriesService(t, dsn)
	var err error
	s := &seeded{svc: svc, clock: clock, admin: service.Call{Caller: &service.Caller{KeyID: "key_test", Role: coffer.RoleAdmin}},
		usage: map[string]money.Amount{}, days: 120}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s.account, err = svc.CreateAccount(ctx, s.admin, api.AccountCreate{Name: "Charted", Currency: "USD"})
	must(err)
	s.other, err = svc.CreateAccount(ctx, s.admin, api.AccountCreate{Name: "Other", Currency: "USD"})
	must(err)
	s.sub, err = svc.CreateSubaccount(ctx, s.admin, s.account.ID, api.SubaccountCreate{Name: "voice"})
	must(err)
	at := func(d int, h time.Duration) *time.Time { t := seriesStart.AddDate(0, 0, d).Add(h); return &t }
	grant := func(in api.GrantCreate) *api.Grant {
		t.Helper()
		g, err := svc.CreateGrant(ctx, s.admin, s.account.ID, in)
		must(err)
		return g
	}
	events := 0
	debit := func(d int, in api.DebitCreate) {
		t.Helper()
		events++
		in.AccountID, in.EventID, in.AllowNegative = s.account.ID, fmt.Sprintf("ev-%d", events), true
		r, err := svc.Debit(ctx, s.admin, in)
		must(err)
		date := seriesStart.AddDate(0, 0, d).Format(time.DateOnly)
		s.usage[date] -= r.Transaction.Amount // a debit's amount is minus what it took
	}
	for d := range s.days {
		must(clock.Set(seriesStart.AddDate(0, 0, d)))
		switch d {
		case 0:
			grant(api.GrantCreate{Amount: money.MustParse("400"), Category: "paid", Reason: "purchase"})
			grant(api.GrantCreate{Amount: money.MustParse("50"), Category: "promotional", ExpiresAt: at(14, 0), Reason: "welcome"})
			grant(api.GrantCreate{Kind: "units", Unit: "sms", Amount: money.MustParse("200"), Category: "paid", Reason: "bundle"})
		case 16:
			must(svc.Expire(ctx)) // two days late: the balance left the lapsed credit out already
		case 45:
			grant(api.GrantCreate{Amount: money.MustParse("250"), Category: "paid", Reason: "purchase"})
		case 60:
			grant(api.GrantCreate{Amount: money.MustParse("40"), Category: "promotional", ExpiresAt: at(75, 0), Reason: "spring"})
			grant(api.GrantCreate{Amount: money.MustParse("20"), Category: "promotional", EffectiveAt: at(63, 0), Reason: "later"})
		case 77:
			must(svc.Expire(ctx))
		case 80:
			grant(api.GrantCreate{Amount: money.MustParse("60"), Category: "paid", Reason: "purchase"})
		case 90:
			mistake := grant(api.GrantCreate{Amount: money.MustParse("25"), Category: "paid", Reason: "twice"})
			must(clock.Set(seriesStart.AddDate(0, 0, d).Add(3 * time.Hour)))
			_, err := svc.VoidGrant(ctx, s.admin, mistake.ID, api.GrantVoid{Reason: "granted twice"})
			must(err)
		}
		must(clock.Set(seriesStart.AddDate(0, 0, d).Add(6 * time.Hour)))
		amount := money.FromMicros(int64(4_000_000 + (d*7919)%9*1_150_000 + (d%3)*10_000))
		if d%7 >= 5 {
			amount = money.FromMicros(amount.Micros() / 3)
		}
		if d%23 != 7 { // some days without usage
			debit(d, api.DebitCreate{Amount: &amount})
		}
		if d%3 == 0 {
			one := money.MustParse("1.25")
			debit(d, api.DebitCreate{Amount: &one, SubaccountID: s.sub.ID})
		}
		if d%4 == 1 {
			q, p := money.MustParse("3"), money.MustParse("0.05")
			debit(d, api.DebitCreate{Unit: "sms", Quantity: &q, UnitPrice: &p})
		}
	}
	must(clock.Set(seriesStart.AddDate(0, 0, s.days-1).Add(9 * time.Hour)))
	return s
}

func seriesStores(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, eng := range []struct{ name, dsn string }{
		{"sqlite", filepath.Join(t.TempDir(), "coffer.db")},
		{"postgres", pgtest.TestPostgresDSN(t)},
	} {
		t.Run(eng.name, func(t *testing.T) { fn(t, eng.dsn) })
	}
}

// Each day's figure of the balance series is what GET
// /v1/accounts/{id}/balance?at= answers at that day's last microsecond,
// and today's is the balance now.
func TestBalanceSeriesIsTheBalance(t *testing.T) {
	seriesStores(t, func(t *testing.T, dsn string) {
		s := seed(t, dsn)
		ctx := t.Context()
		got, err := s.svc.BalanceSeries(ctx, s.admin, s.account.ID, 90)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Days) != 90 || got.Currency != "USD" || !got.AsOf.Equal(s.clock.Now()) {
			t.Fatalf("%d days in %s as of %s", len(got.Days), got.Currency, got.AsOf)
		}
		first := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, s.days-90)
		negative := 0
		for i, d := range got.Days {
			if want := first.AddDate(0, 0, i); !d.Day.Equal(want) {
				t.Fatalf("day %d is %s, want %s", i, d.Day, want)
			}
			var at *time.Time
			if i < len(got.Days)-1 {
				end := d.Day.Add(24*time.Hour - time.Microsecond)
				at = &end
			}
			b, err := s.svc.Balance(ctx, s.admin, s.account.ID, at)
			if err != nil {
				t.Fatal(err)
			}
			if d.Amount != b.Balance {
				t.Errorf("%s: series %s, balance %s", d.Day.Format(time.DateOnly), d.Amount, b.Balance)
			}
			if d.Amount < 0 {
				negative++
			}
		}
		if negative == 0 {
			t.Error("the seeded history ends in debt, the series never goes below zero")
		}

		// A young account's series starts on the day it opened.
		all, err := s.svc.BalanceSeries(ctx, s.admin, s.account.ID, service.MaxSeriesDays)
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Days) != s.days || !all.Days[0].Day.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("the whole history: %d days from %s, want %d from the opening day", len(all.Days), all.Days[0].Day, s.days)
		}
		// Day 0: 400.00 paid and 50.00 promotional granted, the day's usage taken.
		if want, _ := money.MustParse("450").Sub(s.usage["2030-01-01"]); all.Days[0].Amount != want {
			t.Errorf("the opening day's balance %s, want %s", all.Days[0].Amount, want)
		}
	})
}

// Each day's usage is what that day's debits took, by the account and
// its subaccount; unit usage the unit credits covered costs no money.
// The runway is the runway route's.
func TestUsageSeries(t *testing.T) {
	seriesStores(t, func(t *testing.T, dsn string) {
		s := seed(t, dsn)
		ctx := t.Context()
		got, err := s.svc.UsageSeries(ctx, s.admin, s.account.ID, 90)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Days) != 90 {
			t.Fatalf("%d days", len(got.Days))
		}
		none := 0
		for _, d := range got.Days {
			want := s.usage[d.Day.Format(time.DateOnly)]
			if d.Amount != want {
				t.Errorf("%s: usage %s, the debits took %s", d.Day.Format(time.DateOnly), d.Amount, want)
			}
			if d.Amount == 0 {
				none++
			}
		}
		if none == 0 || none == len(got.Days) {
			t.Errorf("%d days without usage: the seed has a few", none)
		}
		rw, err := s.svc.Runway(ctx, s.admin, s.account.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Runway, rw) {
			t.Errorf("runway %+v, the route's %+v", got.Runway, rw)
		}
		if got.Runway.BurnPerDay <= 0 {
			t.Errorf("burn per day %s", got.Runway.BurnPerDay)
		}
	})
}

// The credit series is the credit report's consumed, by day: its days
// add up to the report's total over the range, and the welcome credit
// (promotional, expiring first) goes before the paid.
func TestCreditSeries(t *testing.T) {
	seriesStores(t, func(t *testing.T, dsn string) {
		s := seed(t, dsn)
		ctx := t.Context()
		got, err := s.svc.CreditSeries(ctx, s.admin, s.account.ID, service.MaxSeriesDays)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Assets) != 2 || got.Assets[0].Currency != "USD" || got.Assets[1].Unit != "sms" {
			t.Fatalf("assets %+v", got.Assets)
		}
		rep, err := s.svc.CreditsReport(ctx, s.admin, service.ReportQuery{From: got.From, To: got.To, AccountID: s.account.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range got.Assets {
			if len(a.Days) != s.days {
				t.Fatalf("%s%s: %d days, want %d", a.Currency, a.Unit, len(a.Days), s.days)
			}
			var sum money.Amount
			for _, d := range a.Days {
				sum += d.Paid + d.Promotional
			}
			for _, r := range rep.Totals {
				if r.Currency == a.Currency && r.Unit == a.Unit && r.Consumed != sum {
					t.Errorf("%s%s: the days add up to %s, the report consumed %s", a.Currency, a.Unit, sum, r.Consumed)
				}
			}
		}
		d0 := got.Assets[0].Days[0]
		if d0.Promotional != s.usage["2030-01-01"] || d0.Paid != 0 {
			t.Errorf("the first day consumed %s promotional and %s paid; want its usage %s, all promotional", d0.Promotional, d0.Paid, s.usage["2030-01-01"])
		}
		if sms := got.Assets[1].Days[1]; sms.Paid != money.MustParse("3") {
			t.Errorf("sms on day 1: %+v, want 3 paid", sms)
		}
		// Across every account: the other account has nothing, so the
		// figures are the account's, over the whole range asked.
		every, err := s.svc.CreditSeries(ctx, s.admin, "", service.MaxSeriesDays)
		if err != nil {
			t.Fatal(err)
		}
		if len(every.Assets) != len(got.Assets) {
			t.Fatalf("every account: %d assets, the account %d", len(every.Assets), len(got.Assets))
		}
		for i, a := range every.Assets {
			if len(a.Days) != service.MaxSeriesDays {
				t.Fatalf("every account: %d days, want %d", len(a.Days), service.MaxSeriesDays)
			}
			if tail := a.Days[len(a.Days)-s.days:]; !reflect.DeepEqual(tail, got.Assets[i].Days) {
				t.Errorf("every account, %s%s: the days differ from the account's", a.Currency, a.Unit)
			}
		}
	})
}

// Each series lets in exactly whom its route lets in, and refuses the
// others with the route's answer: an admin reads everything; an account
// key its own account's balance, usage and runway, and another account
// is not found; a usage key and a subaccount read balances only; the
// credit report is the admin's.
func TestSeriesAuthorization(t *testing.T) {
	svc, _ := newSeriesService(t, filepath.Join(t.TempDir(), "coffer.db"))
	ctx := t.Context()
	admin := service.Call{Caller: &service.Caller{KeyID: "key_admin", Role: coffer.RoleAdmin}}
	a, err := svc.CreateAccount(ctx, admin, api.AccountCreate{Name: "A", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.CreateAccount(ctx, admin, api.AccountCreate{Name: "B", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	callers := map[string]*service.Caller{
		"admin":       admin.Caller,
		"own key":     {KeyID: "key_a", Role: coffer.RoleAccount, AccountID: a.ID},
		"another key": {KeyID: "key_b", Role: coffer.RoleAccount, AccountID: b.ID},
		"usage key":   {KeyID: "key_u", Role: coffer.RoleUsage},
		"subaccount":  {KeyID: "sub_a", Role: service.RoleSubaccount, AccountID: a.ID, SubaccountID: "sub_a"},
	}
	code := func(err error) string {
		if err == nil {
			return "ok"
		}
		return coffer.ErrorCode(err)
	}
	for name, caller := range callers {
		c := service.Call{Caller: caller}
		_, balance := svc.Balance(ctx, c, a.ID, nil)
		_, usage := svc.UsageReport(ctx, c, service.ReportQuery{AccountID: a.ID})
		_, runway := svc.Runway(ctx, c, a.ID)
		_, credits := svc.CreditsReport(ctx, c, service.ReportQuery{AccountID: a.ID})
		if code(usage) != code(runway) {
			t.Fatalf("%s: the usage report answers %s, the runway %s", name, code(usage), code(runway))
		}
		_, bs := svc.BalanceSeries(ctx, c, a.ID, 30)
		_, us := svc.UsageSeries(ctx, c, a.ID, 30)
		_, cs := svc.CreditSeries(ctx, c, a.ID, 30)
		for _, x := range []struct {
			series     string
			got, route error
		}{{"balance", bs, balance}, {"usage", us, usage}, {"credit", cs, credits}} {
			if code(x.got) != code(x.route) {
				t.Errorf("%s, %s series: %s, the route answers %s", name, x.series, code(x.got), code(x.route))
			}
		}
	}
	if _, err := svc.BalanceSeries(ctx, admin, "acct_00000000000000000000000000", 30); code(err) != coffer.ENotFound {
		t.Errorf("an unknown account: %v", err)
	}
	if _, err := svc.UsageSeries(ctx, admin, "sub_x", 30); code(err) != coffer.EInvalid {
		t.Errorf("not an account id: %v", err)
	}
	for _, days := range []int{0, -1, service.MaxSeriesDays + 1} {
		for series, err := range map[string]error{
			"balance": second(svc.BalanceSeries(ctx, admin, a.ID, days)),
			"usage":   second(svc.UsageSeries(ctx, admin, a.ID, days)),
			"credit":  second(svc.CreditSeries(ctx, admin, "", days)),
		} {
			var e *coffer.Error
			if !errors.As(err, &e) || e.Code != coffer.EInvalid || e.Param != "days" {
				t.Errorf("%s series of %d days: %v, want invalid days", series, days, err)
			}
		}
	}
}

func second[T any](_ T, err error) error { return err }
