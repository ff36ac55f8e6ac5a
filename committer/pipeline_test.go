package committer_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
	"github.com/cofferdev/coffer/store"
)

// loadHeldStore is the real store whose first batch, once it has loaded
// (its accounts locked), waits to write until released.
type loadHeldStore struct {
	store.Store
	once    sync.Once
	loaded  chan struct{} // closed when the held batch has loaded
	release chan struct{} // closed to let it write and commit
}

func (s *loadHeldStore) Batch(ctx context.Context, fn func(store.Batch) error) error {
	first := false
	s.once.Do(func() { first = true })
	if !first {
		return s.Store.Batch(ctx, fn)
	}
	return s.Store.Batch(ctx, func(b store.Batch) error { return fn(&heldWrite{Batch: b, s: s}) })
}

// heldWrite is a batch whose Write waits for the release.
type heldWrite struct {
	store.Batch
	s *loadHeldStore
}

func (h *heldWrite) Write(ctx context.Context, w *store.Writes) error {
	close(h.s.loaded)
	<-h.s.release
	return h.Batch.Write(ctx, w)
}

// TestPipelineKeepsEachAccountInOrder runs a committer that may have
// several batches in flight, on PostgreSQL. While a batch on account A is
// held between its load and its write, a batch on another account commits
// and is answered; a second request for A waits for the first batch,
// then sees its write; and Close, called while A's batch is still held,
// answers everything accepted before it. The accounts are made through
// another store handle, so the committer's batches read them (a batch
// never flies beside one that read nothing: TestWhenABatchFliesBesideOthers).
func TestPipelineKeepsEachAccountInOrder(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.TestPostgresDSN(t)
	svc, _ := open(t, dsn)
	_, st := open(t, dsn)
	admin := service.Call{Caller: &service.Caller{KeyID: "key_test", Role: "admin"}}
	accounts := make([]string, 2)
	for i := range accounts {
		a, err := svc.CreateAccount(ctx, admin, api.AccountCreate{Name: "Piped", Currency: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateGrant(ctx, admin, a.ID, api.GrantCreate{Amount: money.MustParse("10")}); err != nil {
			t.Fatal(err)
		}
		accounts[i] = a.ID
	}
	held := &loadHeldStore{Store: st, loaded: make(chan struct{}), release: make(chan struct{})}
	c := committer.New(held, coffer.SystemClock{}, slog.New(slog.DiscardHandler), committer.Config{Depth: 4})
	var mu sync.Mutex
	var order []string
	debit := func(account, event string) *committer.Request {
		return &committer.Request{AccountID: account, Run: func(b *committer.Batch, st *ledger.State) (any, error) {
			mu.Lock()
			order = append(order, event)
			mu.Unlock()
			e, err := st.Debit(b.Env, ledger.Debit{EventID: event, Amount: money.MustParse("1")})
			if err != nil {
				return nil, err
			}
			b.Record(e)
			return st.Balance(b.Env.Now).Balance, nil
		}}
	}
	send := func(r *committer.Request) <-chan committer.Reply {
		t.Helper()
		ch, err := c.Enqueue(r)
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	a1 := send(debit(accounts[0], "a1"))
	<-held.loaded // a1's batch holds account A's lock, between load and write
	b1 := <-send(debit(accounts[1], "b1"))
	if b1.Err != nil || b1.Val != money.MustParse("9") {
		t.Fatalf("b1, beside a1's batch: %v, %v; want it committed, leaving 9", b1.Val, b1.Err)
	}
	a2 := send(debit(accounts[0], "a2"))
	closed := make(chan struct{})
	go func() { c.Close(); close(closed) }()
	close(held.release)
	<-closed
	for name, want := range map[string]string{"a1": "9", "a2": "8"} {
		ch := a1
		if name == "a2" {
			ch = a2
		}
		rep := <-ch
		if rep.Err != nil || rep.Val != money.MustParse(want) {
			t.Errorf("%s: %v, %v; want it committed, leaving %s", name, rep.Val, rep.Err, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(order) != 3 || order[0] != "a1" || order[1] != "b1" || order[2] != "a2" {
		t.Errorf("requests ran in the order %v, want a1, b1, a2", order)
	}
	if vs, err := st.Check(ctx); err != nil || len(vs) > 0 {
		t.Errorf("check: %v %v", vs, err)
	}
}
