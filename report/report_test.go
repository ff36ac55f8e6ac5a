package report_test

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/report"
)

var t0 = time.Date(2030, 1, 15, 9, 0, 0, 0, time.UTC)

func amt(s string) money.Amount { return money.MustParse(s) }

// history drives one account's ledger state and keeps every transaction
// it wrote and every lot it made, as a store would.
type history struct {
	st   *ledger.State
	now  time.Time
	n    int
	txns []*ledger.Txn
	lots map[string]*ledger.Lot
}

func newHistory() *history {
	return &history{now: t0, lots: map[string]*ledger.Lot{},
		st: &ledger.State{Account: ledger.Account{ID: "acct_1", Currency: "USD", Status: ledger.StatusActive, CreditLimit: ledger.NoCreditLimit}}}
}

func (h *history) env() ledger.Env {
	return ledger.Env{Now: h.now, NewID: func(p string) string { h.n++; return fmt.Sprintf("%s_%06d", p, h.n) }}
}

func (h *history) keep(effs ...*ledger.Effect) {
	for _, e := range effs {
		if e == nil {
			continue
		}
		if e.Txn != nil {
			h.txns = append(h.txns, e.Txn)
		}
		for _, l := range e.Lots {
			h.lots[l.ID] = l
		}
	}
}

func (h *history) grant(t *testing.T, g ledger.Grant) *ledger.Lot {
	t.Helper()
	if g.Kind == "" {
		g.Kind = ledger.Monetary
	}
	if g.Category == "" {
		g.Category = ledger.Paid
	}
	g.Priority, g.Application, g.Origin = ledger.DefaultPriority, ledger.Realtime, ledger.OriginGrant
	e, err := h.st.Grant(h.env(), g)
	if err != nil {
		t.Fatalf("grant: %v", err)
	}
	h.keep(e)
	return e.Lots[0]
}

func (h *history) debit(t *testing.T, d ledger.Debit) {
	t.Helper()
	e, err := h.st.Debit(h.env(), d)
	if err != nil {
		t.Fatalf("debit: %v", err)
	}
	h.keep(e)
}

func (h *history) lookup(id string) (report.LotInfo, bool) {
	l, ok := h.lots[id]
	if !ok {
		return report.LotInfo{}, false
	}
	return report.LotInfo{AccountID: l.AccountID, Category: l.Category, ExpiresAt: l.ExpiresAt}, true
}

func (h *history) credits(t *testing.T, q report.CreditsQuery) []report.CreditRow {
	t.Helper()
	c, err := report.NewCredits(q, h.lookup)
	if err != nil {
		t.Fatalf("new credits: %v", err)
	}
	for _, x := range h.txns {
		c.Add(x)
	}
	rows, err := c.Rows()
	if err != nil {
		t.Fatalf("rows: %v", err)
	}
	return rows
}

func TestCreditsByDay(t *testing.T) {
	h := newHistory()
	paid := h.grant(t, ledger.Grant{Amount: amt("100")})
	h.grant(t, ledger.Grant{Amount: amt("20"), Category: ledger.Promotional, ExpiresAt: t0.Add(36 * time.Hour)})
	h.grant(t, ledger.Grant{Kind: ledger.Units, Unit: "sms", Amount: amt("10")})
	h.now = t0.Add(24 * time.Hour)
	h.debit(t, ledger.Debit{Amount: amt("5")}) // promotional first
	h.debit(t, ledger.Debit{Unit: "sms", Quantity: amt("4"), UnitPrice: amt("0.01")})
	h.now = t0.Add(48 * time.Hour)
	h.keep(h.st.Expire(h.env())...)
	e, err := h.st.Void(h.env(), paid.ID, "refund", "admin")
	if err != nil {
		t.Fatal(err)
	}
	h.keep(e)

	day := func(d int) time.Time { return time.Date(2030, 1, 15+d, 0, 0, 0, 0, time.UTC) }
	rows := h.credits(t, report.CreditsQuery{From: day(0), To: day(3), Group: report.GroupDay})
	got := map[string]string{}
	for _, r := range rows {
		got[r.PeriodStart.Format("01-02")+" "+r.Asset.String()+" "+string(r.Category)] =
			fmt.Sprintf("%s+%s-%s-%s-%s=%s", r.Opening, r.Granted, r.Consumed, r.Expired, r.Voided, r.Remaining)
	}
	want := map[string]string{
		"01-15 USD paid":        "0.00+100.00-0.00-0.00-0.00=100.00",
		"01-16 USD paid":        "100.00+0.00-0.00-0.00-0.00=100.00",
		"01-17 USD paid":        "100.00+0.00-0.00-0.00-100.00=0.00",
		"01-15 USD promotional": "0.00+20.00-0.00-0.00-0.00=20.00",
		"01-16 USD promotional": "20.00+0.00-5.00-0.00-0.00=15.00",
		"01-17 USD promotional": "15.00+0.00-0.00-15.00-0.00=0.00",
		"01-15 unit:sms paid":   "0.00+10.00-0.00-0.00-0.00=10.00",
		"01-16 unit:sms paid":   "10.00+0.00-4.00-0.00-0.00=6.00",
		"01-17 unit:sms paid":   "6.00+0.00-0.00-0.00-0.00=6.00",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rows:\n got %v\nwant %v", got, want)
	}
	// Filters and a range that starts later: the opening carries the past.
	rows = h.credits(t, report.CreditsQuery{From: day(1), To: day(3), Kind: ledger.Monetary, Category: ledger.Promotional})
	if len(rows) != 1 || rows[0].Opening != amt("20") || rows[0].Consumed != amt("5") || rows[0].Expired != amt("15") {
		t.Fatalf("filtered: %+v", rows)
	}
}

func TestPeriods(t *testing.T) {
	from := time.Date(2030, 1, 30, 12, 0, 0, 0, time.UTC) // a Wednesday
	to := time.Date(2030, 3, 2, 0, 0, 0, 0, time.UTC)
	for g, want := range map[report.Group]int{report.GroupNone: 1, report.GroupMonth: 3, report.GroupWeek: 5, report.GroupDay: 31} {
		ps, err := report.Periods(g, from, to)
		if err != nil || len(ps) != want || !ps[0][0].Equal(from) || !ps[len(ps)-1][1].Equal(to) {
			t.Errorf("%q: %d periods %v, err %v; want %d", g, len(ps), ps, err, want)
		}
	}
	if ps, _ := report.Periods(report.GroupWeek, from, to); ps[1][0].Weekday() != time.Monday {
		t.Errorf("weeks start on %s", ps[1][0].Weekday())
	}
	if _, err := report.Periods(report.GroupDay, from, from.AddDate(20, 0, 0)); err == nil {
		t.Error("20 years of days: no error")
	}
}

func TestBuckets(t *testing.T) {
	d := 24 * time.Hour
	for _, c := range []struct {
		exp  time.Time
		want report.Bucket
	}{{time.Time{}, report.Never}, {t0, report.Lapsed}, {t0.Add(30 * d), report.Within30},
		{t0.Add(31 * d), report.Within90}, {t0.Add(365 * d), report.Within365}, {t0.Add(366 * d), report.Later}} {
		if got := report.BucketOf(t0, c.exp); got != c.want {
			t.Errorf("expiry %s: %s, want %s", c.exp, got, c.want)
		}
	}
}

func TestRunway(t *testing.T) {
	lot := func(id, amount string, exp time.Time) *ledger.Lot {
		return &ledger.Lot{ID: id, Kind: ledger.Monetary, Amount: amt(amount), Remaining: amt(amount), Category: ledger.Paid,
			Priority: 50, EffectiveAt: t0, ExpiresAt: exp, Application: ledger.Realtime, Status: ledger.LotActive}
	}
	d := 24 * time.Hour
	// 30.00 over 30 days burns 1.00 a day; 10.00 lasts 10 days.
	r := report.ComputeRunway(report.RunwayInput{Now: t0, Lots: []*ledger.Lot{lot("a", "10", time.Time{})}, Usage: amt("30"), Window: 30 * d})
	if r.Days != 10 || !r.Date.Equal(t0.Add(10*d)) || r.BurnPerDay != amt("1") || r.Available != amt("10") {
		t.Fatalf("plain: %+v", r)
	}
	// A lot of 5.00 expiring on day 2 is spent first for 2 days, then
	// lapses with 3.00 left: 10.00 of never-expiring lasts 10 more.
	r = report.ComputeRunway(report.RunwayInput{Now: t0, Usage: amt("30"), Window: 30 * d,
		Lots: []*ledger.Lot{lot("a", "10", time.Time{}), lot("b", "5", t0.Add(2*d))}})
	if r.Days != 12 || r.Expiring != amt("3") {
		t.Fatalf("with expiry: %+v", r)
	}
	// The floor adds room, holds take it.
	r = report.ComputeRunway(report.RunwayInput{Now: t0, Usage: amt("30"), Window: 30 * d, MinBalance: amt("-5"), Held: amt("2"),
		Lots: []*ledger.Lot{lot("a", "10", time.Time{})}})
	if r.Days != 13 || r.Available != amt("13") {
		t.Fatalf("floor and holds: %+v", r)
	}
	// A one-hour-old account that used 1.00 burns 24.00 a day.
	r = report.ComputeRunway(report.RunwayInput{Now: t0, Usage: amt("1"), Window: time.Hour, Lots: []*ledger.Lot{lot("a", "48", time.Time{})}})
	if r.BurnPerDay != amt("24") || r.Days != 2 {
		t.Fatalf("young account: %+v", r)
	}
	r = report.ComputeRunway(report.RunwayInput{Now: t0, Window: 30 * d, Lots: []*ledger.Lot{lot("a", "10", time.Time{})}})
	if !r.Date.IsZero() || r.Reason != report.NoUsage {
		t.Fatalf("no usage: %+v", r)
	}
}

func TestUsage(t *testing.T) {
	h := newHistory()
	h.grant(t, ledger.Grant{Amount: amt("100")})
	h.debit(t, ledger.Debit{Amount: amt("2"), SubaccountID: "sub_1"})
	h.debit(t, ledger.Debit{Amount: amt("3"), SubaccountID: "sub_1"})
	h.now = t0.Add(24 * time.Hour)
	h.debit(t, ledger.Debit{Unit: "sms", Quantity: amt("10"), UnitPrice: amt("0.5")})
	u := report.NewUsage(t0, t0.Add(48*time.Hour), func(string) string { return "USD" })
	for _, x := range h.txns {
		u.Add(x)
	}
	rows, err := u.Rows()
	if err != nil || len(rows) != 2 || rows[0].Amount != amt("5") || rows[0].Events != 2 || rows[0].SubaccountID != "sub_1" ||
		rows[1].Quantity != amt("10") || rows[1].Amount != amt("5") {
		t.Fatalf("rows %+v, err %v", rows, err)
	}
	tot, err := report.Totals(rows, 2)
	if err != nil || len(tot) != 2 || tot[0].Total != amt("10") || tot[0].DailyAverage != amt("5") || tot[1].Total != amt("10") {
		t.Fatalf("totals %+v, err %v", tot, err)
	}
}

// For random histories, granted = consumed + expired + voided +
// remaining, per currency and unit, and remaining is what the lots hold.
func TestCreditsIdentity(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		h := newHistory()
		units := []string{"", "sms", "gb"}
		for range rapid.IntRange(1, 40).Draw(rt, "steps") {
			h.now = h.now.Add(time.Duration(rapid.IntRange(0, 72).Draw(rt, "hours")) * time.Hour)
			unit := rapid.SampledFrom(units).Draw(rt, "unit")
			n := money.FromMicros(rapid.Int64Range(1, 50_000_000).Draw(rt, "amount"))
			switch rapid.IntRange(0, 4).Draw(rt, "op") {
			case 0:
				g := ledger.Grant{Kind: ledger.Monetary, Unit: unit, Amount: n, Category: ledger.Paid,
					Priority: ledger.DefaultPriority, Application: ledger.Realtime, Origin: ledger.OriginGrant}
				if unit != "" {
					g.Kind = ledger.Units
				}
				if rapid.Bool().Draw(rt, "promo") {
					g.Category = ledger.Promotional
				}
				if rapid.Bool().Draw(rt, "expires") {
					g.ExpiresAt = h.now.Add(time.Duration(rapid.IntRange(1, 200).Draw(rt, "ttl")) * time.Hour)
				}
				if e, err := h.st.Grant(h.env(), g); err == nil {
					h.keep(e)
				}
			case 1, 2:
				d := ledger.Debit{Amount: n, AllowNegative: rapid.Bool().Draw(rt, "served")}
				if unit != "" {
					d = ledger.Debit{Unit: unit, Quantity: n, UnitPrice: amt("0.01"), AllowNegative: d.AllowNegative}
				}
				if e, err := h.st.Debit(h.env(), d); err == nil {
					h.keep(e)
				}
			case 3:
				h.keep(h.st.Expire(h.env())...)
			case 4:
				if len(h.st.Lots) > 0 {
					l := rapid.SampledFrom(h.st.Lots).Draw(rt, "lot")
					if e, err := h.st.Void(h.env(), l.ID, "test", "admin"); err == nil {
						h.keep(e)
					}
				}
			}
		}
		c, err := report.NewCredits(report.CreditsQuery{From: t0, To: h.now.Add(time.Hour)}, h.lookup)
		if err != nil {
			rt.Fatal(err)
		}
		for _, x := range h.txns {
			c.Add(x)
		}
		rows, err := c.Rows()
		if err != nil {
			rt.Fatal(err)
		}
		tot, err := c.Totals(rows)
		if err != nil {
			rt.Fatal(err)
		}
		held := map[report.Asset]money.Amount{}
		for _, l := range h.lots {
			a := report.Asset{Currency: "USD"}
			if l.Kind == ledger.Units {
				a = report.Asset{Unit: l.Unit}
			}
			held[a] += l.Remaining
		}
		for _, r := range tot {
			if r.Granted != r.Consumed+r.Expired+r.Voided+r.Remaining {
				rt.Fatalf("%s: granted %s ≠ consumed %s + expired %s + voided %s + remaining %s",
					r.Asset, r.Granted, r.Consumed, r.Expired, r.Voided, r.Remaining)
			}
			if r.Remaining != held[r.Asset] {
				rt.Fatalf("%s: remaining %s, the lots hold %s", r.Asset, r.Remaining, held[r.Asset])
			}
			delete(held, r.Asset)
		}
		for a, v := range held {
			if v != 0 {
				rt.Fatalf("%s: lots hold %s, the report has no row", a, v)
			}
		}
	})
}
