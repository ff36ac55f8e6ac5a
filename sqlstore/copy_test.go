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

// TestLargeBatch writes one batch big enough that PostgreSQL appends its
// transactions and postings with COPY (and SQLite row by row), after a
// grant in the same batch whose lot the postings name: everything lands,
// in order, and the ledger checks clean.
func TestLargeBatch(t *testing.T) {
	engines(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		a := &coffer.Account{ID: coffer.NewID(coffer.PrefixAccount, now), Currency: "USD", Status: ledger.StatusActive,
			BillingMode: "prepaid", CreatedAt: now, UpdatedAt: now}
		if err := s.CreateAccount(ctx, a, nil, nil); err != nil {
			t.Fatalf("create: %v", err)
		}
		env := ledger.Env{Now: now, NewID: func(p string) string { return coffer.NewID(p, now) }}
		const debits = 300
		err := s.Batch(ctx, func(b store.Batch) error {
			sts, err := b.LoadStates(ctx, []string{a.ID})
			if err != nil {
				return err
			}
			st := sts[a.ID]
			e, err := st.Grant(env, ledger.Grant{Kind: ledger.Monetary, Amount: money("100"), Category: ledger.Paid,
				Priority: 50, Application: ledger.Realtime, Origin: ledger.OriginGrant})
			if err != nil {
				return err
			}
			effects := []*ledger.Effect{e}
			for i := range debits {
				e, err := st.Debit(env, ledger.Debit{EventID: fmt.Sprint("e", i), Amount: money("0.25")})
				if err != nil {
					return err
				}
				effects = append(effects, e)
			}
			return b.Write(ctx, &store.Writes{States: []*ledger.State{st}, Effects: effects})
		})
		if err != nil {
			t.Fatalf("batch: %v", err)
		}
		// A grant and each debit post twice: the lot and a system book.
		n, err := s.QueryInt(ctx, "SELECT COUNT(*) FROM postings p JOIN txns t ON t.id = p.txn_id WHERE t.account_id = $1", a.ID)
		if err != nil || n != 2*(debits+1) {
			t.Fatalf("%d postings of the account's transactions (%v), want %d", n, err, 2*(debits+1))
		}
		st, err := s.LoadState(ctx, a.ID)
		if err != nil || st.LedgerBalance() != money("25") {
			t.Fatalf("balance %v, want 25.00 (%v)", st.LedgerBalance(), err)
		}
		vs, err := s.Check(ctx)
		if err != nil || len(vs) != 0 {
			t.Fatalf("check: %v %v", vs, err)
		}
	})
}
