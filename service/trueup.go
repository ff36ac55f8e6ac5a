package service

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/program"
	"github.com/cofferdev/coffer/store"
)

// TrueUp runs the monthly true-up of every active enrollment: for each
// month that ended, on the service's clock, at least CloseDelay ago and
// that the enrollment has not had credited, it credits the month's usage
// from the gift, up to what is left (ledger.State.ApplyGift), and records
// the month as credit_last_applied. The true-up job runs it.
//
// A month's credit is one committer request under a key of the
// enrollment and month, so a second process, a rerun, or a restart after
// a crash between the credit and the record answers the first credit
// and credits nothing more. When a true-up uses the gift up, the account
// leaves the program's levels for its default auto-recharge.
func (s *Service) TrueUp(ctx context.Context) error {
	current := program.Month(s.now().Add(-s.cfg.Invoices.CloseDelay))
	programs := map[string]*program.Program{}
	pg := store.Page{Limit: 100}
	for {
		items, more, err := s.store.ListEnrollments(ctx, "", pg)
		if err != nil {
			return err
		}
		for _, e := range items {
			p := programs[e.ProgramID]
			if p == nil {
				if p, err = s.store.GetProgram(ctx, e.ProgramID); err != nil {
					return err
				}
				programs[p.ID] = p
			}
			if err := s.trueUpEnrollment(ctx, e, p, current); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				// One enrollment that cannot be trued up must not hold
				// up the others; the next run tries it again.
				s.log.ErrorContext(ctx, "true-up", "enrollment", e.ID, "err", err)
			}
		}
		if !more || len(items) == 0 {
			return nil
		}
		pg.StartingAfter = items[len(items)-1].ID
	}
}

// trueUpEnrollment credits every month before current that the enrollment
// has not had credited, oldest first.
func (s *Service) trueUpEnrollment(ctx context.Context, e *program.Enrollment, p *program.Program, current time.Time) error {
	if e.LotID == "" { // an enrolment a crash cut short
		if _, err := s.settleEnrollment(ctx, e, p); err != nil {
			return err
		}
		var err error
		if e, err = s.store.GetEnrollment(ctx, e.ID); err != nil {
			return err
		}
	}
	trued := false
	for m := e.NextMonth(p); m.Before(current); m = e.NextMonth(p) {
		_, exhausted, err := s.creditMonth(ctx, e, m)
		if err != nil {
			return err
		}
		now := s.now()
		// The gift is done with when used up, or when its credited
		// period is over: what is left of it expires.
		done := exhausted || (!e.EndsOn.IsZero() && m.After(e.EndsOn))
		switched := false // this run marked the gift done: it switches the account over
		if e, err = s.store.UpdateEnrollment(ctx, e.ID, func(x *program.Enrollment) error {
			switched = false
			if !x.NextMonth(p).Equal(m) {
				return nil // recorded by another run
			}
			x.TrueUpThrough, x.UpdatedAt = m, now
			if x.Credits(m) {
				x.CreditLastApplied = m
			}
			if done && x.ExhaustedAt.IsZero() {
				x.ExhaustedAt, switched = now, true
			}
			return nil
		}, nil); err != nil {
			return err
		}
		if switched {
			if err := s.afterGift(ctx, e, p, true); err != nil {
				return err
			}
		}
		trued = true
	}
	if trued && e.ExhaustedAt.IsZero() {
		// Less gift left moves the balance-with-credits level, and the
		// program's levels may have changed since the last true-up.
		if err := s.programFloor(ctx, e.AccountID, p.Levels.SuspendAt); err != nil {
			return err
		}
		return s.programAutoPayment(ctx, e, p)
	}
	return nil
}

// creditMonth credits month m's usage from the enrollment's gift, once.
// It returns what was credited and whether that used the gift up. A
// month outside the credited period credits nothing.
func (s *Service) creditMonth(ctx context.Context, e *program.Enrollment, m time.Time) (money.Amount, bool, error) {
	if !e.Credits(m) || !e.ExhaustedAt.IsZero() {
		return 0, false, nil
	}
	a, err := s.store.GetAccount(ctx, e.AccountID)
	if err != nil {
		return 0, false, err
	}
	t := invoice.NewTally(a.Currency)
	if err := s.tally(ctx, e.AccountID, m, m.AddDate(0, 1, 0), t); err != nil {
		return 0, false, err
	}
	usage := t.Usage()
	val, err := s.submit(ctx, &committer.Request{AccountID: e.AccountID, Idempotency: programKey("trueup@" + e.ID + ":" + program.MonthName(m)),
		Run: func(b *committer.Batch, st *ledger.State) (any, error) {
			ev, credited, err := st.ApplyGift(b.Env, ledger.GiftCredit{LotID: e.LotID, Amount: usage, Month: program.MonthName(m), Actor: "true_up"})
			if err != nil {
				return nil, err
			}
			left := money.Amount(0)
			for _, l := range st.Lots {
				if l.ID == e.LotID {
					left = l.Remaining
				}
			}
			if ev != nil {
				b.Record(ev)
			}
			return &trueUpResult{Month: program.MonthName(m), Usage: usage, Credited: credited, GiftRemaining: left}, nil
		}})
	r, err := decodeReplay[trueUpResult](val, err)
	if coffer.ErrorCode(err) == coffer.ENotFound {
		return 0, false, nil // the gift was voided: nothing to credit
	}
	if err != nil {
		return 0, false, err
	}
	return r.Credited, r.Credited > 0 && r.GiftRemaining == 0, nil
}

// trueUpResult is a month's credit, as its idempotent answer keeps it.
type trueUpResult struct {
	Month         string       `json:"month"`
	Usage         money.Amount `json:"usage"`
	Credited      money.Amount `json:"credited"`
	GiftRemaining money.Amount `json:"gift_remaining"`
}
