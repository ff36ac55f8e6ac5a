package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/store"
)

// benchEngines are the stores the benchmarks run on, each opened afresh
// per sub-benchmark.
var benchEngines = []struct {
	name string
	open func(testing.TB) *sqlstore.Store
}{{"sqlite", openSQLite}, {"postgres", openPostgres}}

// BenchmarkBatch measures one committer batch of n debits, as the hot path
// runs it: lock and load, look up events and idempotency keys, apply,
// write, commit. "hot" puts every debit on one account, "cold" each on its
// own; the two should cost about the same.
func BenchmarkBatch(b *testing.B) {
	for _, eng := range benchEngines {
		for _, n := range []int{1, 100, 500} {
			for _, hot := range []bool{true, false} {
				shape := "cold"
				if hot {
					shape = "hot"
				}
				b.Run(fmt.Sprintf("%s/%d/%s", eng.name, n, shape), func(b *testing.B) {
					benchBatch(b, eng.open(b), n, hot)
				})
			}
		}
	}
}

func benchBatch(b *testing.B, s *sqlstore.Store, n int, hot bool) {
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	env := ledger.Env{Now: now, NewID: func(p string) string { return coffer.NewID(p, now) }}
	accounts := make([]string, n)
	for i := range accounts {
		if hot && i > 0 {
			accounts[i] = accounts[0]
			continue
		}
		a := &coffer.Account{ID: coffer.NewID(coffer.PrefixAccount, now), Currency: "USD", Status: ledger.StatusActive,
			BillingMode: "prepaid", CreatedAt: now, UpdatedAt: now}
		if err := s.CreateAccount(ctx, a, nil, nil); err != nil {
			b.Fatal(err)
		}
		accounts[i] = a.ID
		err := s.Batch(ctx, func(bt store.Batch) error {
			sts, err := bt.LoadStates(ctx, []string{a.ID})
			if err != nil {
				return err
			}
			e, err := sts[a.ID].Grant(env, ledger.Grant{Kind: ledger.Monetary, Amount: money("1000000"),
				Category: ledger.Paid, Priority: 50, Application: ledger.Realtime, Origin: ledger.OriginGrant})
			if err != nil {
				return err
			}
			return bt.Write(ctx, &store.Writes{States: []*ledger.State{sts[a.ID]}, Effects: []*ledger.Effect{e}})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	debitBatches(b, s, accounts, env)
}

// debitBatches measures batches of one debit on each of accounts, each
// batch as the committer runs it.
func debitBatches(b *testing.B, s *sqlstore.Store, accounts []string, env ledger.Env) {
	ctx := context.Background()
	now, n := env.Now, len(accounts)
	seq := 0
	b.ResetTimer()
	for b.Loop() {
		err := s.Batch(ctx, func(bt store.Batch) error {
			keys := make([]store.EventKey, n)
			idems := make([]store.Idempotency, n)
			for i := range n {
				seq++
				keys[i] = store.EventKey{AccountID: accounts[i], EventID: fmt.Sprint("ev-", seq)}
				idems[i] = store.Idempotency{Scope: "key_bench", Key: fmt.Sprint("k-", seq), RequestHash: "h",
					Status: 200, Body: []byte(`{"id":"txn"}`), CreatedAt: now}
			}
			l, err := bt.Load(ctx, accounts, store.Lookup{Debits: keys, Idempotency: idems, Now: now})
			if err != nil {
				return err
			}
			sts := l.States
			w := &store.Writes{Idempotency: idems}
			seen := map[string]bool{}
			for _, k := range keys {
				st := sts[k.AccountID]
				e, err := st.Debit(env, ledger.Debit{EventID: k.EventID, Amount: money("0.01")})
				if err != nil {
					return err
				}
				w.Effects = append(w.Effects, e)
				if !seen[k.AccountID] {
					seen[k.AccountID] = true
					w.States = append(w.States, st)
				}
			}
			return bt.Write(ctx, w)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/debit")
}
