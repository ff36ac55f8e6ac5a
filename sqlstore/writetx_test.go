package sqlstore

import (
	"context"
	"errors"
	"testing"

	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// TestPostgresWriteTx covers the write transaction whose BEGIN and COMMIT
// ride with other statements: a failure anywhere keeps nothing, a COMMIT
// of a failed transaction is an error rather than a silent rollback, and
// the connection goes back to the pool fit for the next transaction.
func TestPostgresWriteTx(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, pgtest.TestPostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.eng.pool(true).exec(ctx, "CREATE TABLE wtx (k TEXT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	insert := func(k string) stmt { return stmt{sql: "INSERT INTO wtx (k) VALUES ($1)", args: []any{k}} }
	count := func() int64 {
		var n int64
		if _, err := queryRow(ctx, s.eng.pool(false), "SELECT COUNT(*) FROM wtx", nil, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Statements, then final statements sent with the COMMIT.
	err = s.tryWrite(ctx, func(q tx) ([]stmt, error) {
		return []stmt{insert("b"), insert("c")}, q.pipeline(ctx, []stmt{insert("a")})
	})
	if err != nil || count() != 3 {
		t.Fatalf("commit with final statements: %v, %d rows", err, count())
	}

	// A final statement that fails takes the COMMIT and the earlier
	// statements with it.
	err = s.tryWrite(ctx, func(q tx) ([]stmt, error) {
		return []stmt{insert("a")}, q.pipeline(ctx, []stmt{insert("d")})
	})
	if err == nil || count() != 3 {
		t.Fatalf("a failing final statement: %v, %d rows", err, count())
	}

	// A caller that ignores an error and commits anyway gets an error:
	// the server answers that COMMIT with ROLLBACK.
	err = s.tryWrite(ctx, func(q tx) ([]stmt, error) {
		if err := q.pipeline(ctx, []stmt{insert("e")}); err != nil {
			return nil, err
		}
		_ = q.pipeline(ctx, []stmt{{sql: "SELECT 1/0"}})
		return nil, nil
	})
	if !errors.Is(err, errCommitRolledBack) || count() != 3 {
		t.Fatalf("commit after a failed statement: %v, %d rows", err, count())
	}

	// A transaction that sent nothing commits without a round trip, and
	// the pool's connections all still work.
	if err := s.tryWrite(ctx, func(tx) ([]stmt, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		k := string(rune('f' + i))
		if err := s.tryWrite(ctx, func(q tx) ([]stmt, error) { return []stmt{insert(k)}, nil }); err != nil {
			t.Fatalf("write %d after the failures: %v", i, err)
		}
	}
	if count() != 23 {
		t.Fatalf("%d rows, want 23", count())
	}
}
