package ledger

import (
	"slices"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
)

// Status is an account's standing. The type lives in package coffer with
// the account record, which cannot import this package; the rules here
// speak of it under their own name.
type Status = coffer.AccountStatus

// Account statuses.
const (
	StatusActive    = coffer.AccountActive
	StatusSuspended = coffer.AccountSuspended // strict debits and holds refused; served usage still posts
	StatusClosed    = coffer.AccountClosed    // nothing moves any more
)

// Account is what the ledger rules need to know about an account.
type Account struct {
	ID         string
	Currency   money.Currency
	Status     Status
	MinBalance money.Amount // the floor strict debits respect; negative lets the balance run below zero
	// CreditLimit is the lowest balance any usage may reach, served usage
	// and over-captures included: the operator's rail against runaway
	// debt. At or below MinBalance; NoCreditLimit for none to speak of.
	CreditLimit money.Amount
	// AtCreditLimit records that the limit refused usage since value last
	// arrived, so the limit's event is raised once, not per refusal.
	AtCreditLimit bool
	Debt          money.Amount // owed below zero; never negative
	// PostpaidSince is when the account's usage began to be billed
	// afterwards rather than drawn from its credits; zero for a prepaid
	// account. A switch to postpaid takes effect at the next period, so
	// it may lie ahead.
	PostpaidSince time.Time
}

// Postpaid reports whether the account is billed afterwards at now: its
// usage accrues as debt, down to its credit limit, and its credits wait
// for the invoice (ApplyCredits) instead of being consumed as it happens.
func (a *Account) Postpaid(now time.Time) bool {
	return !a.PostpaidSince.IsZero() && !now.Before(a.PostpaidSince)
}

// MaxValue bounds an account's figures: the value of its live lots of one
// asset (its currency, or one unit) together, and the depth of its floor
// and credit limit, are at most one trillion. Every sum the rules compute is then provably within an Amount
// (balance and debt within ±2·MaxValue, held within 2·MaxValue, available
// within ±4·MaxValue, all under the 9.2·10^18 micro-units an int64 holds),
// so a request can never overflow them: a grant past it is refused.
const MaxValue = money.Amount(1_000_000_000_000 * 1_000_000)

// NoCreditLimit is the deepest credit limit an account may have.
const NoCreditLimit = -MaxValue

// State is one account's live ledger: the account, its active lots and its
// active holds. Operations mutate it in place and return an Effect naming
// what changed; an operation that fails leaves it untouched.
//
// A State made by Partial holds only part of the account (partial.go):
// Lots and Holds are then what it loaded, and its totals stand for the
// rest; every figure and rule is the same as if it held everything.
type State struct {
	Account Account
	Lots    []*Lot
	Holds   []*Hold
	// Alerts are the balance alert thresholds (see alerts.go); the store
	// loads them with the state. Nil raises no alert.
	Alerts []money.Amount
	// rest is what a partial state did not load; nil when Lots and Holds
	// are every active lot and hold of the account.
	rest *rest
}

// Env is what an operation may read from the world: the time, and a source
// of fresh ids. Passing them in keeps this package free of I/O and makes
// every test deterministic.
type Env struct {
	Now   time.Time
	NewID func(prefix string) string
}

// LedgerBalance is the balance by status alone: active realtime monetary
// lots minus debt. Stores cache it; `coffer check` verifies the cache. It
// differs from Balance.Balance only while a lot is not yet effective or is
// past expiry but not yet swept.
func (s *State) LedgerBalance() money.Amount {
	var sum money.Amount
	if s.rest != nil {
		sum = s.rest.t.Paid + s.rest.t.Promotional
	}
	for _, l := range s.Lots {
		if l.Status == LotActive && l.Kind == Monetary && l.Application == Realtime {
			sum += l.Remaining
		}
	}
	return sum - s.Account.Debt
}

// spendable is the monetary value debits at now can draw on: usable
// realtime monetary lots minus debt. Every lot a partial state left out is
// usable at the instant it answers for (Load.Others).
func (s *State) spendable(now time.Time) money.Amount {
	var sum money.Amount
	if s.rest != nil {
		sum = s.rest.t.Paid + s.rest.t.Promotional
	}
	for _, l := range s.Lots {
		if l.Kind == Monetary && l.Application == Realtime && l.Usable(now) {
			sum += l.Remaining
		}
	}
	return sum - s.Account.Debt
}

// held is the sum of holds still reserving value at now.
func (s *State) held(now time.Time) money.Amount {
	var sum money.Amount
	if s.rest != nil {
		sum = s.rest.t.Held
	}
	for _, h := range s.Holds {
		if h.Reserving(now) {
			sum += h.Amount
		}
	}
	return sum
}

// available is what a strict debit or a new hold may take at now: down to
// the floor, or for a postpaid account down to its credit limit.
func (s *State) available(now time.Time) money.Amount {
	if s.Account.Postpaid(now) {
		return s.creditRoom(now)
	}
	return s.spendable(now) - s.held(now) - s.Account.MinBalance
}

// creditLimit is the lowest balance usage may reach: the account's credit
// limit, or its floor if that is lower (a limit is never above the floor).
func (s *State) creditLimit() money.Amount {
	return max(NoCreditLimit, min(s.Account.CreditLimit, s.Account.MinBalance))
}

// creditRoom is what served usage may still take at now before the balance,
// less what holds reserve, reaches the credit limit.
func (s *State) creditRoom(now time.Time) money.Amount {
	return s.spendable(now) - s.held(now) - s.creditLimit()
}

// liveValue is the value left in the active lots of one asset: what
// MaxValue bounds.
func (s *State) liveValue(asset string) money.Amount {
	var sum money.Amount
	if r := s.rest; r != nil && asset == string(s.Account.Currency) {
		sum = r.t.Paid + r.t.Promotional + r.t.Gifted
	} else if r != nil {
		for u, v := range r.t.Units {
			if UnitAsset(u) == asset {
				sum += v
			}
		}
	}
	for _, l := range s.Lots {
		if l.Status == LotActive && l.Asset(s.Account.Currency) == asset {
			sum += l.Remaining
		}
	}
	return sum
}

// ExpiringSoonWindow is how far ahead Balance.ExpiringSoon looks.
const ExpiringSoonWindow = 30 * 24 * time.Hour

// Balance is an account's balance as the API reports it.
type Balance struct {
	Currency           money.Currency
	Balance            money.Amount // usable realtime monetary lots minus debt
	Available          money.Amount // Balance - Held - MinBalance (postpaid: - the credit limit)
	Held               money.Amount
	Debt               money.Amount
	MinBalance         money.Amount
	Credits            map[Category]money.Amount // usable realtime monetary value by category
	Units              map[string]money.Amount   // usable unit credits by unit
	ExpiringSoon       money.Amount              // monetary value expiring within 30 days
	GiftedRemaining    money.Amount              // true-up lots not yet applied
	BalanceWithCredits money.Amount              // Balance + GiftedRemaining
	Pending            money.Amount              // credits set against unpaid invoices
	Status             Status
}

// Balance summarises the state at now. A partial state asked for another
// instant than it was loaded for loads the rest of its account first.
func (s *State) Balance(now time.Time) Balance {
	s.mustSettle(now)
	b := Balance{
		Currency:   s.Account.Currency,
		Debt:       s.Account.Debt,
		MinBalance: s.Account.MinBalance,
		Held:       s.held(now),
		Credits:    map[Category]money.Amount{Paid: 0, Promotional: 0},
		Units:      map[string]money.Amount{},
		Status:     s.Account.Status,
	}
	if r := s.rest; r != nil {
		b.Credits[Paid], b.Credits[Promotional], b.GiftedRemaining = r.t.Paid, r.t.Promotional, r.t.Gifted
		b.Balance, b.ExpiringSoon = r.t.Paid+r.t.Promotional, r.soon
		for u, v := range r.t.Units {
			b.Units[u] = v
		}
	}
	for _, l := range s.Lots {
		if !l.Usable(now) {
			continue
		}
		switch {
		case l.Application == TrueUp:
			b.GiftedRemaining += l.Remaining
		case l.Kind == Units:
			b.Units[l.Unit] += l.Remaining
		default:
			b.Credits[l.Category] += l.Remaining
			b.Balance += l.Remaining
			if soon(l, now) {
				b.ExpiringSoon += l.Remaining
			}
		}
	}
	b.Balance -= s.Account.Debt
	b.Available = b.Balance - b.Held - b.MinBalance
	if s.Account.Postpaid(now) {
		b.Available = b.Balance - b.Held - s.creditLimit()
	}
	b.BalanceWithCredits = b.Balance + b.GiftedRemaining
	return b
}

// lot returns the state's lot with the given id, or nil.
func (s *State) lot(id string) *Lot {
	for _, l := range s.Lots {
		if l.ID == id {
			return l
		}
	}
	return nil
}

// hold returns the state's hold with the given id, or nil.
func (s *State) hold(id string) *Hold {
	for _, h := range s.Holds {
		if h.ID == id {
			return h
		}
	}
	return nil
}

// ActiveCopy is what loading the whole account afresh would give: a copy
// of s holding only its active lots and holds, sharing no lot, hold or
// slice with s, so that s may be read (by whoever an operation answered)
// while the copy is changed. A store keeps it between batches. A partial
// state has no such copy: false.
func (s *State) ActiveCopy() (*State, bool) {
	if s.rest != nil {
		return nil, false
	}
	c := &State{Account: s.Account, Alerts: slices.Clone(s.Alerts)}
	for _, l := range s.Lots {
		if l.Status == LotActive {
			x := *l
			c.Lots = append(c.Lots, &x)
		}
	}
	for _, h := range s.Holds {
		if h.Status == HoldActive {
			x := *h
			c.Holds = append(c.Holds, &x)
		}
	}
	return c, true
}
