package committer_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
	"github.com/cofferdev/coffer/store"
)

// poisonMark is the description that refusingStore refuses to write.
const poisonMark = "poison"

// refusingStore is the real store, except that a batch writing a debit
// described as poisonMark fails with store.ErrRefused, as the engine fails
// a value it cannot hold. It stands for every such value, on both engines,
// including those edge validation does not know of yet.
type refusingStore struct{ store.Store }

func (s refusingStore) Batch(ctx context.Context, fn func(store.Batch) error) error {
	return s.Store.Batch(ctx, func(b store.Batch) error { return fn(refusingBatch{b}) })
}

type refusingBatch struct{ store.Batch }

func (b refusingBatch) Write(ctx context.Context, w *store.Writes) error {
	for _, e := range w.Effects {
		if e.Txn != nil && e.Txn.Description == poisonMark {
			return fmt.Errorf("%w: test poison", store.ErrRefused)
		}
	}
	return b.Batch.Write(ctx, w)
}

// TestPoisonRequestsFailAlone sends 500 good debits from 50 accounts with
// poison debits among them, all at once so that they share committer
// batches. Every good debit commits; every poison one gets its 4xx alone.
func TestPoisonRequestsFailAlone(t *testing.T) {
	for _, eng := range []struct{ name, dsn string }{
		{"sqlite", filepath.Join(t.TempDir(), "coffer.db")},
		{"postgres", pgtest.TestPostgresDSN(t)},
	} {
		t.Run(eng.name, func(t *testing.T) {
			st, err := sqlstore.Open(t.Context(), eng.dsn)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			cfg := service.DefaultConfig()
			cfg.MaxBatch = 64
			svc := service.New(refusingStore{st}, coffer.SystemClock{}, slog.New(slog.DiscardHandler), cfg)
			t.Cleanup(func() { svc.Close(); st.Close() })
			poisonBatch(t, svc, st, eng.name == "postgres")
		})
	}
}

func poisonBatch(t *testing.T, svc *service.Service, st *sqlstore.Store, realNUL bool) {
	ctx := context.Background()
	admin := service.Call{Caller: &service.Caller{KeyID: "key_test", Role: "admin"}}
	const accounts, perAccount = 50, 10
	ids := make([]string, accounts)
	for i := range ids {
		a, err := svc.CreateAccount(ctx, admin, api.AccountCreate{Name: fmt.Sprint("A", i), Currency: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateGrant(ctx, admin, a.ID, api.GrantCreate{Amount: money.MustParse("100")}); err != nil {
			t.Fatal(err)
		}
		ids[i] = a.ID
	}
	amount := money.MustParse("0.50")
	var wg sync.WaitGroup
	var goodFailed, poisonPassed sync.Map
	for i := range accounts * perAccount {
		acct := ids[i%accounts]
		wg.Go(func() {
			_, err := svc.Debit(ctx, admin, api.DebitCreate{AccountID: acct, EventID: fmt.Sprint("good-", i), Amount: &amount})
			if err != nil {
				goodFailed.Store(i, err)
			}
		})
		if i%10 != 0 {
			continue
		}
		poison := []string{poisonMark}
		if realNUL {
			// What PostgreSQL itself refuses: a NUL in text.
			poison = append(poison, "a\x00b")
		}
		for j, desc := range poison {
			wg.Go(func() {
				_, err := svc.Debit(ctx, admin, api.DebitCreate{AccountID: acct, EventID: fmt.Sprint("bad-", i, "-", j),
					Amount: &amount, Description: desc})
				if status := coffer.HTTPStatus(coffer.ErrorCode(err)); err == nil || status < 400 || status >= 500 {
					poisonPassed.Store(fmt.Sprint(i, "-", j), err)
				}
			})
		}
	}
	wg.Wait()
	goodFailed.Range(func(k, v any) bool {
		t.Errorf("good debit %v failed: %v", k, v)
		return true
	})
	poisonPassed.Range(func(k, v any) bool {
		t.Errorf("poison debit %v: want a 4xx, got %v", k, v)
		return true
	})
	want := money.MustParse("95") // 100 less ten good debits of 0.50
	for _, id := range ids {
		b, err := svc.Balance(ctx, admin, id, nil)
		if err != nil {
			t.Fatal(err)
		}
		if b.Balance != want {
			t.Errorf("account %s: balance %s, want %s", id, b.Balance, want)
		}
	}
	vs, err := st.Check(ctx)
	if err != nil || len(vs) > 0 {
		t.Fatalf("check: %v %v", vs, err)
	}
}
