package coffer

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// Payment method statuses.
const (
	MethodActive     = "active"     // usable
	MethodUnverified = "unverified" // a bank account awaiting its code
	MethodLocked     = "locked"     // too many wrong codes
	MethodRemoved    = "removed"
)

// PaymentMethod is a card, PayPal account or US bank account an account
// pays with. Coffer keeps only the gateway's token and what identifies the
// method to its owner (brand, last four digits, e-mail).
type PaymentMethod struct {
	ID             string
	AccountID      string
	Type           string // payments.Card, PayPal, USBankAccount
	Status         string
	Default        bool
	Gateway        string
	Token          string
	Brand          string
	Last4          string
	Email          string
	Holder         string
	VerifyAttempts int // wrong codes so far
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Payment sources.
const (
	SourcePurchase     = "purchase"
	SourceAutoRecharge = "auto_recharge"
	SourceSchedule     = "schedule"
)

// Payment statuses. Processing: recorded, the gateway not yet answered
// (or Coffer stopped before it could record the answer). Pending: a bank
// debit waiting to settle.
const (
	PaymentProcessing = "processing"
	PaymentPending    = "pending"
	PaymentSucceeded  = "succeeded"
	PaymentFailed     = "failed"
)

// Payment is one attempt to take money: a purchase, an auto-recharge or a
// scheduled debit. It is recorded before the gateway is called, under a key
// unique per account, so a retried request finds it rather than charging
// again; its grant is made through the committer under the payment's id as
// Idempotency-Key, so it is credited at most once.
type Payment struct {
	ID             string
	AccountID      string
	Source         string
	Key            string // unique per account
	RequestHash    string // of the request that made it, to refuse a reused key
	Status         string
	MethodID       string
	ScheduleID     string
	Amount         money.Amount
	Currency       money.Currency
	ChargeID       string
	FailureCode    string
	FailureMessage string
	LotID          string // the grant that credited it
	SettlesAt      time.Time
	Actor          string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// AutoRecharge is an account's auto-recharge settings and the state of its
// failure ladder.
type AutoRecharge struct {
	AccountID string
	Enabled   bool
	Locked    bool // the owner may not turn it off
	MethodID  string
	Threshold money.Amount
	Amount    money.Amount // fixed amount per charge; zero when Target is used
	Target    money.Amount // refill target; zero when Amount is used
	DailyCap  money.Amount // most auto-recharge may charge per day; zero: no cap

	// Failures counts failed attempts since the last success (the rung
	// of the ladder); RetryAt is the balance at or below which the next
	// attempt runs. Exhausted means every rung failed.
	Failures  int
	RetryAt   money.Amount
	Exhausted bool
	// Suspended records that the ladder suspended the account, so that
	// only a payment lifts what a payment failure caused.
	Suspended bool
	// Day (YYYY-MM-DD on Coffer's clock) and Spent: what auto-recharge
	// charged that day, for DailyCap. CapHit notes the day the cap was
	// reported, so it is reported once.
	Day    string
	Spent  money.Amount
	CapHit string

	UpdatedAt time.Time
}

// Schedule is a monthly debit of a verified bank account.
type Schedule struct {
	ID         string
	AccountID  string
	MethodID   string
	DayOfMonth int
	Amount     money.Amount
	Status     string // "active" or "canceled"
	NextRunAt  time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}
