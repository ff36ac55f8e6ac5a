package store

import (
	"context"
	"errors"
	"testing"

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

// TimeBatch charges each Batch call to its phase and nothing else there,
// counts the store's runs of fn, and passes fn's error on. Each call
// burns a little CPU so that a phase it charges is sure to be above zero.
func TestTimeBatch(t *testing.T) {
	calls := map[Phase]int{}
	b := stepBatch{step: func(p Phase) { calls[p]++; spin() }}
	failed := errors.New("refused")
	rerun := func(ctx context.Context, fn func(Batch) error) error {
		_ = fn(b) // a first attempt that the store throws away, as after a deadlock
		return fn(b)
	}
	phases, runs, err := TimeBatch(context.Background(), rerun, func(tb Batch) error {
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
	for _, p := range []Phase{PhaseLoad, PhaseWrite} {
		if phases[p] <= 0 {
			t.Errorf("phase %s: %v, want the calls' time", p, phases[p])
		}
	}
	for p := range NumPhases {
		if phases[p] < 0 || p.String() == "unknown" {
			t.Errorf("phase %d %q: %v", p, p, phases[p])
		}
	}
}

// spin does a little work that the compiler cannot drop.
func spin() {
	x := 1
	for i := range 100_000 {
		x = x*31 + i
	}
	if x == 0 {
		panic("unreachable")
	}
}
