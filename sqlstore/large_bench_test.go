package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/store"
)

// BenchmarkLargeAccountBatch measures a batch of one debit on an account
// of one lot, of 10,000 live lots and of 10,000 open holds, in-process:
// the store's share of what `coffer bench --account-size` measures over
// HTTP, without the client, the server and the commit's fsync around it.
func BenchmarkLargeAccountBatch(b *testing.B) {
	for _, eng := range benchEngines {
		for _, size := range []struct {
			name        string
			lots, holds int
		}{{"fresh", 1, 0}, {"lots10000", 10000, 0}, {"holds10000", 1, 10000}} {
			b.Run(eng.name+"/"+size.name, func(b *testing.B) {
				s := eng.open(b)
				now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
				env := ledger.Env{Now: now, NewID: func(p string) string { return coffer.NewID(p, now) }}
				id := largeAccount(b, s, env, size.lots, size.holds)
				debitBatches(b, s, []string{id}, env)
			})
		}
	}
}

// largeAccount makes an account with lots live lots of 1,000.00, expiring
// in a year over 30 days, and holds open holds of 0.01 for an hour,
// written 500 at a time.
func largeAccount(tb testing.TB, s *sqlstore.Store, env ledger.Env, lots, holds int) string {
	ctx := context.Background()
	a := &coffer.Account{ID: coffer.NewID(coffer.PrefixAccount, env.Now), Currency: "USD", Status: ledger.StatusActive,
		BillingMode: "prepaid", CreatedAt: env.Now, UpdatedAt: env.Now}
	if err := s.CreateAccount(ctx, a, nil, nil); err != nil {
		tb.Fatal(err)
	}
	for made := 0; made < lots+holds; {
		err := s.Batch(ctx, func(bt store.Batch) error {
			sts, err := bt.LoadStates(ctx, []string{a.ID})
			if err != nil {
				return err
			}
			st, w := sts[a.ID], &store.Writes{States: []*ledger.State{sts[a.ID]}}
			for i := 0; i < 500 && made+i < lots+holds; i++ {
				var e *ledger.Effect
				if k := made + i; k < lots {
					e, err = st.Grant(env, ledger.Grant{Kind: ledger.Monetary, Amount: money("1000"), Category: ledger.Paid,
						Priority: 50, Application: ledger.Realtime, Origin: ledger.OriginGrant,
						ExpiresAt: env.Now.Add(365*24*time.Hour + time.Duration(k)*30*24*time.Hour/time.Duration(lots))})
				} else {
					e, err = st.PlaceHold(env, ledger.HoldRequest{Amount: money("0.01"), TTL: time.Hour})
				}
				if err != nil {
					return err
				}
				w.Effects = append(w.Effects, e)
			}
			return bt.Write(ctx, w)
		})
		if err != nil {
			tb.Fatal(err)
		}
		made += 500
	}
	return a.ID
}
