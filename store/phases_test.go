package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cofferdev/coffer/ledger"
)

// stepBatch is a Batch whose calls each run the step the test gives them.
type stepBatch struct{ step func(Phase) }

func (b stepBatch) LoadStates(context.Context, []string) (map[string]*ledger.State, error) {
	b.step(PhaseLoad)
	return nil, nil
}

func (b stepBatch) Load(context.Context, []string, Lookup) (*Loaded, error) {
	b.step(PhaseLoad)
	return nil, nil
}

func (b stepBatch) Write(context.Context, *Writes) error {
	b.step(PhaseWrite)
	return nil
}

// TimeBatch charges each Batch call to its phase and the time between
// calls to apply, counts the store's runs of fn, and passes fn's error
// on. The stopwatch moves a millisecond at each reading, so every phase's
// share is exact.
func TestTimeBatch(t *testing.T) {
	calls := map[Phase]int{}
	b := stepBatch{step: func(p Phase) { calls[p]++ }}
	failed := errors.New("refused")
	rerun := func(ctx context.Context, fn func(Batch) error) error {
		_ = fn(b) // a first attempt that the store throws away, as after a deadlock
		return fn(b)
	}
	var clock time.Time
	tick := func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	phases, runs, err := TimeBatch(context.Background(), tick, rerun, func(tb Batch) error {
		if _, err := tb.Load(context.Background(), nil, Lookup{}); err != nil {
			return err
		}
		return errors.Join(tb.Write(context.Background(), nil), failed)
	})
	if !errors.Is(err, failed) || runs != 2 {
		t.Fatalf("TimeBatch: %v after %d runs, want %v after 2", err, runs, failed)
	}
	if calls[PhaseLoad] != 2 || calls[PhaseWrite] != 2 {
		t.Fatalf("calls %v, want two loads and two writes", calls)
	}
	// Each run: begin, apply before the load, load, apply before the
	// write, write, apply after fn; then the commit once.
	ms := time.Millisecond
	want := Phases{PhaseBegin: 2 * ms, PhaseLoad: 2 * ms, PhaseApply: 6 * ms, PhaseWrite: 2 * ms, PhaseCommit: ms}
	if phases != want {
		t.Errorf("phases %v, want %v", phases, want)
	}
	for p := range NumPhases {
		if p.String() == "unknown" {
			t.Errorf("phase %d has no name", p)
		}
	}
}
