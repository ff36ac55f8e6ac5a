package ledger

import (
	"errors"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
)

// Debit is a request to consume value for usage. It names either a monetary
// Amount, or a Unit with a Quantity and an optional UnitPrice that prices any
// shortfall of unit credits in money.
type Debit struct {
	EventID       string
	Amount        money.Amount
	Unit          string
	Quantity      money.Amount
	UnitPrice     money.Amount
	AllowNegative bool // usage already served: never refused, may run into debt
	SubaccountID  string
	HoldID        string // set when a capture settles a hold (AllowNegative is then set too)
	Description   string
	Metadata      map[string]string
	Actor         string
}

// plan is how a debit will be met, worked out before anything changes so a
// refused debit leaves no trace.
type plan struct {
	unitTake  []take
	moneyTake []take
	money     money.Amount // the monetary amount owed (after unit credits)
	debt      money.Amount // the part of money no lot covers
}

type take struct {
	lot    *Lot
	amount money.Amount
}

// Debit consumes value in the order DESIGN.md fixes: unit lots of the
// debit's unit; then the shortfall, priced at the unit price, from realtime
// monetary lots in consumption order; then debt down to the floor. A strict
// debit that would cross the floor is refused whole.
func (s *State) Debit(env Env, d Debit) (*Effect, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	if err := s.settle(env.Now); err != nil {
		return nil, err
	}
	if !d.AllowNegative && s.Account.Status == StatusSuspended {
		return nil, coffer.Errorf(coffer.EAccountSuspended,
			"account %s is suspended: strict debits are refused until a payment succeeds", s.Account.ID)
	}
	// A negative figure would put value back into lots; the API refuses it
	// first, but the core must never let Remaining rise.
	switch {
	case d.Amount < 0:
		return nil, coffer.Invalid("amount", "must not be negative")
	case d.Quantity < 0:
		return nil, coffer.Invalid("quantity", "must not be negative")
	case d.UnitPrice < 0:
		return nil, coffer.Invalid("unit_price", "must not be negative")
	}
	p, err := s.plan(env, d)
	if err != nil {
		return s.refused(env, err), err
	}
	return s.apply(env, TxnDebit, d, p), nil
}

// plan works out which lots a debit takes, or refuses it.
func (s *State) plan(env Env, d Debit) (plan, error) {
	var p plan
	p.money = d.Amount
	if d.Unit != "" {
		left := d.Quantity
		lots, err := s.queue(env.Now, d.Unit, left, nil)
		if err != nil {
			return p, err
		}
		for _, l := range lots {
			if left == 0 {
				break
			}
			n := min(left, l.Remaining)
			p.unitTake = append(p.unitTake, take{l, n})
			left -= n
		}
		if left > 0 && d.UnitPrice == 0 && d.AllowNegative {
			return p, coffer.Invalid("unit_price", "is required on an allow_negative debit: %s %s are not covered by unit credits and must be charged in money", left, d.Unit)
		}
		if left > 0 && d.UnitPrice == 0 {
			return p, s.refuse(env, "unit", "%s %s of unit credits are short and the debit has no unit_price to charge the rest in money",
				left, d.Unit)
		}
		m, err := money.Mul(left, d.UnitPrice)
		if err != nil {
			return p, coffer.Invalid("quantity", "times unit_price is out of range")
		}
		p.money = m
	}
	if s.Account.Postpaid(env.Now) {
		// Billed afterwards: the money part accrues as debt, down to the
		// credit limit, strict or not; the invoice applies the credits.
		p.debt = p.money
		if room := s.creditRoom(env.Now); p.money > 0 && p.money > room {
			return p, s.limitReached(env, p.money, room)
		}
		return p, nil
	}
	// Only the money part can cross the floor: a debit that unit credits
	// cover in full goes through even while the balance is below it.
	if avail := s.available(env.Now); !d.AllowNegative && p.money > 0 && p.money > avail {
		return p, s.refuse(env, "amount", "%s is more than the %s available", p.money, avail)
	}
	left := p.money
	lots, err := s.queue(env.Now, "", left, nil)
	if err != nil {
		return p, err
	}
	for _, l := range lots {
		if left == 0 {
			break
		}
		n := min(left, l.Remaining)
		p.moneyTake = append(p.moneyTake, take{l, n})
		left -= n
	}
	p.debt = left
	if d.AllowNegative && p.debt > 0 {
		if room := s.creditRoom(env.Now); p.money > room {
			return p, s.limitReached(env, p.money, room)
		}
	}
	return p, nil
}

// limitReached builds the credit_limit_reached refusal.
func (s *State) limitReached(env Env, amount, room money.Amount) error {
	e := coffer.Errorf(coffer.ECreditLimitReached,
		"credit limit reached: %s would take the balance below the account's credit limit of %s (%s of room left)",
		amount, s.creditLimit(), max(room, 0))
	e.Param = "amount"
	e.Details = map[string]string{"amount": amount.String(), "credit_limit": s.creditLimit().String(), "room": max(room, 0).String(),
		"balance": s.spendable(env.Now).String(), "currency": string(s.Account.Currency)}
	return e
}

// refused is the effect a refusal leaves: nothing, except that the credit
// limit's first refusal marks the account and raises its event, so the
// operator hears of it once (the only refusal that changes the state).
func (s *State) refused(env Env, err error) *Effect {
	if coffer.ErrorCode(err) != coffer.ECreditLimitReached || s.Account.AtCreditLimit {
		return nil
	}
	s.Account.AtCreditLimit = true
	var ce *coffer.Error
	errors.As(err, &ce)
	data := map[string]any{"credit_limit": ce.Details["credit_limit"], "balance": ce.Details["balance"],
		"refused_amount": ce.Details["amount"]}
	return &Effect{Events: []Event{s.event(env, EventCreditLimit, data)}}
}

// refuse builds the insufficient_balance error, carrying the available
// amount so the gateway can tell the customer how much is left.
func (s *State) refuse(env Env, param, format string, args ...any) error {
	e := coffer.Errorf(coffer.EInsufficientBalance, "insufficient balance: "+format, args...)
	e.Param = param
	e.Details = map[string]string{"available": s.available(env.Now).String(), "currency": string(s.Account.Currency)}
	return e
}

// apply carries out a plan as one transaction.
func (s *State) apply(env Env, typ TxnType, d Debit, p plan) *Effect {
	before := s.LedgerBalance()
	txn := s.newTxn(env, typ)
	txn.EventID, txn.SubaccountID, txn.HoldID = d.EventID, d.SubaccountID, d.HoldID
	txn.Unit, txn.Quantity, txn.UnitPrice = d.Unit, d.Quantity, d.UnitPrice
	txn.Description, txn.Metadata, txn.Actor = d.Description, d.Metadata, d.Actor
	txn.Amount = -p.money
	effect := &Effect{Txn: txn}
	consume := func(takes []take, asset string) {
		var total money.Amount
		for _, t := range takes {
			t.lot.Remaining -= t.amount
			if t.lot.Remaining == 0 {
				t.lot.Status = LotDepleted
			}
			total += t.amount
			effect.Lots = append(effect.Lots, t.lot)
			txn.Postings = append(txn.Postings, Posting{Book: BookCustomer, AccountID: s.Account.ID,
				LotID: t.lot.ID, Asset: asset, Amount: -t.amount})
		}
		if total != 0 {
			txn.Postings = append(txn.Postings, Posting{Book: BookRevenue, Asset: asset, Amount: total})
		}
	}
	consume(p.unitTake, UnitAsset(d.Unit))
	consume(p.moneyTake, string(s.Account.Currency))
	if p.debt > 0 {
		cur := string(s.Account.Currency)
		// Bounded: the credit limit and MaxValue keep debt within 2·MaxValue.
		s.Account.Debt += p.debt
		txn.Postings = append(txn.Postings,
			Posting{Book: BookReceivables, AccountID: s.Account.ID, Asset: cur, Amount: -p.debt},
			Posting{Book: BookRevenue, Asset: cur, Amount: p.debt})
	}
	s.finish(env, txn, effect, "", nil)
	s.depletion(env, effect, before)
	return effect
}
