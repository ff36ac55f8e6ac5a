package service

import (
	"context"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// Billing modes.
const (
	Prepaid  = "prepaid"
	Postpaid = "postpaid"
)

// EventAccountCreated is raised when an account is opened.
const EventAccountCreated = "account.created"

// CreateAccount opens an account. Admin only.
func (s *Service) CreateAccount(ctx context.Context, c Call, in api.AccountCreate) (*api.Account, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	now := s.now()
	a := &coffer.Account{ID: s.ids.New(coffer.PrefixAccount, now), Name: strings.TrimSpace(in.Name),
		Email: in.Email, NotificationEmails: in.NotificationEmails, Status: ledger.StatusActive,
		BillingMode: in.BillingMode, TrustTier: 1, Metadata: in.Metadata, CreatedAt: now, UpdatedAt: now}
	if a.Name == "" {
		return nil, coffer.Invalid("name", "is required")
	}
	cur := in.Currency
	if cur == "" {
		cur = string(s.cfg.DefaultCurrency)
	}
	var err error
	if a.Currency, err = money.ParseCurrency(cur); err != nil {
		return nil, coffer.Invalid("currency", "%s", err)
	}
	if a.BillingMode == "" {
		a.BillingMode = Prepaid
	}
	if a.BillingMode == Postpaid {
		a.PostpaidSince = now
	}
	if in.MinBalance != nil {
		a.MinBalance = *in.MinBalance
	}
	// Without one of its own, an account's credit limit is the
	// deployment's, or its floor if that is lower.
	a.CreditLimit = min(*s.cfg.DefaultCreditLimit, a.MinBalance)
	if in.CreditLimit != nil {
		a.CreditLimit = *in.CreditLimit
	}
	if in.TrustTier != nil {
		a.TrustTier = *in.TrustTier
	}
	if err := checkProfile(a); err != nil {
		return nil, err
	}
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.Account) error) (*api.Account, error) {
		v := accountView(a)
		if err := encode(v); err != nil {
			return nil, err
		}
		ev := ledger.Event{ID: s.ids.New(coffer.PrefixEvent, now), Type: EventAccountCreated, AccountID: a.ID,
			CreatedAt: now, Data: map[string]any{"name": a.Name, "currency": string(a.Currency), "billing_mode": a.BillingMode}}
		if err := s.store.CreateAccount(ctx, a, []ledger.Event{ev}, rec); err != nil {
			return nil, err
		}
		return v, nil
	})
}

// checkProfile validates the fields a caller may set on an account.
func checkProfile(a *coffer.Account) error {
	if err := checkText("name", a.Name, maxName); err != nil {
		return err
	}
	if err := checkEmail("email", a.Email); err != nil {
		return err
	}
	if err := checkEmails("notification_emails", a.NotificationEmails); err != nil {
		return err
	}
	if a.BillingMode != Prepaid && a.BillingMode != Postpaid {
		return coffer.Invalid("billing_mode", "must be \"prepaid\" or \"postpaid\", got %q", a.BillingMode)
	}
	if a.MinBalance > 0 {
		return coffer.Invalid("min_balance", "must be zero or negative (a negative floor lets the balance run below zero), got %s", a.MinBalance)
	}
	if a.MinBalance < ledger.NoCreditLimit {
		return coffer.Invalid("min_balance", "must be at or above %s, got %s", ledger.NoCreditLimit, a.MinBalance)
	}
	if err := checkCreditLimit(a.CreditLimit, a.MinBalance); err != nil {
		return err
	}
	if a.TrustTier < 0 || a.TrustTier > 100 {
		return coffer.Invalid("trust_tier", "must be between 0 and 100, got %d", a.TrustTier)
	}
	return checkMetadata("", a.Metadata)
}

// checkCreditLimit validates a credit limit against the account's floor.
func checkCreditLimit(limit, minBalance money.Amount) error {
	switch {
	case limit > minBalance:
		return coffer.Invalid("credit_limit", "must be at or below min_balance (%s): it is the lowest balance served usage may reach, and strict debits already stop at min_balance; got %s",
			minBalance, limit)
	case limit < ledger.NoCreditLimit:
		return coffer.Invalid("credit_limit", "must be at or above %s, the deepest limit Coffer keeps, got %s", ledger.NoCreditLimit, limit)
	}
	return nil
}

// GetAccount returns an account the caller may see.
func (s *Service) GetAccount(ctx context.Context, c Call, id string) (*api.Account, error) {
	if err := authorizeID(c.Caller, id, readAccount); err != nil {
		return nil, err
	}
	a, err := s.store.GetAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	return accountView(a), nil
}

// ListAccounts lists accounts, oldest first. Admin only.
func (s *Service) ListAccounts(ctx context.Context, c Call, p store.Page) (*api.List[api.Account], error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	p, err := page(p, coffer.PrefixAccount)
	if err != nil {
		return nil, err
	}
	items, more, err := s.store.ListAccounts(ctx, p)
	if err != nil {
		return nil, err
	}
	return list(items, more, func(a *coffer.Account) api.Account { return *accountView(a) }), nil
}

// UpdateAccount changes an account. Its owner may change the name and
// emails; the floor, trust tier, billing mode and status are the operator's.
func (s *Service) UpdateAccount(ctx context.Context, c Call, id string, in api.AccountUpdate) (*api.Account, error) {
	if err := coffer.CheckID("id", coffer.PrefixAccount, id); err != nil {
		return nil, err
	}
	want := manageAccount
	if in.MinBalance != nil || in.CreditLimit != nil || in.TrustTier != nil || in.BillingMode != nil || in.Status != nil || in.Metadata != nil {
		want = operate
	}
	if err := authorize(c.Caller, id, want); err != nil {
		return nil, err
	}
	if in.Status != nil && *in.Status != string(ledger.StatusActive) && *in.Status != string(ledger.StatusSuspended) {
		return nil, coffer.Invalid("status", "must be \"active\" or \"suspended\" (close an account with POST /v1/accounts/{id}/close), got %q", *in.Status)
	}
	if in.BillingMode != nil && *in.BillingMode == Prepaid {
		// A postpaid account's open period is invoiced before it turns
		// prepaid; a switch to postpaid still ahead is simply cancelled.
		a, err := s.store.GetAccount(ctx, id)
		if err != nil {
			return nil, err
		}
		if a.Status != ledger.StatusClosed && !a.PostpaidSince.IsZero() && !a.PostpaidSince.After(s.now()) {
			if err := s.switchToPrepaid(ctx, a); err != nil {
				return nil, err
			}
		}
	}
	return s.changeAccount(ctx, c, id, func(a *coffer.Account) error {
		if a.Status == ledger.StatusClosed {
			return coffer.Errorf(coffer.EAccountClosed, "account %s is closed and cannot be changed", a.ID)
		}
		if in.BillingMode != nil {
			switch {
			case *in.BillingMode == Postpaid && a.PostpaidSince.IsZero():
				// Takes effect at the next period: this one was begun,
				// and is invoiced, as prepaid.
				_, a.PostpaidSince = invoice.PeriodOf(s.now())
			case *in.BillingMode == Prepaid && !a.PostpaidSince.IsZero():
				if !a.PostpaidSince.After(s.now()) {
					return coffer.Errorf(coffer.EConflict, "account %s became postpaid while its switch to prepaid ran; send the change again", a.ID)
				}
				a.PostpaidSince = time.Time{}
			}
		}
		if in.Name != nil {
			a.Name = strings.TrimSpace(*in.Name)
			if a.Name == "" {
				return coffer.Invalid("name", "must not be empty")
			}
		}
		setIf(&a.Email, in.Email)
		setIf(&a.NotificationEmails, in.NotificationEmails)
		setIf(&a.BillingMode, in.BillingMode)
		setIf(&a.MinBalance, in.MinBalance)
		setIf(&a.CreditLimit, in.CreditLimit)
		setIf(&a.TrustTier, in.TrustTier)
		if in.Status != nil {
			a.Status = ledger.Status(*in.Status)
		}
		if in.Metadata != nil {
			a.Metadata = in.Metadata
		}
		return checkProfile(a)
	})
}

// CloseAccount closes an account for good: nothing moves on it afterwards.
// Admin only. Its remaining value stays on the ledger for reports.
func (s *Service) CloseAccount(ctx context.Context, c Call, id string) (*api.Account, error) {
	if err := coffer.CheckID("id", coffer.PrefixAccount, id); err != nil {
		return nil, err
	}
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	return s.changeAccount(ctx, c, id, func(a *coffer.Account) error {
		if a.Status == ledger.StatusClosed {
			return coffer.Errorf(coffer.EConflict, "account %s is already closed", a.ID)
		}
		a.Status = ledger.StatusClosed
		return nil
	})
}

// changeAccount applies fn to the locked account, idempotently.
func (s *Service) changeAccount(ctx context.Context, c Call, id string, fn func(*coffer.Account) error) (*api.Account, error) {
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.Account) error) (*api.Account, error) {
		var v *api.Account
		_, err := s.store.UpdateAccount(ctx, id, func(a *coffer.Account) error {
			if err := fn(a); err != nil {
				return err
			}
			a.UpdatedAt = s.now()
			v = accountView(a)
			return encode(v)
		}, rec)
		if err != nil {
			return nil, err
		}
		return v, nil
	})
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
