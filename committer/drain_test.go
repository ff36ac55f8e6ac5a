package committer_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/store"
)

// heldStore is the real store whose next batch waits, once armed, until
// released: it holds the committer in a transaction while requests queue
// behind it.
type heldStore struct {
	store.Store
	once    sync.Once
	entered chan struct{} // told (buffered) when the held batch begins
	release chan struct{} // closed to let it go on
}

// Batch holds the first batch, whenever it comes: the test may reach its
// wait for entered before or after the committer starts that batch.
func (s *heldStore) Batch(ctx context.Context, fn func(store.Batch) error) error {
	first := false
	s.once.Do(func() { first = true })
	if first {
		s.entered <- struct{}{}
		<-s.release
	}
	return s.Store.Batch(ctx, fn)
}

// TestCloseDrainsTheQueue closes the committer while a batch is in flight
// and requests wait behind it. Every request accepted before Close is
// committed and answered; those sent once Close began are refused with
// overloaded, saying the server is shutting down.
func TestCloseDrainsTheQueue(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "coffer.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := service.New(st, coffer.SystemClock{}, slog.New(slog.DiscardHandler), service.DefaultConfig())
	defer svc.Close()
	admin := service.Call{Caller: &service.Caller{KeyID: "key_test", Role: "admin"}}
	a, err := svc.CreateAccount(ctx, admin, api.AccountCreate{Name: "Drained", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}

	held := &heldStore{Store: st, entered: make(chan struct{}, 1), release: make(chan struct{})}
	c := committer.New(held, coffer.SystemClock{}, slog.New(slog.DiscardHandler), committer.Config{MaxBatch: 4, MaxQueue: 1 << 20})
	req := func() *committer.Request {
		return &committer.Request{AccountID: a.ID, Run: func(*committer.Batch, *ledger.State) (any, error) { return "committed", nil }}
	}
	first, err := c.Enqueue(req())
	if err != nil {
		t.Fatal(err)
	}
	<-held.entered // the first batch is in its transaction, holding the loop
	replies := []<-chan committer.Reply{first}
	for range 20 {
		r, err := c.Enqueue(req())
		if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, r)
	}

	closed := make(chan struct{})
	go func() { c.Close(); close(closed) }()
	// Requests keep arriving until Close refuses them; those accepted
	// before it did must be answered like the rest.
	for {
		r, err := c.Enqueue(req())
		if err != nil {
			if coffer.ErrorCode(err) != coffer.EOverloaded || !strings.Contains(err.Error(), "shutting down") {
				t.Fatalf("a request during Close: %v, want overloaded: shutting down", err)
			}
			break
		}
		replies = append(replies, r)
		runtime.Gosched()
	}
	close(held.release)
	<-closed
	for i, r := range replies {
		rep := <-r
		if rep.Err != nil || rep.Val != "committed" {
			t.Errorf("request %d of %d, queued before Close: %v, %v; want it committed", i+1, len(replies), rep.Val, rep.Err)
		}
	}
	if _, err := c.Submit(ctx, req()); coffer.ErrorCode(err) != coffer.EOverloaded {
		t.Errorf("a request after Close: %v, want overloaded", err)
	}
}
