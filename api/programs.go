package api

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// Program is a gifted-credit program: each enrolled account gets Gift,
// applied by a monthly true-up against the previous month's usage.
type Program struct {
	ID                      string             `json:"id"`
	Object                  string             `json:"object"`
	Name                    string             `json:"name"`
	Currency                string             `json:"currency"`
	Gift                    money.Amount       `json:"gift"`
	StartsOn                string             `json:"starts_on" doc:"The first month credited, YYYY-MM."`
	EndsOn                  string             `json:"ends_on,omitempty" doc:"The last month credited, YYYY-MM; what is left of the gift then expires. Absent: the gift never expires."`
	RequiresPaymentMethod   bool               `json:"requires_payment_method"`
	AutoPayment             ProgramAutoPayment `json:"auto_payment"`
	PaymentMethodRequiredAt money.Amount       `json:"payment_method_required_at"`
	SuspendAt               money.Amount       `json:"suspend_at"`
	AfterExhaustion         ProgramRecharge    `json:"after_exhaustion"`
	CreatedAt               time.Time          `json:"created_at"`
	UpdatedAt               time.Time          `json:"updated_at"`
}

// ProgramAutoPayment is where auto-payment begins: a balance with credits
// at or below BalanceWithCredits, or a balance at or below Balance.
type ProgramAutoPayment struct {
	BalanceWithCredits money.Amount `json:"balance_with_credits"`
	Balance            money.Amount `json:"balance"`
}

// ProgramRecharge is the auto-recharge switched on once the gift is used
// up: refill to Target whenever the balance falls below Threshold.
type ProgramRecharge struct {
	Threshold money.Amount `json:"threshold"`
	Target    money.Amount `json:"target"`
}

// ProgramAutoPaymentChange sets auto-payment levels; absent fields keep
// their value (or default).
type ProgramAutoPaymentChange struct {
	BalanceWithCredits *money.Amount `json:"balance_with_credits,omitempty"`
	Balance            *money.Amount `json:"balance,omitempty"`
}

// ProgramRechargeChange sets the after-exhaustion auto-recharge; absent
// fields keep their value (or default).
type ProgramRechargeChange struct {
	Threshold *money.Amount `json:"threshold,omitempty"`
	Target    *money.Amount `json:"target,omitempty"`
}

// ProgramCreate is the body of POST /v1/programs. The levels default to
// the reference program's: auto-payment at a balance with credits of
// 0.00 or a balance of -500.00, a payment method required at -505.00,
// suspension at -510.00, and after the gift a refill to 20.00 below
// 10.00.
type ProgramCreate struct {
	Name                    string                    `json:"name"`
	Currency                string                    `json:"currency,omitempty" doc:"ISO 4217; the deployment's default currency when absent."`
	Gift                    money.Amount              `json:"gift"`
	StartsOn                string                    `json:"starts_on" doc:"The first month credited, YYYY-MM."`
	EndsOn                  string                    `json:"ends_on,omitempty" doc:"The last month credited, YYYY-MM."`
	RequiresPaymentMethod   *bool                     `json:"requires_payment_method,omitempty" doc:"Refuse enrolment without a card or PayPal account, and lock auto-recharge on; true by default."`
	AutoPayment             *ProgramAutoPaymentChange `json:"auto_payment,omitempty"`
	PaymentMethodRequiredAt *money.Amount             `json:"payment_method_required_at,omitempty"`
	SuspendAt               *money.Amount             `json:"suspend_at,omitempty"`
	AfterExhaustion         *ProgramRechargeChange    `json:"after_exhaustion,omitempty"`
}

// ProgramUpdate is the body of PATCH /v1/programs/{id}; absent fields
// keep their value. The currency and the first month credited cannot
// change. A new gift or end applies to enrolments made afterwards; new
// levels reach enrolled accounts at their next true-up.
type ProgramUpdate struct {
	Name                    *string                   `json:"name,omitempty"`
	Gift                    *money.Amount             `json:"gift,omitempty"`
	EndsOn                  *string                   `json:"ends_on,omitempty" doc:"YYYY-MM, or an empty string for no end."`
	RequiresPaymentMethod   *bool                     `json:"requires_payment_method,omitempty"`
	AutoPayment             *ProgramAutoPaymentChange `json:"auto_payment,omitempty"`
	PaymentMethodRequiredAt *money.Amount             `json:"payment_method_required_at,omitempty"`
	SuspendAt               *money.Amount             `json:"suspend_at,omitempty"`
	AfterExhaustion         *ProgramRechargeChange    `json:"after_exhaustion,omitempty"`
}

// Enrollment is an account's membership of a program and its gift.
type Enrollment struct {
	ID          string     `json:"id"`
	Object      string     `json:"object"`
	ProgramID   string     `json:"program_id"`
	AccountID   string     `json:"account_id"`
	Status      string     `json:"status" enum:"active,ended"`
	GrantID     string     `json:"grant_id" doc:"The gift: a true_up grant."`
	Gift        GiftView   `json:"gift"`
	ExhaustedAt *time.Time `json:"exhausted_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
}

// GiftView is a gift as the balance and enrollments show it.
type GiftView struct {
	ProgramID         string       `json:"program_id"`
	Original          money.Amount `json:"original"`
	Remaining         money.Amount `json:"remaining"`
	CreditedPeriod    string       `json:"credited_period" doc:"YYYY-MM to YYYY-MM, or from YYYY-MM with no end."`
	CreditLastApplied string       `json:"credit_last_applied,omitempty" doc:"The last month whose usage the true-up credited, YYYY-MM."`
}

// EnrollmentCreate is the body of POST /v1/programs/{id}/enrollments.
type EnrollmentCreate struct {
	AccountID string `json:"account_id"`
}
