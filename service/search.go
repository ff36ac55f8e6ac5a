package service

import (
	"context"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/store"
)

// SearchAccounts lists the accounts that match a search, oldest first:
// the console's accounts list. Admin only.
func (s *Service) SearchAccounts(ctx context.Context, c Call, f store.AccountFilter) (*api.List[api.Account], error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	var err error
	if f.Page, err = page(f.Page, coffer.PrefixAccount); err != nil {
		return nil, err
	}
	if err := oneOf("status", string(f.Status), "active", "suspended", "closed"); err != nil {
		return nil, err
	}
	if err := checkText("q", f.Query, maxName); err != nil {
		return nil, err
	}
	items, more, err := s.store.SearchAccounts(ctx, f)
	if err != nil {
		return nil, err
	}
	return list(items, more, func(a *coffer.Account) api.Account { return *accountView(a) }), nil
}
