package ledger

import (
	"cmp"
	"time"

	"github.com/cofferdev/coffer/money"
)

// Kind says what a lot holds: money in the account's currency, or a count of
// a named usage unit.
type Kind string

// Lot kinds.
const (
	Monetary Kind = "monetary"
	Units    Kind = "units"
)

// Category says whether value was paid for or given.
type Category string

// Lot categories. Promotional value is consumed before paid value of the same
// priority and expiry, so the customer keeps what they paid for longest.
const (
	Paid        Category = "paid"
	Promotional Category = "promotional"
)

// Application says when a lot's value reaches the balance.
type Application string

// Lot applications.
const (
	Realtime Application = "realtime" // consumed by debits as they happen
	TrueUp   Application = "true_up"  // gifted; applied against last month's usage by a program
)

// LotStatus is a lot's life-cycle state.
type LotStatus string

// Lot statuses. Only active lots are ever consumed or expired.
const (
	LotActive   LotStatus = "active"
	LotDepleted LotStatus = "depleted"
	LotExpired  LotStatus = "expired"
	LotVoided   LotStatus = "voided"
)

// Origin records what made a lot.
type Origin string

// Lot origins.
const (
	OriginGrant    Origin = "grant"
	OriginPurchase Origin = "purchase"
	OriginRecharge Origin = "recharge"
	OriginRefund   Origin = "refund"
	// OriginInvoice is the payment of an invoice: it repays the debt the
	// invoice billed, on a postpaid account too.
	OriginInvoice Origin = "invoice"
)

// DefaultPriority is the priority of a lot made without one.
const DefaultPriority = 50

// Lot is one addition of value to an account (a credit block). Remaining
// only ever falls; a lot is never edited otherwise.
type Lot struct {
	ID          string
	AccountID   string
	Kind        Kind
	Unit        string // the unit name for Units lots, empty for Monetary
	Amount      money.Amount
	Remaining   money.Amount
	Category    Category
	Priority    int
	EffectiveAt time.Time
	ExpiresAt   time.Time // zero: never expires
	Application Application
	Status      LotStatus
	Origin      Origin
	Reason      string
	Actor       string
	CreatedAt   time.Time
}

// Asset is the name of the thing the lot holds in postings: the currency code,
// or "unit:" and the unit name.
func (l *Lot) Asset(currency money.Currency) string {
	if l.Kind == Units {
		return UnitAsset(l.Unit)
	}
	return string(currency)
}

// UnitAsset is the posting asset for a usage unit.
func UnitAsset(unit string) string { return "unit:" + unit }

// Expired reports whether the lot is past its expiry at now. A lot expires
// at the instant of ExpiresAt: at that moment it is no longer consumable.
func (l *Lot) Expired(now time.Time) bool {
	return !l.ExpiresAt.IsZero() && !now.Before(l.ExpiresAt)
}

// Usable reports whether a debit at now may consume the lot: it is active,
// has value left, has taken effect and has not expired — whether or not the
// expiry sweep has run yet.
func (l *Lot) Usable(now time.Time) bool {
	return l.Status == LotActive && l.Remaining > 0 &&
		!now.Before(l.EffectiveAt) && !l.Expired(now)
}

// ConsumptionOrder sorts lots in the order a debit consumes them: lower
// priority first, then soonest expiry (never-expiring last), then
// promotional before paid, then oldest, then by id so the order is total.
func ConsumptionOrder(a, b *Lot) int {
	if c := cmp.Compare(a.Priority, b.Priority); c != 0 {
		return c
	}
	switch {
	case a.ExpiresAt.IsZero() && !b.ExpiresAt.IsZero():
		return 1
	case !a.ExpiresAt.IsZero() && b.ExpiresAt.IsZero():
		return -1
	}
	if c := a.ExpiresAt.Compare(b.ExpiresAt); c != 0 {
		return c
	}
	if a.Category != b.Category {
		if a.Category == Promotional {
			return -1
		}
		return 1
	}
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}
