package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/program"
	"github.com/cofferdev/coffer/store"
)

// Enroll puts an account in a program. Admin only. The account gets the
// program's gift as a true_up lot (no expiry unless the program ends), its
// floor becomes the program's suspend_at so usage is served down to it,
// and its auto-recharge follows the program's levels, locked on when the
// program requires a payment method. It is refused while the program
// requires a payment method and the account has no card or PayPal
// account.
func (s *Service) Enroll(ctx context.Context, c Call, programID string, in api.EnrollmentCreate) (*api.Enrollment, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixProgram, programID); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("account_id", coffer.PrefixAccount, in.AccountID); err != nil {
		return nil, err
	}
	p, err := s.store.GetProgram(ctx, programID)
	if err != nil {
		return nil, err
	}
	a, err := s.store.GetAccount(ctx, in.AccountID)
	if coffer.ErrorCode(err) == coffer.ENotFound {
		e := coffer.Errorf(coffer.ENotFound, "account %s not found", in.AccountID)
		e.Param = "account_id"
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	switch {
	case a.Status == ledger.StatusClosed:
		return nil, coffer.Errorf(coffer.EAccountClosed, "account %s is closed", a.ID)
	case a.Currency != p.Currency:
		return nil, coffer.Invalid("account_id", "account %s holds %s but program %s gives %s", a.ID, a.Currency, p.ID, p.Currency)
	case !a.PostpaidSince.IsZero():
		return nil, coffer.Invalid("account_id", "account %s is postpaid; a program's true-up credits a prepaid balance", a.ID)
	}
	if p.RequiresPaymentMethod {
		if _, err := s.chargeableMethod(ctx, a.ID, "", false); err != nil {
			e := coffer.Errorf(coffer.EConflict, "program %s requires a payment method: add a card or PayPal account to account %s "+
				"(POST /v1/accounts/%s/payment_methods) and make it the default, then enrol it", p.ID, a.ID, a.ID)
			e.Param = "account_id"
			return nil, e
		}
	}
	if cur, err := s.store.ActiveEnrollment(ctx, a.ID); err == nil {
		if cur.ProgramID != p.ID {
			return nil, coffer.Errorf(coffer.EConflict, "account %s is already enrolled in program %s (%s); unenroll it first", a.ID, cur.ProgramID, cur.ID)
		}
		// Enrolled in this program already: finish what a crash may
		// have cut short, and answer the enrollment.
		return s.settleEnrollment(ctx, cur, p)
	} else if coffer.ErrorCode(err) != coffer.ENotFound {
		return nil, err
	}
	now := s.now()
	e := &program.Enrollment{ID: s.ids.New(coffer.PrefixEnrollment, now), ProgramID: p.ID, AccountID: a.ID, Status: program.Active,
		Gift: p.Gift, StartsOn: p.StartsOn, EndsOn: p.EndsOn,
		PreviousMinBalance: a.MinBalance, PreviousCreditLimit: a.CreditLimit, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateEnrollment(ctx, e, nil); err != nil {
		return nil, err
	}
	return s.settleEnrollment(ctx, e, p)
}

// settleEnrollment brings an active enrollment's account in line with it,
// each step idempotent, so that a crash between them is finished by the
// next call (the true-up job makes one for every enrollment it looks at):
// the gift granted once, under a key of the enrollment; the floor at the
// program's suspend_at; the auto-recharge on the program's levels while
// the gift lasts.
func (s *Service) settleEnrollment(ctx context.Context, e *program.Enrollment, p *program.Program) (*api.Enrollment, error) {
	if e.Status != program.Active {
		return s.enrollmentView(ctx, e)
	}
	if e.LotID == "" {
		lotID, err := s.grantGift(ctx, e)
		if err != nil {
			return nil, err
		}
		if e, err = s.store.UpdateEnrollment(ctx, e.ID, func(x *program.Enrollment) error {
			x.LotID, x.UpdatedAt = lotID, s.now()
			return nil
		}, nil); err != nil {
			return nil, err
		}
	}
	if e.ExhaustedAt.IsZero() {
		if err := s.programFloor(ctx, e.AccountID, p.Levels.SuspendAt); err != nil {
			return nil, err
		}
		if err := s.programAutoPayment(ctx, e, p); err != nil {
			return nil, err
		}
	}
	return s.enrollmentView(ctx, e)
}

// grantGift grants the enrollment's gift, once: under a key of the
// enrollment, a repeat answers the first grant.
func (s *Service) grantGift(ctx context.Context, e *program.Enrollment) (string, error) {
	g := ledger.Grant{Kind: ledger.Monetary, Amount: e.Gift, Category: ledger.Promotional, Priority: defaultPriority,
		Application: ledger.TrueUp, Origin: ledger.OriginGrant, Reason: "gift of program " + e.ProgramID, Actor: "programs",
		Metadata: map[string]string{"program_id": e.ProgramID, "enrollment_id": e.ID}}
	if !e.EndsOn.IsZero() {
		g.ExpiresAt = (&program.Program{EndsOn: e.EndsOn}).GiftExpiry()
	}
	val, err := s.submit(ctx, &committer.Request{AccountID: e.AccountID, Idempotency: programKey("gift@" + e.ID),
		Run: func(b *committer.Batch, st *ledger.State) (any, error) {
			ev, err := st.Grant(b.Env, g)
			if err != nil {
				return nil, err
			}
			b.Record(ev)
			return grantView(ev.Lots[0]), nil
		}})
	v, err := decodeReplay[api.Grant](val, err)
	if err != nil {
		return "", err
	}
	return v.ID, nil
}

// programKey is the idempotency key of a program's own change of value.
func programKey(key string) *store.Idempotency {
	sum := sha256.Sum256([]byte(key))
	return &store.Idempotency{Scope: "programs", Key: key, RequestHash: hex.EncodeToString(sum[:])}
}

// programFloor sets the account's floor to level (and its credit limit no
// higher), so that usage is served down to the program's suspension level.
func (s *Service) programFloor(ctx context.Context, accountID string, level money.Amount) error {
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil || (a.MinBalance == level && a.CreditLimit <= level) {
		return err
	}
	_, err = s.store.UpdateAccount(ctx, accountID, func(a *coffer.Account) error {
		a.MinBalance, a.CreditLimit, a.UpdatedAt = level, min(a.CreditLimit, level), s.now()
		return nil
	}, nil)
	return err
}

// programAutoPayment sets the account's auto-recharge to the program's
// levels for the gift left: on (with the account's default card or PayPal
// account, if it has none), locked when the program requires a payment
// method, charging as program.Levels.AutoPayment says and climbing the
// program's failure ladder. Unlocked, it is turned on at enrolment only:
// an owner who turned it off later keeps it off.
func (s *Service) programAutoPayment(ctx context.Context, e *program.Enrollment, p *program.Program) error {
	left := money.Amount(0)
	if e.LotID != "" {
		lot, err := s.store.GetLot(ctx, e.LotID)
		if err != nil {
			return err
		}
		left = lot.Remaining
	}
	threshold, target := p.Levels.AutoPayment(left)
	fallback, _ := s.chargeableMethod(ctx, e.AccountID, "", false)
	cur, err := s.store.GetAutoRecharge(ctx, e.AccountID)
	if err == nil && cur.ProgramID == p.ID && cur.Threshold == threshold && cur.Target == target && cur.Locked == p.RequiresPaymentMethod &&
		cur.PaymentMethodRequiredAt == p.Levels.PaymentMethodRequiredAt && cur.SuspendAt == p.Levels.SuspendAt &&
		(cur.Enabled || fallback == nil || !p.RequiresPaymentMethod) {
		return nil // as it should be
	}
	if err != nil && coffer.ErrorCode(err) != coffer.ENotFound {
		return err
	}
	_, err = s.store.UpdateAutoRecharge(ctx, e.AccountID, func(ar *coffer.AutoRecharge, _ *coffer.Account) ([]ledger.Event, error) {
		if ar.MethodID == "" && fallback != nil {
			ar.MethodID = fallback.ID
		}
		if ar.UpdatedAt.IsZero() && s.pay.cfg.DailyCap > 0 {
			ar.DailyCap = s.pay.cfg.DailyCap
		}
		// Locked, it is on whenever there is a method to charge; unlocked,
		// it is switched on once, at enrolment, and after that is the
		// owner's to turn off.
		if p.RequiresPaymentMethod || ar.ProgramID != p.ID {
			ar.Enabled = ar.MethodID != ""
		}
		ar.Locked = p.RequiresPaymentMethod
		ar.ProgramID, ar.Threshold, ar.Target, ar.Amount = p.ID, threshold, target, 0
		ar.PaymentMethodRequiredAt, ar.SuspendAt = p.Levels.PaymentMethodRequiredAt, p.Levels.SuspendAt
		ar.UpdatedAt = s.now()
		return nil, nil
	}, nil)
	if err == nil {
		s.pay.enqueue(e.AccountID)
	}
	return err
}

// afterGift switches an account whose gift is used up, or that left its
// program, to ordinary auto-recharge: exhausted, the program's default
// refill, locked on when the program requires a payment method; left, off
// unless the operator turns it on. Its floor and credit limit are given
// back as they were before enrolment.
func (s *Service) afterGift(ctx context.Context, e *program.Enrollment, p *program.Program, exhausted bool) error {
	if _, err := s.store.UpdateAccount(ctx, e.AccountID, func(a *coffer.Account) error {
		a.MinBalance, a.CreditLimit, a.UpdatedAt = e.PreviousMinBalance, min(e.PreviousCreditLimit, e.PreviousMinBalance), s.now()
		return nil
	}, nil); err != nil {
		return err
	}
	fallback, _ := s.chargeableMethod(ctx, e.AccountID, "", false)
	_, err := s.store.UpdateAutoRecharge(ctx, e.AccountID, func(ar *coffer.AutoRecharge, _ *coffer.Account) ([]ledger.Event, error) {
		if ar.ProgramID != p.ID && !exhausted {
			return nil, nil // not the program's to change
		}
		ar.ProgramID, ar.PaymentMethodRequiredAt, ar.SuspendAt = "", 0, 0
		ar.Failures, ar.RetryAt, ar.Exhausted = 0, 0, false
		if exhausted {
			if ar.MethodID == "" && fallback != nil {
				ar.MethodID = fallback.ID
			}
			ar.Enabled, ar.Locked = ar.MethodID != "", p.RequiresPaymentMethod
			ar.Threshold, ar.Target, ar.Amount = p.Levels.AfterThreshold, p.Levels.AfterTarget, 0
		} else {
			// The program's levels lie below zero, which settings of the
			// owner's own may not: they go with the program.
			ar.Enabled, ar.Locked = false, false
			ar.Threshold, ar.Target, ar.Amount = 0, 0, 0
		}
		ar.UpdatedAt = s.now()
		return nil, nil
	}, nil)
	if err == nil {
		s.pay.enqueue(e.AccountID)
	}
	return err
}

// Unenroll ends an account's enrollment: the true-up stops and what is
// left of the gift is voided into breakage. Admin only.
func (s *Service) Unenroll(ctx context.Context, c Call, id string) (*api.Enrollment, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixEnrollment, id); err != nil {
		return nil, err
	}
	e, err := s.store.GetEnrollment(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.Status != program.Active {
		return nil, coffer.Errorf(coffer.EConflict, "enrollment %s has ended already", id)
	}
	p, err := s.store.GetProgram(ctx, e.ProgramID)
	if err != nil {
		return nil, err
	}
	if e.LotID != "" {
		actor := c.Caller.Actor()
		_, err := s.submit(ctx, &committer.Request{AccountID: e.AccountID, Idempotency: programKey("unenroll@" + e.ID),
			Run: func(b *committer.Batch, st *ledger.State) (any, error) {
				for _, l := range st.Lots {
					if l.ID == e.LotID && l.Status == ledger.LotActive {
						ev, err := st.Void(b.Env, l.ID, "unenrolled from program "+e.ProgramID, actor)
						if err != nil {
							return nil, err
						}
						b.Record(ev)
					}
				}
				return &api.Grant{ID: e.LotID}, nil
			}})
		if err != nil {
			return nil, err
		}
	}
	if e.ExhaustedAt.IsZero() {
		if err := s.afterGift(ctx, e, p, false); err != nil {
			return nil, err
		}
	}
	e, err = s.store.UpdateEnrollment(ctx, id, func(x *program.Enrollment) error {
		x.Status, x.EndedAt, x.UpdatedAt = program.Ended, s.now(), s.now()
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	return s.enrollmentView(ctx, e)
}

// ListEnrollments lists a program's enrollments, oldest first. Admin only.
func (s *Service) ListEnrollments(ctx context.Context, c Call, programID string, p store.Page) (*api.List[api.Enrollment], error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixProgram, programID); err != nil {
		return nil, err
	}
	if _, err := s.store.GetProgram(ctx, programID); err != nil {
		return nil, err
	}
	pg, err := page(p, coffer.PrefixEnrollment)
	if err != nil {
		return nil, err
	}
	items, more, err := s.store.ListEnrollments(ctx, programID, pg)
	if err != nil {
		return nil, err
	}
	out := &api.List[api.Enrollment]{Data: []api.Enrollment{}, HasMore: more}
	for _, e := range items {
		v, err := s.enrollmentView(ctx, e)
		if err != nil {
			return nil, err
		}
		out.Data = append(out.Data, *v)
	}
	return out, nil
}

// enrollmentView is an enrollment as the API shows it, with its gift's
// remaining value.
func (s *Service) enrollmentView(ctx context.Context, e *program.Enrollment) (*api.Enrollment, error) {
	var left money.Amount
	if e.LotID != "" {
		lot, err := s.store.GetLot(ctx, e.LotID)
		if err != nil {
			return nil, err
		}
		left = lot.Remaining
	}
	return &api.Enrollment{ID: e.ID, Object: "enrollment", ProgramID: e.ProgramID, AccountID: e.AccountID, Status: string(e.Status),
		GrantID: e.LotID, Gift: giftView(e, left), ExhaustedAt: optTime(e.ExhaustedAt), CreatedAt: e.CreatedAt, EndedAt: optTime(e.EndedAt)}, nil
}
