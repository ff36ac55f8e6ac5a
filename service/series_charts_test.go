package service_test

import (
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/console/chart"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
)

var chartsDir = flag.String("charts", "", "write the seeded account's charts (SVG, and HTML pages to open in a browser) to this directory")

// TestSeriesCharts draws the console's three charts from the seeded
// account's series, as the console does, and checks they are
// well-formed. To look at them:
//
//	go test ./service -run TestSeriesCharts -charts $PWD/artifacts/charts
//
// writes balance.svg, usage.svg, credits.svg and the pages account.html
// and reports.html there.
func TestSeriesCharts(t *testing.T) {
	s := seed(t, filepath.Join(t.TempDir(), "coffer.db"))
	ctx := t.Context()
	bal, err := s.svc.BalanceSeries(ctx, s.admin, s.account.ID, 90)
	if err != nil {
		t.Fatal(err)
	}
	use, err := s.svc.UsageSeries(ctx, s.admin, s.account.ID, 90)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := s.svc.CreditSeries(ctx, s.admin, "", 90)
	if err != nil {
		t.Fatal(err)
	}
	figures := map[string]chart.Figure{
		"balance": chart.Line(chart.LineChart{ID: "balance", Title: "Balance at the end of each day, last 90 days", Label: "Balance",
			Format: chart.ForCurrency(bal.Currency), Points: points(bal.Days)}),
		"usage":   usageChart(use),
		"credits": creditChart(cred.Assets[0]),
	}
	for name, f := range figures {
		for _, doc := range []string{string(f.HTML()), string(f.SVG())} {
			d := xml.NewDecoder(strings.NewReader(doc))
			for {
				_, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
		}
	}
	if *chartsDir == "" {
		return
	}
	if err := os.MkdirAll(*chartsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, f := range figures {
		write(t, filepath.Join(*chartsDir, name+".svg"), string(f.SVG()))
	}
	write(t, filepath.Join(*chartsDir, "account.html"), page("Account", "<h2>Balance</h2>"+string(figures["balance"].HTML())+
		"<h2>Usage per day</h2>"+string(figures["usage"].HTML())))
	write(t, filepath.Join(*chartsDir, "reports.html"), page("Reports", "<h2>Credit used per day</h2>"+string(figures["credits"].HTML())))
}

func points(ds []service.DayAmount) []chart.Point {
	out := make([]chart.Point, len(ds))
	for i, d := range ds {
		out[i] = chart.Point{Day: d.Day, Value: d.Amount}
	}
	return out
}

// usageChart draws usage per day with the runway's burn rate as the
// marker and its days in the note.
func usageChart(u *service.UsageDays) chart.Figure {
	f := chart.ForCurrency(u.Currency)
	r := chart.Runway{PerDay: u.Runway.BurnPerDay, Available: u.Runway.Available, Reason: u.Runway.Reason}
	if u.Runway.Days != nil {
		r.Days, r.Until = *u.Runway.Days, *u.Runway.RunsOutAt
	}
	return chart.Bars(chart.BarChart{ID: "usage", Title: "Usage per day, last 90 days", Label: "Usage", Format: f,
		Points: points(u.Days), Marker: r.Marker(f), Note: r.Note(f)})
}

// creditChart stacks one currency's (or unit's) credit consumed per
// day, paid below promotional.
func creditChart(a service.CreditAssetDays) chart.Figure {
	f := chart.ForCurrency(a.Currency)
	if a.Unit != "" {
		f = chart.ForUnit(a.Unit)
	}
	days := make([]chart.StackedDay, len(a.Days))
	for i, d := range a.Days {
		days[i] = chart.StackedDay{Day: d.Day, Values: []money.Amount{d.Paid, d.Promotional}}
	}
	return chart.Stacked(chart.StackedChart{ID: "credits", Title: "Credit used per day, last 90 days", Format: f,
		Series: []string{"Paid", "Promotional"}, Days: days})
}

// page is a plain page around the figures with the few rules the
// console's stylesheet would give them.
func page(title, body string) string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
		`<title>` + title + `</title><style>
body{font-family:system-ui,sans-serif;color:#1f2933;margin:0 auto;padding:16px;max-width:1200px}
h2{font-size:1.1rem;margin:24px 0 8px}
.coffer-chart{margin:0}
.coffer-chart-note{margin:8px 0}
.coffer-chart-data td{text-align:right;font-variant-numeric:tabular-nums;padding:0 8px}
</style></head><body><h1>` + title + `</h1>` + body + `</body></html>`
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
