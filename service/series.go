package service

import (
	"context"
	"slices"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/report"
	"github.com/cofferdev/coffer/store"
)

// Series are the figures the console draws, one per UTC day up to today
// on Coffer's clock. Each is authorized as the API route whose figures it
// draws, reads the ledger through the reports' scans and accumulators
// (no second way of summing), and covers at most MaxSeriesDays days.
// They have no routes of their own: the API's reports already answer
// the same figures.

// MaxSeriesDays bounds a series: a year, leap day included.
const MaxSeriesDays = 366

const oneDay = 24 * time.Hour

// DayAmount is one UTC day's figure.
type DayAmount struct {
	Day    time.Time // the day's midnight, UTC
	Amount money.Amount
}

// BalanceDays is an account's balance at the end of each day.
type BalanceDays struct {
	AccountID string
	Currency  string
	// AsOf is now: today's figure is the balance now, the day not being
	// over; every earlier day's is the balance at its last microsecond.
	AsOf time.Time
	Days []DayAmount
}

// UsageDays is what an account's usage cost each day, and how long its
// balance lasts at its recent rate.
type UsageDays struct {
	AccountID string
	Currency  string
	From, To  time.Time   // the usage report's range: the first day's midnight to now
	Days      []DayAmount // the money usage took each day (lots and debt), as the usage report's amount
	Runway    *api.Runway // as GET /v1/accounts/{id}/runway answers now
}

// CreditDays is the credit usage consumed each day, per currency or unit
// and category.
type CreditDays struct {
	AccountID string    // empty: every account
	From, To  time.Time // the credit report's range: the first day's midnight to now
	Assets    []CreditAssetDays
}

// CreditAssetDays is one currency's or unit's credit consumed each day,
// paid and promotional: the credit report's consumed, by day.
type CreditAssetDays struct {
	Currency string // empty for a unit
	Unit     string // empty for money
	Days     []CreditDay
}

// CreditDay is one day's credit consumed by category. A figure may be
// negative on a day value went back into lots (an invoice voided).
type CreditDay struct {
	Day               time.Time
	Paid, Promotional money.Amount
}

// BalanceSeries is the account's balance at the end of each of its last
// days days (today's is the balance now), as GET
// /v1/accounts/{id}/balance?at= answers at each instant. Days before the
// account was opened are left out. Whoever may read the balance may read
// it.
//
// It reads the account, what its postings changed each day (the hourly
// sums of ledger_hours, the history before the range in one sum, and the
// journal for the part of the current hour up to now: what one balance
// at a past instant reads, once for all the days) and every lot of the
// account. It keeps a few figures per lot and day, never the
// transactions.
func (s *Service) BalanceSeries(ctx context.Context, c Call, accountID string, days int) (*BalanceDays, error) {
	acct, now, ds, err := s.seriesOf(ctx, c, accountID, days, readBalance)
	if err != nil {
		return nil, err
	}
	ends := dayEnds(ds, now)
	bounds := make([]time.Time, len(ends)) // each day counts what was created at or before its end
	for i, e := range ends {
		bounds[i] = e.Add(time.Microsecond)
	}
	// The sums first, lots after: every lot a posting names was created
	// before it, so the lots read later include them all.
	sums, err := s.store.SumPeriods(ctx, accountID, time.Time{}, bounds)
	if err != nil {
		return nil, err
	}
	lots, err := s.seriesLots(ctx, accountID, now)
	if err != nil {
		return nil, err
	}
	changes := make([]map[string]money.Amount, len(sums))
	for i, p := range sums {
		changes[i] = p.Lots
	}
	out := &BalanceDays{AccountID: accountID, Currency: string(acct.Currency), AsOf: now, Days: make([]DayAmount, len(ds))}
	for i, b := range report.BalancesOf(ends, changes, lots) {
		out.Days[i] = DayAmount{Day: ds[i], Amount: b}
	}
	return out, nil
}

// seriesOf is what every per-account series starts with: the caller may
// read it (want), days is a length it serves, and the account, now, and
// the series' days (those the account was open).
func (s *Service) seriesOf(ctx context.Context, c Call, accountID string, days int, want access) (*coffer.Account, time.Time, []time.Time, error) {
	if err := authorizeID(c.Caller, accountID, want); err != nil {
		return nil, time.Time{}, nil, err
	}
	if err := seriesLength(days); err != nil {
		return nil, time.Time{}, nil, err
	}
	acct, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, time.Time{}, nil, err
	}
	now := s.now()
	return acct, now, seriesDays(now, days, acct.CreatedAt), nil
}

// dayEnds is the last instant of each day, now for today's.
func dayEnds(ds []time.Time, now time.Time) []time.Time {
	ends := make([]time.Time, len(ds))
	for i, d := range ds {
		ends[i] = d.Add(oneDay - time.Microsecond) // the day's last instant
		if ends[i].After(now) {
			ends[i] = now
		}
	}
	return ends
}

// seriesLots reads every lot of the account created by now, of any
// status.
func (s *Service) seriesLots(ctx context.Context, accountID string, now time.Time) ([]*ledger.Lot, error) {
	var lots []*ledger.Lot
	err := s.store.ScanLots(ctx, store.LotScan{AccountID: accountID, CreatedBy: now}, func(l *ledger.Lot) error {
		c := *l
		lots = append(lots, &c)
		return nil
	})
	return lots, err
}

// UsageSeries is the money the account's usage took on each of its last
// days days, as the usage report's amounts add up by day, with the
// runway now. Days before the account was opened are left out. Whoever
// may read the account's usage report and runway (an admin, or the
// account's own key) may read it.
//
// It reads the money the account's debits and captures used each day
// (the hourly sums of ledger_hours, and the journal for the part of the
// current hour up to now) and what the runway reads (the account's live
// state and its last 30 days' usage).
func (s *Service) UsageSeries(ctx context.Context, c Call, accountID string, days int) (*UsageDays, error) {
	acct, now, ds, err := s.seriesOf(ctx, c, accountID, days, readAccount)
	if err != nil {
		return nil, err
	}
	from, to := ds[0], now.Add(time.Microsecond) // the usage report's range
	bounds := append(slices.Clone(ds[1:]), to)
	sums, err := s.store.SumPeriods(ctx, accountID, from, bounds)
	if err != nil {
		return nil, err
	}
	out := &UsageDays{AccountID: accountID, Currency: string(acct.Currency), From: from, To: to, Days: make([]DayAmount, len(ds))}
	for i, d := range ds {
		out.Days[i] = DayAmount{Day: d, Amount: sums[i].Usage}
	}
	if out.Runway, err = s.runway(ctx, acct, now); err != nil {
		return nil, err
	}
	return out, nil
}

// CreditSeries is the credit consumed on each of the last days days, per
// currency and unit, paid and promotional: the credit report's consumed
// with group=day, of one account or (accountID empty) of all. Admin only,
// as that report is. Every day of the range has a figure, zero when no
// credit was consumed.
//
// It reads what that report reads: the lots (of the account, or all)
// and every transaction up to now, the history before the range making
// the report's opening figures; of one account through
// txns_account_time, of all the journal in stored order.
func (s *Service) CreditSeries(ctx context.Context, c Call, accountID string, days int) (*CreditDays, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := seriesLength(days); err != nil {
		return nil, err
	}
	now := s.now()
	opened := time.Time{}
	if accountID != "" {
		if err := coffer.CheckID("account_id", coffer.PrefixAccount, accountID); err != nil {
			return nil, err
		}
		acct, err := s.store.GetAccount(ctx, accountID)
		if err != nil {
			return nil, err
		}
		opened = acct.CreatedAt
	}
	ds := seriesDays(now, days, opened)
	q := ReportQuery{From: ds[0], To: now.Add(time.Microsecond), Group: string(report.GroupDay), AccountID: accountID}
	rep, err := s.CreditsReport(ctx, c, q)
	if err != nil {
		return nil, err
	}
	out := &CreditDays{AccountID: accountID, From: q.From, To: q.To}
	at := map[[2]string]int{}
	for _, r := range rep.Data { // money first, then units, as the report orders them
		k := [2]string{r.Currency, r.Unit}
		a, ok := at[k]
		if !ok {
			a = len(out.Assets)
			at[k] = a
			cd := CreditAssetDays{Currency: r.Currency, Unit: r.Unit, Days: make([]CreditDay, len(ds))}
			for i, d := range ds {
				cd.Days[i].Day = d
			}
			out.Assets = append(out.Assets, cd)
		}
		i := int(r.PeriodStart.Sub(ds[0]) / oneDay)
		if i < 0 || i >= len(ds) {
			continue
		}
		switch ledger.Category(r.Category) {
		case ledger.Paid:
			out.Assets[a].Days[i].Paid = r.Consumed
		case ledger.Promotional:
			out.Assets[a].Days[i].Promotional = r.Consumed
		}
	}
	return out, nil
}

func seriesLength(days int) error {
	if days < 1 || days > MaxSeriesDays {
		return coffer.Invalid("days", "must be from 1 to %d, got %d", MaxSeriesDays, days)
	}
	return nil
}

// seriesDays lists the midnights of the last days UTC days up to the one
// holding now, from the day holding opened when that is later.
func seriesDays(now time.Time, days int, opened time.Time) []time.Time {
	midnight := func(t time.Time) time.Time {
		t = t.UTC()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	today := midnight(now)
	first := today.AddDate(0, 0, 1-days)
	if o := midnight(opened); !opened.IsZero() && o.After(first) {
		first = o
		if first.After(today) { // opened later than now: a clock set back, or a future date in the store
			first = today
		}
	}
	var out []time.Time
	for d := first; !d.After(today); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}
