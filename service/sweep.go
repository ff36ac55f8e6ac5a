package service

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/ledger"
)

// sweepChunk is how many due accounts one expiry round takes.
const sweepChunk = 200

// RunDue runs once, in order, the work every interval job does — expiry,
// settlement, schedules, the recharge sweep, the programs' true-up, the
// period close and invoice collection, recommendations, and delivery
// unless this process delivers nothing — so that whatever has fallen due
// on the service's clock is done when it returns. AdvanceClock calls it
// under a test clock, where the interval jobs do not run on their own.
func (s *Service) RunDue(ctx context.Context) error {
	for _, run := range s.due() {
		if err := run(ctx); err != nil {
			return err
		}
	}
	return nil
}

// due is the work of every interval job, in the order RunDue runs it.
func (s *Service) due() []func(context.Context) error {
	work := []func(context.Context) error{s.Expire, s.SettlePayments, s.RunSchedules, s.RechargeSweep,
		s.TrueUp, s.ClosePeriods, s.CollectInvoices, s.Recommend}
	if !s.cfg.Notify.NoDelivery {
		work = append(work, s.Deliver)
	}
	return work
}

// Expire expires lots past their expiry (their value goes to breakage)
// and holds past their TTL: it sends every account with a grant or hold
// past due on the service's clock through the committer. Debits never
// consume an expired lot even before it runs; it writes the ledger
// entries that say so. The expiry job runs it.
func (s *Service) Expire(ctx context.Context) error {
	for {
		ids, err := s.store.AccountsDue(ctx, s.now(), sweepChunk)
		if err != nil || len(ids) == 0 {
			return err
		}
		waits := make([]<-chan committer.Reply, 0, len(ids))
		for _, id := range ids {
			w, err := s.committer.Enqueue(&committer.Request{AccountID: id,
				Run: func(b *committer.Batch, st *ledger.State) (any, error) {
					for _, e := range st.Expire(b.Env) {
						b.Record(e)
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
				if rep.Err != nil {
					return rep.Err
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
	if err := s.RunDue(ctx); err != nil {
		return nil, err
	}
	return &api.Clock{Object: "test_clock", Now: tc.Now()}, nil
}
