package service

import (
	"context"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
)

// RechargeProgram is the gifted-credit program that drives an account's
// auto-recharge while its gift lasts: the threshold and target are the
// program's, and a failed charge climbs the program's levels instead of
// the threshold's ladder.
type RechargeProgram struct {
	ProgramID string
	// PaymentMethodRequiredAt is the balance at which, after a failed
	// charge, the owner is asked for a valid payment method; SuspendAt
	// the balance at which a further failure suspends the account.
	PaymentMethodRequiredAt money.Amount
	SuspendAt               money.Amount
}

// AutoRechargeProgram returns the program whose levels the account's
// auto-recharge follows, or nil when it follows the owner's own settings.
// It is authorized as GET /v1/accounts/{id}/auto_recharge is, whose
// settings it explains: the API's view says locked, this says why.
func (s *Service) AutoRechargeProgram(ctx context.Context, c Call, accountID string) (*RechargeProgram, error) {
	if err := authorizeID(c.Caller, accountID, readAccount); err != nil {
		return nil, err
	}
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	ar, err := s.store.GetAutoRecharge(ctx, accountID)
	if coffer.ErrorCode(err) == coffer.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if ar.ProgramID == "" {
		return nil, nil
	}
	return &RechargeProgram{ProgramID: ar.ProgramID, PaymentMethodRequiredAt: ar.PaymentMethodRequiredAt, SuspendAt: ar.SuspendAt}, nil
}
