package service

import (
	"context"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// CreateGrant adds credit to an account: money in its currency or a count
// of a usage unit. Admin only. It goes through the committer like every
// change of value, so it repays debt and orders with concurrent debits.
func (s *Service) CreateGrant(ctx context.Context, c Call, accountID string, in api.GrantCreate) (*api.Grant, error) {
	if err := authorizeID(c.Caller, accountID, operate); err != nil {
		return nil, err
	}
	g, err := grantRequest(in, c.Caller.Actor())
	if err != nil {
		return nil, err
	}
	val, err := s.submit(ctx, &committer.Request{AccountID: accountID, Idempotency: idemKey(c),
		Run: func(b *committer.Batch, st *ledger.State) (any, error) {
			if in.Currency != "" && g.Kind == ledger.Monetary {
				cur, err := money.ParseCurrency(in.Currency)
				if err != nil {
					return nil, coffer.Invalid("currency", "%s", err)
				}
				if cur != st.Account.Currency {
					return nil, coffer.Invalid("currency", "is %s but account %s holds %s; a monetary grant must be in the account's currency",
						cur, st.Account.ID, st.Account.Currency)
				}
			}
			e, err := st.Grant(b.Env, g)
			if err != nil {
				return nil, err
			}
			b.Record(e)
			return grantView(e.Lots[0]), nil
		}})
	return decodeReplay[api.Grant](val, err)
}

// grantRequest validates a grant's body and fills in its defaults.
func grantRequest(in api.GrantCreate, actor string) (ledger.Grant, error) {
	g := ledger.Grant{Kind: ledger.Kind(in.Kind), Unit: in.Unit, Amount: in.Amount,
		Category: ledger.Category(in.Category), Priority: defaultPriority,
		Application: ledger.Application(in.Application), Origin: ledger.OriginGrant,
		Reason: strings.TrimSpace(in.Reason), Actor: actor, Metadata: in.Metadata}
	if g.Kind == "" {
		g.Kind = ledger.Monetary
	}
	switch g.Kind {
	case ledger.Monetary:
		if g.Unit != "" {
			return g, coffer.Invalid("unit", "applies only to kind \"units\"; a monetary grant is in the account's currency")
		}
	case ledger.Units:
		if g.Unit == "" {
			return g, coffer.Invalid("unit", "is required for kind \"units\" (as \"api_call\")")
		}
		if err := checkUnit("unit", g.Unit); err != nil {
			return g, err
		}
		if in.Currency != "" {
			return g, coffer.Invalid("currency", "applies only to monetary grants")
		}
	default:
		return g, coffer.Invalid("kind", "must be \"monetary\" or \"units\", got %q", in.Kind)
	}
	if g.Amount <= 0 {
		return g, coffer.Invalid("amount", "must be greater than zero, got %s", g.Amount)
	}
	if g.Category == "" {
		g.Category = ledger.Promotional
	}
	if g.Category != ledger.Promotional && g.Category != ledger.Paid {
		return g, coffer.Invalid("category", "must be \"promotional\" or \"paid\", got %q", in.Category)
	}
	if in.Priority != nil {
		g.Priority = *in.Priority
		if g.Priority < 0 || g.Priority > maxPriority {
			return g, coffer.Invalid("priority", "must be between 0 and %d (lower is consumed first), got %d", maxPriority, g.Priority)
		}
	}
	if g.Application == "" {
		g.Application = ledger.Realtime
	}
	if g.Application != ledger.Realtime && g.Application != ledger.TrueUp {
		return g, coffer.Invalid("application", "must be \"realtime\" or \"true_up\", got %q", in.Application)
	}
	if g.Application == ledger.TrueUp && g.Kind != ledger.Monetary {
		return g, coffer.Invalid("application", "\"true_up\" applies only to monetary grants")
	}
	if in.EffectiveAt != nil {
		g.EffectiveAt = in.EffectiveAt.UTC()
	}
	if in.ExpiresAt != nil {
		g.ExpiresAt = in.ExpiresAt.UTC()
	}
	if err := checkText("reason", g.Reason, maxText); err != nil {
		return g, err
	}
	return g, checkMetadata("", g.Metadata)
}

// ListGrants lists an account's grants, oldest first.
func (s *Service) ListGrants(ctx context.Context, c Call, accountID string, f store.LotFilter) (*api.List[api.Grant], error) {
	if err := authorizeID(c.Caller, accountID, readAccount); err != nil {
		return nil, err
	}
	var err error
	if f.Page, err = page(f.Page, coffer.PrefixLot); err != nil {
		return nil, err
	}
	if err := oneOf("kind", string(f.Kind), "monetary", "units"); err != nil {
		return nil, err
	}
	if err := oneOf("category", string(f.Category), "paid", "promotional"); err != nil {
		return nil, err
	}
	if err := oneOf("status", string(f.Status), "active", "depleted", "expired", "voided"); err != nil {
		return nil, err
	}
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	items, more, err := s.store.ListLots(ctx, accountID, f)
	if err != nil {
		return nil, err
	}
	return list(items, more, func(l *ledger.Lot) api.Grant { return *grantView(l) }), nil
}

// oneOf checks an optional filter value against its allowed values.
func oneOf(param, v string, allowed ...string) error {
	if v == "" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return coffer.Invalid(param, "must be one of %s, got %q", strings.Join(allowed, ", "), v)
}

// grant loads a grant the caller may see.
func (s *Service) grant(ctx context.Context, c Call, id string, want access) (*ledger.Lot, error) {
	if err := coffer.CheckID("id", coffer.PrefixLot, id); err != nil {
		return nil, err
	}
	l, err := s.store.GetLot(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := authorize(c.Caller, l.AccountID, want); err != nil {
		if coffer.ErrorCode(err) == coffer.ENotFound {
			return nil, coffer.Errorf(coffer.ENotFound, "grant %s not found", id)
		}
		return nil, err
	}
	return l, nil
}

// GetGrant returns a grant.
func (s *Service) GetGrant(ctx context.Context, c Call, id string) (*api.Grant, error) {
	l, err := s.grant(ctx, c, id, readAccount)
	if err != nil {
		return nil, err
	}
	return grantView(l), nil
}

// VoidGrant withdraws what remains of a grant. Admin only; a reason is
// required and recorded.
func (s *Service) VoidGrant(ctx context.Context, c Call, id string, in api.GrantVoid) (*api.Grant, error) {
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return nil, coffer.Invalid("reason", "is required: say why the credit is voided")
	}
	if err := checkText("reason", reason, maxText); err != nil {
		return nil, err
	}
	l, err := s.grant(ctx, c, id, operate)
	if err != nil {
		return nil, err
	}
	val, err := s.submit(ctx, &committer.Request{AccountID: l.AccountID, Idempotency: idemKey(c),
		Run: func(b *committer.Batch, st *ledger.State) (any, error) {
			e, err := st.Void(b.Env, id, reason, c.Caller.Actor())
			if coffer.ErrorCode(err) == coffer.ENotFound {
				// Only active lots are live; say why this one is not.
				return nil, coffer.Errorf(coffer.EConflict, "grant %s is %s: nothing remains to void", id, l.Status)
			}
			if err != nil {
				return nil, err
			}
			b.Record(e)
			return grantView(e.Lots[0]), nil
		}})
	return decodeReplay[api.Grant](val, err)
}
