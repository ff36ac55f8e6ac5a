package service

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// maxHoldTTL bounds how long a hold may reserve value.
const maxHoldTTL = 30 * 24 * time.Hour

// CreateHold reserves part of the available balance. With an event_id it is
// idempotent by that event: a repeat answers with the first hold.
func (s *Service) CreateHold(ctx context.Context, c Call, in api.HoldCreate) (*api.Hold, error) {
	accountID, subID, err := s.usageTarget(ctx, c.Caller, in.AccountID, in.SubaccountID, "")
	if err != nil {
		return nil, err
	}
	if in.Amount <= 0 {
		return nil, coffer.Invalid("amount", "must be greater than zero, got %s", in.Amount)
	}
	ttl, err := time.ParseDuration(in.TTL)
	if err != nil || ttl <= 0 || ttl > maxHoldTTL {
		return nil, coffer.Invalid("ttl", "must be a duration between 1s and 720h, such as \"15m\", got %q", in.TTL)
	}
	if err := checkEventID("event_id", in.EventID, false); err != nil {
		return nil, err
	}
	if err := checkText("description", in.Description, maxText); err != nil {
		return nil, err
	}
	hr := ledger.HoldRequest{Amount: in.Amount, TTL: ttl, EventID: in.EventID, SubaccountID: subID, Description: in.Description}
	r := &committer.Request{AccountID: accountID, Idempotency: idemKey(c), Kind: committer.KindHold,
		Run: func(b *committer.Batch, st *ledger.State) (any, error) {
			if in.EventID != "" {
				if prev := b.Hold(store.EventKey{AccountID: accountID, EventID: in.EventID}); prev != nil {
					if prev.Amount != in.Amount {
						return nil, coffer.Errorf(coffer.EConflict,
							"event %s already has hold %s for %s; a new hold needs a new event_id", in.EventID, prev.ID, prev.Amount)
					}
					return holdView(prev), nil
				}
			}
			e, err := st.PlaceHold(b.Env, hr)
			if err != nil {
				return nil, err
			}
			b.Record(e)
			return holdView(e.Holds[0]), nil
		}}
	if in.EventID != "" {
		r.HoldKey = &store.EventKey{AccountID: accountID, EventID: in.EventID}
	}
	val, err := s.submit(ctx, r)
	return decodeReplay[api.Hold](val, err)
}

// hold loads a hold the caller may use.
func (s *Service) hold(ctx context.Context, c Call, id string) (*ledger.Hold, error) {
	if err := coffer.CheckID("id", coffer.PrefixHold, id); err != nil {
		return nil, err
	}
	h, err := s.store.GetHold(ctx, id)
	if err != nil {
		return nil, err
	}
	err = authorize(c.Caller, h.AccountID, useBalance)
	if err == nil && c.Caller.Role == RoleSubaccount && h.SubaccountID != c.Caller.SubaccountID {
		err = coffer.Errorf(coffer.ENotFound, "hold %s not found", id)
	}
	if coffer.ErrorCode(err) == coffer.ENotFound {
		return nil, coffer.Errorf(coffer.ENotFound, "hold %s not found", id)
	}
	return h, err
}

// GetHold returns a hold.
func (s *Service) GetHold(ctx context.Context, c Call, id string) (*api.Hold, error) {
	h, err := s.hold(ctx, c, id)
	if err != nil {
		return nil, err
	}
	return holdView(h), nil
}

// CaptureHold settles a hold for its final amount, more or less than held.
func (s *Service) CaptureHold(ctx context.Context, c Call, id string, in api.HoldCapture) (*api.Hold, error) {
	if in.Amount < 0 {
		return nil, coffer.Invalid("amount", "must not be negative, got %s", in.Amount)
	}
	return s.finishHold(ctx, c, id, func(b *committer.Batch, st *ledger.State) (*ledger.Effect, error) {
		return st.Capture(b.Env, id, in.Amount, c.Caller.Actor())
	})
}

// ReleaseHold frees a hold without charging.
func (s *Service) ReleaseHold(ctx context.Context, c Call, id string) (*api.Hold, error) {
	return s.finishHold(ctx, c, id, func(b *committer.Batch, st *ledger.State) (*ledger.Effect, error) {
		return st.Release(b.Env, id)
	})
}

func (s *Service) finishHold(ctx context.Context, c Call, id string,
	op func(*committer.Batch, *ledger.State) (*ledger.Effect, error)) (*api.Hold, error) {
	h, err := s.hold(ctx, c, id)
	if err != nil {
		return nil, err
	}
	val, err := s.submit(ctx, &committer.Request{AccountID: h.AccountID, Idempotency: idemKey(c), HoldID: id,
		Run: func(b *committer.Batch, st *ledger.State) (any, error) {
			e, err := op(b, st)
			if coffer.ErrorCode(err) == coffer.ENotFound {
				return nil, coffer.Errorf(coffer.EConflict, "hold %s is %s and can no longer be captured or released", id, h.Status)
			}
			if e != nil {
				b.Record(e) // a refusal may still raise an event (the credit limit's)
			}
			if err != nil {
				return nil, err
			}
			return holdView(e.Holds[len(e.Holds)-1]), nil
		}})
	return decodeReplay[api.Hold](val, err)
}
