package bench_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer/bench"
)

// "ops" runs the six ops scenarios and no other: each does its debits
// without an error (rate limits on refuse none), the store records
// exactly those, and each row but the baselines carries its on / off
// ratios.
func TestBenchOps(t *testing.T) {
	t.Parallel()
	o := tiny(filepath.Join(t.TempDir(), "bench.db"))
	o.Scenarios = []string{bench.Ops}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var progress strings.Builder
	o.Progress = &progress
	rep, err := bench.Run(ctx, o)
	if err != nil {
		t.Fatalf("bench: %v\nprogress:\n%s", err, progress.String())
	}
	if len(rep.Results) != len(bench.OpsScenarios) || len(rep.Ops) != len(bench.OpsScenarios) {
		t.Fatalf("%d results and %d ops rows, want %d each", len(rep.Results), len(rep.Ops), len(bench.OpsScenarios))
	}
	for i, key := range bench.OpsScenarios {
		r, row := rep.Result(key), rep.Ops[i]
		switch {
		case r == nil || row.Key != key:
			t.Errorf("no result or row for %s (row %d is %s)", key, i, row.Key)
		case r.Debits != o.Count || r.Errors != 0:
			t.Errorf("%s: %d debits and %d errors (first: %s), want %d and none", key, r.Debits, r.Errors, r.FirstError, o.Count)
		case row.PerSecond <= 0 || row.P99ms <= 0 || row.AllocsPerDebit <= 0:
			t.Errorf("%s: %+v, want throughput, p99 and allocations above zero", key, row)
		case (row.Against == "") != (key == bench.OpsHTTPOff || key == bench.OpsInProcessOff):
			t.Errorf("%s is compared with %q", key, row.Against)
		case row.Against != "" && (row.Throughput <= 0 || row.P99 <= 0 || row.Allocs <= 0):
			t.Errorf("%s: ratios %+v, want all above zero", key, row)
		}
	}
	if p := rep.Problems(); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
	if want := int64(len(bench.OpsScenarios)) * o.Count; rep.Acknowledged != want || rep.Recorded != want {
		t.Errorf("%d acknowledged, %d recorded; want %d each", rep.Acknowledged, rep.Recorded, want)
	}
	var out strings.Builder
	rep.WriteTable(&out)
	for _, want := range []string{"ops: http, metrics and rate limits on", "(baseline)", "on / off"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}
