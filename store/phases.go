package store

import (
	"context"
	"time"

	"github.com/cofferdev/coffer/ledger"
)

// Phase is a phase of one batch transaction as the committer sees it:
// opening the transaction, locking and loading the accounts and looking
// up the debits, holds and idempotency keys already recorded (one round
// trip on PostgreSQL), applying the requests in Go, writing the effects,
// and committing (the writes are sent with it on PostgreSQL). Both the
// Prometheus metrics and `coffer bench` report a batch's time by these
// phases, timed by TimeBatch.
type Phase int

// The phases, in the order a batch goes through them.
const (
	PhaseBegin Phase = iota
	PhaseLoad
	PhaseApply
	PhaseWrite
	PhaseCommit
	NumPhases
)

// String is the phase's name as the metrics and the bench label it.
func (p Phase) String() string {
	switch p {
	case PhaseBegin:
		return "begin"
	case PhaseLoad:
		return "load"
	case PhaseApply:
		return "apply"
	case PhaseWrite:
		return "write"
	case PhaseCommit:
		return "commit"
	}
	return "unknown"
}

// Phases is a batch's time in each phase.
type Phases [NumPhases]time.Duration

// TimeBatch runs batch (a store's Batch method) with fn and says where
// the time went: each call fn makes on the Batch is charged to its phase,
// the time between them to the committer's own work (apply). It also
// returns how many times the store ran fn: more than once after a
// deadlock or serialization failure, whose attempts count as begin.
// stopwatch reads the time between calls: the machine's clock (time.Now)
// for the metrics and the bench, which measure how long the store took,
// not when anything is due; never Coffer's clock, which a test may stop.
func TimeBatch(ctx context.Context, stopwatch func() time.Time, batch func(context.Context, func(Batch) error) error,
	fn func(Batch) error) (Phases, int, error) {
	t := &timedBatch{stopwatch: stopwatch, last: stopwatch()}
	runs := 0
	err := batch(ctx, func(b Batch) error {
		runs++
		t.b = b
		t.lap(PhaseBegin) // or, on a rerun, the failed attempt's end
		err := fn(t)
		t.lap(PhaseApply)
		return err
	})
	t.lap(PhaseCommit)
	return t.phases, runs, err
}

// timedBatch is a Batch that charges each call's time to its phase.
type timedBatch struct {
	b         Batch
	stopwatch func() time.Time
	last      time.Time
	phases    Phases
}

// lap charges the time since the last lap to phase p.
func (t *timedBatch) lap(p Phase) {
	now := t.stopwatch()
	t.phases[p] += now.Sub(t.last)
	t.last = now
}

func (t *timedBatch) LoadStates(ctx context.Context, ids []string) (map[string]*ledger.State, error) {
	t.lap(PhaseApply)
	defer t.lap(PhaseLoad)
	return t.b.LoadStates(ctx, ids)
}

func (t *timedBatch) Load(ctx context.Context, ids []string, l Lookup) (*Loaded, error) {
	t.lap(PhaseApply)
	defer t.lap(PhaseLoad)
	return t.b.Load(ctx, ids, l)
}

func (t *timedBatch) Write(ctx context.Context, w *Writes) error {
	t.lap(PhaseApply)
	defer t.lap(PhaseWrite)
	return t.b.Write(ctx, w)
}
