package service

import (
	"context"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
)

// AccountEnrollment is the account's active enrollment, or nil when it is
// in no program. Admin only, as every enrollment route is. The console's
// account page shows it with its end button; the API has no route of its
// own for it (the balance's gift names the program).
func (s *Service) AccountEnrollment(ctx context.Context, c Call, accountID string) (*api.Enrollment, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixAccount, accountID); err != nil {
		return nil, err
	}
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	e, err := s.store.ActiveEnrollment(ctx, accountID)
	if coffer.ErrorCode(err) == coffer.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.enrollmentView(ctx, e)
}
