// Package report is the pure core of Coffer's reports: accumulators that
// take ledger transactions or lots one at a time, in any order, and keep
// one figure per row of the report, never the transactions themselves, so
// a report over any number of transactions runs in the memory its rows
// need. No I/O, no clock: the service streams the store into them.
package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// Group is how a report splits its range into periods.
type Group string

// Groupings. Periods are UTC; weeks start on Monday (ISO 8601).
const (
	GroupNone  Group = "" // the whole range is one period
	GroupDay   Group = "day"
	GroupWeek  Group = "week"
	GroupMonth Group = "month"
)

// MaxPeriods bounds how many periods a report's range may split into, so
// a request cannot ask for millions of empty rows.
const MaxPeriods = 4000

// ParseGroup reads a grouping as the API spells it.
func ParseGroup(s string) (Group, error) {
	switch g := Group(s); g {
	case GroupNone, GroupDay, GroupWeek, GroupMonth:
		return g, nil
	}
	return "", coffer.Invalid("group", "must be day, week or month, got %q", s)
}

// periodStart is the start of the period of g that holds t; from for
// GroupNone.
func periodStart(g Group, from, t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch g {
	case GroupDay:
		return day
	case GroupWeek:
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case GroupMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return from
}

// nextPeriod is the start of the period after the one starting at start.
func nextPeriod(g Group, start, to time.Time) time.Time {
	switch g {
	case GroupDay:
		return start.AddDate(0, 0, 1)
	case GroupWeek:
		return start.AddDate(0, 0, 7)
	case GroupMonth:
		return start.AddDate(0, 1, 0)
	}
	return to
}

// Periods lists the periods of [from, to) under g, each clipped to the
// range, or refuses a range of more than MaxPeriods.
func Periods(g Group, from, to time.Time) ([][2]time.Time, error) {
	if !from.Before(to) {
		return nil, coffer.Invalid("to", "must be after from")
	}
	var out [][2]time.Time
	for s := from; s.Before(to); {
		e := nextPeriod(g, periodStart(g, from, s), to)
		if e.After(to) {
			e = to
		}
		out = append(out, [2]time.Time{s, e})
		if len(out) > MaxPeriods {
			return nil, coffer.Invalid("group", "splits the range into more than %d periods; use a longer grouping or a shorter range", MaxPeriods)
		}
		s = e
	}
	return out, nil
}

// Asset names what a figure counts: a currency, or a unit.
type Asset struct {
	Currency string // the currency code, empty for units
	Unit     string // the unit name, empty for money
}

// AssetOf reads a posting's asset.
func AssetOf(asset string) Asset {
	if u, ok := strings.CutPrefix(asset, "unit:"); ok {
		return Asset{Unit: u}
	}
	return Asset{Currency: asset}
}

// Kind is the asset's lot kind.
func (a Asset) Kind() ledger.Kind {
	if a.Unit != "" {
		return ledger.Units
	}
	return ledger.Monetary
}

func (a Asset) String() string {
	if a.Unit != "" {
		return "unit:" + a.Unit
	}
	return a.Currency
}

// add adds b to *a, checked: a report's sums run over the whole ledger.
func add(a *money.Amount, b money.Amount) error {
	s, err := a.Add(b)
	if err != nil {
		return fmt.Errorf("report: a figure overflows: %w", err)
	}
	*a = s
	return nil
}
