package sqlstore

import (
	"context"
	"testing"

	"github.com/cofferdev/coffer/sqlstore/pgtest"
	"github.com/cofferdev/coffer/store"
)

// TestPostgresBatchPlansByKey checks that a committer batch runs its
// statements on generic plans with scans priced out, and that the
// settings end with its transaction: the next write on the connection
// plans as the server is configured.
func TestPostgresBatchPlansByKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, pgtest.TestPostgresDSN(t)+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	settings := func(q querier) (mode, seqscan string) {
		t.Helper()
		if _, err := queryRow(ctx, q, "SELECT current_setting('plan_cache_mode'), current_setting('enable_seqscan')", nil,
			&mode, &seqscan); err != nil {
			t.Fatal(err)
		}
		return mode, seqscan
	}
	err = s.Batch(ctx, func(b store.Batch) error {
		if _, err := b.LoadStates(ctx, []string{"acct_none"}); err != nil {
			return err
		}
		if mode, seqscan := settings(b.(*batch).q); mode != "force_generic_plan" || seqscan != "off" {
			t.Errorf("inside a batch: plan_cache_mode %s, enable_seqscan %s; want force_generic_plan, off", mode, seqscan)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// One connection in the pool: the same one the batch used.
	err = s.write(ctx, func(q tx) error {
		if mode, seqscan := settings(q); mode != "auto" || seqscan != "on" {
			t.Errorf("after the batch: plan_cache_mode %s, enable_seqscan %s; want auto, on", mode, seqscan)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
