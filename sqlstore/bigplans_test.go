package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// TestPostgresLargeAccountPlans checks that the reads of a large account
// stay index ranges of that account on PostgreSQL when their generic
// plan was made while the tables were small and had no statistics, as a
// connection's first large account makes it: after the account and the
// tables grow, each read touches a few pages, not every lot.
func TestPostgresLargeAccountPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, pgtest.TestPostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.UnixMicro(1_000_000 * hourMicros)
	at := micros(now)
	b := &batch{s: s}
	stmts := b.pgBigStmts([]string{"acct_big"}, now, nil)

	// Failures inside the transaction are returned, never t.Fatal'd: the
	// transaction must end before the test does.
	err = s.write(ctx, func(q tx) error {
		var failed error
		exec := func(query string, args ...any) {
			if failed != nil {
				return
			}
			if _, err := q.exec(ctx, query, args...); err != nil {
				failed = fmt.Errorf("%.100s: %w", query, err)
			}
		}
		// Lots and holds numbered from..to on the accounts given; a lot a
		// minute expiring from past the expiring-soon window on.
		lots := func(from, to int, accounts string) {
			exec(`INSERT INTO lots (id, account_id, kind, unit, amount, remaining, category, priority, effective_at, expires_at,
				application, status, origin, created_at, consume_key)
				SELECT 'lot_' || i, `+accounts+`, 'monetary', '', 10, 10, 'paid', 50, 1, $1::bigint + i::bigint * 60000000, 'realtime', 'active', 'grant', 1,
				lpad(i::text, 24, '0') FROM generate_series($2::int, $3::int) AS i`, micros(now.Add(ledger.ExpiringSoonWindow))+hourMicros, from, to)
		}
		holds := func(from, to int, accounts string) {
			exec(`INSERT INTO holds (id, account_id, amount, status, expires_at, created_at)
				SELECT 'hold_' || i, `+accounts+`, 10, 'active', $1::bigint + i, 1 FROM generate_series($2::int, $3::int) AS i`,
				at+hourMicros, from, to)
		}
		exec(`INSERT INTO accounts (id, currency, status, balance, credit_limit, created_at, updated_at, lots_active, holds_active)
			SELECT 'acct_' || i, 'USD', 'active', 0, 0, 1, 1, 0, 0 FROM generate_series(0, 99) AS i`)
		exec(`INSERT INTO accounts (id, currency, status, balance, credit_limit, created_at, updated_at, lots_active, holds_active)
			VALUES ('acct_big', 'USD', 'active', 0, 0, 1, 1, 40, 40)`)
		lots(1, 40, "'acct_big'")
		holds(1, 40, "'acct_big'")
		exec(pgKeyedPlans)
		exec(sortless(nil)[0].sql)
		for i, st := range stmts {
			types := []string{"text[]", "bigint", "bigint"}[:len(st.args)]
			exec(fmt.Sprintf("PREPARE big%d (%s) AS %s", i, strings.Join(types, ", "), st.sql))
			exec(fmt.Sprintf("EXECUTE big%d %s", i, literal(st.args)))
		}
		// The account and every table grow tenfold and more.
		lots(41, 10_000, "'acct_big'")
		lots(10_001, 30_000, "'acct_' || (i % 100)")
		holds(41, 10_000, "'acct_big'")
		holds(10_001, 30_000, "'acct_' || (i % 100)")
		if failed != nil {
			return failed
		}
		for i, st := range stmts {
			var plan string
			if _, err := queryRow(ctx, q, fmt.Sprintf("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE big%d %s", i, literal(st.args)),
				nil, &plan); err != nil {
				return err
			}
			var p []struct {
				Plan struct {
					Buffers int `json:"Shared Hit Blocks"`
				}
			}
			if err := json.Unmarshal([]byte(plan), &p); err != nil {
				return err
			}
			if p[0].Plan.Buffers > 60 {
				t.Errorf("read %d of a large account touched %d pages; want a few index ranges:\n%s", i, p[0].Plan.Buffers, plan)
			}
		}
		return errDiscard // nothing of the test's data stays
	})
	if !errors.Is(err, errDiscard) {
		t.Fatal(err)
	}
}

var errDiscard = errors.New("discard the transaction")

// literal writes the arguments of a large account's read as the
// argument list of an EXECUTE.
func literal(args []any) string {
	out := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case []string:
			out[i] = "'{" + strings.Join(v, ",") + "}'"
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return "(" + strings.Join(out, ", ") + ")"
}
