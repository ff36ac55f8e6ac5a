package coffer

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// MethodStatus is where a payment method stands.
type MethodStatus string

// Payment method statuses.
const (
	MethodActive     MethodStatus = "active"     // usable
	MethodUnverified MethodStatus = "unverified" // a bank account awaiting its code
	MethodLocked     MethodStatus = "locked"     // too many wrong codes
	MethodRemoved    MethodStatus = "removed"
)

// PaymentMethod is a card, PayPal account or US bank account an account
// pays with. Coffer keeps only the gateway's token and what identifies the
// method to its owner (brand, last four digits, e-mail).
type PaymentMethod struct {
	ID             string
	AccountID      string
	Type           string // payments.Card, PayPal, USBankAccount
	Status         MethodStatus
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

// PaymentSource is what made a payment.
type PaymentSource string

// Payment sources.
const (
	SourcePurchase     PaymentSource = "purchase"
	SourceAutoRecharge PaymentSource = "auto_recharge"
	SourceSchedule     PaymentSource = "schedule"
	SourceInvoice      PaymentSource = "invoice"
)

// PaymentStatus is where a payment stands.
type PaymentStatus string

// Payment statuses. Processing: recorded, the gateway not yet answered
// (or Coffer stopped before it could record the answer). Pending: a bank
// debit waiting to settle.
const (
	PaymentProcessing PaymentStatus = "processing"
	PaymentPending    PaymentStatus = "pending"
	PaymentSucceeded  PaymentStatus = "succeeded"
	PaymentFailed     PaymentStatus = "failed"
)

// Payment is one attempt to take money: a purchase, an auto-recharge or a
// scheduled debit. It is recorded before the gateway is called, under a key
// unique per account, so a retried request finds it rather than charging
// again; its grant is made through the committer under the payment's id as
// Idempotency-Key, so it is credited at most once.
type Payment struct {
	ID             string
	AccountID      string
	Source         PaymentSource
	Key            string // unique per account
	RequestHash    string // of the request that made it, to refuse a reused key
	Status         PaymentStatus
	MethodID       string
	ScheduleID     string
	InvoiceID      string
	Amount         money.Amount
	Currency       money.Currency
	ChargeID       string
	FailureCode    string
	FailureMessage string
	LotID          string // the grant that credited it
	// CapDay is the day (YYYY-MM-DD on Coffer's clock) whose daily cap an
	// auto-recharge payment was counted against when it was recorded,
	// before its charge; a failure gives it back. Empty on other payments,
	// and on auto-recharges recorded before payments were counted up
	// front, which count when they succeed.
	CapDay    string
	SettlesAt time.Time
	Actor     string
	CreatedAt time.Time
	UpdatedAt time.Time
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
	// charged that day, for DailyCap, counting charges still under way (a
	// charge is counted when its payment is recorded, before the gateway
	// is asked, and given back if it fails). CapHit notes the day the cap
	// was reported, so it is reported once.
	Day    string
	Spent  money.Amount
	CapHit string

	// ProgramID names the gifted-credit program whose levels drive this
	// auto-recharge while its gift lasts: the threshold and target follow
	// the gift, and a failure climbs the program's ladder instead
	// (PaymentMethodRequiredAt, then SuspendAt) rather than the
	// threshold's. Empty for an ordinary auto-recharge.
	ProgramID               string
	PaymentMethodRequiredAt money.Amount
	SuspendAt               money.Amount

	UpdatedAt time.Time
}

// ScheduleStatus is where a schedule stands.
type ScheduleStatus string

// Schedule statuses.
const (
	ScheduleActive   ScheduleStatus = "active"
	ScheduleCanceled ScheduleStatus = "canceled"
)

// Schedule is a monthly debit of a verified bank account.
type Schedule struct {
	ID         string
	AccountID  string
	MethodID   string
	DayOfMonth int
	Amount     money.Amount
	Status     ScheduleStatus
	NextRunAt  time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}
