package bench_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/bench"
)

// TestRunAccountSize runs the account-size scenario at a tiny size on
// SQLite, past the size at which a batch loads an account in part: every
// debit lands, the history is read back, and coffer check passes.
func TestRunAccountSize(t *testing.T) {
	db := filepath.Join(t.TempDir(), "size.db")
	res, err := bench.RunAccountSize(context.Background(), bench.AccountSizeOptions{DB: db,
		Lots: []int{1, 60}, Holds: []int{60}, History: []int{1, 12_000}, Count: 150, Clients: 4, Creations: 3, Reads: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !res.CheckOK {
		t.Fatalf("coffer check after the run: %v", res.Problems)
	}
	if len(res.Debits) != 4 || len(res.Reads) != 2 {
		t.Fatalf("%d debit rows and %d read rows, want 4 and 2", len(res.Debits), len(res.Reads))
	}
	for _, d := range res.Debits {
		if d.Debits != 150 || d.Errors != 0 || d.GrantP50 <= 0 || d.HoldP50 <= 0 || d.BalanceP50 <= 0 {
			t.Errorf("%s %d: %d debits, %d errors, grant p50 %v, hold p50 %v", d.What, d.Size, d.Debits, d.Errors, d.GrantP50, d.HoldP50)
		}
	}
	// 12,000 debits of 0.0075 over 60 days: 90.00, of which the last 30
	// days hold about half; the recommendation is its daily average.
	if r := res.Reads[1]; r.Recommends == "" || r.Recommends == "0.00" {
		t.Errorf("the history's recommendation is %q, want its daily usage", r.Recommends)
	}
	for _, r := range res.Reads {
		if r.SeriesP50 <= 0 || r.LiabP50 <= 0 {
			t.Errorf("%d txns: balance series p50 %v, liability p50 %v", r.Txns, r.SeriesP50, r.LiabP50)
		}
	}
	var out strings.Builder
	res.WriteTable(&out)
	if !strings.Contains(out.String(), "60 live lots") || !strings.Contains(out.String(), "12,000 txns") {
		t.Errorf("table lacks its rows:\n%s", out.String())
	}
}
