package bench

import (
	"context"
	"sync"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/store"
)

// The phases of one committer transaction, as seen from the committer:
// opening the transaction, locking and loading the accounts and looking up
// the debits, holds and idempotency keys already recorded (one round trip
// on PostgreSQL), applying the requests in Go, writing the effects, and
// committing.
const (
	phaseBegin = iota
	phaseLoad
	phaseApply
	phaseWrite
	phaseCommit
	numPhases
)

// PhaseNames names the phases in Result.Phases, in order.
var PhaseNames = [numPhases]string{"begin", "load", "apply", "write", "commit"}

// meter is a reading of the committer's counters.
type meter struct {
	commits int64
	phases  [numPhases]time.Duration
}

func (m meter) busy() time.Duration {
	var t time.Duration
	for _, p := range m.phases {
		t += p
	}
	return t
}

func (m meter) sub(x meter) meter {
	m.commits -= x.commits
	for i := range m.phases {
		m.phases[i] -= x.phases[i]
	}
	return m
}

// meteredStore is the store as Coffer's service sees it, with a stopwatch
// on the committer's transactions: how many, and where their time goes.
// Everything else passes straight through.
type meteredStore struct {
	*sqlstore.Store
	mu sync.Mutex
	m  meter
}

func (s *meteredStore) meter() meter {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m
}

// Batch is the committer's one call per batch.
func (s *meteredStore) Batch(ctx context.Context, fn func(store.Batch) error) error {
	w := &timedBatch{last: time.Now()}
	err := s.Store.Batch(ctx, func(b store.Batch) error {
		w.b = b
		w.lap(phaseBegin) // or, on a retry, the failed attempt's end
		err := fn(w)
		w.lap(phaseApply)
		return err
	})
	w.lap(phaseCommit)
	s.mu.Lock()
	s.m.commits++
	for i, d := range w.phases {
		s.m.phases[i] += d
	}
	s.mu.Unlock()
	return err
}

// timedBatch times each call on a store.Batch. Time between calls is the
// committer's own work in Go.
type timedBatch struct {
	b      store.Batch
	last   time.Time
	phases [numPhases]time.Duration
}

// lap charges the time since the last lap to phase p.
func (t *timedBatch) lap(p int) {
	now := time.Now()
	t.phases[p] += now.Sub(t.last)
	t.last = now
}

func (t *timedBatch) LoadStates(ctx context.Context, ids []string) (map[string]*ledger.State, error) {
	t.lap(phaseApply)
	defer t.lap(phaseLoad)
	return t.b.LoadStates(ctx, ids)
}

func (t *timedBatch) Load(ctx context.Context, ids []string, l store.Lookup) (*store.Loaded, error) {
	t.lap(phaseApply)
	defer t.lap(phaseLoad)
	return t.b.Load(ctx, ids, l)
}

func (t *timedBatch) Write(ctx context.Context, w *store.Writes) error {
	t.lap(phaseApply)
	defer t.lap(phaseWrite)
	return t.b.Write(ctx, w)
}
