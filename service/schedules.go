package service

import (
	"context"
	"fmt"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/store"
)

func scheduleView(sc *coffer.Schedule) *api.PaymentSchedule {
	v := &api.PaymentSchedule{ID: sc.ID, Object: "payment_schedule", AccountID: sc.AccountID, PaymentMethodID: sc.MethodID,
		DayOfMonth: sc.DayOfMonth, Amount: sc.Amount, Status: string(sc.Status), CreatedAt: sc.CreatedAt}
	if sc.Status == coffer.ScheduleActive {
		t := sc.NextRunAt
		v.NextRunAt = &t
	}
	return v
}

// nextRun is the first start of day dayOfMonth (UTC) strictly after t.
func nextRun(t time.Time, dayOfMonth int) time.Time {
	t = t.UTC()
	run := time.Date(t.Year(), t.Month(), dayOfMonth, 0, 0, 0, 0, time.UTC)
	if !run.After(t) {
		run = time.Date(t.Year(), t.Month()+1, dayOfMonth, 0, 0, 0, 0, time.UTC)
	}
	return run
}

// CreateSchedule starts a monthly debit of a verified bank account: on
// day_of_month (1 to 28, at 00:00 UTC on Coffer's clock) it debits amount;
// the debit stays pending until it settles, and is credited then.
func (s *Service) CreateSchedule(ctx context.Context, c Call, accountID string, in api.PaymentScheduleCreate) (*api.PaymentSchedule, error) {
	if err := authorizeID(c.Caller, accountID, manageAccount); err != nil {
		return nil, err
	}
	if in.DayOfMonth < 1 || in.DayOfMonth > 28 {
		return nil, coffer.Invalid("day_of_month", "must be 1 to 28 (every month has those days), got %d", in.DayOfMonth)
	}
	if in.Amount <= 0 {
		return nil, coffer.Invalid("amount", "must be greater than zero, got %s", in.Amount)
	}
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if a.Status == ledger.StatusClosed {
		return nil, coffer.Errorf(coffer.EAccountClosed, "account %s is closed", a.ID)
	}
	if max, ok := s.pay.cfg.tierMax(a.TrustTier); !ok || in.Amount > max {
		return nil, coffer.Invalid("amount", "%s is more than trust tier %d allows in one payment (%s)", in.Amount, a.TrustTier, max)
	}
	if in.PaymentMethodID == "" {
		return nil, coffer.Invalid("payment_method_id", "is required: the verified bank account to debit")
	}
	m, err := s.chargeableMethod(ctx, accountID, in.PaymentMethodID, true)
	if err != nil {
		return nil, err
	}
	if m.Type != payments.USBankAccount {
		return nil, coffer.Invalid("payment_method_id", "%s is a %s; a scheduled debit needs a verified bank account", m.ID, m.Type)
	}
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.PaymentSchedule) error) (*api.PaymentSchedule, error) {
		now := s.now()
		sc := &coffer.Schedule{ID: s.ids.New(coffer.PrefixSchedule, now), AccountID: accountID, MethodID: m.ID,
			DayOfMonth: in.DayOfMonth, Amount: in.Amount, Status: coffer.ScheduleActive, NextRunAt: nextRun(now, in.DayOfMonth),
			CreatedAt: now, UpdatedAt: now}
		v := scheduleView(sc)
		if err := encode(v); err != nil {
			return nil, err
		}
		return v, s.store.CreateSchedule(ctx, sc, rec)
	})
}

// ListSchedules lists an account's schedules.
func (s *Service) ListSchedules(ctx context.Context, c Call, accountID string) (*api.List[api.PaymentSchedule], error) {
	if err := authorizeID(c.Caller, accountID, readAccount); err != nil {
		return nil, err
	}
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	scs, err := s.store.ListSchedules(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return list(scs, false, func(sc *coffer.Schedule) api.PaymentSchedule { return *scheduleView(sc) }), nil
}

// CancelSchedule stops a schedule; debits already made still settle.
func (s *Service) CancelSchedule(ctx context.Context, c Call, id string) (*api.PaymentSchedule, error) {
	if err := coffer.CheckID("id", coffer.PrefixSchedule, id); err != nil {
		return nil, err
	}
	sc, err := s.store.GetSchedule(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := authorize(c.Caller, sc.AccountID, manageAccount); err != nil {
		if coffer.ErrorCode(err) == coffer.ENotFound {
			return nil, coffer.Errorf(coffer.ENotFound, "payment schedule %s not found", id)
		}
		return nil, err
	}
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.PaymentSchedule) error) (*api.PaymentSchedule, error) {
		var v *api.PaymentSchedule
		_, err := s.store.UpdateSchedule(ctx, id, func(sc *coffer.Schedule) error {
			if sc.Status == coffer.ScheduleCanceled {
				return coffer.Errorf(coffer.EConflict, "payment schedule %s is already canceled", id)
			}
			sc.Status, sc.UpdatedAt = coffer.ScheduleCanceled, s.now()
			v = scheduleView(sc)
			return encode(v)
		}, rec)
		return v, err
	})
}

// RunSchedules makes the scheduled debits that fell due on the service's
// clock. Each run of a schedule is one payment keyed by the schedule and
// the run's date, so a job that runs twice (two processes, a retry) debits
// once. The schedules job runs it.
func (s *Service) RunSchedules(ctx context.Context) error {
	due, err := s.store.SchedulesDue(ctx, s.now(), 200)
	if err != nil {
		return err
	}
	for _, sc := range due {
		if err := s.runSchedule(ctx, sc); err != nil {
			s.log.ErrorContext(ctx, "scheduled debit", "schedule", sc.ID, "err", err)
		}
	}
	return nil
}

func (s *Service) runSchedule(ctx context.Context, sc *coffer.Schedule) error {
	now := s.now()
	a, err := s.store.GetAccount(ctx, sc.AccountID)
	if err != nil {
		return err
	}
	if a.Status != ledger.StatusClosed {
		p, created, err := s.store.CreatePayment(ctx, &coffer.Payment{ID: s.ids.New(coffer.PrefixPayment, now), AccountID: sc.AccountID,
			Source: coffer.SourceSchedule, Key: fmt.Sprintf("schedule:%s:%s", sc.ID, sc.NextRunAt.Format(time.DateOnly)),
			Status: coffer.PaymentProcessing, MethodID: sc.MethodID, ScheduleID: sc.ID, Amount: sc.Amount, Currency: a.Currency,
			Actor: "schedule", CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return err
		}
		if created {
			m, err := s.store.GetPaymentMethod(ctx, sc.MethodID)
			if err != nil {
				return err
			}
			var ch *payments.Charge
			if m.Status != coffer.MethodActive {
				ch = &payments.Charge{Status: payments.Failed, FailureCode: "payment_method_unusable",
					FailureMessage: "payment method " + m.ID + " is " + string(m.Status)}
			} else if ch, err = s.charge(ctx, p, m); err != nil {
				ch = nil // left processing: the settle job charges it again under the same key
			}
			if ch != nil {
				if _, err := s.settle(ctx, p, ch, money.Amount(0)); err != nil {
					return err
				}
			}
		}
	}
	_, err = s.store.UpdateSchedule(ctx, sc.ID, func(x *coffer.Schedule) error {
		if x.NextRunAt.Equal(sc.NextRunAt) {
			x.NextRunAt, x.UpdatedAt = nextRun(sc.NextRunAt, x.DayOfMonth), now
		}
		return nil
	}, nil)
	return err
}
