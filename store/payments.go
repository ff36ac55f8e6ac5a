package store

import (
	"context"
	"time"

	"github.com/cofferdev/coffer/ledger"
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

// PaymentChange is what FinishPayment's fn may change together, in one
// store transaction: the payment, the account's status, the auto-recharge
// state (nil if the account has none), and the events to write.
type PaymentChange struct {
	Payment      *Payment
	Account      *Account
	AutoRecharge *AutoRecharge
	Events       []ledger.Event
}

// Payments keeps payment methods, payments, auto-recharge settings and
// schedules.
type Payments interface {
	// CreatePaymentMethod inserts a method; if it is the default, the
	// account's other methods stop being.
	CreatePaymentMethod(ctx context.Context, m *PaymentMethod, idem *Idempotency) error
	GetPaymentMethod(ctx context.Context, id string) (*PaymentMethod, error)
	// ListPaymentMethods lists an account's methods, removed ones left out.
	ListPaymentMethods(ctx context.Context, accountID string) ([]*PaymentMethod, error)
	// UpdatePaymentMethod locks the method, lets fn change it and saves
	// it; if it became the default, the account's others stop being.
	UpdatePaymentMethod(ctx context.Context, id string, fn func(*PaymentMethod) error, idem *Idempotency) (*PaymentMethod, error)

	// CreatePayment records a payment unless one with the same account
	// and key exists; it returns the stored one and whether it is new.
	CreatePayment(ctx context.Context, p *Payment) (*Payment, bool, error)
	GetPayment(ctx context.Context, id string) (*Payment, error)
	// ListPayments lists an account's payments oldest first; an empty
	// source lists all.
	ListPayments(ctx context.Context, accountID, source string, p Page) ([]*Payment, bool, error)
	// FinishPayment locks the account and the payment, lets fn change
	// them and the auto-recharge state, and saves all with fn's events.
	FinishPayment(ctx context.Context, id string, fn func(*PaymentChange) error) (*Payment, error)
	// OpenPayments lists payments still processing or pending, oldest
	// first, at most limit.
	OpenPayments(ctx context.Context, limit int) ([]*Payment, error)

	// GetAutoRecharge returns an account's settings, ENotFound if never set.
	GetAutoRecharge(ctx context.Context, accountID string) (*AutoRecharge, error)
	// UpdateAutoRecharge locks the account, lets fn change its settings
	// (a zero record with the account id if none exist) and its status,
	// and saves both with the events fn returns.
	UpdateAutoRecharge(ctx context.Context, accountID string, fn func(*AutoRecharge, *Account) ([]ledger.Event, error), idem *Idempotency) (*AutoRecharge, error)
	// ClaimRecharge takes the account's recharge lease for token until
	// until (wall time), if no other holder's lease is live at now; it
	// reports whether it got it. The lease is a row in the database, so
	// it holds across processes.
	ClaimRecharge(ctx context.Context, accountID, token string, now, until time.Time) (bool, error)
	// ReleaseRecharge gives the lease back if token holds it.
	ReleaseRecharge(ctx context.Context, accountID, token string) error
	// RechargeCandidates lists accounts with auto-recharge enabled whose
	// cached balance is below their threshold, at most limit.
	RechargeCandidates(ctx context.Context, limit int) ([]string, error)

	CreateSchedule(ctx context.Context, s *Schedule, idem *Idempotency) error
	GetSchedule(ctx context.Context, id string) (*Schedule, error)
	ListSchedules(ctx context.Context, accountID string) ([]*Schedule, error)
	UpdateSchedule(ctx context.Context, id string, fn func(*Schedule) error, idem *Idempotency) (*Schedule, error)
	// SchedulesDue lists active schedules whose next run is at or before
	// now, at most limit.
	SchedulesDue(ctx context.Context, now time.Time, limit int) ([]*Schedule, error)
}
