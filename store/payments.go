package store

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
)

// PaymentChange is what FinishPayment's fn may change together, in one
// store transaction: the payment, the account's status, the auto-recharge
// state (nil if the account has none), and the events to write.
type PaymentChange struct {
	Payment      *coffer.Payment
	Account      *coffer.Account
	AutoRecharge *coffer.AutoRecharge
	Events       []ledger.Event
}

// Payments keeps payment methods, payments, auto-recharge settings and
// schedules.
type Payments interface {
	// CreatePaymentMethod inserts a method; if it is the default, the
	// account's other methods stop being.
	CreatePaymentMethod(ctx context.Context, m *coffer.PaymentMethod, idem *Idempotency) error
	GetPaymentMethod(ctx context.Context, id string) (*coffer.PaymentMethod, error)
	// ListPaymentMethods lists an account's methods, removed ones left out.
	ListPaymentMethods(ctx context.Context, accountID string) ([]*coffer.PaymentMethod, error)
	// UpdatePaymentMethod locks the method, lets fn change it and saves
	// it; if it became the default, the account's others stop being.
	UpdatePaymentMethod(ctx context.Context, id string, fn func(*coffer.PaymentMethod) error, idem *Idempotency) (*coffer.PaymentMethod, error)

	// CreatePayment records a payment unless one with the same account
	// and key exists; it returns the stored one and whether it is new.
	CreatePayment(ctx context.Context, p *coffer.Payment) (*coffer.Payment, bool, error)
	GetPayment(ctx context.Context, id string) (*coffer.Payment, error)
	// ListPayments lists an account's payments oldest first; an empty
	// source lists all.
	ListPayments(ctx context.Context, accountID string, source coffer.PaymentSource, p Page) ([]*coffer.Payment, bool, error)
	// FinishPayment locks the account and the payment, lets fn change
	// them and the auto-recharge state, and saves all with fn's events.
	FinishPayment(ctx context.Context, id string, fn func(*PaymentChange) error) (*coffer.Payment, error)
	// OpenPayments lists payments still processing or pending, oldest
	// first, at most limit.
	OpenPayments(ctx context.Context, limit int) ([]*coffer.Payment, error)

	// GetAutoRecharge returns an account's settings, ENotFound if never set.
	GetAutoRecharge(ctx context.Context, accountID string) (*coffer.AutoRecharge, error)
	// UpdateAutoRecharge locks the account, lets fn change its settings
	// (a zero record with the account id if none exist) and its status,
	// and saves both with the events fn returns.
	UpdateAutoRecharge(ctx context.Context, accountID string, fn func(*coffer.AutoRecharge, *coffer.Account) ([]ledger.Event, error), idem *Idempotency) (*coffer.AutoRecharge, error)
	// ClaimRecharge takes the account's recharge lease for token until
	// until (wall time), if no other holder's lease is live at now; it
	// reports whether it got it. The lease is a row in the database, so
	// it holds across processes.
	ClaimRecharge(ctx context.Context, accountID, token string, now, until time.Time) (bool, error)
	// StartRecharge records p, an auto-recharge payment, if token still
	// holds the account's recharge lease and the lease is live at now (a
	// run never charges past its lease, when another run may have taken
	// the account over), and fn agrees: it locks the
	// account and its auto-recharge row, hands fn the settings, and saves
	// whatever fn changed in them (what the daily cap has counted) with
	// the payment, in one transaction. It reports whether p was recorded:
	// not if the lease lapsed or another run took it over, or fn said no.
	StartRecharge(ctx context.Context, p *coffer.Payment, token string, now time.Time, fn func(*coffer.AutoRecharge) (bool, error)) (bool, error)
	// ReleaseRecharge gives the lease back if token holds it.
	ReleaseRecharge(ctx context.Context, accountID, token string) error
	// RechargeCandidates lists accounts with auto-recharge enabled whose
	// cached balance is below their threshold, at most limit.
	RechargeCandidates(ctx context.Context, limit int) ([]string, error)

	CreateSchedule(ctx context.Context, s *coffer.Schedule, idem *Idempotency) error
	GetSchedule(ctx context.Context, id string) (*coffer.Schedule, error)
	ListSchedules(ctx context.Context, accountID string) ([]*coffer.Schedule, error)
	UpdateSchedule(ctx context.Context, id string, fn func(*coffer.Schedule) error, idem *Idempotency) (*coffer.Schedule, error)
	// SchedulesDue lists active schedules whose next run is at or before
	// now, at most limit.
	SchedulesDue(ctx context.Context, now time.Time, limit int) ([]*coffer.Schedule, error)
}
