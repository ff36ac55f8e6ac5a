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

// The reads the hourly sums replaced, kept as they were for the tests to
// compare against: each scans the account's journal (or all of it) and
// sums every posting.

// BalanceSeriesScan is BalanceSeries summed from the whole journal.
func (s *Service) BalanceSeriesScan(ctx context.Context, c Call, accountID string, days int) (*BalanceDays, error) {
	acct, now, ds, err := s.seriesOf(ctx, c, accountID, days, readBalance)
	if err != nil {
		return nil, err
	}
	ends := dayEnds(ds, now)
	acc := report.NewBalances(ends)
	err = s.store.ScanTxns(ctx, store.TxnScan{To: now.Add(time.Microsecond), AccountID: accountID}, func(t *ledger.Txn) error {
		acc.Add(t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	lots, err := s.seriesLots(ctx, accountID, now)
	if err != nil {
		return nil, err
	}
	out := &BalanceDays{AccountID: accountID, Currency: string(acct.Currency), AsOf: now, Days: make([]DayAmount, len(ds))}
	for i, b := range acc.Balances(lots) {
		out.Days[i] = DayAmount{Day: ds[i], Amount: b}
	}
	return out, nil
}

// UsageSeriesScan is UsageSeries from the usage report, which reads the
// debits and captures of the range from the journal.
func (s *Service) UsageSeriesScan(ctx context.Context, c Call, accountID string, days int) (*UsageDays, error) {
	acct, now, ds, err := s.seriesOf(ctx, c, accountID, days, readAccount)
	if err != nil {
		return nil, err
	}
	q := ReportQuery{From: ds[0], To: now.Add(time.Microsecond), AccountID: accountID}
	rep, err := s.UsageReport(ctx, c, q)
	if err != nil {
		return nil, err
	}
	out := &UsageDays{AccountID: accountID, Currency: string(acct.Currency), From: q.From, To: q.To, Days: make([]DayAmount, len(ds))}
	for i, d := range ds {
		out.Days[i].Day = d
	}
	for _, r := range rep.Data {
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

// LiabilityScan is LiabilityReport at a past instant summed from the
// journal up to it: every transaction of the account, or of all.
func (s *Service) LiabilityScan(ctx context.Context, c Call, at time.Time, q ReportQuery) (*api.LiabilityReport, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	acc := report.NewLiability(at, ledger.Kind(q.Kind), ledger.Category(q.Category))
	sums := report.NewLotRemaining()
	err := s.store.ScanTxns(ctx, store.TxnScan{To: at.Add(time.Microsecond), AccountID: q.AccountID}, func(t *ledger.Txn) error {
		sums.Add(t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	lots, err := s.lotInfos(ctx, q.AccountID, at)
	if err != nil {
		return nil, err
	}
	sums.Each(func(id, asset string, remaining money.Amount) { acc.AddLot(asset, lots[id], remaining) })
	return liabilityView(at, acc)
}
