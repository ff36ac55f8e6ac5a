package ledger

import (
	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
)

// TxnTrueUp credits a month's usage from a gift (a true_up lot) to the
// balance.
const TxnTrueUp TxnType = "true_up"

// OriginTrueUp is a lot a true-up made: gifted value that reached the
// balance with nothing left to repay.
const OriginTrueUp Origin = "true_up"

// EventGiftExhausted is raised when a true-up uses the last of a gift.
const EventGiftExhausted = "account.credits.gift_exhausted"

// GiftCredit asks ApplyGift to credit a month's usage from a gift.
type GiftCredit struct {
	LotID  string       // the true_up lot
	Amount money.Amount // the month's usage: at most this much is credited
	Month  string       // the month credited, YYYY-MM
	Actor  string
}

// ApplyGift credits up to t.Amount from the gift lot to the balance, at
// most what the gift has left: the gift lot gives it, debt is repaid
// first, and what no debt takes becomes a realtime promotional lot. The
// balance rises by what was credited, which it returns. The credit that
// takes the gift's last value raises account.credits.gift_exhausted. A
// gift with nothing left, or past its expiry, credits nothing.
func (s *State) ApplyGift(env Env, t GiftCredit) (*Effect, money.Amount, error) {
	if err := s.writable(); err != nil {
		return nil, 0, err
	}
	if t.Amount < 0 {
		return nil, 0, coffer.Invalid("amount", "must not be negative")
	}
	if err := s.settle(env.Now); err != nil {
		return nil, 0, err
	}
	gift, err := s.lotByID(t.LotID)
	if err != nil {
		return nil, 0, err
	}
	if gift == nil || gift.Application != TrueUp {
		return nil, 0, coffer.Errorf(coffer.ENotFound, "no gift %s on account %s", t.LotID, s.Account.ID)
	}
	credit := min(t.Amount, gift.Remaining)
	if credit == 0 || !gift.Usable(env.Now) {
		return nil, 0, nil
	}
	before := s.LedgerBalance()
	cur := string(s.Account.Currency)
	gift.Remaining -= credit
	if gift.Remaining == 0 {
		gift.Status = LotDepleted
	}
	txn := s.newTxn(env, TxnTrueUp)
	txn.LotID, txn.Actor, txn.Amount = gift.ID, t.Actor, credit
	txn.Reason = "true-up of " + t.Month + " from gift " + gift.ID
	txn.Metadata = map[string]string{"month": t.Month}
	txn.Postings = []Posting{{Book: BookCustomer, AccountID: s.Account.ID, LotID: gift.ID, Asset: cur, Amount: -credit}}
	effect := &Effect{Txn: txn, Lots: []*Lot{gift}}
	repay := min(credit, s.Account.Debt)
	if repay > 0 {
		s.Account.Debt -= repay
		txn.Postings = append(txn.Postings, Posting{Book: BookReceivables, AccountID: s.Account.ID, Asset: cur, Amount: repay})
	}
	if rest := credit - repay; rest > 0 {
		lot := &Lot{ID: env.NewID(coffer.PrefixLot), AccountID: s.Account.ID, Kind: Monetary, Amount: rest, Remaining: rest,
			Category: Promotional, Priority: gift.Priority, EffectiveAt: env.Now, Application: Realtime, Status: LotActive,
			Origin: OriginTrueUp, Reason: txn.Reason, Actor: t.Actor, CreatedAt: env.Now}
		s.Lots = append(s.Lots, lot)
		effect.Lots = append(effect.Lots, lot)
		txn.Postings = append(txn.Postings, Posting{Book: BookCustomer, AccountID: s.Account.ID, LotID: lot.ID, Asset: cur, Amount: rest})
	}
	s.Account.AtCreditLimit = false // value arrived
	s.finish(env, txn, effect, "", nil)
	if gift.Remaining == 0 {
		effect.Events = append(effect.Events, s.event(env, EventGiftExhausted, map[string]any{
			"lot_id": gift.ID, "original": gift.Amount.String(), "month": t.Month, "transaction_id": txn.ID}))
	}
	s.alerts(env, effect, before)
	return effect, credit, nil
}
