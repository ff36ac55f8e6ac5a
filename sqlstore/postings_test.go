package sqlstore

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

func TestPostingsRoundTrip(t *testing.T) {
	txn := &ledger.Txn{ID: "txn_1", AccountID: "acct_1", Postings: []ledger.Posting{
		{Book: ledger.BookCustomer, AccountID: "acct_1", LotID: "grant_1", Asset: "unit:tökens \"x\"", Amount: -1200},
		{Book: ledger.BookReceivables, AccountID: "acct_1", Asset: "USD", Amount: -9223372036854775807},
		{Book: ledger.BookRevenue, Asset: "USD", Amount: 9223372036854775807},
	}}
	col, err := encodePostings(txn)
	if err != nil {
		t.Fatal(err)
	}
	back := &ledger.Txn{ID: txn.ID, AccountID: txn.AccountID}
	if err := decodePostings(back, col); err != nil {
		t.Fatalf("decode %s: %v", col, err)
	}
	if !reflect.DeepEqual(back.Postings, txn.Postings) {
		t.Fatalf("round trip of %s:\n got %+v\nwant %+v", col, back.Postings, txn.Postings)
	}
	// A posting the column cannot hold as it is: a customer posting of
	// another account, or a revenue posting naming an account.
	for _, p := range []ledger.Posting{
		{Book: ledger.BookCustomer, AccountID: "acct_2", LotID: "grant_2", Asset: "USD", Amount: 1},
		{Book: ledger.BookRevenue, AccountID: "acct_1", Asset: "USD", Amount: 1},
	} {
		bad := &ledger.Txn{ID: "txn_2", AccountID: "acct_1", Postings: []ledger.Posting{p}}
		if _, err := encodePostings(bad); err == nil {
			t.Errorf("encoded %+v", p)
		}
	}
	if err := decodePostings(back, `[{"book":`); err == nil {
		t.Error("decoded a broken column")
	}
}

// TestPostingsMigration fills a store at migration 4, when postings were
// rows of their own, and migrates it: every transaction keeps its postings,
// in order, the postings view shows the rows that were, and check is clean.
func TestPostingsMigration(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testPostingsMigration(t, filepath.Join(t.TempDir(), "m.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testPostingsMigration(t, pgtest.TestPostgresDSN(t))
	})
}

func testPostingsMigration(t *testing.T, dsn string) {
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
	if _, err := p.UpTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.eng.pool(true).exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// 10.00 granted, 0.01 debited: balance 9.99.
	exec(`INSERT INTO accounts (id, currency, status, balance, created_at, updated_at)
		VALUES ('acct_m', 'USD', 'active', 9990000, 1, 1)`)
	exec(`INSERT INTO lots (id, account_id, kind, amount, remaining, category, priority, effective_at,
		application, status, origin, created_at)
		VALUES ('grant_m', 'acct_m', 'monetary', 10000000, 9990000, 'promotional', 50, 1, 'realtime', 'active', 'grant', 1)`)
	exec(`INSERT INTO txns (id, account_id, type, amount, balance_after, lot_id, created_at)
		VALUES ('txn_g', 'acct_m', 'grant', 10000000, 10000000, 'grant_m', 1)`)
	exec(`INSERT INTO txns (id, account_id, type, amount, balance_after, event_id, created_at)
		VALUES ('txn_d', 'acct_m', 'debit', -10000, 9990000, 'ev-1', 2)`)
	for _, r := range [][]any{
		{"txn_g", 0, "customer", "acct_m", "grant_m", "USD", 10000000, 1},
		{"txn_g", 1, "promotional", "", "", "USD", -10000000, 1},
		{"txn_d", 0, "customer", "acct_m", "grant_m", "USD", -10000, 2},
		{"txn_d", 1, "revenue", "", "", "USD", 10000, 2},
	} {
		exec("INSERT INTO postings (txn_id, idx, book, account_id, lot_id, asset, amount, created_at)"+
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", r...)
	}

	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := s.GetTxn(ctx, "txn_d")
	if err != nil {
		t.Fatal(err)
	}
	want := []ledger.Posting{
		{Book: ledger.BookCustomer, AccountID: "acct_m", LotID: "grant_m", Asset: "USD", Amount: money.Amount(-10000)},
		{Book: ledger.BookRevenue, Asset: "USD", Amount: money.Amount(10000)},
	}
	if !reflect.DeepEqual(d.Postings, want) {
		t.Fatalf("postings after the migration: %+v, want %+v", d.Postings, want)
	}
	var n, sum int64
	if _, err := queryRow(ctx, s.eng.pool(false),
		"SELECT COUNT(*), CAST(SUM(amount) AS BIGINT) FROM postings WHERE account_id = 'acct_m' AND lot_id = 'grant_m'",
		nil, &n, &sum); err != nil || n != 2 || sum != 9990000 {
		t.Fatalf("the postings view: %d customer postings summing to %d, %v", n, sum, err)
	}
	vs, err := s.Check(ctx)
	if err != nil || len(vs) > 0 {
		t.Fatalf("check after the migration: %v %v", vs, err)
	}

	// Down and up again: the rows come back and go in again unchanged.
	if _, err := p.DownTo(ctx, 4); err != nil {
		t.Fatalf("down: %v", err)
	}
	if _, err := queryRow(ctx, s.eng.pool(false), "SELECT COUNT(*) FROM postings WHERE book = 'revenue'", nil, &n); err != nil || n != 1 {
		t.Fatalf("postings rows after going down: %d revenue, %v", n, err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if again, err := s.GetTxn(ctx, "txn_d"); err != nil || !reflect.DeepEqual(again.Postings, want) {
		t.Fatalf("postings after down and up: %+v, %v", again, err)
	}
}
