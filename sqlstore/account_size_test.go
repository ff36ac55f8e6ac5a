package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// TestAccountSizeMigration migrates a store that has lots, holds and a
// history from before migration 00011: the totals in the account rows,
// every lot's consume_key and the hourly sums must be backfilled, so that
// coffer check passes and the reads built on them answer as before.
func TestAccountSizeMigration(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testAccountSizeMigration(t, filepath.Join(t.TempDir(), "m.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testAccountSizeMigration(t, pgtest.TestPostgresDSN(t))
	})
}

func testAccountSizeMigration(t *testing.T, dsn string) {
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p, err := s.migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.eng.pool(true).exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	h := hourMicros
	// 10.00 paid (expiring), 5.00 promotional and 100 sms granted in the
	// first hour; 0.50 debited in the second and 1.25 in the third; a
	// hold of 2.00 open, one released.
	exec(`INSERT INTO accounts (id, currency, status, balance, credit_limit, created_at, updated_at)
		VALUES ('acct_m', 'USD', 'active', 13250000, -1000000000000000000, 1, 1)`)
	for _, l := range [][]any{
		{"grant_a", "monetary", "", 10000000, 8250000, "paid", 50, 30 * h, 10},
		{"grant_b", "monetary", "", 5000000, 5000000, "promotional", 50, nil, 20},
		{"grant_c", "units", "sms", 100000000, 100000000, "paid", 50, nil, 30},
	} {
		exec(`INSERT INTO lots (id, account_id, kind, unit, amount, remaining, category, priority, effective_at, expires_at,
			application, status, origin, created_at) VALUES ($1, 'acct_m', $2, $3, $4, $5, $6, $7, $9, $8, 'realtime', 'active', 'grant', $9)`, l...)
	}
	for _, x := range [][]any{
		{"txn_a", "grant", 10000000, "grant_a", 10, `[{"book":"payments","asset":"USD","amount":-10000000},{"book":"customer","lot":"grant_a","asset":"USD","amount":10000000}]`},
		{"txn_b", "grant", 5000000, "grant_b", 20, `[{"book":"promotional","asset":"USD","amount":-5000000},{"book":"customer","lot":"grant_b","asset":"USD","amount":5000000}]`},
		{"txn_c", "grant", 0, "grant_c", 30, `[{"book":"payments","asset":"unit:sms","amount":-100000000},{"book":"customer","lot":"grant_c","asset":"unit:sms","amount":100000000}]`},
		{"txn_d", "debit", -500000, "", h + 5, `[{"book":"customer","lot":"grant_a","asset":"USD","amount":-500000},{"book":"revenue","asset":"USD","amount":500000}]`},
		{"txn_e", "debit", -1250000, "", 2*h + 5, `[{"book":"customer","lot":"grant_a","asset":"USD","amount":-1250000},{"book":"revenue","asset":"USD","amount":1250000}]`},
	} {
		exec(`INSERT INTO txns (id, account_id, type, amount, balance_after, lot_id, created_at, postings)
			VALUES ($1, 'acct_m', $2, $3, 0, $4, $5, $6)`, x...)
	}
	exec(`INSERT INTO holds (id, account_id, amount, status, expires_at, created_at) VALUES ('hold_a', 'acct_m', 2000000, 'active', $1, 40)`, 10*h)
	exec(`INSERT INTO holds (id, account_id, amount, status, expires_at, created_at, finished_at) VALUES ('hold_b', 'acct_m', 3000000, 'released', $1, 40, 50)`, 10*h)

	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	vs, err := s.Check(ctx)
	if err != nil || len(vs) > 0 {
		t.Fatalf("check after the migration: %v %v", vs, err)
	}
	var paid, promo, active, held, holds int64
	var units string
	if _, err := queryRow(ctx, s.eng.pool(false), "SELECT lots_paid, lots_promotional, lots_units, lots_active, holds_held, holds_active FROM accounts",
		nil, &paid, &promo, &units, &active, &held, &holds); err != nil {
		t.Fatal(err)
	}
	if u, _ := readUnits(units); paid != 8250000 || promo != 5000000 || u["sms"] != money.FromInt(100) || active != 3 || held != 2000000 || holds != 1 {
		t.Fatalf("totals after the migration: paid %d, promotional %d, units %s, %d lots, held %d in %d", paid, promo, units, active, held, holds)
	}
	// The balance in the middle of the third hour adds up two whole hours
	// and the part of the third; the usage of the second and third hours
	// one whole hour and the part of the third.
	st, err := s.StateAt(ctx, "acct_m", time.UnixMicro(2*h+10))
	if err != nil {
		t.Fatal(err)
	}
	if b := st.Balance(time.UnixMicro(2*h + 10)); b.Credits[ledger.Paid] != money.MustParse("8.25") || b.Balance != money.MustParse("13.25") {
		t.Fatalf("balance after the migration: %+v", b)
	}
	use, err := s.UsageBetween(ctx, []string{"acct_m"}, time.UnixMicro(h), time.UnixMicro(2*h+6))
	if err != nil || use["acct_m"] != money.MustParse("1.75") {
		t.Fatalf("usage after the migration: %v %v", use, err)
	}
	if _, err := p.DownTo(ctx, 10); err != nil {
		t.Fatalf("down: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if vs, err := s.Check(ctx); err != nil || len(vs) > 0 {
		t.Fatalf("check after down and up: %v %v", vs, err)
	}
}
