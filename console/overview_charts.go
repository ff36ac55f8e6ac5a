package console

import (
	"github.com/cofferdev/coffer/console/chart"
	"github.com/cofferdev/coffer/service"
)

// The overview's pictures: the balance at the end of each of the last 90
// days, and what usage took each day with how long the balance lasts.

// chartDays is how far back the overview's charts look.
const chartDays = 90

type accountCharts struct {
	Balance, Usage chart.Figure
}

// accountCharts draws the account's charts from the service's series.
func (q *request) accountCharts(call service.Call, accountID string) (*accountCharts, error) {
	ctx := q.r.Context()
	bal, err := q.c.svc.BalanceSeries(ctx, call, accountID, chartDays)
	if err != nil {
		return nil, err
	}
	use, err := q.c.svc.UsageSeries(ctx, call, accountID, chartDays)
	if err != nil {
		return nil, err
	}
	f := chart.ForCurrency(use.Currency)
	r := chart.Runway{PerDay: use.Runway.BurnPerDay, Available: use.Runway.Available, Reason: use.Runway.Reason}
	if use.Runway.Days != nil && use.Runway.RunsOutAt != nil {
		r.Days, r.Until = *use.Runway.Days, *use.Runway.RunsOutAt
	}
	return &accountCharts{
		Balance: chart.Line(chart.LineChart{ID: "balance-chart", Title: "Balance at the end of each day, last 90 days",
			Label: "Balance", Format: chart.ForCurrency(bal.Currency), Points: chartPoints(bal.Days)}),
		Usage: chart.Bars(chart.BarChart{ID: "usage-chart", Title: "Usage per day, last 90 days", Label: "Usage",
			Format: f, Points: chartPoints(use.Days), Marker: r.Marker(f), Note: r.Note(f)}),
	}, nil
}

func chartPoints(ds []service.DayAmount) []chart.Point {
	out := make([]chart.Point, len(ds))
	for i, d := range ds {
		out[i] = chart.Point{Day: d.Day, Value: d.Amount}
	}
	return out
}
