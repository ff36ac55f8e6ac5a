package service

import (
	"context"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/store"
)

// CreateSubaccount adds a subaccount to an account. The answer carries the
// auth token, once: only its hash is kept.
func (s *Service) CreateSubaccount(ctx context.Context, c Call, accountID string, in api.SubaccountCreate) (*api.Subaccount, error) {
	if err := authorizeID(c.Caller, accountID, manageAccount); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return nil, coffer.Invalid("name", "is required")
	}
	if err := checkText("name", name, maxName); err != nil {
		return nil, err
	}
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.Subaccount) error) (*api.Subaccount, error) {
		a, err := s.store.GetAccount(ctx, accountID)
		if err != nil {
			return nil, err
		}
		if a.Status == "closed" {
			return nil, coffer.Errorf(coffer.EAccountClosed, "account %s is closed", a.ID)
		}
		now := s.now()
		authID, token := newAuthPair()
		sub := &coffer.Subaccount{ID: s.ids.New(coffer.PrefixSubaccount, now), AccountID: accountID, Name: name,
			Enabled: true, AuthID: authID, TokenHash: hashSecret(token), CreatedAt: now, UpdatedAt: now}
		v := subaccountView(sub)
		v.AuthToken = token
		// A replay must not hand the token out again: store the answer
		// without it.
		stored := *v
		stored.AuthToken = ""
		if err := encode(&stored); err != nil {
			return nil, err
		}
		if err := s.store.CreateSubaccount(ctx, sub, rec); err != nil {
			return nil, err
		}
		return v, nil
	})
}

// ListSubaccounts lists an account's subaccounts, deleted ones left out.
func (s *Service) ListSubaccounts(ctx context.Context, c Call, accountID string, p store.Page) (*api.List[api.Subaccount], error) {
	if err := authorizeID(c.Caller, accountID, readAccount); err != nil {
		return nil, err
	}
	p, err := page(p, coffer.PrefixSubaccount)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	items, more, err := s.store.ListSubaccounts(ctx, accountID, p)
	if err != nil {
		return nil, err
	}
	return list(items, more, func(x *coffer.Subaccount) api.Subaccount { return *subaccountView(x) }), nil
}

// subaccount loads a subaccount the caller may see with the given access.
func (s *Service) subaccount(ctx context.Context, c Call, id string, want access) (*coffer.Subaccount, error) {
	if err := coffer.CheckID("id", coffer.PrefixSubaccount, id); err != nil {
		return nil, err
	}
	sub, err := s.store.GetSubaccount(ctx, id)
	if err != nil {
		return nil, err
	}
	if sub.Deleted {
		return nil, coffer.Errorf(coffer.ENotFound, "subaccount %s not found", id)
	}
	if err := authorize(c.Caller, sub.AccountID, want); err != nil {
		if coffer.ErrorCode(err) == coffer.ENotFound {
			return nil, coffer.Errorf(coffer.ENotFound, "subaccount %s not found", id)
		}
		return nil, err
	}
	return sub, nil
}

// GetSubaccount returns a subaccount.
func (s *Service) GetSubaccount(ctx context.Context, c Call, id string) (*api.Subaccount, error) {
	sub, err := s.subaccount(ctx, c, id, readAccount)
	if err != nil {
		return nil, err
	}
	return subaccountView(sub), nil
}

// UpdateSubaccount renames, enables or disables a subaccount.
func (s *Service) UpdateSubaccount(ctx context.Context, c Call, id string, in api.SubaccountUpdate) (*api.Subaccount, error) {
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if n == "" {
			return nil, coffer.Invalid("name", "must not be empty")
		}
		if err := checkText("name", n, maxName); err != nil {
			return nil, err
		}
		in.Name = &n
	}
	return s.changeSubaccount(ctx, c, id, func(sub *coffer.Subaccount) {
		setIf(&sub.Name, in.Name)
		setIf(&sub.Enabled, in.Enabled)
	})
}

// DeleteSubaccount deletes a subaccount: its credentials stop working at
// once; its past usage stays in the history, tagged with its id.
func (s *Service) DeleteSubaccount(ctx context.Context, c Call, id string) (*api.Subaccount, error) {
	return s.changeSubaccount(ctx, c, id, func(sub *coffer.Subaccount) {
		sub.Deleted, sub.Enabled = true, false
	})
}

func (s *Service) changeSubaccount(ctx context.Context, c Call, id string, fn func(*coffer.Subaccount)) (*api.Subaccount, error) {
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.Subaccount) error) (*api.Subaccount, error) {
		if _, err := s.subaccount(ctx, c, id, manageAccount); err != nil {
			return nil, err
		}
		var v *api.Subaccount
		_, err := s.store.UpdateSubaccount(ctx, id, func(sub *coffer.Subaccount) error {
			if sub.Deleted {
				return coffer.Errorf(coffer.ENotFound, "subaccount %s not found", id)
			}
			fn(sub)
			sub.UpdatedAt = s.now()
			v = subaccountView(sub)
			return encode(v)
		}, rec)
		if err != nil {
			return nil, err
		}
		return v, nil
	})
}
