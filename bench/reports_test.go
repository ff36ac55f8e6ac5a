package bench_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer/bench"
)

// TestRunReports runs the reports scenario at a tiny size on SQLite: the
// seed lands in the journal and every phase debits with no error.
func TestRunReports(t *testing.T) {
	db := filepath.Join(t.TempDir(), "reports.db")
	res, err := bench.RunReports(context.Background(), bench.ReportsOptions{DB: db, Accounts: 20, Debits: 400,
		Duration: 200 * time.Millisecond, Concurrency: 16})
	if err != nil {
		t.Fatal(err)
	}
	// 400 debits, 20 opening grants, 4 promotional grants, 2 grants to
	// void and their voids, and the expiry of the 2 lapsed ones.
	if res.Txns < 400+20+4+2+2+2 {
		t.Errorf("%d transactions in the journal, want at least %d", res.Txns, 430)
	}
	if res.Voided != 2 {
		t.Errorf("%d voided, want 2", res.Voided)
	}
	if len(res.Phases) != 4 {
		t.Fatalf("%d phases, want 4", len(res.Phases))
	}
	for _, p := range res.Phases {
		if p.Debits == 0 || p.Errors != 0 || p.ReportErr != "" {
			t.Errorf("%q: %d debits, %d errors, report error %q", p.Report, p.Debits, p.Errors, p.ReportErr)
		}
		if p.Report != "" && (p.Runs == 0 || p.Rows == 0) {
			t.Errorf("%q: %d runs of %d rows, want some", p.Report, p.Runs, p.Rows)
		}
		if p.PeakHeapMB <= 0 {
			t.Errorf("%q: no heap sampled", p.Report)
		}
	}
	var out strings.Builder
	res.WriteTable(&out)
	if !strings.Contains(out.String(), "credit usage, month by day") {
		t.Errorf("table lacks the credit report:\n%s", out.String())
	}
}
