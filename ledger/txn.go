package ledger

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// TxnType names what a ledger transaction did.
type TxnType string

// Transaction types.
const (
	TxnGrant   TxnType = "grant"   // a lot was added (grant, purchase, recharge, refund)
	TxnDebit   TxnType = "debit"   // usage consumed value
	TxnCapture TxnType = "capture" // a hold was settled for its final amount
	TxnVoid    TxnType = "void"    // a lot's remaining value was withdrawn
	TxnExpire  TxnType = "expire"  // a lot's remaining value lapsed at its expiry
)

// Book is a side of the double entry. Customer and Receivables postings
// belong to one account; the others are the operator's system accounts.
type Book string

// Books. A posting's amount is the value flowing into its book, so a
// customer's balance is the sum of its Customer and Receivables postings and
// every transaction's postings sum to zero per asset.
const (
	BookCustomer    Book = "customer"    // a lot's value (posting names the lot)
	BookReceivables Book = "receivables" // what a customer owes: negative while in debt
	BookPayments    Book = "payments"    // money received for paid lots
	BookPromotional Book = "promotional" // value given away as promotional lots
	BookRevenue     Book = "revenue"     // value earned from usage
	BookBreakage    Book = "breakage"    // value that expired or was voided unused
)

// Posting is one signed movement of value in a transaction.
type Posting struct {
	Book      Book
	AccountID string // for Customer and Receivables
	LotID     string // for Customer
	Asset     string // currency code, or "unit:" + unit name
	Amount    money.Amount
}

// Txn is one immutable ledger transaction. Amount is its signed effect on the
// account's monetary balance; BalanceAfter the ledger balance after it.
type Txn struct {
	ID           string
	AccountID    string
	Type         TxnType
	Amount       money.Amount
	BalanceAfter money.Amount
	LotID        string // the lot granted, voided or expired
	HoldID       string // the hold captured
	EventID      string // the usage event a debit or capture settles
	SubaccountID string
	Unit         string       // the unit of a unit debit, or of a unit lot granted, voided or expired
	Quantity     money.Amount // units debited, or units added (+) or withdrawn (−) by a lot
	UnitPrice    money.Amount
	Description  string
	Metadata     map[string]string
	Actor        string
	Reason       string
	CreatedAt    time.Time
	Postings     []Posting
}

// balanced reports whether the postings sum to zero for every asset.
func (t *Txn) balanced() bool {
	sums := map[string]money.Amount{}
	for _, p := range t.Postings {
		sums[p.Asset] += p.Amount
	}
	for _, v := range sums {
		if v != 0 {
			return false
		}
	}
	return true
}

// Event is a notification the change caused, written to the outbox in the
// same store transaction as the change itself.
type Event struct {
	ID        string
	Type      string
	AccountID string
	Data      map[string]any
	CreatedAt time.Time
}

// Event types the ledger emits.
const (
	EventGranted  = "account.credits.granted"
	EventVoided   = "account.credits.voided"
	EventExpired  = "account.credits.expired"
	EventDepleted = "account.credits.balance_depleted"
	// EventCreditLimit is raised when the credit limit first refuses
	// served usage or a capture; again only after value has arrived.
	EventCreditLimit = "account.credit_limit_reached"
)

// Effect is everything one operation changed: the transaction it wrote (nil
// when no value moved, as for a hold), the lots and holds it created or
// changed (pointers into the State), and the events it raised. A store
// persists a batch of effects in one transaction.
type Effect struct {
	Txn    *Txn
	Lots   []*Lot
	Holds  []*Hold
	Events []Event
}
