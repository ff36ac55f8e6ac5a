package ledger

import (
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
)

// HoldRequest asks to reserve Amount for TTL.
type HoldRequest struct {
	Amount       money.Amount
	TTL          time.Duration
	EventID      string
	SubaccountID string
	Description  string
}

// PlaceHold reserves value without touching any lot. Like a strict debit, it
// is refused whole when the amount exceeds what is available.
func (s *State) PlaceHold(env Env, r HoldRequest) (*Effect, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	if err := s.settle(env.Now); err != nil {
		return nil, err
	}
	if s.Account.Status == StatusSuspended {
		return nil, coffer.Errorf(coffer.EAccountSuspended,
			"account %s is suspended: holds are refused until a payment succeeds", s.Account.ID)
	}
	if r.Amount <= 0 {
		return nil, coffer.Invalid("amount", "must be greater than zero")
	}
	if r.TTL <= 0 {
		return nil, coffer.Invalid("ttl", "must be a positive duration such as \"15m\"")
	}
	if room := s.creditRoom(env.Now); s.Account.Postpaid(env.Now) && r.Amount > room {
		return nil, s.limitReached(env, r.Amount, room)
	}
	if avail := s.available(env.Now); r.Amount > avail {
		return nil, s.refuse(env, "amount", "a hold of %s is more than the %s available", r.Amount, avail)
	}
	h := &Hold{
		ID: env.NewID(coffer.PrefixHold), AccountID: s.Account.ID, SubaccountID: r.SubaccountID,
		EventID: r.EventID, Description: r.Description, Amount: r.Amount, Status: HoldActive,
		ExpiresAt: env.Now.Add(r.TTL), CreatedAt: env.Now,
	}
	s.Holds = append(s.Holds, h)
	return &Effect{Holds: []*Hold{h}}, nil
}

// liveHold finds an active hold that is still within its TTL.
func (s *State) liveHold(env Env, id string) (*Hold, error) {
	if err := s.settle(env.Now); err != nil {
		return nil, err
	}
	h, err := s.holdByID(id)
	if err != nil {
		return nil, err
	}
	if h == nil || h.Status != HoldActive {
		return nil, coffer.Errorf(coffer.ENotFound, "no active hold %s on account %s", id, s.Account.ID)
	}
	if !h.Reserving(env.Now) {
		return nil, coffer.Errorf(coffer.EConflict, "hold %s expired at %s", id, h.ExpiresAt.Format(time.RFC3339))
	}
	return h, nil
}

// Capture settles a hold for its final amount, which may be more or less
// than was held. The work has been done, so capture is never refused for
// want of balance: like served usage it may run into debt.
func (s *State) Capture(env Env, holdID string, amount money.Amount, actor string) (*Effect, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	h, err := s.liveHold(env, holdID)
	if err != nil {
		return nil, err
	}
	if amount < 0 {
		return nil, coffer.Invalid("amount", "must not be negative")
	}
	d := Debit{EventID: h.EventID, Amount: amount, AllowNegative: true, SubaccountID: h.SubaccountID,
		HoldID: h.ID, Description: h.Description, Actor: actor}
	// The hold stops reserving before the plan, so its own amount is spendable.
	h.Status, h.Captured, h.FinishedAt = HoldCaptured, amount, env.Now
	p, err := s.plan(env, d)
	if err != nil {
		// Refused (the credit limit): the hold stays as it was, for the
		// gateway to capture less or release.
		h.Status, h.Captured, h.FinishedAt = HoldActive, 0, time.Time{}
		return s.refused(env, err), err
	}
	effect := s.apply(env, TxnCapture, d, p)
	h.TxnID = effect.Txn.ID
	effect.Holds = append(effect.Holds, h)
	s.dropHold(h)
	return effect, nil
}

// Release frees a hold without charging anything.
func (s *State) Release(env Env, holdID string) (*Effect, error) {
	h, err := s.liveHold(env, holdID)
	if err != nil {
		return nil, err
	}
	h.Status, h.FinishedAt = HoldReleased, env.Now
	s.dropHold(h)
	return &Effect{Holds: []*Hold{h}}, nil
}

// dropHold removes a finished hold from the live state.
func (s *State) dropHold(h *Hold) {
	if s.rest != nil {
		s.rest.done = append(s.rest.done, h.ID)
	}
	for i, x := range s.Holds {
		if x == h {
			s.Holds = append(s.Holds[:i], s.Holds[i+1:]...)
			return
		}
	}
}
