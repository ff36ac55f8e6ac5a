package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/program"
	"github.com/cofferdev/coffer/store"
)

// CreateProgram makes a gifted-credit program. Admin only. Levels left out
// take the reference program's (program.DefaultLevels).
func (s *Service) CreateProgram(ctx context.Context, c Call, in api.ProgramCreate) (*api.Program, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	now := s.now()
	p := &program.Program{ID: s.ids.New(coffer.PrefixProgram, now), Name: strings.TrimSpace(in.Name), Gift: in.Gift,
		RequiresPaymentMethod: true, Levels: program.DefaultLevels(), CreatedAt: now, UpdatedAt: now}
	cur := in.Currency
	if cur == "" {
		cur = string(s.cfg.DefaultCurrency)
	}
	var err error
	if p.Currency, err = money.ParseCurrency(cur); err != nil {
		return nil, coffer.Invalid("currency", "%s", err)
	}
	if p.StartsOn, err = parseMonth("starts_on", in.StartsOn); err != nil {
		return nil, err
	}
	if in.EndsOn != "" {
		if p.EndsOn, err = parseMonth("ends_on", in.EndsOn); err != nil {
			return nil, err
		}
	}
	setIf(&p.RequiresPaymentMethod, in.RequiresPaymentMethod)
	setLevels(&p.Levels, in.AutoPayment, in.PaymentMethodRequiredAt, in.SuspendAt, in.AfterExhaustion)
	if err := checkProgram(p); err != nil {
		return nil, err
	}
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.Program) error) (*api.Program, error) {
		v := programView(p)
		if err := encode(v); err != nil {
			return nil, err
		}
		return v, s.store.CreateProgram(ctx, p, rec)
	})
}

// GetProgram reads a program. Admin only.
func (s *Service) GetProgram(ctx context.Context, c Call, id string) (*api.Program, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixProgram, id); err != nil {
		return nil, err
	}
	p, err := s.store.GetProgram(ctx, id)
	if err != nil {
		return nil, err
	}
	return programView(p), nil
}

// ListPrograms lists programs, oldest first. Admin only.
func (s *Service) ListPrograms(ctx context.Context, c Call, p store.Page) (*api.List[api.Program], error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	pg, err := page(p, coffer.PrefixProgram)
	if err != nil {
		return nil, err
	}
	items, more, err := s.store.ListPrograms(ctx, pg)
	if err != nil {
		return nil, err
	}
	return list(items, more, func(p *program.Program) api.Program { return *programView(p) }), nil
}

// UpdateProgram changes a program. Admin only. Enrolments already made
// keep their gift and credited period; new levels reach enrolled accounts
// at their next true-up.
func (s *Service) UpdateProgram(ctx context.Context, c Call, id string, in api.ProgramUpdate) (*api.Program, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixProgram, id); err != nil {
		return nil, err
	}
	var ends *time.Time
	if in.EndsOn != nil {
		var t time.Time
		if *in.EndsOn != "" {
			var err error
			if t, err = parseMonth("ends_on", *in.EndsOn); err != nil {
				return nil, err
			}
		}
		ends = &t
	}
	if in.Name != nil && strings.TrimSpace(*in.Name) == "" {
		return nil, coffer.Invalid("name", "must not be empty")
	}
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.Program) error) (*api.Program, error) {
		var v *api.Program
		_, err := s.store.UpdateProgram(ctx, id, func(p *program.Program) error {
			if in.Name != nil {
				p.Name = strings.TrimSpace(*in.Name)
			}
			setIf(&p.Gift, in.Gift)
			setIf(&p.EndsOn, ends)
			setIf(&p.RequiresPaymentMethod, in.RequiresPaymentMethod)
			setLevels(&p.Levels, in.AutoPayment, in.PaymentMethodRequiredAt, in.SuspendAt, in.AfterExhaustion)
			if err := checkProgram(p); err != nil {
				return err
			}
			p.UpdatedAt = s.now()
			v = programView(p)
			return encode(v)
		}, rec)
		return v, err
	})
}

func setLevels(l *program.Levels, ap *api.ProgramAutoPaymentChange, pmAt, suspendAt *money.Amount, after *api.ProgramRechargeChange) {
	if ap != nil {
		setIf(&l.AutoPaymentBalanceWithCredits, ap.BalanceWithCredits)
		setIf(&l.AutoPaymentBalance, ap.Balance)
	}
	setIf(&l.PaymentMethodRequiredAt, pmAt)
	setIf(&l.SuspendAt, suspendAt)
	if after != nil {
		setIf(&l.AfterThreshold, after.Threshold)
		setIf(&l.AfterTarget, after.Target)
	}
}

// checkProgram validates a program in the API's words.
func checkProgram(p *program.Program) error {
	if err := checkText("name", p.Name, maxName); err != nil {
		return err
	}
	if pr := p.Check(); pr != nil {
		return coffer.Invalid(pr.Field, "%s", pr.Message)
	}
	return nil
}

func parseMonth(field, s string) (time.Time, error) {
	m, err := program.ParseMonth(s)
	if err != nil {
		return time.Time{}, coffer.Invalid(field, "must be a month as YYYY-MM, such as 2026-01; got %q", s)
	}
	return m, nil
}

func monthOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return program.MonthName(t)
}

func programView(p *program.Program) *api.Program {
	l := p.Levels
	return &api.Program{ID: p.ID, Object: "program", Name: p.Name, Currency: string(p.Currency), Gift: p.Gift,
		StartsOn: program.MonthName(p.StartsOn), EndsOn: monthOrEmpty(p.EndsOn), RequiresPaymentMethod: p.RequiresPaymentMethod,
		AutoPayment:             api.ProgramAutoPayment{BalanceWithCredits: l.AutoPaymentBalanceWithCredits, Balance: l.AutoPaymentBalance},
		PaymentMethodRequiredAt: l.PaymentMethodRequiredAt, SuspendAt: l.SuspendAt,
		AfterExhaustion: api.ProgramRecharge{Threshold: l.AfterThreshold, Target: l.AfterTarget},
		CreatedAt:       p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// giftView is an enrollment's gift with what is left of it.
func giftView(e *program.Enrollment, remaining money.Amount) api.GiftView {
	period := "from " + program.MonthName(e.StartsOn)
	if !e.EndsOn.IsZero() {
		period = program.MonthName(e.StartsOn) + " to " + program.MonthName(e.EndsOn)
	}
	return api.GiftView{ProgramID: e.ProgramID, Original: e.Gift, Remaining: remaining, CreditedPeriod: period,
		CreditLastApplied: monthOrEmpty(e.CreditLastApplied)}
}

// gift is the balance's view of the account's gift, or nil when it is in
// no program.
func (s *Service) gift(ctx context.Context, accountID string, remaining money.Amount) (*api.GiftView, error) {
	e, err := s.store.ActiveEnrollment(ctx, accountID)
	if coffer.ErrorCode(err) == coffer.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	g := giftView(e, remaining)
	return &g, nil
}

var errNoMethod = errors.New("no payment method")
