package sqlstore

import (
	"context"
	"fmt"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// check is one ledger invariant, as a query that returns the rows breaking
// it: the subject at fault and two amounts for the message.
type check struct {
	rule   string
	query  string
	detail func(subject, extra string, a, b money.Amount) string
}

// sumCustomer is each lot's sum of customer postings.
const sumCustomer = `(SELECT lot_id, CAST(SUM(amount) AS BIGINT) AS total FROM postings
	WHERE book = 'customer' GROUP BY lot_id)`

// checks are the invariants `coffer check` verifies. Each query selects
// (subject, extra text, amount, amount).
var checks = []check{
	{
		rule: "postings_balance",
		query: `SELECT txn_id, asset, CAST(SUM(amount) AS BIGINT), 0 FROM postings
			GROUP BY txn_id, asset HAVING SUM(amount) <> 0 ORDER BY txn_id, asset`,
		detail: func(_, asset string, sum, _ money.Amount) string {
			return fmt.Sprintf("postings in %s sum to %s, not zero", asset, sum)
		},
	},
	{
		// txns carries no foreign key (it would cost every appended row
		// a lookup; see migration 00004), so the reference the committer
		// keeps is proved here.
		rule: "txn_account",
		query: `SELECT t.id, t.account_id, t.amount, 0 FROM txns t LEFT JOIN accounts a ON a.id = t.account_id
			WHERE a.id IS NULL ORDER BY t.id`,
		detail: func(_, account string, amount, _ money.Amount) string {
			return fmt.Sprintf("a transaction of %s names account %q, which does not exist", amount, account)
		},
	},
	{
		rule: "lot_remaining",
		query: `SELECT l.id, '', l.remaining, COALESCE(p.total, 0) FROM lots l LEFT JOIN ` + sumCustomer + ` p
			ON p.lot_id = l.id WHERE l.remaining <> COALESCE(p.total, 0) ORDER BY l.id`,
		detail: func(_, _ string, remaining, sum money.Amount) string {
			return fmt.Sprintf("remaining is %s but its customer postings sum to %s", remaining, sum)
		},
	},
	{
		rule: "posting_lot",
		query: `SELECT p.txn_id, p.lot_id, p.amount, 0 FROM postings p LEFT JOIN lots l ON l.id = p.lot_id
			WHERE p.book = 'customer' AND (l.id IS NULL OR l.account_id <> p.account_id) ORDER BY p.txn_id, p.idx`,
		detail: func(_, lot string, amount, _ money.Amount) string {
			return fmt.Sprintf("customer posting of %s names lot %q, which is not the account's", amount, lot)
		},
	},
	{
		rule:  "lot_negative",
		query: `SELECT id, '', remaining, 0 FROM lots WHERE remaining < 0 ORDER BY id`,
		detail: func(_, _ string, remaining, _ money.Amount) string {
			return fmt.Sprintf("remaining is negative: %s", remaining)
		},
	},
	{
		rule:  "lot_over_amount",
		query: `SELECT id, '', remaining, amount FROM lots WHERE remaining > amount ORDER BY id`,
		detail: func(_, _ string, remaining, amount money.Amount) string {
			return fmt.Sprintf("remaining %s is more than the lot's amount %s", remaining, amount)
		},
	},
	{
		rule:  "lot_final",
		query: `SELECT id, status, remaining, 0 FROM lots WHERE status <> 'active' AND remaining <> 0 ORDER BY id`,
		detail: func(_, status string, remaining, _ money.Amount) string {
			return fmt.Sprintf("a %s lot still has %s remaining", status, remaining)
		},
	},
	{
		rule: "account_balance",
		query: `SELECT a.id, '', a.balance, COALESCE(l.total, 0) - a.debt FROM accounts a LEFT JOIN
			(SELECT account_id, CAST(SUM(remaining) AS BIGINT) AS total FROM lots
			 WHERE status = 'active' AND kind = 'monetary' AND application = 'realtime' GROUP BY account_id) l
			ON l.account_id = a.id WHERE a.balance <> COALESCE(l.total, 0) - a.debt ORDER BY a.id`,
		detail: func(_, _ string, cached, want money.Amount) string {
			return fmt.Sprintf("cached balance is %s but active realtime monetary lots minus debt is %s", cached, want)
		},
	},
	{
		rule: "account_debt",
		query: `SELECT a.id, '', a.debt, COALESCE(r.total, 0) FROM accounts a LEFT JOIN
			(SELECT account_id, CAST(-SUM(amount) AS BIGINT) AS total FROM postings
			 WHERE book = 'receivables' GROUP BY account_id) r
			ON r.account_id = a.id WHERE a.debt <> COALESCE(r.total, 0) OR a.debt < 0 ORDER BY a.id`,
		detail: func(_, _ string, debt, owed money.Amount) string {
			return fmt.Sprintf("debt is %s but its receivables postings say %s is owed", debt, owed)
		},
	},
	{
		// The only way below the floor is a recorded overdraft: a debit
		// or capture that ran into debt and left the balance below the
		// floor. Strict debits never do that; allow_negative debits and
		// captures may.
		rule: "balance_floor",
		query: `SELECT a.id, '', a.balance, a.min_balance FROM accounts a
			WHERE a.balance < a.min_balance AND NOT (a.debt > 0 AND EXISTS (
				SELECT 1 FROM txns t JOIN postings p ON p.txn_id = t.id
				WHERE t.account_id = a.id AND t.type IN ('debit', 'capture') AND t.balance_after < a.min_balance
				  AND p.book = 'receivables' AND p.amount < 0))
			ORDER BY a.id`,
		detail: func(_, _ string, balance, floor money.Amount) string {
			return fmt.Sprintf("balance %s is below the floor %s with no overdraft on record", balance, floor)
		},
	},
	{
		// A credit limit is a balance level at or below the floor, which
		// is zero or below, and no deeper than the ledger's bound; the
		// core's overflow proof rests on it.
		rule: "credit_limit",
		query: `SELECT id, '', credit_limit, min_balance FROM accounts
			WHERE credit_limit > min_balance OR min_balance > 0 OR credit_limit < ` + fmt.Sprint(ledger.NoCreditLimit.Micros()) + `
			ORDER BY id`,
		detail: func(_, _ string, limit, floor money.Amount) string {
			return fmt.Sprintf("credit limit %s and floor %s break credit_limit <= min_balance <= 0", limit, floor)
		},
	},
	{
		// No account's live lots of one asset hold more than
		// ledger.MaxValue, the bound that keeps every sum of its figures
		// within an Amount.
		rule: "live_value",
		query: `SELECT account_id, '', CAST(SUM(remaining) AS BIGINT), 0 FROM lots WHERE status = 'active'
			GROUP BY account_id, kind, unit HAVING SUM(remaining) > ` + fmt.Sprint(ledger.MaxValue.Micros()) + `
			ORDER BY account_id`,
		detail: func(_, _ string, value, _ money.Amount) string {
			return fmt.Sprintf("live lots hold %s, more than the %s one account may", value, ledger.MaxValue)
		},
	},
	checkHours,
}

// Check verifies the ledger invariants in one consistent snapshot and
// reports every violation found.
func (s *Store) Check(ctx context.Context) ([]store.Violation, error) {
	var out []store.Violation
	err := s.read(ctx, func(q querier) error {
		for _, c := range checks {
			r, err := q.query(ctx, c.query)
			if err != nil {
				return fmt.Errorf("check %s: %w", c.rule, err)
			}
			for r.Next() {
				var subject, extra string
				var a, b int64
				if err := r.Scan(&subject, &extra, &a, &b); err != nil {
					r.Close()
					return fmt.Errorf("check %s: %w", c.rule, err)
				}
				out = append(out, store.Violation{Rule: c.rule, Subject: subject,
					Detail: c.detail(subject, extra, money.Amount(a), money.Amount(b))})
			}
			r.Close()
			if err := r.Err(); err != nil {
				return fmt.Errorf("check %s: %w", c.rule, err)
			}
		}
		inv, err := s.checkInvoices(ctx, q)
		if err != nil {
			return fmt.Errorf("check invoices: %w", err)
		}
		out = append(out, inv...)
		progs, err := s.checkPrograms(ctx, q)
		if err != nil {
			return fmt.Errorf("check programs: %w", err)
		}
		out = append(out, progs...)
		size, err := s.checkAccountSize(ctx, q)
		if err != nil {
			return fmt.Errorf("check account totals: %w", err)
		}
		out = append(out, size...)
		return nil
	})
	return out, err
}
