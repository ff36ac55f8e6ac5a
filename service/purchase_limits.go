package service

import (
	"context"

	"github.com/cofferdev/coffer/money"
)

// PurchaseLimits is what one purchase of an account may be, as
// CreatePurchase checks it: at least the deployment's minimum, at most
// its trust tier's maximum. A page shows them before anything is sent.
type PurchaseLimits struct {
	AccountID string
	Currency  string
	TrustTier int
	Min       money.Amount
	// Max is the largest single purchase; zero when CanBuy is false.
	Max money.Amount
	// CanBuy is false for a trust tier below every configured one, which
	// may not buy credit at all.
	CanBuy bool
}

// PurchaseLimits returns the smallest and largest purchase the account
// may make now. It is authorized as POST /v1/accounts/{id}/purchases is:
// whoever may buy credit for the account may read what a purchase may be.
func (s *Service) PurchaseLimits(ctx context.Context, c Call, accountID string) (*PurchaseLimits, error) {
	if err := authorizeID(c.Caller, accountID, manageAccount); err != nil {
		return nil, err
	}
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	l := &PurchaseLimits{AccountID: a.ID, Currency: string(a.Currency), TrustTier: a.TrustTier, Min: s.pay.cfg.MinPurchase}
	l.Max, l.CanBuy = s.pay.cfg.tierMax(a.TrustTier)
	return l, nil
}
