package bench

import (
	"context"
	"sync"
	"time"

	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/store"
)

// numPhases is how many phases a committer transaction is timed in
// (store.Phase): begin, load, apply, write, commit.
const numPhases = int(store.NumPhases)

// PhaseNames names the phases in Result.Phases, in order.
var PhaseNames = [numPhases]string{store.PhaseBegin.String(), store.PhaseLoad.String(),
	store.PhaseApply.String(), store.PhaseWrite.String(), store.PhaseCommit.String()}

// meter is a reading of the committer's counters.
type meter struct {
	commits int64
	phases  store.Phases
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
// on the committer's transactions: how many, and where their time goes
// (store.TimeBatch, which the Prometheus metrics time them with too).
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
	phases, _, err := store.TimeBatch(ctx, time.Now, s.Store.Batch, fn) // the store's time, on the machine's clock
	s.mu.Lock()
	s.m.commits++
	for i, d := range phases {
		s.m.phases[i] += d
	}
	s.mu.Unlock()
	return err
}
