package service

import (
	"context"
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
// It reads the account, then every transaction of the account up to now
// (the index txns_account_time; the history before the range makes the
// first day's balance) and every lot of the account: what one balance
// at a past instant reads, once for all the days. It keeps a few figures
// per lot and day, never the transactions.
func (s *Service) BalanceSeries(ctx context.Context, c Call, accountID string, days int) (*BalanceDays, error) {
	if err := authorizeID(c.Caller, accountID, readBalance); err != nil {
		return nil, err
	}
	if err := seriesLength(days); err != nil {
		return nil, err
	}
	acct, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	ds := seriesDays(now, days, acct.CreatedAt)
	ends := make([]time.Time, len(ds))
	for i, d := range ds {
		ends[i] = d.Add(oneDay - time.Microsecond) // the day's last instant
		if ends[i].After(now) {
			ends[i] = now
		}
	}
	acc := report.NewBalances(ends)
	// Transactions first, lots after: every lot a transaction names was
	// created before it, so the lots read later include them all.
	err = s.store.ScanTxns(ctx, store.TxnScan{To: now.Add(time.Microsecond), AccountID: accountID}, func(t *ledger.Txn) error {
		acc.Add(t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var lots []*ledger.Lot
	err = s.store.ScanLots(ctx, store.LotScan{AccountID: accountID, CreatedBy: now}, func(l *ledger.Lot) error {
		c := *l
		lots = append(lots, &c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &BalanceDays{AccountID: accountID, Currency: string(acct.Currency), AsOf: now, Days: make([]DayAmount, len(ds))}
	for i, b := range acc.Balances(lots) {
		out.Days[i] = DayAmount{Day: ds[i], Amount: b}
	}
	return out, nil
}

// UsageSeries is the money the account's usage took on each of its last
// days days, from the usage report, with the runway now. Days before the
// account was opened are left out. Whoever may read the account's usage
// report and runway (an admin, or the account's own key) may read it.
//
// It reads what the usage report of the account for the range reads
// (its debits and captures in the range, through txns_account_time) and
// what the runway reads (the account's live state and its last 30 days'
// usage).
func (s *Service) UsageSeries(ctx context.Context, c Call, accountID string, days int) (*UsageDays, error) {
	if err := authorizeID(c.Caller, accountID, readAccount); err != nil {
		return nil, err
	}
	if err := seriesLength(days); err != nil {
		return nil, err
	}
	acct, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	ds := seriesDays(now, days, acct.CreatedAt)
	q := ReportQuery{From: ds[0], To: now.Add(time.Microsecond), AccountID: accountID}
	rep, err := s.UsageReport(ctx, c, q)
	if err != nil {
		return nil, err
	}
	out := &UsageDays{AccountID: accountID, Currency: string(acct.Currency), From: q.From, To: q.To, Days: make([]DayAmount, len(ds))}
	for i, d := range ds {
		out.Days[i].Day = d
	}
	for _, r := range rep.Data { // one row per day, subaccount and unit: their money adds up
		d, err := time.Parse(time.DateOnly, r.Date)
		if err != nil {
			return nil, err
		}
		i := int(d.Sub(ds[0]) / oneDay)
		if i < 0 || i >= len(ds) {
			continue
		}
		if out.Days[i].Amount, err = out.Days[i].Amount.Add(r.Amount); err != nil {
			return nil, coffer.Invalid("days", "the usage of %s overflows; ask for the report instead", r.Date)
		}
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
