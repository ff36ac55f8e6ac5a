package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

var reportTests = []struct {
	name string
	fn   func(*testing.T, store.Store)
}{
	{"ScanTxns", testScanTxns},
	{"ScanLots", testScanLots},
	{"ScanStops", testScanStops},
	{"LotSumsAt", testLotSumsAt},
	{"SumPeriods", testSumPeriods},
}

// reportHistory makes two accounts with grants, debits, a void: a
// history whose scans the tests below check.
func reportHistory(f *fixture) (a, b string, times []time.Time) {
	a, b = f.account().ID, f.account().ID
	times = append(times, f.now)
	l := f.mustApply(a, grant(ledger.Grant{Amount: amt("100")})).Lots[0]
	f.mustApply(b, grant(ledger.Grant{Amount: amt("50"), Category: ledger.Promotional}))
	times = append(times, f.tick(time.Hour))
	f.mustApply(a, debit(ledger.Debit{Amount: amt("30")}))
	f.mustApply(b, debit(ledger.Debit{Amount: amt("50")}))
	times = append(times, f.tick(time.Hour))
	f.mustApply(a, func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) {
		return st.Void(env, l.ID, "test", "admin")
	})
	times = append(times, f.tick(time.Hour))
	return a, b, times
}

func scanIDs(t *testing.T, s store.Store, sc store.TxnScan) []ledger.TxnType {
	t.Helper()
	var got []ledger.TxnType
	err := s.ScanTxns(t.Context(), sc, func(x *ledger.Txn) error {
		if len(x.Postings) == 0 {
			t.Errorf("transaction %s scanned without its postings", x.ID)
		}
		got = append(got, x.Type)
		return nil
	})
	if err != nil {
		t.Fatalf("scan %+v: %v", sc, err)
	}
	slices.Sort(got)
	return got
}

func testScanTxns(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a, _, ts := reportHistory(f)
	g, d, v := ledger.TxnGrant, ledger.TxnDebit, ledger.TxnVoid
	same(t, "every transaction", scanIDs(t, s, store.TxnScan{}), []ledger.TxnType{d, d, g, g, v})
	same(t, "one account's", scanIDs(t, s, store.TxnScan{AccountID: a}), []ledger.TxnType{d, g, v})
	same(t, "debits", scanIDs(t, s, store.TxnScan{Types: []ledger.TxnType{d}}), []ledger.TxnType{d, d})
	same(t, "from inclusive, to exclusive", scanIDs(t, s, store.TxnScan{From: ts[1], To: ts[2]}), []ledger.TxnType{d, d})
	same(t, "to before everything", scanIDs(t, s, store.TxnScan{To: ts[0]}), []ledger.TxnType(nil))
}

func testScanLots(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a, b, ts := reportHistory(f)
	lots := func(sc store.LotScan) []string {
		t.Helper()
		var got []string
		if err := s.ScanLots(t.Context(), sc, func(l *ledger.Lot) error {
			got = append(got, l.AccountID+" "+string(l.Status)+" "+l.Remaining.String())
			return nil
		}); err != nil {
			t.Fatalf("scan lots %+v: %v", sc, err)
		}
		slices.Sort(got)
		return got
	}
	same(t, "every lot", lots(store.LotScan{}), []string{a + " voided 0.00", b + " depleted 0.00"})
	same(t, "one account's", lots(store.LotScan{AccountID: b}), []string{b + " depleted 0.00"})
	same(t, "none active", lots(store.LotScan{Active: true}), []string(nil))
	same(t, "created before", lots(store.LotScan{CreatedBy: ts[0].Add(-time.Microsecond)}), []string(nil))
	f.tick(time.Hour)
	f.mustApply(b, grant(ledger.Grant{Amount: amt("5")}))
	same(t, "active", lots(store.LotScan{Active: true}), []string{b + " active 5.00"})
}

// A scan stops at fn's first error and when its context ends.
func testScanStops(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	reportHistory(f)
	stop := errors.New("stop")
	n := 0
	err := s.ScanTxns(t.Context(), store.TxnScan{}, func(*ledger.Txn) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("after fn's error: err %v, %d calls; want stop after 1", err, n)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = s.ScanTxns(ctx, store.TxnScan{}, func(*ledger.Txn) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled scan: err %v, want context.Canceled", err)
	}
	err = s.ScanLots(ctx, store.LotScan{}, func(*ledger.Lot) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled lot scan: err %v, want context.Canceled", err)
	}
}
