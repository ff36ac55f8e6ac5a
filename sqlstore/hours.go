package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// ledger_hours (migration 00011) keeps, for every account, UTC hour and
// lot, the sum of that hour's postings into the lot, or into the
// account's receivables (lot_id ''), and the money its debits and captures
// used; the batch that writes the transactions adds to it in the same
// transaction. A balance as of an instant then adds up the whole hours
// before it from here and reads the journal only for the part of its
// hour up to the instant, and a usage window likewise at its two ends: a
// read costs the hours of activity and at most two hours of journal, not
// the whole history. `coffer check` proves every row is its hour's
// postings (rule ledger_hours).

// hourMicros is one period of ledger_hours.
const hourMicros = int64(time.Hour / time.Microsecond)

// hourOf is the start of the hour holding µs t.
func hourOf(t int64) int64 { return t - t%hourMicros }

// hourKey is one row of ledger_hours.
type hourKey struct {
	account string
	hour    int64
	lot     string
}

// hourSums are a batch's additions to ledger_hours.
type hourSums struct {
	at     map[hourKey]int
	keys   []hourKey
	amount []int64
	usage  []int64
}

// add counts a transaction's postings into its account's hour.
func (h *hourSums) add(t *ledger.Txn) {
	hour := hourOf(micros(t.CreatedAt))
	for _, p := range t.Postings {
		if !ownsPostings(p.Book) {
			continue
		}
		k := hourKey{t.AccountID, hour, p.LotID}
		i, ok := h.at[k]
		if !ok {
			if h.at == nil {
				h.at = map[hourKey]int{}
			}
			i = len(h.keys)
			h.at[k] = i
			h.keys, h.amount, h.usage = append(h.keys, k), append(h.amount, 0), append(h.usage, 0)
		}
		h.amount[i] += int64(p.Amount)
		h.usage[i] += int64(usedBy(t, p))
	}
}

// stmts adds the sums to ledger_hours: one row per account, hour and
// lot, so that no upsert meets its own row twice.
func (h *hourSums) stmts() []stmt {
	rows := make([][]any, len(h.keys))
	for i, k := range h.keys {
		rows[i] = []any{k.account, k.hour, k.lot, h.amount[i], h.usage[i]}
	}
	return hourAdds.of(rows)
}

// hourAdds adds sums to their rows of ledger_hours.
var hourAdds = newRowInsert("ledger_hours",
	[]column{{"account_id", "text"}, {"hour", "bigint"}, {"lot_id", "text"}, {"amount", "bigint"}, {"usage", "bigint"}},
	" ON CONFLICT (account_id, hour, lot_id) DO UPDATE SET amount = ledger_hours.amount + excluded.amount,"+
		" usage = ledger_hours.usage + excluded.usage")

// hoursBefore reads the account's sums of whole hours before hour (µs):
// by lot, and under the empty lot id its receivables.
func hoursBefore(accountID string, hour int64, out map[string]money.Amount) stmt {
	return stmt{sql: "SELECT lot_id, CAST(SUM(amount) AS BIGINT) FROM ledger_hours WHERE account_id = $1 AND hour < $2 GROUP BY lot_id",
		args: []any{accountID, hour}, scan: func(r rows) error {
			for r.Next() {
				var lot string
				var v int64
				if err := r.Scan(&lot, &v); err != nil {
					return err
				}
				out[lot] += money.Amount(v)
			}
			return r.Err()
		}}
}

// UsageBetween sums the money each account's debits and captures used in
// [from, to): the whole hours inside from ledger_hours, the parts of an
// hour at the ends from the journal.
func (s *Store) UsageBetween(ctx context.Context, accountIDs []string, from, to time.Time) (map[string]money.Amount, error) {
	out := map[string]money.Amount{}
	if len(accountIDs) == 0 || !from.Before(to) {
		return out, nil
	}
	f, t := micros(from), micros(to)
	first, last := hourOf(f), hourOf(t)
	if first < f {
		first += hourMicros // the first whole hour
	}
	var stmts []stmt
	journal := func(a, b int64) {
		if a >= b {
			return
		}
		in, args := s.d.in(3, accountIDs)
		stmts = append(stmts, stmt{sql: "SELECT id, account_id, postings FROM txns WHERE account_id " + in +
			" AND created_at >= $1 AND created_at < $2 AND type IN ('debit', 'capture')",
			args: append([]any{a, b}, args...), scan: func(r rows) error {
				return postingRows(r, func(accountID string, p ledger.Posting) {
					if ownsPostings(p.Book) && !strings.HasPrefix(p.Asset, "unit:") {
						out[accountID] -= p.Amount
					}
				})
			}})
	}
	if first >= last {
		journal(f, t) // within one hour
	} else {
		journal(f, first)
		journal(last, t)
		in, args := s.d.in(3, accountIDs)
		stmts = append(stmts, stmt{sql: "SELECT account_id, CAST(SUM(usage) AS BIGINT) FROM ledger_hours WHERE account_id " + in +
			" AND hour >= $1 AND hour < $2 GROUP BY account_id", args: append([]any{first, last}, args...),
			scan: func(r rows) error {
				for r.Next() {
					var id string
					var v int64
					if err := r.Scan(&id, &v); err != nil {
						return err
					}
					out[id] += money.Amount(v)
				}
				return r.Err()
			}})
	}
	err := s.read(ctx, func(q querier) error { return q.pipeline(ctx, stmts) })
	if err != nil {
		return nil, s.translate(err)
	}
	return out, nil
}

// checkHours is the rule ledger_hours: every row of ledger_hours is the
// sum of its hour's postings, and every hour with postings has its row.
var checkHours = check{
	rule: "ledger_hours",
	query: `SELECT COALESCE(h.account_id, p.account_id) || ' ' || COALESCE(h.lot_id, p.lot_id), CAST(COALESCE(h.hour, p.hour) AS TEXT),
			COALESCE(h.amount, 0), COALESCE(p.amount, 0)
		FROM ledger_hours h FULL OUTER JOIN
			(SELECT p.account_id, p.created_at - p.created_at % ` + hourMicrosText + ` AS hour, p.lot_id, CAST(SUM(p.amount) AS BIGINT) AS amount,
				CAST(SUM(CASE WHEN t.type IN ('debit', 'capture') AND p.asset NOT LIKE 'unit:%' THEN -p.amount ELSE 0 END) AS BIGINT) AS usage
			 FROM postings p JOIN txns t ON t.id = p.txn_id WHERE p.book IN ('customer', 'receivables')
			 GROUP BY p.account_id, p.created_at - p.created_at % ` + hourMicrosText + `, p.lot_id) p
		ON p.account_id = h.account_id AND p.hour = h.hour AND p.lot_id = h.lot_id
		WHERE h.account_id IS NULL OR p.account_id IS NULL OR h.amount <> p.amount OR h.usage <> p.usage
		ORDER BY 1, 2`,
	detail: func(_, hour string, stored, sum money.Amount) string {
		return "the hour starting at " + hour + " µs holds " + stored.String() + " but its postings sum to " + sum.String() +
			" (or its usage disagrees)"
	},
}

const hourMicrosText = "3600000000"
