package service

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
)

// sweepChunk is how many due accounts one sweep round takes.
const sweepChunk = 200

// Sweep runs the time-driven work that has fallen due on the service's
// clock: it expires lots past their expiry (their value goes to breakage)
// and holds past their TTL, then runs every registered job (s.jobs) — the
// other work that falls due with time. Debits never consume an expired lot
// even before the sweep runs; the sweep writes the ledger entries that say
// so.
func (s *Service) Sweep(ctx context.Context) error {
	if err := s.expire(ctx); err != nil {
		return err
	}
	for _, job := range s.jobs {
		if err := job(ctx); err != nil {
			return err
		}
	}
	return nil
}

// expire sends every account with a grant or hold past due through the
// committer to expire them.
func (s *Service) expire(ctx context.Context) error {
	for {
		ids, err := s.store.AccountsDue(ctx, s.now(), sweepChunk)
		if err != nil || len(ids) == 0 {
			return err
		}
		waits := make([]chan reply, 0, len(ids))
		for _, id := range ids {
			w, err := s.committers.enqueue(&request{accountID: id,
				run: func(b *batchContext, st *ledger.State) (any, error) {
					for _, e := range st.Expire(b.env) {
						b.record(e)
					}
					return nil, nil
				}})
			if err != nil {
				return err
			}
			waits = append(waits, w)
		}
		for _, w := range waits {
			select {
			case rep := <-w:
				if rep.err != nil {
					return rep.err
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if len(ids) < sweepChunk {
			return nil
		}
	}
}

// sweepLoop runs Sweep every interval until stop closes.
func (s *Service) sweepLoop(interval time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if err := s.Sweep(context.Background()); err != nil {
				s.log.Error("sweep failed", "err", err)
			}
		}
	}
}

// AdvanceClock moves the test clock and runs the work that fell due before
// it answers. It is admin only, and exists only on a server whose clock is
// a test clock.
func (s *Service) AdvanceClock(ctx context.Context, c Call, in api.ClockAdvance) (*api.Clock, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	tc, ok := s.clock.(*coffer.TestClock)
	if !ok {
		return nil, coffer.Errorf(coffer.ENotFound, "this server has no test clock; start it with --test-clock")
	}
	var to time.Time
	switch {
	case in.To != nil && in.By != "":
		return nil, coffer.Invalid("by", "cannot be combined with to; send one of them")
	case in.To != nil:
		to = *in.To
	case in.By != "":
		d, err := time.ParseDuration(in.By)
		if err != nil || d < 0 {
			return nil, coffer.Invalid("by", "must be a positive duration such as \"36h\", got %q", in.By)
		}
		to = tc.Now().Add(d)
	default:
		return nil, coffer.Invalid("to", "or by is required")
	}
	if now := tc.Now(); to.Before(now) {
		return nil, coffer.Invalid("to", "is %s, before the test clock's %s: the clock cannot move backwards",
			to.UTC().Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	}
	if err := tc.Set(to); err != nil {
		return nil, err
	}
	if err := s.Sweep(ctx); err != nil {
		return nil, err
	}
	return &api.Clock{Object: "test_clock", Now: tc.Now()}, nil
}
