package service

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/store"
)

// maxVerifyAttempts is how many wrong codes lock a bank account.
const maxVerifyAttempts = 3

func methodView(m *coffer.PaymentMethod) *api.PaymentMethod {
	v := &api.PaymentMethod{ID: m.ID, Object: "payment_method", AccountID: m.AccountID, Type: m.Type, Status: string(m.Status),
		Default: m.Default, Brand: m.Brand, Last4: m.Last4, Email: m.Email, AccountHolderName: m.Holder, CreatedAt: m.CreatedAt}
	if m.Status == coffer.MethodUnverified {
		v.VerificationTriesLeft = maxVerifyAttempts - m.VerifyAttempts
	}
	return v
}

// AddPaymentMethod sets up a card, PayPal account or bank account with the
// gateway and keeps its token. A bank account starts unverified. The first
// usable method becomes the default.
func (s *Service) AddPaymentMethod(ctx context.Context, c Call, accountID string, in api.PaymentMethodCreate) (*api.PaymentMethod, error) {
	if err := authorizeID(c.Caller, accountID, manageAccount); err != nil {
		return nil, err
	}
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if a.Status == ledger.StatusClosed {
		return nil, coffer.Errorf(coffer.EAccountClosed, "account %s is closed", a.ID)
	}
	holder := strings.TrimSpace(in.AccountHolderName)
	if err := checkMethodFields(in); err != nil {
		return nil, err
	}
	if in.Type == payments.USBankAccount && holder == "" && in.Token == "" {
		return nil, coffer.Invalid("account_holder_name", "is required for a bank account")
	}
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.PaymentMethod) error) (*api.PaymentMethod, error) {
		gm, err := s.pay.gw.SetupMethod(ctx, payments.MethodSetup{Type: in.Type, CardNumber: in.CardNumber, ExpMonth: in.ExpMonth,
			ExpYear: in.ExpYear, CVC: in.CVC, PayPalEmail: in.PayPalEmail, RoutingNumber: in.RoutingNumber,
			AccountNumber: in.AccountNumber, AccountHolder: holder, Token: in.Token})
		var inv *payments.InvalidMethodError
		if errors.As(err, &inv) {
			return nil, coffer.Invalid(inv.Param, "%s", inv.Message)
		}
		if err != nil {
			s.log.WarnContext(ctx, "payment gateway error", "op", "setup", "err", err)
			return nil, coffer.Errorf(coffer.EGatewayUnavailable, "the payment gateway did not answer; the method was not added. Retry in a moment")
		}
		now := s.now()
		m := &coffer.PaymentMethod{ID: s.ids.New(coffer.PrefixPaymentMethod, now), AccountID: a.ID, Type: in.Type,
			Status: coffer.MethodActive, Gateway: s.pay.gw.Name(), Token: gm.Token, Brand: gm.Brand, Last4: gm.Last4,
			Email: gm.Email, Holder: holder, CreatedAt: now, UpdatedAt: now}
		if gm.NeedsVerification {
			m.Status = coffer.MethodUnverified
		}
		m.Default = in.Default && m.Status == coffer.MethodActive
		if !m.Default && m.Status == coffer.MethodActive {
			m.Default, err = s.noDefault(ctx, a.ID)
			if err != nil {
				return nil, err
			}
		}
		v := methodView(m)
		if err := encode(v); err != nil {
			return nil, err
		}
		if err := s.store.CreatePaymentMethod(ctx, m, rec); err != nil {
			return nil, err
		}
		return v, nil
	})
}

// noDefault reports whether the account has no default method yet.
func (s *Service) noDefault(ctx context.Context, accountID string) (bool, error) {
	ms, err := s.store.ListPaymentMethods(ctx, accountID)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if m.Default {
			return false, nil
		}
	}
	return true, nil
}

// ListPaymentMethods lists an account's methods.
func (s *Service) ListPaymentMethods(ctx context.Context, c Call, accountID string) (*api.List[api.PaymentMethod], error) {
	if err := authorizeID(c.Caller, accountID, readAccount); err != nil {
		return nil, err
	}
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	ms, err := s.store.ListPaymentMethods(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return list(ms, false, func(m *coffer.PaymentMethod) api.PaymentMethod { return *methodView(m) }), nil
}

// method loads a payment method the caller may act on.
func (s *Service) method(ctx context.Context, c Call, id string, want access) (*coffer.PaymentMethod, error) {
	if err := coffer.CheckID("id", coffer.PrefixPaymentMethod, id); err != nil {
		return nil, err
	}
	m, err := s.store.GetPaymentMethod(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := authorize(c.Caller, m.AccountID, want); err != nil || m.Status == coffer.MethodRemoved {
		if err == nil || coffer.ErrorCode(err) == coffer.ENotFound {
			return nil, coffer.Errorf(coffer.ENotFound, "payment method %s not found", id)
		}
		return nil, err
	}
	return m, nil
}

// GetPaymentMethod returns a payment method.
func (s *Service) GetPaymentMethod(ctx context.Context, c Call, id string) (*api.PaymentMethod, error) {
	m, err := s.method(ctx, c, id, readAccount)
	if err != nil {
		return nil, err
	}
	return methodView(m), nil
}

// VerifyPaymentMethod confirms a bank account with the 6-digit code of its
// verification deposit. A wrong code says how many tries are left; the
// third wrong one locks the account's method for good.
func (s *Service) VerifyPaymentMethod(ctx context.Context, c Call, id string, in api.PaymentMethodVerify) (*api.PaymentMethod, error) {
	m, err := s.method(ctx, c, id, manageAccount)
	if err != nil {
		return nil, err
	}
	code := strings.TrimSpace(in.Code)
	// The sandbox's codes are 6 digits; Stripe's descriptor codes are 6
	// characters starting with SM.
	if len(code) != 6 || strings.Trim(strings.ToUpper(code), "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return nil, coffer.Invalid("code", "must be the 6-character code shown with the deposit, got %q", in.Code)
	}
	if err := methodVerifiable(m); err != nil {
		return nil, err
	}
	gerr := s.pay.gw.Verify(ctx, m.Token, code)
	if gerr != nil && !errors.Is(gerr, payments.ErrWrongCode) {
		s.log.WarnContext(ctx, "payment gateway error", "op", "verify", "err", gerr)
		return nil, coffer.Errorf(coffer.EGatewayUnavailable, "the payment gateway did not answer; nothing changed. Retry in a moment")
	}
	// Read before the write transaction, never inside it: a transaction
	// waiting on the pool for a second connection could starve it.
	firstUsable, err := s.noDefault(ctx, m.AccountID)
	if err != nil {
		return nil, err
	}
	var refusal error
	m, err = s.store.UpdatePaymentMethod(ctx, id, func(m *coffer.PaymentMethod) error {
		if err := methodVerifiable(m); err != nil {
			return err
		}
		m.UpdatedAt = s.now()
		if gerr == nil {
			m.Status, m.Default = coffer.MethodActive, firstUsable
			return nil
		}
		m.VerifyAttempts++
		if left := maxVerifyAttempts - m.VerifyAttempts; left > 0 {
			refusal = coffer.Invalid("code", "does not match the code of the deposit to bank account %s; %d tries left", m.ID, left)
		} else {
			m.Status = coffer.MethodLocked
			refusal = coffer.Errorf(coffer.EConflict, "wrong code for the third time: bank account %s is locked. Remove it and add it again", m.ID)
		}
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	return methodView(m), nil
}

func methodVerifiable(m *coffer.PaymentMethod) error {
	switch m.Status {
	case coffer.MethodActive:
		if m.Type != payments.USBankAccount {
			return coffer.Errorf(coffer.EConflict, "payment method %s is a %s; only bank accounts are verified", m.ID, m.Type)
		}
		return coffer.Errorf(coffer.EConflict, "bank account %s is already verified", m.ID)
	case coffer.MethodLocked:
		return coffer.Errorf(coffer.EConflict, "bank account %s is locked after %d wrong codes; remove it and add it again", m.ID, maxVerifyAttempts)
	}
	return nil
}

// SetDefaultPaymentMethod makes a usable method the account's default.
func (s *Service) SetDefaultPaymentMethod(ctx context.Context, c Call, id string) (*api.PaymentMethod, error) {
	if _, err := s.method(ctx, c, id, manageAccount); err != nil {
		return nil, err
	}
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.PaymentMethod) error) (*api.PaymentMethod, error) {
		var v *api.PaymentMethod
		_, err := s.store.UpdatePaymentMethod(ctx, id, func(m *coffer.PaymentMethod) error {
			if m.Status != coffer.MethodActive {
				return coffer.Errorf(coffer.EConflict, "payment method %s is %s; only a usable method can be the default", m.ID, m.Status)
			}
			m.Default, m.UpdatedAt = true, s.now()
			v = methodView(m)
			return encode(v)
		}, rec)
		return v, err
	})
}

// RemovePaymentMethod removes a method. The one auto-recharge charges, or
// that a schedule debits, must be replaced there first.
func (s *Service) RemovePaymentMethod(ctx context.Context, c Call, id string) (*api.PaymentMethod, error) {
	m, err := s.method(ctx, c, id, manageAccount)
	if err != nil {
		return nil, err
	}
	if ar, err := s.store.GetAutoRecharge(ctx, m.AccountID); err == nil && ar.Enabled && ar.MethodID == id {
		return nil, coffer.Errorf(coffer.EConflict, "payment method %s is the one auto-recharge charges; choose another there first (PUT /v1/accounts/%s/auto_recharge)", id, m.AccountID)
	}
	scheds, err := s.store.ListSchedules(ctx, m.AccountID)
	if err != nil {
		return nil, err
	}
	for _, sc := range scheds {
		if sc.Status == coffer.ScheduleActive && sc.MethodID == id {
			return nil, coffer.Errorf(coffer.EConflict, "payment method %s is debited by schedule %s; cancel the schedule first", id, sc.ID)
		}
	}
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.PaymentMethod) error) (*api.PaymentMethod, error) {
		var v *api.PaymentMethod
		_, err := s.store.UpdatePaymentMethod(ctx, id, func(m *coffer.PaymentMethod) error {
			m.Status, m.Default, m.UpdatedAt = coffer.MethodRemoved, false, s.now()
			v = methodView(m)
			return encode(v)
		}, rec)
		return v, err
	})
}

// SandboxVerificationCode reveals the 6-digit code the sandbox's deposit to
// a bank account carried, standing in for the customer's bank statement.
// Admin only, and only with the sandbox gateway.
func (s *Service) SandboxVerificationCode(ctx context.Context, c Call, id string) (*api.VerificationCode, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	sb, ok := s.pay.gw.(*payments.Sandbox)
	if !ok {
		return nil, coffer.Errorf(coffer.ENotFound, "verification codes are revealed only by the sandbox gateway; this server uses %s", s.pay.gw.Name())
	}
	m, err := s.method(ctx, c, id, readAccount)
	if err != nil {
		return nil, err
	}
	code, err := sb.VerificationCode(m.Token)
	if err != nil {
		return nil, coffer.Errorf(coffer.EConflict, "payment method %s is a %s; only bank accounts have a verification code", m.ID, m.Type)
	}
	return &api.VerificationCode{Object: "verification_code", PaymentMethodID: m.ID, Code: code}, nil
}

// checkMethodFields refuses text longer than any real card, account or
// token, and the fields of another type of method: a bank account sent
// with a card number is a mistake the caller should hear about, not
// details that are silently dropped.
func checkMethodFields(in api.PaymentMethodCreate) error {
	fields := []struct {
		name, value string
		max         int
		types       []string // the types the field goes with; nil for every type
	}{
		{"card_number", in.CardNumber, 32, []string{payments.Card}},
		{"cvc", in.CVC, 8, []string{payments.Card}},
		{"paypal_email", in.PayPalEmail, maxName, []string{payments.PayPal}},
		{"routing_number", in.RoutingNumber, 32, []string{payments.USBankAccount}},
		{"account_number", in.AccountNumber, 32, []string{payments.USBankAccount}},
		{"account_holder_name", in.AccountHolderName, maxName, nil},
		{"token", in.Token, maxEventID, nil},
	}
	for _, f := range fields {
		if f.value == "" {
			continue
		}
		if f.types != nil && !slices.Contains(f.types, in.Type) {
			return coffer.Invalid(f.name, "goes with type %s, not %s", strings.Join(f.types, " or "), in.Type)
		}
		if err := checkText(f.name, f.value, f.max); err != nil {
			return err
		}
	}
	if in.Type != payments.Card && (in.ExpMonth != 0 || in.ExpYear != 0) {
		param := "exp_month"
		if in.ExpMonth == 0 {
			param = "exp_year"
		}
		return coffer.Invalid(param, "goes with type card, not %s", in.Type)
	}
	return nil
}
