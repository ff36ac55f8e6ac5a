package bench_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cofferdev/coffer/bench"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// tiny is a run small enough for the test suite: every scenario, a few
// dozen debits each.
func tiny(db string) bench.Options {
	return bench.Options{DB: db, Count: 60, Accounts: 5, Clients: 3, Concurrency: 16, BatchSize: 10,
		AppendBatch: 20, Rate: 2000, Rounds: 2}
}

// checkReport checks that every scenario ran, did all its debits with no
// error at a rate above zero, and that the run verified itself.
func checkReport(t *testing.T, rep *bench.Report, count int64) {
	t.Helper()
	if len(rep.Results) != len(bench.Scenarios) {
		t.Fatalf("%d results, want one per scenario (%d)", len(rep.Results), len(bench.Scenarios))
	}
	for _, key := range bench.Scenarios {
		r := rep.Result(key)
		switch {
		case r == nil:
			t.Errorf("no result for scenario %s", key)
		case r.Debits != count || r.Errors != 0:
			t.Errorf("%s: %d debits and %d errors (first: %s), want %d and none", key, r.Debits, r.Errors, r.FirstError, count)
		case r.PerSecond <= 0 || r.Seconds <= 0 || r.P99ms <= 0 || r.PerCommit <= 0:
			t.Errorf("%s: %.0f debits/s over %.3fs, p99 %.3fms, %.1f per commit: want all above zero",
				key, r.PerSecond, r.Seconds, r.P99ms, r.PerCommit)
		}
	}
	if !rep.CheckOK {
		t.Errorf("coffer check failed after the run: %v", rep.Violations)
	}
	if p := rep.Problems(); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
	if rep.Acknowledged != 5*count || rep.Recorded != rep.Acknowledged {
		t.Errorf("coffer: %d acknowledged, %d recorded; want %d each", rep.Acknowledged, rep.Recorded, 5*count)
	}
	if rep.NaiveRecorded != 2*count || rep.NaiveDrift != 0 {
		t.Errorf("naive: %d recorded, %d accounts off balance; want %d and none", rep.NaiveRecorded, rep.NaiveDrift, 2*count)
	}
	if len(rep.Ratios) != 9 {
		t.Errorf("%d target lines, want 9: %+v", len(rep.Ratios), rep.Ratios)
	}
	var out strings.Builder
	rep.WriteTable(&out)
	for _, want := range []string{"coffer in-process", "naive", "raw append", "http batch", "p99 at 2000/s offered",
		"check:        ok"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func run(t *testing.T, o bench.Options) *bench.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var progress strings.Builder
	o.Progress = &progress
	rep, err := bench.Run(ctx, o)
	if err != nil {
		t.Fatalf("bench: %v\nprogress:\n%s", err, progress.String())
	}
	if n := strings.Count(progress.String(), ": running"); n != len(bench.Scenarios)*o.Rounds {
		t.Errorf("progress shows %d runs starting, want %d:\n%s", n, len(bench.Scenarios)*o.Rounds, progress.String())
	}
	return rep
}

func TestBenchSQLite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bench.db")
	o := tiny(path)
	rep := run(t, o)
	checkReport(t, rep, o.Count)

	// The file stays where it was asked for, and passes check on its own.
	st, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if vs, err := st.Check(context.Background()); err != nil || len(vs) > 0 {
		t.Fatalf("check of the bench's file: %v %v", vs, err)
	}
}

func TestBenchRefusesExistingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "taken.db")
	if err := os.WriteFile(path, []byte("someone's data"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := bench.Run(context.Background(), tiny(path))
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("bench on an existing file: %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "someone's data" {
		t.Fatal("the existing file was changed")
	}
}

func TestBenchPostgres(t *testing.T) {
	t.Parallel()
	// A database of the test's own names the server (and skips, or fails
	// in CI, when there is none); the bench makes another beside it.
	server := pgtest.TestPostgresDSN(t)
	o := tiny(server)
	rep := run(t, o)
	checkReport(t, rep, o.Count)

	// The bench's own database is gone afterwards.
	name := rep.Database[strings.LastIndex(rep.Database, "/")+1:]
	name = name[:strings.IndexAny(name, "? ")]
	if !strings.HasPrefix(name, "coffer_bench_") {
		t.Fatalf("the bench used database %q, want one of its own", rep.Database)
	}
	u, _ := url.Parse(server)
	conn, err := pgx.Connect(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT COUNT(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s still exists after the run", name)
	}
}

// TestBenchInvoiceClose runs the invoice-close scenario small, on both
// engines: the close writes one invoice for every account open in the
// month while the load runs beside it, and the run verifies itself.
func TestBenchInvoiceClose(t *testing.T) {
	t.Parallel()
	pgtest.OnEachStore(t, func(t *testing.T, db string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var progress strings.Builder
		rep, err := bench.Run(ctx, bench.Options{DB: db, Duration: 200 * time.Millisecond, Accounts: 5, Concurrency: 16,
			CloseAccounts: 40, CloseUsage: 3, Scenarios: []string{bench.InvoiceClose}, Progress: &progress})
		if err != nil {
			t.Fatalf("bench: %v\nprogress:\n%s", err, progress.String())
		}
		c := rep.Close
		if c == nil {
			t.Fatal("no close in the report")
		}
		if c.Expected != 40+5+1 || c.Invoices != c.Expected || c.Error != "" || c.PerSecond <= 0 {
			t.Errorf("close: %d invoices of %d expected in %.2fs (%.0f/s), error %q", c.Invoices, c.Expected, c.Seconds, c.PerSecond, c.Error)
		}
		for _, key := range []string{bench.CloseBefore, bench.CloseDuring, bench.CloseAfter} {
			if r := rep.Result(key); r == nil || r.Debits == 0 || r.Errors != 0 {
				t.Errorf("%s: %+v, want debits and no errors", key, r)
			}
		}
		if p := rep.Problems(); len(p) > 0 || !rep.CheckOK {
			t.Errorf("problems: %v; check ok %v %v", p, rep.CheckOK, rep.Violations)
		}
		if rep.Acknowledged != rep.Recorded || rep.Recorded < 40*3 {
			t.Errorf("%d debits acknowledged, %d recorded", rep.Acknowledged, rep.Recorded)
		}
		var out strings.Builder
		rep.WriteTable(&out)
		for _, want := range []string{"invoice close:", "while 46 accounts close", "debits/s while the month closes", "peak heap"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("table lacks %q:\n%s", want, out.String())
			}
		}
	})
}
