// Package invoice is the pure core of invoicing: calendar-month periods,
// the invoice record and its states, and how an invoice's lines and totals
// are made from the ledger's transactions of its period. Like package
// ledger it does no I/O and reads no clock: the service streams a period's
// transactions into a Tally and hands the result to the committer, which
// applies the credits and writes the invoice in one store transaction.
package invoice

import (
	"fmt"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// Status is where an invoice stands.
type Status string

// Invoice statuses. A draft is the open period, computed when asked and
// never stored; every stored invoice was finalized.
const (
	Draft         Status = "draft"
	Finalized     Status = "finalized"      // amount due, awaiting payment
	Paid          Status = "paid"           // nothing left due
	PaymentFailed Status = "payment_failed" // a charge failed; retrying
	Void          Status = "void"           // cancelled; its credits returned
)

// Unpaid reports whether the status leaves money due.
func (s Status) Unpaid() bool { return s == Finalized || s == PaymentFailed }

// Mode is how the account was billed in the period.
type Mode string

// Billing modes.
const (
	Prepaid  Mode = "prepaid"  // usage drew on the balance as it happened: a statement
	Postpaid Mode = "postpaid" // usage accrued as debt: a bill
)

// LineKind says what a line is and whether it counts in the totals.
type LineKind string

// Line kinds. Usage and prepaid lines make the subtotal; credit lines make
// credits_applied; the others report the period's activity and count in no
// total.
const (
	LineUsage    LineKind = "usage"    // usage of one unit (or money) by one subaccount (or the account itself)
	LinePrepaid  LineKind = "prepaid"  // the part of usage the prepaid balance paid as it happened (negative)
	LineCredit   LineKind = "credit"   // credits applied to the invoice (negative)
	LinePurchase LineKind = "purchase" // credit bought in the period (purchases, auto-recharges, scheduled debits)
	LineGrant    LineKind = "grant"    // credit granted in the period, money or units
	LinePayment  LineKind = "payment"  // payments of invoices received in the period
	LineTrueUp   LineKind = "true_up"  // gifted credit a program's true-up applied in the period
	LineDebt     LineKind = "debt"     // what earlier invoices still bill at the close
)

// Counted reports whether the line kind counts in a total.
func (k LineKind) Counted() bool {
	return k == LineUsage || k == LinePrepaid || k == LineCredit
}

// Line is one line of an invoice.
type Line struct {
	Kind         LineKind
	Description  string
	Unit         string       // the usage unit; empty for money
	Quantity     money.Amount // units used or granted; zero for money
	Amount       money.Amount // in the invoice's currency
	SubaccountID string       // the subaccount whose usage it is; empty for the account's own
	LotID        string       // the grant a credit line applied
}

// Subaccount is one subaccount's share of the period's usage.
type Subaccount struct {
	SubaccountID string // empty for the account's own usage
	Amount       money.Amount
}

// Invoice is one account's bill or statement for one period. Once
// finalized only its payment fields and status change.
type Invoice struct {
	ID          string
	Number      string // INV-000123, assigned at finalization, gap-free
	AccountID   string
	Currency    money.Currency
	Mode        Mode
	PeriodStart time.Time
	PeriodEnd   time.Time // exclusive
	Status      Status

	Lines       []Line
	Subaccounts []Subaccount
	// Credits are the lots' shares the close applied, with each lot as it
	// was, so that a void can give them back on the same terms.
	Credits []ledger.Applied

	Subtotal       money.Amount // usage lines plus prepaid line
	CreditsApplied money.Amount // minus the credit lines
	AmountDue      money.Amount // Subtotal - CreditsApplied
	AmountPaid     money.Amount

	// Payment: the attempts so far, when the next one is due, the last
	// payment tried and why it failed.
	Attempts      int
	NextAttemptAt time.Time
	PaymentID     string
	FailureCode   string
	FailureReason string
	// Suspended records that this invoice's last failed retry suspended
	// the account, so its payment lifts the suspension.
	Suspended bool

	// DebtAtEnd is the account's debt at PeriodEnd, where the next
	// period's close starts counting.
	DebtAtEnd money.Amount
	// ViewToken lets whoever has the invoice's link read its page
	// without an API key.
	ViewToken string
	// Reversed records that a void's ledger transaction was written: a
	// void invoice not yet reversed is finished by voiding it again.
	Reversed bool

	FinalizedAt time.Time
	PaidAt      time.Time
	VoidedAt    time.Time
	VoidReason  string
	UpdatedAt   time.Time
}

// FormatNumber renders an invoice's sequence number.
func FormatNumber(seq int64) string { return fmt.Sprintf("INV-%06d", seq) }

// Check reports the first way the invoice's totals disagree with its
// lines, or "" if they agree: `coffer check` runs it on every invoice.
func (inv *Invoice) Check() string {
	var sub, credits money.Amount
	for _, l := range inv.Lines {
		switch l.Kind {
		case LineUsage, LinePrepaid:
			sub += l.Amount
		case LineCredit:
			credits -= l.Amount
		}
	}
	switch {
	case sub != inv.Subtotal:
		return fmt.Sprintf("subtotal %s, its usage and prepaid lines sum to %s", inv.Subtotal, sub)
	case credits != inv.CreditsApplied:
		return fmt.Sprintf("credits applied %s, its credit lines sum to %s", inv.CreditsApplied, -credits)
	case inv.AmountDue != inv.Subtotal-inv.CreditsApplied:
		return fmt.Sprintf("amount due %s is not subtotal %s less credits %s", inv.AmountDue, inv.Subtotal, inv.CreditsApplied)
	case inv.AmountDue < 0:
		return fmt.Sprintf("amount due %s is negative", inv.AmountDue)
	case inv.Status == Paid && inv.AmountPaid != inv.AmountDue:
		return fmt.Sprintf("paid, but amount paid %s is not amount due %s", inv.AmountPaid, inv.AmountDue)
	}
	return ""
}
