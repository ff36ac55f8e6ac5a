package service

import (
	"context"
	"strconv"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/report"
	"github.com/cofferdev/coffer/store"
)

// Reports read the ledger through store.Reports' scans, one row at a
// time, into the pure accumulators of package report. What they keep is
// one figure per row of the answer, plus, for the credit and liability
// reports, a few facts per lot (its category and expiry, which postings
// do not carry): memory grows with lots, never with transactions.

// reportRange is the default range of a report: the 30 days up to now.
const reportRange = 30 * 24 * time.Hour

// ReportQuery is what a report's request asks for; zero fields take
// defaults.
type ReportQuery struct {
	From, To  time.Time
	Group     string
	AccountID string
	Kind      string
	Unit      string
	Category  string
}

func (s *Service) reportRange(q *ReportQuery) error {
	if q.To.IsZero() {
		q.To = s.now().Add(time.Microsecond) // what happened at this very instant counts
	}
	if q.From.IsZero() {
		q.From = q.To.Add(-reportRange)
	}
	if !q.From.Before(q.To) {
		return coffer.Invalid("to", "must be after from")
	}
	if q.AccountID != "" {
		return coffer.CheckID("account_id", coffer.PrefixAccount, q.AccountID)
	}
	return nil
}

// lotInfos reads the facts of every lot (of one account, if set) created
// by t, for the accumulators' lookups.
func (s *Service) lotInfos(ctx context.Context, accountID string, by time.Time) (map[string]report.LotInfo, error) {
	out := map[string]report.LotInfo{}
	err := s.store.ScanLots(ctx, store.LotScan{AccountID: accountID, CreatedBy: by}, func(l *ledger.Lot) error {
		out[l.ID] = report.LotInfo{AccountID: l.AccountID, Category: l.Category, ExpiresAt: l.ExpiresAt}
		return nil
	})
	return out, err
}

// CreditsReport is credit granted, consumed, expired, voided and
// remaining, per currency and unit, category and period. Admin only.
func (s *Service) CreditsReport(ctx context.Context, c Call, q ReportQuery) (*api.CreditsReport, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := s.reportRange(&q); err != nil {
		return nil, err
	}
	g, err := report.ParseGroup(q.Group)
	if err != nil {
		return nil, err
	}
	cq := report.CreditsQuery{From: q.From, To: q.To, Group: g, Kind: ledger.Kind(q.Kind), Unit: q.Unit, Category: ledger.Category(q.Category)}
	lots, err := s.lotInfos(ctx, q.AccountID, q.To)
	if err != nil {
		return nil, err
	}
	acc, err := report.NewCredits(cq, func(id string) (report.LotInfo, bool) { l, ok := lots[id]; return l, ok })
	if err != nil {
		return nil, err
	}
	err = s.store.ScanTxns(ctx, store.TxnScan{To: q.To, AccountID: q.AccountID}, func(t *ledger.Txn) error {
		acc.Add(t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows, err := acc.Rows()
	if err != nil {
		return nil, err
	}
	totals, err := acc.Totals(rows)
	if err != nil {
		return nil, err
	}
	out := &api.CreditsReport{Object: "credits_report", From: q.From, To: q.To, Group: q.Group,
		Data: make([]api.CreditRow, 0, len(rows)), Totals: make([]api.CreditRow, 0, len(totals))}
	for _, r := range rows {
		out.Data = append(out.Data, creditRow(r))
	}
	for _, r := range totals {
		out.Totals = append(out.Totals, creditRow(r))
	}
	return out, nil
}

func creditRow(r report.CreditRow) api.CreditRow {
	return api.CreditRow{PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, Currency: r.Asset.Currency, Unit: r.Asset.Unit,
		Kind: string(r.Asset.Kind()), Category: string(r.Category), Opening: r.Opening, Granted: r.Granted,
		Consumed: r.Consumed, Expired: r.Expired, Voided: r.Voided, Remaining: r.Remaining}
}

// LiabilityReport is the credit still owed at an instant (now if zero),
// by currency and unit, category and expiry bucket. Admin only. Now it
// reads the live lots; in the past it sums each lot's postings up to at
// (store.LotSumsAt: the hourly sums and at most an hour of journal) and
// reads the lots created by then.
func (s *Service) LiabilityReport(ctx context.Context, c Call, at time.Time, q ReportQuery) (*api.LiabilityReport, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if q.AccountID != "" {
		if err := coffer.CheckID("account_id", coffer.PrefixAccount, q.AccountID); err != nil {
			return nil, err
		}
	}
	now := s.now()
	if at.IsZero() || at.After(now) {
		at = now
	}
	acc := report.NewLiability(at, ledger.Kind(q.Kind), ledger.Category(q.Category))
	info := func(l *ledger.Lot) report.LotInfo {
		return report.LotInfo{AccountID: l.AccountID, Category: l.Category, ExpiresAt: l.ExpiresAt}
	}
	if at.Equal(now) {
		currency, err := s.currencies(ctx, q.AccountID)
		if err != nil {
			return nil, err
		}
		err = s.store.ScanLots(ctx, store.LotScan{AccountID: q.AccountID, Active: true}, func(l *ledger.Lot) error {
			acc.AddLot(l.Asset(currency(l.AccountID)), info(l), l.Remaining)
			return nil
		})
		if err != nil {
			return nil, err
		}
	} else {
		// What each lot held at the instant: whole hours from the hourly
		// sums, the part of the instant's hour from the journal.
		sums, err := s.store.LotSumsAt(ctx, q.AccountID, at)
		if err != nil {
			return nil, err
		}
		var held []*ledger.Lot
		err = s.store.ScanLots(ctx, store.LotScan{AccountID: q.AccountID, CreatedBy: at}, func(l *ledger.Lot) error {
			if sums[l.ID] > 0 {
				c := *l
				held = append(held, &c)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(held) > 0 { // read the currencies only for lots that held value, as the journal's postings name them
			currency, err := s.currencies(ctx, q.AccountID)
			if err != nil {
				return nil, err
			}
			for _, l := range held {
				acc.AddLot(l.Asset(currency(l.AccountID)), info(l), sums[l.ID])
			}
		}
	}
	return liabilityView(at, acc)
}

// liabilityView is the liability report's answer.
func liabilityView(at time.Time, acc *report.Liability) (*api.LiabilityReport, error) {
	rows, err := acc.Rows()
	if err != nil {
		return nil, err
	}
	out := &api.LiabilityReport{Object: "liability_report", At: at, Data: make([]api.LiabilityRow, 0, len(rows))}
	for _, r := range rows {
		out.Data = append(out.Data, api.LiabilityRow{Currency: r.Asset.Currency, Unit: r.Asset.Unit, Kind: string(r.Asset.Kind()),
			Category: string(r.Category), Bucket: string(r.Bucket), Amount: r.Amount, Lots: r.Lots})
	}
	return out, nil
}

// currencies returns each account's currency: of one account, or of all
// (read once, a page at a time).
func (s *Service) currencies(ctx context.Context, accountID string) (func(string) money.Currency, error) {
	m := map[string]money.Currency{}
	if accountID != "" {
		a, err := s.store.GetAccount(ctx, accountID)
		if err != nil {
			return nil, err
		}
		m[a.ID] = a.Currency
	} else {
		after := ""
		for {
			page, more, err := s.store.ListAccounts(ctx, store.Page{Limit: 1000, StartingAfter: after})
			if err != nil {
				return nil, err
			}
			for _, a := range page {
				m[a.ID] = a.Currency
			}
			if !more || len(page) == 0 {
				break
			}
			after = page[len(page)-1].ID
		}
	}
	return func(id string) money.Currency { return m[id] }, nil
}

// UsageReport is usage per day, account, subaccount and unit, with the
// totals and daily averages. An account key may read its own account's;
// reports across accounts need an admin key.
func (s *Service) UsageReport(ctx context.Context, c Call, q ReportQuery) (*api.UsageReport, error) {
	if q.AccountID == "" {
		if err := adminOnly(c.Caller); err != nil {
			return nil, err
		}
	} else if err := authorize(c.Caller, q.AccountID, readAccount); err != nil {
		return nil, err
	}
	if err := s.reportRange(&q); err != nil {
		return nil, err
	}
	currency, err := s.currencies(ctx, q.AccountID)
	if err != nil {
		return nil, err
	}
	from := q.From
	if q.AccountID != "" {
		a, err := s.store.GetAccount(ctx, q.AccountID)
		if err != nil {
			return nil, err
		}
		if a.CreatedAt.After(from) {
			from = a.CreatedAt // a young account's average is not diluted by days it did not exist
		}
	}
	acc := report.NewUsage(q.From, q.To, func(id string) string { return string(currency(id)) })
	scan := store.TxnScan{From: q.From, To: q.To, AccountID: q.AccountID, Types: []ledger.TxnType{ledger.TxnDebit, ledger.TxnCapture}}
	if err := s.store.ScanTxns(ctx, scan, func(t *ledger.Txn) error { acc.Add(t); return nil }); err != nil {
		return nil, err
	}
	rows, err := acc.Rows()
	if err != nil {
		return nil, err
	}
	days := report.Days(from, q.To)
	totals, err := report.Totals(rows, days)
	if err != nil {
		return nil, err
	}
	out := &api.UsageReport{Object: "usage_report", From: q.From, To: q.To, AccountID: q.AccountID, Days: max(days, 1),
		Data: make([]api.UsageRow, 0, len(rows)), Totals: make([]api.UsageTotal, 0, len(totals))}
	for _, r := range rows {
		out.Data = append(out.Data, api.UsageRow{Date: r.Day.Format(time.DateOnly), AccountID: r.AccountID, SubaccountID: r.SubaccountID,
			Unit: r.Unit, Currency: r.Currency, Events: r.Events, Quantity: r.Quantity, Amount: r.Amount})
	}
	for _, t := range totals {
		out.Totals = append(out.Totals, api.UsageTotal{Currency: t.Asset.Currency, Unit: t.Asset.Unit, Total: t.Total, DailyAverage: t.DailyAverage})
	}
	return out, nil
}

// Runway is how long the account's balance lasts at its last 30 days'
// burn rate, counting credit that expires first. The account's own key
// may read it.
func (s *Service) Runway(ctx context.Context, c Call, accountID string) (*api.Runway, error) {
	if err := authorizeID(c.Caller, accountID, readAccount); err != nil {
		return nil, err
	}
	acct, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return s.runway(ctx, acct, s.now())
}

// runway computes an account's runway at now; the low-balance e-mail
// quotes its days.
func (s *Service) runway(ctx context.Context, acct *coffer.Account, now time.Time) (*api.Runway, error) {
	st, err := s.store.LoadState(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	from, to := usageWindow(now)
	if acct.CreatedAt.After(from) {
		from = acct.CreatedAt
	}
	usage, err := s.store.UsageBetween(ctx, []string{acct.ID}, from, to)
	if err != nil {
		return nil, err
	}
	b := st.Balance(now)
	r := report.ComputeRunway(report.RunwayInput{Now: now, Lots: st.Lots, Debt: st.Account.Debt, Held: b.Held,
		MinBalance: st.Account.MinBalance, Usage: usage[acct.ID], Window: now.Sub(from)})
	out := &api.Runway{Object: "runway", AccountID: acct.ID, Currency: string(acct.Currency), AsOf: now, Usage: r.Usage,
		WindowStart: from, BurnPerDay: r.BurnPerDay, Available: r.Available, Expiring: r.Expiring, Reason: r.Reason}
	if !r.Date.IsZero() {
		date, days := r.Date, r.Days
		out.RunsOutAt, out.Days = &date, &days
	}
	return out, nil
}

// Page cuts rows[starting_after:] to at most limit, for reports whose
// rows are many: the cursor is the position of the next row, which
// stays put while the report's range is in the past.
func Page[T any](rows []T, limit int, startingAfter string) ([]T, bool, string, error) {
	start := 0
	if startingAfter != "" {
		n, err := strconv.Atoi(startingAfter)
		if err != nil || n < 0 {
			return nil, false, "", coffer.Invalid("starting_after", "must be the next_cursor of a previous page")
		}
		start = min(n, len(rows))
	}
	if limit <= 0 {
		return rows[start:], false, "", nil
	}
	end := min(start+limit, len(rows))
	if end < len(rows) {
		return rows[start:end], true, strconv.Itoa(end), nil
	}
	return rows[start:end], false, "", nil
}
