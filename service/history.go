package service

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// Balance answers an account's balance now, or as of a past instant. A
// past balance is answered from the ledger's postings, so it is exact for
// any instant however much has happened since.
func (s *Service) Balance(ctx context.Context, c Call, accountID string, at *time.Time) (*api.Balance, error) {
	if err := authorizeID(c.Caller, accountID, readBalance); err != nil {
		return nil, err
	}
	now := s.now()
	if at != nil && at.After(now) {
		return nil, coffer.Invalid("at", "is in the future (%s); a balance can be read only as of now or the past", at.Format(time.RFC3339))
	}
	when := now
	if at != nil {
		when = at.UTC()
	}
	b, err := s.balanceAt(ctx, accountID, when, at == nil)
	if err != nil {
		return nil, err
	}
	if b.Pending, err = s.pending(ctx, accountID, at); err != nil {
		return nil, err
	}
	v := balanceView(accountID, b, when)
	if v.Gift, err = s.gift(ctx, accountID, b.GiftedRemaining); err != nil {
		return nil, err
	}
	return v, nil
}

// balanceAt reads the account's balance at when: the present as the hot
// path loads a large account (its first lots and its totals), so that
// the read costs the same at any number of lots and holds; a past
// instant from the postings.
func (s *Service) balanceAt(ctx context.Context, accountID string, when time.Time, present bool) (ledger.Balance, error) {
	if present {
		return s.store.LoadBalance(ctx, accountID, when)
	}
	st, err := s.store.StateAt(ctx, accountID, when)
	if err != nil {
		return ledger.Balance{}, err
	}
	return st.Balance(when), nil
}

// Transactions lists an account's history, newest first.
func (s *Service) Transactions(ctx context.Context, c Call, accountID string, f store.TxnFilter) (*api.List[api.Transaction], error) {
	if err := authorizeID(c.Caller, accountID, readAccount); err != nil {
		return nil, err
	}
	var err error
	if f.Page, err = page(f.Page, coffer.PrefixTxn); err != nil {
		return nil, err
	}
	for _, t := range f.Types {
		if err := oneOf("type", string(t), "grant", "debit", "capture", "void", "expire", "invoice_credit", "invoice_void", "true_up"); err != nil {
			return nil, err
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, coffer.Invalid("from", "must be before to")
	}
	if f.SubaccountID != "" {
		if err := coffer.CheckID("subaccount_id", coffer.PrefixSubaccount, f.SubaccountID); err != nil {
			return nil, err
		}
	}
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	items, more, err := s.store.ListTxns(ctx, accountID, f)
	if err != nil {
		return nil, err
	}
	return list(items, more, func(t *ledger.Txn) api.Transaction { return txnView(t, a.Currency) }), nil
}
