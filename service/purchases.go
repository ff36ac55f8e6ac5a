package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/store"
)

// CreatePurchase buys credit with a payment method. The charge happens
// outside any ledger transaction: the payment is recorded first under a key
// derived from the request's Idempotency-Key, then charged under the
// payment's id, then credited through the committer. A retried request
// finds the payment and answers from it, so it never charges twice; a
// decline changes no balance and answers payment_failed (402).
func (s *Service) CreatePurchase(ctx context.Context, c Call, accountID string, in api.PurchaseCreate) (*api.Payment, error) {
	if err := authorizeID(c.Caller, accountID, manageAccount); err != nil {
		return nil, err
	}
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if a.Status == ledger.StatusClosed {
		return nil, coffer.Errorf(coffer.EAccountClosed, "account %s is closed; it cannot buy credit", a.ID)
	}
	cfg := s.pay.cfg
	if in.Amount < cfg.MinPurchase {
		return nil, coffer.Invalid("amount", "must be at least %s %s, the minimum purchase; got %s", cfg.MinPurchase, a.Currency, in.Amount)
	}
	max, ok := cfg.tierMax(a.TrustTier)
	if !ok {
		return nil, coffer.Invalid("amount", "account %s is in trust tier %d, which may not buy credit; ask the operator to raise its trust tier", a.ID, a.TrustTier)
	}
	if in.Amount > max {
		return nil, coffer.Invalid("amount", "%s %s is more than %s %s, the largest single purchase for trust tier %d; buy less, or ask the operator to raise the account's trust tier",
			in.Amount, a.Currency, max, a.Currency, a.TrustTier)
	}
	m, err := s.chargeableMethod(ctx, a.ID, in.PaymentMethodID, true)
	if err != nil {
		return nil, err
	}
	now := s.now()
	key := s.ids.New(coffer.PrefixPurchaseKey, now)
	if c.IdempotencyKey != "" {
		sum := sha256.Sum256([]byte(c.Caller.KeyID + "\n" + c.IdempotencyKey))
		key = "purchase:" + hex.EncodeToString(sum[:])
	}
	p, created, err := s.store.CreatePayment(ctx, &coffer.Payment{ID: s.ids.New(coffer.PrefixPayment, now), AccountID: a.ID,
		Source: coffer.SourcePurchase, Key: key, RequestHash: c.RequestHash, Status: coffer.PaymentProcessing,
		MethodID: m.ID, Amount: in.Amount, Currency: a.Currency, Actor: c.Caller.Actor(), CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return nil, err
	}
	if !created {
		if p.RequestHash != c.RequestHash {
			return nil, reusedKey(c.IdempotencyKey)
		}
		switch p.Status {
		case coffer.PaymentFailed:
			return nil, declined(p)
		case coffer.PaymentSucceeded, coffer.PaymentPending:
			return paymentView(p), nil
		}
		// Still processing: the first attempt stopped before it recorded
		// the gateway's answer, or is running now. Charging again under
		// the same key returns the same charge.
		if m, err = s.store.GetPaymentMethod(ctx, p.MethodID); err != nil {
			return nil, err
		}
	}
	bal, err := s.balanceOf(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	ch, err := s.charge(ctx, p, m)
	if err != nil {
		return nil, err
	}
	if p, err = s.settle(ctx, p, ch, bal); err != nil {
		return nil, err
	}
	if p.Status == coffer.PaymentFailed {
		return nil, declined(p)
	}
	return paymentView(p), nil
}

// chargeableMethod finds the method to charge: the one named, or the
// account's default. It must belong to the account and be usable.
func (s *Service) chargeableMethod(ctx context.Context, accountID, id string, bankOK bool) (*coffer.PaymentMethod, error) {
	var m *coffer.PaymentMethod
	if id == "" {
		ms, err := s.store.ListPaymentMethods(ctx, accountID)
		if err != nil {
			return nil, err
		}
		for _, x := range ms {
			if x.Default {
				m = x
			}
		}
		if m == nil {
			return nil, coffer.Invalid("payment_method_id", "is required: account %s has no default payment method", accountID)
		}
	} else {
		if err := coffer.CheckID("payment_method_id", coffer.PrefixPaymentMethod, id); err != nil {
			return nil, err
		}
		var err error
		m, err = s.store.GetPaymentMethod(ctx, id)
		if coffer.ErrorCode(err) == coffer.ENotFound || (err == nil && (m.AccountID != accountID || m.Status == coffer.MethodRemoved)) {
			e := coffer.Errorf(coffer.ENotFound, "payment method %s not found on account %s", id, accountID)
			e.Param = "payment_method_id"
			return nil, e
		}
		if err != nil {
			return nil, err
		}
	}
	switch m.Status {
	case coffer.MethodUnverified:
		return nil, coffer.Errorf(coffer.EConflict, "bank account %s is not verified yet: confirm it with the 6-digit code of its deposit (POST /v1/payment_methods/%s/verify)", m.ID, m.ID)
	case coffer.MethodLocked:
		return nil, coffer.Errorf(coffer.EConflict, "bank account %s is locked after 3 wrong verification codes; remove it and add it again", m.ID)
	}
	if !bankOK && m.Type == payments.USBankAccount {
		return nil, coffer.Invalid("payment_method_id", "%s is a bank account, whose debits take days to settle; auto-recharge needs a card or PayPal", m.ID)
	}
	return m, nil
}

// ListPurchases lists an account's purchases, oldest first; with source
// "" every payment (purchases, auto-recharges and scheduled debits).
func (s *Service) ListPurchases(ctx context.Context, c Call, accountID, source string, p store.Page) (*api.List[api.Payment], error) {
	if err := authorizeID(c.Caller, accountID, readAccount); err != nil {
		return nil, err
	}
	if err := oneOf("source", source, string(coffer.SourcePurchase), string(coffer.SourceAutoRecharge), string(coffer.SourceSchedule), string(coffer.SourceInvoice)); err != nil {
		return nil, err
	}
	pg, err := page(p, coffer.PrefixPayment)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	items, more, err := s.store.ListPayments(ctx, accountID, coffer.PaymentSource(source), pg)
	if err != nil {
		return nil, err
	}
	return list(items, more, func(p *coffer.Payment) api.Payment { return *paymentView(p) }), nil
}

// GetPayment returns a payment the caller may see.
func (s *Service) GetPayment(ctx context.Context, c Call, id string) (*api.Payment, error) {
	if err := coffer.CheckID("id", coffer.PrefixPayment, id); err != nil {
		return nil, err
	}
	p, err := s.store.GetPayment(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := authorize(c.Caller, p.AccountID, readAccount); err != nil {
		if coffer.ErrorCode(err) == coffer.ENotFound {
			return nil, coffer.Errorf(coffer.ENotFound, "payment %s not found", id)
		}
		return nil, err
	}
	return paymentView(p), nil
}
