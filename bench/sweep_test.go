package bench_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer/bench"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// TestBenchSweep runs the sweep small on both engines: every step of
// both designs does its debits, the table shows them side by side, and
// the run verifies itself with the sweep's debits counted.
func TestBenchSweep(t *testing.T) {
	t.Parallel()
	pgtest.OnEachStore(t, func(t *testing.T, db string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var progress strings.Builder
		rep, err := bench.Run(ctx, bench.Options{DB: db, Count: 40, Accounts: 5, Rounds: 2,
			SweepClients: []int{1, 4}, Scenarios: []string{bench.Sweep}, Progress: &progress})
		if err != nil {
			t.Fatalf("bench: %v\nprogress:\n%s", err, progress.String())
		}
		if len(rep.Sweep) != 2 {
			t.Fatalf("%d sweep rows, want 2: %+v", len(rep.Sweep), rep.Sweep)
		}
		for _, r := range rep.Sweep {
			for name, s := range map[string]bench.SweepSide{"coffer": r.Coffer, "naive": r.Naive} {
				if s.Debits != 40 || s.Errors != 0 || s.PerSecond <= 0 || s.P50ms <= 0 || s.AllocsPerDebit <= 0 || s.PeakRSSMB <= 0 {
					t.Errorf("%d clients, %s: %+v; want 40 debits, no errors, figures above zero", r.Clients, name, s)
				}
			}
		}
		if p := rep.Problems(); len(p) > 0 || !rep.CheckOK {
			t.Errorf("problems: %v; check ok %v %v", p, rep.CheckOK, rep.Violations)
		}
		if rep.Acknowledged != 80 || rep.Recorded != 80 || rep.NaiveRecorded != 80 {
			t.Errorf("coffer %d acknowledged, %d recorded; naive %d recorded; want 80 each",
				rep.Acknowledged, rep.Recorded, rep.NaiveRecorded)
		}
		var out strings.Builder
		rep.WriteTable(&out)
		for _, want := range []string{"sweep: http single debits", "http single / naive at 1 clients, p50",
			"allocs/op"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("table lacks %q:\n%s", want, out.String())
			}
		}
	})
}
