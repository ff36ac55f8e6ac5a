package chart

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer/money"
)

func TestNiceAxis(t *testing.T) {
	for _, c := range []struct {
		name   string
		lo, hi string
		dec    int
		ticks  []string
	}{
		{"usage", "0", "16.93", 2, []string{"0.00", "5.00", "10.00", "15.00", "20.00"}},
		{"balance into debt", "-140.30", "500", 2, []string{"-200.00", "0.00", "200.00", "400.00", "600.00"}},
		{"all zero: zero to one", "0", "0", 2, []string{"0.00", "0.50", "1.00"}},
		{"negative only", "-3", "-1", 2, []string{"-3.00", "-2.00", "-1.00", "0.00"}},
		{"cents", "0", "0.03", 2, []string{"0.00", "0.01", "0.02", "0.03"}},
		{"never finer than a cent", "0", "0.000003", 2, []string{"0.00", "0.01"}},
		{"yen: whole units", "0", "3", 0, []string{"0", "1", "2", "3"}},
		{"large", "0", "1234567", 2, []string{"0.00", "500,000.00", "1,000,000.00", "1,500,000.00"}},
		{"the ledger's deepest balance", "-2000000000000", "2000000000000", 2,
			[]string{"-2,000,000,000,000.00", "-1,000,000,000,000.00", "0.00", "1,000,000,000,000.00", "2,000,000,000,000.00"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := niceAxis(money.MustParse(c.lo), money.MustParse(c.hi), c.dec, intervals)
			var got []string
			for _, v := range a.ticks() {
				got = append(got, rounded(money.Amount(v), c.dec))
			}
			if !slices.Equal(got, c.ticks) {
				t.Errorf("ticks %v, want %v", got, c.ticks)
			}
		})
	}
}

// An axis past the ledger's bounds still has ticks in range, in order.
func TestNiceAxisAtTheLimits(t *testing.T) {
	a := niceAxis(money.Amount(math.MinInt64), money.Max, 2, intervals)
	ts := a.ticks()
	if len(ts) < 2 || len(ts) > 2*intervals+1 || !slices.IsSorted(ts) || ts[0] > -axisLimit || ts[len(ts)-1] < axisLimit {
		t.Fatalf("ticks %v", ts)
	}
	if y := a.y(math.MaxInt64, 10, 100); y != 10+(float64(a.hi)-float64(axisLimit))/(float64(a.hi)-float64(a.lo))*100 {
		t.Errorf("a figure past the limit is drawn at %v", y)
	}
}

func TestAmountText(t *testing.T) {
	for _, c := range []struct {
		in             string
		dec            int
		exact, rounded string
	}{
		{"12.4", 2, "12.40", "12.40"},
		{"12.403333", 2, "12.403333", "12.40"},
		{"0.005", 2, "0.005", "0.01"},
		{"-0.005", 2, "-0.005", "-0.01"},
		{"-0.004", 2, "-0.004", "0.00"},
		{"1234567.5", 2, "1,234,567.50", "1,234,567.50"},
		{"999.995", 2, "999.995", "1,000.00"},
		{"1500", 0, "1,500", "1,500"},
		{"1500.5", 0, "1,500.5", "1,501"},
		{"0.0005", 3, "0.0005", "0.001"},
		{"-9223372036854.775808", 2, "-9,223,372,036,854.775808", "-9,223,372,036,854.77"},
		{"9223372036854.775807", 2, "9,223,372,036,854.775807", "9,223,372,036,854.77"},
	} {
		var a money.Amount
		if c.in == "-9223372036854.775808" {
			a = money.Amount(math.MinInt64) // money.Parse refuses it; an Amount may still hold it
		} else {
			a = money.MustParse(c.in)
		}
		if got := exact(a, c.dec); got != c.exact {
			t.Errorf("exact(%s, %d) = %s, want %s", c.in, c.dec, got, c.exact)
		}
		if got := rounded(a, c.dec); got != c.rounded {
			t.Errorf("rounded(%s, %d) = %s, want %s", c.in, c.dec, got, c.rounded)
		}
	}
}

func TestForCurrency(t *testing.T) {
	for code, dec := range map[string]int{"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3, "": 2} {
		if f := ForCurrency(code); f.Decimals != dec || f.Unit != code {
			t.Errorf("ForCurrency(%q) = %+v, want %d decimals", code, f, dec)
		}
	}
}

func TestDayStep(t *testing.T) {
	for _, c := range []struct{ n, step int }{{1, 1}, {5, 1}, {6, 2}, {14, 3}, {30, 7}, {31, 7}, {90, 28}, {365, 91}, {10000, 2000}} {
		if got := dayStep(c.n, maxDayLabels); got != c.step {
			t.Errorf("dayStep(%d) = %d, want %d", c.n, got, c.step)
		}
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		`<a href="x">&'`: "&lt;a href=&#34;x&#34;&gt;&amp;&#39;",
		"tab\tnew\nline": "tab new line",
		"nul\x00esc\x1b": "nulesc",
		"bad \xff utf-8": "bad \uFFFD utf-8",
		"≈ 23 días":      "≈ 23 días",
	} {
		if got := text(in); got != want {
			t.Errorf("text(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"": "usage", "usage-2": "usage-2", `x" onload="y`: "xonloady", "9a": "chart-9a", "-": "chart--"} {
		if got := safeID(in, "usage"); got != want {
			t.Errorf("safeID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRunway(t *testing.T) {
	usd := ForCurrency("USD")
	until := time.Date(2030, 4, 23, 9, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		r      Runway
		note   string
		marker string
	}{
		{Runway{PerDay: 12_403_333, Days: 23, Until: until}, "At 12.40 USD a day the balance lasts about 23 days, until 23 Apr 2030.", "average 12.40/day"},
		{Runway{PerDay: 50_000_000, Days: 1}, "At 50.00 USD a day the balance lasts about 1 day.", "average 50.00/day"},
		{Runway{PerDay: 50_000_000, Available: 20_000_000, Days: 0, Until: until}, "At 50.00 USD a day the balance lasts less than a day, until 23 Apr 2030.", "average 50.00/day"},
		{Runway{PerDay: 7_310_000, Days: 0, Until: until}, "The balance has run out; usage averages 7.31 USD a day.", "average 7.31/day"},
		{Runway{Reason: "no usage in the measured window: nothing burns the balance"}, "No usage in the measured window: nothing burns the balance.", ""},
		{Runway{PerDay: 1, Reason: "at this burn rate the balance lasts more than 100 years"}, "At this burn rate the balance lasts more than 100 years.", "average 0.00/day"},
	} {
		if got := c.r.Note(usd); got != c.note {
			t.Errorf("note %q, want %q", got, c.note)
		}
		m := c.r.Marker(usd)
		if (m == nil) != (c.marker == "") || (m != nil && (m.Label != c.marker || m.Value != c.r.PerDay)) {
			t.Errorf("marker %+v, want %q", m, c.marker)
		}
	}
}

// The data table has a row per day with the exact figure, so a screen
// reader gets every number the picture shows.
func TestTableHoldsEveryFigure(t *testing.T) {
	ps := days(90, usage90)
	els := parse(t, string(Bars(BarChart{Title: "Usage", Format: ForCurrency("USD"), Points: ps}).HTML()))
	rows := els.all("td")
	if len(rows) != len(ps) {
		t.Fatalf("%d cells for %d days", len(rows), len(ps))
	}
	heads := els.all("th")
	for i, p := range ps {
		if want := exact(p.Value, 2); rows[i].text != want {
			t.Errorf("day %d: cell %q, want %q", i, rows[i].text, want)
		}
		if want := p.Day.Format("2 Jan 2006"); heads[i+2].text != want { // after the two column heads
			t.Errorf("day %d: row head %q, want %q", i, heads[i+2].text, want)
		}
	}
	if !strings.Contains(els.first("desc").text, "total ") {
		t.Errorf("the description gives no total: %q", els.first("desc").text)
	}
}

// Stacked bars sum their categories: the table's total is the exact sum
// and each day's segments reach the axis height of that sum.
func TestStackedTotals(t *testing.T) {
	d := credits(30)
	els := parse(t, string(Stacked(StackedChart{Title: "Credit", Format: ForCurrency("USD"), Series: []string{"Paid", "Promotional"}, Days: d}).HTML()))
	cells := els.all("td")
	if len(cells) != 3*len(d) {
		t.Fatalf("%d cells, want %d", len(cells), 3*len(d))
	}
	for i, day := range d {
		sum, _ := day.Values[0].Add(day.Values[1])
		if got := cells[3*i+2].text; got != exact(sum, 2) {
			t.Errorf("day %d: total %s, want %s", i, got, exact(sum, 2))
		}
	}
	if legend := els.first("g"); legend == nil {
		t.Fatal("no groups")
	}
	var names []string
	for _, e := range els.all("text") {
		if e.text == "Paid" || e.text == "Promotional" {
			names = append(names, e.text)
		}
	}
	if !slices.Equal(names, []string{"Paid", "Promotional"}) {
		t.Errorf("legend %v", names)
	}
}

func FuzzText(f *testing.F) {
	f.Add("Usage <per> day & \"more\"", "USD")
	f.Add("\x00\xff\ufffe", "'")
	f.Fuzz(func(t *testing.T, title, unit string) {
		fig := Line(LineChart{Title: title, Label: title, Format: Format{Unit: unit, Decimals: 2}, Points: days(3, balance90)})
		parse(t, string(fig.HTML()))
		parse(t, string(fig.SVG()))
	})
}
