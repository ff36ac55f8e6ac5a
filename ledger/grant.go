package ledger

import (
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
)

// Grant is a request to add a lot of value to an account.
type Grant struct {
	Kind        Kind
	Unit        string
	Amount      money.Amount
	Category    Category
	Priority    int
	EffectiveAt time.Time // zero: now
	ExpiresAt   time.Time // zero: never
	Application Application
	Origin      Origin
	Reason      string
	Actor       string
	Metadata    map[string]string
}

// source is the system book a new lot's value comes from.
func (g *Grant) source() Book {
	if g.Category == Paid {
		return BookPayments
	}
	return BookPromotional
}

// Grant adds a lot. A realtime monetary lot that takes effect now repays any
// debt first (the delayed-billing case): the lot records its full amount and
// only the rest remains to spend.
func (s *State) Grant(env Env, g Grant) (*Effect, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	if err := s.settle(env.Now); err != nil {
		return nil, err
	}
	if g.Amount <= 0 {
		return nil, coffer.Invalid("amount", "must be greater than zero")
	}
	if g.Application == TrueUp && g.Kind != Monetary {
		// Gifted credit is money applied against last month's usage; a gift of
		// units would be counted into gifted_remaining as if it were money.
		return nil, coffer.Invalid("application", "true_up applies only to monetary credits")
	}
	effective := g.EffectiveAt
	if effective.IsZero() || effective.Before(env.Now) {
		effective = env.Now
	}
	if !g.ExpiresAt.IsZero() && !g.ExpiresAt.After(effective) {
		return nil, coffer.Invalid("expires_at", "must be after the grant takes effect (%s)", effective.Format(time.RFC3339))
	}
	asset := UnitAsset(g.Unit)
	if g.Kind == Monetary {
		asset = string(s.Account.Currency)
	}
	if live := s.liveValue(asset); g.Amount > MaxValue-live {
		return nil, coffer.Invalid("amount", "would take the account's live credit past %s, the most one account may hold of a currency or unit (it holds %s)",
			MaxValue, live)
	}
	lot := &Lot{
		ID: env.NewID(coffer.PrefixLot), AccountID: s.Account.ID,
		Kind: g.Kind, Unit: g.Unit, Amount: g.Amount, Remaining: g.Amount,
		Category: g.Category, Priority: g.Priority,
		EffectiveAt: effective, ExpiresAt: g.ExpiresAt,
		Application: g.Application, Status: LotActive, Origin: g.Origin,
		Reason: g.Reason, Actor: g.Actor, CreatedAt: env.Now,
	}
	txn := s.newTxn(env, TxnGrant)
	txn.LotID, txn.Actor, txn.Reason, txn.Metadata = lot.ID, g.Actor, g.Reason, g.Metadata
	txn.Postings = []Posting{
		{Book: g.source(), Asset: asset, Amount: -g.Amount},
		{Book: BookCustomer, AccountID: s.Account.ID, LotID: lot.ID, Asset: asset, Amount: g.Amount},
	}
	s.Lots = append(s.Lots, lot)
	effect := &Effect{Txn: txn, Lots: []*Lot{lot}}
	// A postpaid account's debt is its usage awaiting the invoice, which
	// applies its credits in consumption order; only the invoice's own
	// payment repays it as it arrives.
	repays := !s.Account.Postpaid(env.Now) || g.Origin == OriginInvoice
	if repays && lot.Kind == Monetary && lot.Application == Realtime && !effective.After(env.Now) && s.Account.Debt > 0 {
		repay := min(s.Account.Debt, lot.Remaining)
		lot.Remaining -= repay
		s.Account.Debt -= repay
		txn.Postings = append(txn.Postings,
			Posting{Book: BookCustomer, AccountID: s.Account.ID, LotID: lot.ID, Asset: asset, Amount: -repay},
			Posting{Book: BookReceivables, AccountID: s.Account.ID, Asset: asset, Amount: repay})
		if lot.Remaining == 0 {
			lot.Status = LotDepleted
		}
	}
	if lot.Kind == Monetary && lot.Application == Realtime {
		txn.Amount = g.Amount
		if !effective.After(env.Now) {
			// Value arrived: a later refusal by the limit is news again.
			s.Account.AtCreditLimit = false
		}
	}
	if lot.Kind == Units {
		txn.Unit, txn.Quantity = lot.Unit, g.Amount
	}
	s.finish(env, txn, effect, EventGranted, map[string]any{"lot_id": lot.ID, "amount": g.Amount.String(),
		"kind": string(g.Kind), "unit": g.Unit, "category": string(g.Category), "reason": g.Reason})
	return effect, nil
}

// writable refuses any change to a closed account.
func (s *State) writable() error {
	if s.Account.Status == StatusClosed {
		return coffer.Errorf(coffer.EAccountClosed, "account %s is closed", s.Account.ID)
	}
	return nil
}

// newTxn starts a transaction on the account.
func (s *State) newTxn(env Env, typ TxnType) *Txn {
	return &Txn{ID: env.NewID(coffer.PrefixTxn), AccountID: s.Account.ID, Type: typ, CreatedAt: env.Now}
}

// finish seals a transaction: it records the balance after, checks that the
// postings balance (a failure here is a bug in this package, so it panics
// rather than write a broken ledger), and raises the event.
func (s *State) finish(env Env, txn *Txn, effect *Effect, eventType string, data map[string]any) {
	if !txn.balanced() {
		panic("ledger: unbalanced transaction " + txn.ID)
	}
	txn.BalanceAfter = s.LedgerBalance()
	if eventType != "" {
		data["transaction_id"] = txn.ID
		data["balance"] = txn.BalanceAfter.String()
		effect.Events = append(effect.Events, s.event(env, eventType, data))
	}
}

// event builds an event on the account.
func (s *State) event(env Env, typ string, data map[string]any) Event {
	return Event{ID: env.NewID(coffer.PrefixEvent), Type: typ, AccountID: s.Account.ID, Data: data, CreatedAt: env.Now}
}

// depletion raises balance_depleted when an operation took the balance from
// above zero to zero or below, then any balance alert it crossed.
func (s *State) depletion(env Env, effect *Effect, before money.Amount) {
	after := s.LedgerBalance()
	if before > 0 && after <= 0 {
		effect.Events = append(effect.Events, s.event(env, EventDepleted, map[string]any{
			"balance": after.String(), "min_balance": s.Account.MinBalance.String()}))
	}
	s.alerts(env, effect, before)
}
