package report

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// UsageRow is one UTC day's usage of one unit (or plain money, Unit
// empty) by one subaccount (or the account itself) of one account.
type UsageRow struct {
	Day          time.Time
	AccountID    string
	SubaccountID string
	Unit         string
	Currency     string
	Events       int          // debits and captures counted
	Quantity     money.Amount // units used (0 for plain money debits)
	Amount       money.Amount // the money part: what lots and debt paid
}

// UsageTotal is one currency's or one unit's usage over the range.
type UsageTotal struct {
	Asset Asset
	Total money.Amount // money for a currency, quantity for a unit
	// DailyAverage is Total over the range's days, rounded half away
	// from zero to six decimals.
	DailyAverage money.Amount
}

type usageKey struct {
	day                    time.Time
	account, subaccount, u string
}

// Usage accumulates a usage report: debits and captures of [from, to).
type Usage struct {
	from, to time.Time
	currency func(accountID string) string
	rows     map[usageKey]*UsageRow
	err      error
}

// NewUsage starts a usage report; currency names an account's currency,
// for usage that unit credits covered in full (no money posting says it).
func NewUsage(from, to time.Time, currency func(accountID string) string) *Usage {
	return &Usage{from: from, to: to, currency: currency, rows: map[usageKey]*UsageRow{}}
}

// Add counts a debit or a capture in the range; anything else is not
// usage.
func (u *Usage) Add(t *ledger.Txn) {
	if u.err != nil || (t.Type != ledger.TxnDebit && t.Type != ledger.TxnCapture) ||
		t.CreatedAt.Before(u.from) || !t.CreatedAt.Before(u.to) {
		return
	}
	k := usageKey{periodStart(GroupDay, u.from, t.CreatedAt), t.AccountID, t.SubaccountID, t.Unit}
	r := u.rows[k]
	if r == nil {
		r = &UsageRow{Day: k.day, AccountID: t.AccountID, SubaccountID: t.SubaccountID, Unit: t.Unit}
		for _, p := range t.Postings {
			if !strings.HasPrefix(p.Asset, "unit:") {
				r.Currency = p.Asset
				break
			}
		}
		if r.Currency == "" {
			r.Currency = u.currency(t.AccountID)
		}
		u.rows[k] = r
	}
	r.Events++
	if err := add(&r.Quantity, t.Quantity); err != nil {
		u.err = err
	}
	if err := add(&r.Amount, -t.Amount); err != nil { // a debit's amount is minus its money part
		u.err = err
	}
}

// Rows returns the report by day, then account, subaccount (the account's
// own usage first) and unit (plain money first).
func (u *Usage) Rows() ([]UsageRow, error) {
	if u.err != nil {
		return nil, u.err
	}
	keys := slices.SortedFunc(maps.Keys(u.rows), func(a, b usageKey) int {
		return cmp.Or(a.day.Compare(b.day), cmp.Compare(a.account, b.account),
			cmp.Compare(a.subaccount, b.subaccount), cmp.Compare(a.u, b.u))
	})
	out := make([]UsageRow, 0, len(keys))
	for _, k := range keys {
		out = append(out, *u.rows[k])
	}
	return out, nil
}

// Totals sums the rows per currency (money) and per unit (quantity),
// with the daily average over days days (at least one).
func Totals(rows []UsageRow, days int64) ([]UsageTotal, error) {
	days = max(days, 1)
	sums := map[Asset]money.Amount{}
	for _, r := range rows {
		m := sums[Asset{Currency: r.Currency}]
		if err := add(&m, r.Amount); err != nil {
			return nil, err
		}
		sums[Asset{Currency: r.Currency}] = m
		if r.Unit != "" {
			q := sums[Asset{Unit: r.Unit}]
			if err := add(&q, r.Quantity); err != nil {
				return nil, err
			}
			sums[Asset{Unit: r.Unit}] = q
		}
	}
	keys := slices.SortedFunc(maps.Keys(sums), func(a, b Asset) int {
		return cmp.Or(cmp.Compare(len(b.Currency), len(a.Currency)), cmp.Compare(a.String(), b.String()))
	})
	out := make([]UsageTotal, 0, len(keys))
	for _, k := range keys {
		out = append(out, UsageTotal{Asset: k, Total: sums[k], DailyAverage: divRound(sums[k], days)})
	}
	return out, nil
}

// Days is how many days, part days counted whole, [from, to) spans.
func Days(from, to time.Time) int64 {
	const day = 24 * time.Hour
	return int64((to.Sub(from) + day - 1) / day)
}

// divRound is a/n rounded half away from zero; n > 0.
func divRound(a money.Amount, n int64) money.Amount {
	q, r := int64(a)/n, int64(a)%n
	if 2*abs(r) >= n {
		if a < 0 {
			q--
		} else {
			q++
		}
	}
	return money.Amount(q)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
