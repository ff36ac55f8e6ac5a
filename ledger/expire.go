package ledger

import (
	"slices"
	"strings"

	"github.com/cofferdev/coffer"
)

// Void withdraws a lot's remaining value to breakage. What was consumed stays
// consumed; a voided or expired lot cannot be voided again.
func (s *State) Void(env Env, lotID, reason, actor string) (*Effect, error) {
	if reason == "" {
		return nil, coffer.Invalid("reason", "is required: say why the credit is voided")
	}
	if err := s.settle(env.Now); err != nil {
		return nil, err
	}
	l, err := s.lotByID(lotID)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, coffer.Errorf(coffer.ENotFound, "no grant %s on account %s", lotID, s.Account.ID)
	}
	if l.Status == LotVoided || l.Status == LotExpired {
		return nil, coffer.Errorf(coffer.EConflict, "grant %s is already %s", lotID, l.Status)
	}
	effect := s.withdraw(env, l, TxnVoid, LotVoided, EventVoided)
	effect.Txn.Actor, effect.Txn.Reason = actor, reason
	effect.Events[0].Data["reason"] = reason
	return effect, nil
}

// Expire writes an expire transaction for every active lot past its expiry
// and marks every hold past its TTL expired. It returns one effect per lot
// or hold, and nothing when nothing is due. A partial state holds every
// lot and hold due at the instant it was loaded for (Load.Others).
func (s *State) Expire(env Env) []*Effect {
	s.mustSettle(env.Now)
	var out []*Effect
	// In id order, which is creation order: the order of the effects
	// does not depend on the order the lots and holds were loaded in.
	var lots []*Lot
	for _, l := range s.Lots {
		if l.Status == LotActive && l.Expired(env.Now) {
			lots = append(lots, l)
		}
	}
	slices.SortStableFunc(lots, func(a, b *Lot) int { return strings.Compare(a.ID, b.ID) })
	for _, l := range lots {
		out = append(out, s.withdraw(env, l, TxnExpire, LotExpired, EventExpired))
	}
	var holds []*Hold
	for _, h := range s.Holds {
		if h.Status == HoldActive && !h.Reserving(env.Now) {
			holds = append(holds, h)
		}
	}
	slices.SortStableFunc(holds, func(a, b *Hold) int { return strings.Compare(a.ID, b.ID) })
	for _, h := range holds {
		h.Status, h.FinishedAt = HoldExpired, env.Now
		s.dropHold(h)
		out = append(out, &Effect{Holds: []*Hold{h}})
	}
	return out
}

// withdraw moves a lot's remaining value to breakage and gives it a final
// status.
func (s *State) withdraw(env Env, l *Lot, typ TxnType, status LotStatus, eventType string) *Effect {
	before := s.LedgerBalance()
	left := l.Remaining
	l.Remaining, l.Status = 0, status
	asset := l.Asset(s.Account.Currency)
	txn := s.newTxn(env, typ)
	txn.LotID = l.ID
	if l.Kind == Monetary && l.Application == Realtime {
		txn.Amount = -left
	}
	if l.Kind == Units {
		txn.Unit, txn.Quantity = l.Unit, -left
	}
	if left != 0 {
		txn.Postings = []Posting{
			{Book: BookCustomer, AccountID: s.Account.ID, LotID: l.ID, Asset: asset, Amount: -left},
			{Book: BookBreakage, Asset: asset, Amount: left},
		}
	}
	effect := &Effect{Txn: txn, Lots: []*Lot{l}}
	s.finish(env, txn, effect, eventType, map[string]any{"lot_id": l.ID, "amount": left.String(),
		"kind": string(l.Kind), "unit": l.Unit})
	s.depletion(env, effect, before)
	return effect
}
