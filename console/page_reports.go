package console

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/console/chart"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
)

// Reports, for staff: credit usage with its chart, liability and usage,
// each a table with filters and a CSV download. The figures are the
// service's reports and the files its CSV writers, the API's own.

func reportsRoutes() []route {
	return []route{
		{pattern: "GET /reports", access: staff, nav: "Reports", handle: creditsReportPage},
		{pattern: "GET /reports/credits.csv", access: staff, handle: creditsReportCSV},
		{pattern: "GET /reports/liability", access: staff, handle: liabilityReportPage},
		{pattern: "GET /reports/liability.csv", access: staff, handle: liabilityReportCSV},
		{pattern: "GET /reports/usage", access: staff, handle: usageReportPage},
		{pattern: "GET /reports/usage.csv", access: staff, handle: usageReportCSV},
	}
}

// reportShown is how many rows a report's page shows; the CSV has all.
const reportShown = 500

// creditChartDays is how many days the credit chart covers, up to today.
const creditChartDays = 30

// reportData is what every report page has: its filters, the query of
// its CSV link, and which report it is, for the reports' own tabs.
type reportData struct {
	Form    *form
	CSV     string
	Current string
	// Cut is set when the table shows only the first reportShown rows.
	Cut bool
}

// Reports are the report pages, for the links between them.
func (d *reportData) Reports() []link {
	out := []link{{Label: "Credit usage", Href: "/reports"}, {Label: "Liability", Href: "/reports/liability"}, {Label: "Usage", Href: "/reports/usage"}}
	for i := range out {
		out[i].Current = out[i].Label == d.Current
	}
	return out
}

// reportFilters reads the filter fields a report has from the query:
// its values, and the service's query they make.
func reportFilters(qv url.Values, id string, names ...string) (*form, service.ReportQuery, error) {
	vals := url.Values{}
	for _, n := range names {
		if v := strings.TrimSpace(qv.Get(n)); v != "" {
			vals.Set(n, v)
		}
	}
	f := newForm(id, vals, names...)
	rq := service.ReportQuery{AccountID: vals.Get("account_id"), Kind: vals.Get("kind"), Unit: vals.Get("unit"),
		Category: vals.Get("category"), Group: vals.Get("group")}
	var err error
	if rq.From, err = parseDay("from", vals.Get("from"), 0); err == nil {
		rq.To, err = parseDay("to", vals.Get("to"), 24*time.Hour) // through the end of that day
	}
	return f, rq, err
}

// csvQuery is the CSV link of a report's page: the same filters.
func csvQuery(path string, f *form) string {
	if len(f.Values) == 0 {
		return path
	}
	return path + "?" + f.Values.Encode()
}

var creditsFilters = []string{"from", "to", "account_id", "kind", "unit", "category", "group"}

type creditsReportData struct {
	reportData
	Report *api.CreditsReport
	Charts []chart.Figure
}

func creditsReportPage(q *request) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	f, rq, err := reportFilters(q.r.URL.Query(), "credits", creditsFilters...)
	d := &creditsReportData{reportData: reportData{Form: f, CSV: csvQuery("/reports/credits.csv", f), Current: "Credit usage"}}
	if err == nil {
		d.Report, err = q.c.svc.CreditsReport(q.r.Context(), call, rq)
	}
	if err != nil {
		if !f.fail(err) {
			return err
		}
		return q.render(coffer.HTTPStatus(coffer.ErrorCode(err)), "report-credits", d)
	}
	d.Report.Data, d.Cut, _, _ = service.Page(d.Report.Data, reportShown, "")
	if d.Charts, err = q.creditCharts(call, rq); err != nil {
		return err
	}
	return q.render(http.StatusOK, "report-credits", d)
}

// creditCharts draws credit used per day over the last creditChartDays days,
// stacked by category: one chart per currency or unit the filters keep.
func (q *request) creditCharts(call service.Call, rq service.ReportQuery) ([]chart.Figure, error) {
	cred, err := q.c.svc.CreditSeries(q.r.Context(), call, rq.AccountID, creditChartDays)
	if err != nil {
		return nil, err
	}
	var out []chart.Figure
	for _, a := range cred.Assets { // money first, then each unit
		kind := "monetary"
		if a.Unit != "" {
			kind = "units"
		}
		if rq.Kind != "" && rq.Kind != kind || rq.Unit != "" && rq.Unit != a.Unit {
			continue
		}
		f, name := chart.ForCurrency(a.Currency), a.Currency
		if a.Unit != "" {
			f, name = chart.ForUnit(a.Unit), a.Unit
		}
		days := make([]chart.StackedDay, len(a.Days))
		for i, d := range a.Days {
			days[i] = chart.StackedDay{Day: d.Day, Values: []money.Amount{d.Paid, d.Promotional}}
		}
		out = append(out, chart.Stacked(chart.StackedChart{ID: "credits-" + name,
			Title:  "Credit usage by day, stacked by category, last " + strconv.Itoa(creditChartDays) + " days (" + name + ")",
			Format: f, Series: []string{"Paid", "Promotional"}, Days: days}))
	}
	return out, nil
}

func creditsReportCSV(q *request) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	_, rq, err := reportFilters(q.r.URL.Query(), "credits", creditsFilters...)
	var r *api.CreditsReport
	if err == nil {
		r, err = q.c.svc.CreditsReport(q.r.Context(), call, rq)
	}
	if err != nil {
		return err
	}
	return q.writeCSV("credits.csv", func(w io.Writer) error { return service.WriteCreditsCSV(w, r) })
}

var liabilityFilters = []string{"at", "account_id", "kind", "category"}

type liabilityReportData struct {
	reportData
	Report *api.LiabilityReport
}

// liabilityQuery reads the liability report's filters: at is a day, and
// the report is the credit owed at its end (now, for today).
func liabilityQuery(qv url.Values) (*form, time.Time, service.ReportQuery, error) {
	f, rq, err := reportFilters(qv, "liability", liabilityFilters...)
	var at time.Time
	if err == nil {
		at, err = parseDay("at", f.Values.Get("at"), 24*time.Hour-time.Microsecond)
	}
	return f, at, rq, err
}

func liabilityReportPage(q *request) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	f, at, rq, err := liabilityQuery(q.r.URL.Query())
	d := &liabilityReportData{reportData: reportData{Form: f, CSV: csvQuery("/reports/liability.csv", f), Current: "Liability"}}
	if err == nil {
		d.Report, err = q.c.svc.LiabilityReport(q.r.Context(), call, at, rq)
	}
	if err != nil {
		if !f.fail(err) {
			return err
		}
		return q.render(coffer.HTTPStatus(coffer.ErrorCode(err)), "report-liability", d)
	}
	return q.render(http.StatusOK, "report-liability", d)
}

func liabilityReportCSV(q *request) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	_, at, rq, err := liabilityQuery(q.r.URL.Query())
	var r *api.LiabilityReport
	if err == nil {
		r, err = q.c.svc.LiabilityReport(q.r.Context(), call, at, rq)
	}
	if err != nil {
		return err
	}
	return q.writeCSV("liability.csv", func(w io.Writer) error { return service.WriteLiabilityCSV(w, r) })
}

var usageFilters = []string{"from", "to", "account_id"}

type usageReportData struct {
	reportData
	Report *api.UsageReport
}

func usageReportPage(q *request) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	f, rq, err := reportFilters(q.r.URL.Query(), "usage", usageFilters...)
	d := &usageReportData{reportData: reportData{Form: f, CSV: csvQuery("/reports/usage.csv", f), Current: "Usage"}}
	if err == nil {
		d.Report, err = q.c.svc.UsageReport(q.r.Context(), call, rq)
	}
	if err != nil {
		if !f.fail(err) {
			return err
		}
		return q.render(coffer.HTTPStatus(coffer.ErrorCode(err)), "report-usage", d)
	}
	d.Report.Data, d.Cut, _, _ = service.Page(d.Report.Data, reportShown, "")
	return q.render(http.StatusOK, "report-usage", d)
}

func usageReportCSV(q *request) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	_, rq, err := reportFilters(q.r.URL.Query(), "usage", usageFilters...)
	var r *api.UsageReport
	if err == nil {
		r, err = q.c.svc.UsageReport(q.r.Context(), call, rq)
	}
	if err != nil {
		return err
	}
	return q.writeCSV("usage.csv", func(w io.Writer) error { return service.WriteUsageCSV(w, r) })
}

// writeCSV answers with a CSV file written by write, as the API's CSV
// answers are: nothing is sent if it fails.
func (q *request) writeCSV(name string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	return q.sendCSV(name, buf.Bytes())
}

// sendCSV answers with a CSV file to download.
func (q *request) sendCSV(name string, body []byte) error {
	h := q.w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "private, no-store")
	_, err := q.w.Write(body)
	return err
}
