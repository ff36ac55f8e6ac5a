package sqlstore

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// Reads over ledger_hours beside StateAt and UsageBetween (hours.go):
// what each lot held at an instant, for one account or all (the
// liability report in the past), and an account's postings split into
// periods (the console's daily balance and usage). Each adds up whole
// hours from ledger_hours and reads from the journal only the hours that
// one of its bounds cuts, in one snapshot: the cost is the hours of
// activity and at most one hour of journal per cut, however long the
// history.

// ownPostings reads the transactions created in [from, to) µs of the
// accounts that cond (on account_id, its arguments from $3) selects, and
// calls fn with each of their postings into the account's own books
// (customer and receivables), in no particular order.
func ownPostings(cond string, condArgs []any, from, to int64, fn func(t *ledger.Txn, p ledger.Posting) error) stmt {
	return stmt{sql: "SELECT id, account_id, type, created_at, postings FROM txns WHERE account_id " + cond +
		" AND created_at >= $1 AND created_at < $2",
		args: append([]any{from, to}, condArgs...),
		scan: func(r rows) error {
			var t ledger.Txn
			for r.Next() {
				var typ, col string
				var at int64
				if err := r.Scan(&t.ID, &t.AccountID, &typ, &at, &col); err != nil {
					return err
				}
				t.Type, t.CreatedAt = ledger.TxnType(typ), fromMicros(at)
				if err := decodePostings(&t, col); err != nil {
					return err
				}
				for _, p := range t.Postings {
					if ownsPostings(p.Book) {
						if err := fn(&t, p); err != nil {
							return err
						}
					}
				}
			}
			return r.Err()
		}}
}

// usedBy is the money a posting of t counts as usage: what a debit or a
// capture drew from a monetary lot or incurred as debt. ledger_hours
// counts usage by it as the batch writes, and the reads by it where they
// sum the journal.
func usedBy(t *ledger.Txn, p ledger.Posting) money.Amount {
	if (t.Type == ledger.TxnDebit || t.Type == ledger.TxnCapture) && !strings.HasPrefix(p.Asset, "unit:") {
		return -p.Amount
	}
	return 0
}

// addAmount adds v to m[k], checked: the sums here run over many rows.
func addAmount(m map[string]money.Amount, k string, v money.Amount) error {
	s, err := m[k].Add(v)
	if err != nil {
		return fmt.Errorf("sum of %q: %w", k, err)
	}
	m[k] = s
	return nil
}

// LotSumsAt returns what each lot held at at: the sums of its customer
// postings created at or before at. Whole hours before at's hour come
// from ledger_hours; the part of that hour up to at from the journal,
// of the account, or of every account that ledger_hours says posted in
// that hour (read by account through txns_account_time, no scan of the
// journal).
func (s *Store) LotSumsAt(ctx context.Context, accountID string, at time.Time) (map[string]money.Amount, error) {
	out := map[string]money.Amount{}
	end := micros(at) + 1 // postings before end
	hour := hourOf(end)
	journal := func(cond string, args []any) stmt {
		return ownPostings(cond, args, hour, end, func(_ *ledger.Txn, p ledger.Posting) error {
			if p.Book != ledger.BookCustomer {
				return nil
			}
			return addAmount(out, p.LotID, p.Amount)
		})
	}
	err := s.read(ctx, func(q querier) error {
		if accountID != "" {
			stmts := []stmt{hoursBefore(accountID, hour, out)}
			if hour < end {
				stmts = append(stmts, journal("= $3", []any{accountID}))
			}
			return q.pipeline(ctx, stmts)
		}
		var active []string // the accounts with postings in at's hour
		stmts := []stmt{{sql: "SELECT lot_id, CAST(SUM(amount) AS BIGINT) FROM ledger_hours WHERE hour < $1 AND lot_id <> '' GROUP BY lot_id",
			args: []any{hour}, scan: func(r rows) error {
				for r.Next() {
					var lot string
					var v int64
					if err := r.Scan(&lot, &v); err != nil {
						return err
					}
					if err := addAmount(out, lot, money.Amount(v)); err != nil {
						return err
					}
				}
				return r.Err()
			}}}
		if hour < end {
			stmts = append(stmts, stmt{sql: "SELECT DISTINCT account_id FROM ledger_hours WHERE hour = $1", args: []any{hour},
				scan: func(r rows) error {
					for r.Next() {
						var id string
						if err := r.Scan(&id); err != nil {
							return err
						}
						active = append(active, id)
					}
					return r.Err()
				}})
		}
		if err := q.pipeline(ctx, stmts); err != nil || len(active) == 0 {
			return err
		}
		in, args := s.d.in(3, active)
		return q.pipeline(ctx, []stmt{journal(in, args)})
	})
	if err != nil {
		return nil, s.translate(err)
	}
	delete(out, "") // the receivables: no lot
	return out, nil
}

// SumPeriods splits the account's postings at ends. The hours that a
// bound cuts (from, or an end off the hour) are read from the journal,
// each transaction counted in the period of its instant; every other hour
// lies whole in one period and comes from ledger_hours, and when from is
// zero all hours before the first end's hour are one grouped read.
func (s *Store) SumPeriods(ctx context.Context, accountID string, from time.Time, ends []time.Time) ([]store.PeriodSums, error) {
	out := make([]store.PeriodSums, len(ends))
	for i := range out {
		out[i].Lots = map[string]money.Amount{}
	}
	if len(ends) == 0 {
		return out, nil
	}
	e := make([]int64, len(ends))
	for i, t := range ends {
		e[i] = micros(t)
		if i > 0 && e[i] <= e[i-1] {
			return nil, fmt.Errorf("sum periods: the ends do not ascend at %d", i)
		}
	}
	f := int64(math.MinInt64)
	if !from.IsZero() {
		if f = micros(from); f >= e[0] {
			return nil, fmt.Errorf("sum periods: from is not before the first end")
		}
	}
	last := e[len(e)-1]
	var cut []int64 // the hours a bound falls inside, ascending
	for _, b := range append([]int64{f}, e...) {
		if b != math.MinInt64 && b%hourMicros != 0 && !slices.Contains(cut, hourOf(b)) {
			cut = append(cut, hourOf(b))
		}
	}
	period := func(t int64) int { return sort.Search(len(e), func(i int) bool { return t < e[i] }) }
	add := func(i int, lot string, amount, usage money.Amount) error {
		if err := addAmount(out[i].Lots, lot, amount); err != nil {
			return err
		}
		u, err := out[i].Usage.Add(usage)
		if err != nil {
			return fmt.Errorf("usage: %w", err)
		}
		out[i].Usage = u
		return nil
	}
	hours := func(cond string, args []any, each func(r rows) (hour int64, lot string, amount, usage int64, err error)) stmt {
		return stmt{sql: cond, args: args, scan: func(r rows) error {
			for r.Next() {
				h, lot, amount, usage, err := each(r)
				if err != nil {
					return err
				}
				if slices.Contains(cut, h) {
					continue // read from the journal
				}
				if err := add(period(h), lot, money.Amount(amount), money.Amount(usage)); err != nil {
					return err
				}
			}
			return r.Err()
		}}
	}
	var stmts []stmt
	lower := hourOf(f)
	if f == math.MinInt64 {
		lower = hourOf(e[0]) // the hours before it are all the first period's
		stmts = append(stmts, hours(`SELECT lot_id, CAST(SUM(amount) AS BIGINT), CAST(SUM(usage) AS BIGINT) FROM ledger_hours
			WHERE account_id = $1 AND hour < $2 GROUP BY lot_id`, []any{accountID, lower},
			func(r rows) (hour int64, lot string, amount, usage int64, err error) {
				err = r.Scan(&lot, &amount, &usage)
				return math.MinInt64, lot, amount, usage, err
			}))
	}
	stmts = append(stmts, hours(`SELECT hour, lot_id, amount, usage FROM ledger_hours
		WHERE account_id = $1 AND hour >= $2 AND hour < $3`, []any{accountID, lower, last},
		func(r rows) (hour int64, lot string, amount, usage int64, err error) {
			err = r.Scan(&hour, &lot, &amount, &usage)
			return hour, lot, amount, usage, err
		}))
	for _, h := range cut {
		a, b := max(h, f), min(h+hourMicros, last)
		if a >= b {
			continue
		}
		stmts = append(stmts, ownPostings("= $3", []any{accountID}, a, b, func(t *ledger.Txn, p ledger.Posting) error {
			return add(period(micros(t.CreatedAt)), p.LotID, p.Amount, usedBy(t, p))
		}))
	}
	if err := s.read(ctx, func(q querier) error { return q.pipeline(ctx, stmts) }); err != nil {
		return nil, s.translate(err)
	}
	return out, nil
}
