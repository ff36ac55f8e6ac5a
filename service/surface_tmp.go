package service

// TEMPORARY: signatures for the HTTP layer to build against while the
// implementations land. Each moves to its own file.

import (
	"context"
	"errors"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/store"
)

var errNotYet = errors.New("not implemented yet")

type committer struct{}

// Authenticate resolves a bearer API key.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*Caller, error) { return nil, errNotYet }

// AuthenticateSubaccount resolves HTTP Basic credentials of a subaccount.
func (s *Service) AuthenticateSubaccount(ctx context.Context, authID, token string) (*Caller, error) {
	return nil, errNotYet
}

func (s *Service) CreateAccount(ctx context.Context, c Call, in api.AccountCreate) (*api.Account, error) {
	return nil, errNotYet
}
func (s *Service) GetAccount(ctx context.Context, c Call, id string) (*api.Account, error) {
	return nil, errNotYet
}
func (s *Service) ListAccounts(ctx context.Context, c Call, p store.Page) (*api.List[api.Account], error) {
	return nil, errNotYet
}
func (s *Service) UpdateAccount(ctx context.Context, c Call, id string, in api.AccountUpdate) (*api.Account, error) {
	return nil, errNotYet
}
func (s *Service) CloseAccount(ctx context.Context, c Call, id string) (*api.Account, error) {
	return nil, errNotYet
}
func (s *Service) CreateSubaccount(ctx context.Context, c Call, accountID string, in api.SubaccountCreate) (*api.Subaccount, error) {
	return nil, errNotYet
}
func (s *Service) ListSubaccounts(ctx context.Context, c Call, accountID string, p store.Page) (*api.List[api.Subaccount], error) {
	return nil, errNotYet
}
func (s *Service) GetSubaccount(ctx context.Context, c Call, id string) (*api.Subaccount, error) {
	return nil, errNotYet
}
func (s *Service) UpdateSubaccount(ctx context.Context, c Call, id string, in api.SubaccountUpdate) (*api.Subaccount, error) {
	return nil, errNotYet
}
func (s *Service) DeleteSubaccount(ctx context.Context, c Call, id string) (*api.Subaccount, error) {
	return nil, errNotYet
}
func (s *Service) CreateGrant(ctx context.Context, c Call, accountID string, in api.GrantCreate) (*api.Grant, error) {
	return nil, errNotYet
}
func (s *Service) ListGrants(ctx context.Context, c Call, accountID string, f store.LotFilter) (*api.List[api.Grant], error) {
	return nil, errNotYet
}
func (s *Service) GetGrant(ctx context.Context, c Call, id string) (*api.Grant, error) {
	return nil, errNotYet
}
func (s *Service) VoidGrant(ctx context.Context, c Call, id string, in api.GrantVoid) (*api.Grant, error) {
	return nil, errNotYet
}
func (s *Service) Debit(ctx context.Context, c Call, in api.DebitCreate) (*api.Debit, error) {
	return nil, errNotYet
}
func (s *Service) DebitBatch(ctx context.Context, c Call, in api.DebitBatch) (*api.DebitBatchResult, error) {
	return nil, errNotYet
}
func (s *Service) CreateHold(ctx context.Context, c Call, in api.HoldCreate) (*api.Hold, error) {
	return nil, errNotYet
}
func (s *Service) GetHold(ctx context.Context, c Call, id string) (*api.Hold, error) {
	return nil, errNotYet
}
func (s *Service) CaptureHold(ctx context.Context, c Call, id string, in api.HoldCapture) (*api.Hold, error) {
	return nil, errNotYet
}
func (s *Service) ReleaseHold(ctx context.Context, c Call, id string) (*api.Hold, error) {
	return nil, errNotYet
}

// Balance answers GET /v1/accounts/{id}/balance; at, when set, asks for the
// balance as of a past instant.
func (s *Service) Balance(ctx context.Context, c Call, accountID string, at *time.Time) (*api.Balance, error) {
	return nil, errNotYet
}
func (s *Service) Transactions(ctx context.Context, c Call, accountID string, f store.TxnFilter) (*api.List[api.Transaction], error) {
	return nil, errNotYet
}

// AdvanceClock moves the test clock and runs the work that fell due. It
// fails with ENotFound when the server has no test clock.
func (s *Service) AdvanceClock(ctx context.Context, c Call, in api.ClockAdvance) (*api.Clock, error) {
	return nil, errNotYet
}
