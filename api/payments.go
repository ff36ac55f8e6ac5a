package api

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// PaymentMethod is a card, PayPal account or US bank account.
type PaymentMethod struct {
	ID        string `json:"id"`
	Object    string `json:"object"`
	AccountID string `json:"account_id"`
	Type      string `json:"type" enum:"card,paypal,us_bank_account"`
	// Status: active; unverified (a bank account awaiting its code);
	// locked (three wrong codes).
	Status                string    `json:"status" enum:"active,unverified,locked,removed"`
	Default               bool      `json:"default"`
	Brand                 string    `json:"brand,omitempty"`
	Last4                 string    `json:"last4,omitempty"`
	Email                 string    `json:"email,omitempty"`
	AccountHolderName     string    `json:"account_holder_name,omitempty"`
	VerificationTriesLeft int       `json:"verification_tries_left,omitempty"`
	CreatedAt             time.Time `json:"created_at"`
}

// PaymentMethodCreate is the body of POST /v1/accounts/{id}/payment_methods.
// A card takes card_number, exp_month, exp_year and cvc; PayPal takes
// paypal_email; a bank account routing_number, account_number and
// account_holder_name. A gateway with its own client-side library (Stripe)
// takes token instead.
type PaymentMethodCreate struct {
	Type              string `json:"type" enum:"card,paypal,us_bank_account"`
	CardNumber        string `json:"card_number,omitempty"`
	ExpMonth          int    `json:"exp_month,omitempty"`
	ExpYear           int    `json:"exp_year,omitempty"`
	CVC               string `json:"cvc,omitempty"`
	PayPalEmail       string `json:"paypal_email,omitempty"`
	RoutingNumber     string `json:"routing_number,omitempty"`
	AccountNumber     string `json:"account_number,omitempty"`
	AccountHolderName string `json:"account_holder_name,omitempty"`
	Token             string `json:"token,omitempty"`
	// Default makes it the account's default method. The first usable
	// method becomes the default anyway.
	Default bool `json:"default,omitempty"`
}

// PaymentMethodVerify is the body of POST /v1/payment_methods/{id}/verify.
type PaymentMethodVerify struct {
	Code string `json:"code" doc:"The 6-digit code carried by the small deposit to the bank account."`
}

// VerificationCode is what the sandbox's verification deposit carried;
// only admins see it, and only with the sandbox gateway.
type VerificationCode struct {
	Object          string `json:"object"`
	PaymentMethodID string `json:"payment_method_id"`
	Code            string `json:"code"`
}

// Payment is one charge: a purchase, an auto-recharge or a scheduled
// debit. Status: processing (the gateway has not answered yet), pending (a
// bank debit waiting to settle), succeeded (credited: grant_id names the
// credit) or failed.
type Payment struct {
	ID              string       `json:"id"`
	Object          string       `json:"object"`
	AccountID       string       `json:"account_id"`
	Source          string       `json:"source" enum:"purchase,auto_recharge,schedule,invoice"`
	Status          string       `json:"status" enum:"processing,pending,succeeded,failed"`
	Amount          money.Amount `json:"amount"`
	Currency        string       `json:"currency"`
	PaymentMethodID string       `json:"payment_method_id"`
	ScheduleID      string       `json:"schedule_id,omitempty"`
	InvoiceID       string       `json:"invoice_id,omitempty"`
	ChargeID        string       `json:"charge_id,omitempty"`
	GrantID         string       `json:"grant_id,omitempty"`
	FailureCode     string       `json:"failure_code,omitempty"`
	FailureMessage  string       `json:"failure_message,omitempty"`
	SettlesAt       *time.Time   `json:"settles_at,omitempty"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
}

// PurchaseCreate is the body of POST /v1/accounts/{id}/purchases.
type PurchaseCreate struct {
	Amount          money.Amount `json:"amount"`
	PaymentMethodID string       `json:"payment_method_id,omitempty" doc:"The method to charge; the account's default when absent."`
}

// AutoRecharge is an account's auto-recharge settings and state.
type AutoRecharge struct {
	Object          string        `json:"object"`
	AccountID       string        `json:"account_id"`
	Enabled         bool          `json:"enabled"`
	Locked          bool          `json:"locked"`
	PaymentMethodID string        `json:"payment_method_id,omitempty"`
	Threshold       money.Amount  `json:"threshold"`
	Amount          *money.Amount `json:"amount"`
	Target          *money.Amount `json:"target"`
	DailyCap        *money.Amount `json:"daily_cap"`
	// State: idle; retrying (a charge failed: the next try runs when the
	// balance falls to retry_at_balance); exhausted (every rung of the
	// ladder failed; a successful payment or new settings start again).
	State          string        `json:"state" enum:"idle,retrying,exhausted"`
	Failures       int           `json:"failures"`
	RetryAtBalance *money.Amount `json:"retry_at_balance"`
	// RetryAt is RetryAtBalance under its old name, a balance though it
	// reads like a time. Deprecated: use RetryAtBalance.
	RetryAt    *money.Amount `json:"retry_at"`
	SpentToday money.Amount  `json:"spent_today"`
	UpdatedAt  *time.Time    `json:"updated_at"`
}

// AutoRechargeUpdate is the body of PUT /v1/accounts/{id}/auto_recharge.
// Absent fields keep their value. Amount and Target exclude each other:
// setting one clears the other.
type AutoRechargeUpdate struct {
	Enabled         *bool         `json:"enabled,omitempty"`
	PaymentMethodID *string       `json:"payment_method_id,omitempty"`
	Threshold       *money.Amount `json:"threshold,omitempty"`
	Amount          *money.Amount `json:"amount,omitempty" doc:"Charge this much, again and again, until the balance is at or above the threshold."`
	Target          *money.Amount `json:"target,omitempty" doc:"Charge once, the difference between this target and the balance."`
	DailyCap        *money.Amount `json:"daily_cap,omitempty" doc:"The most auto-recharge may charge in a day; 0 for no cap."`
	Locked          *bool         `json:"locked,omitempty" doc:"Admin only: the owner may then change the payment method but not turn auto-recharge off."`
}

// PaymentSchedule is a monthly debit of a verified bank account.
type PaymentSchedule struct {
	ID              string       `json:"id"`
	Object          string       `json:"object"`
	AccountID       string       `json:"account_id"`
	PaymentMethodID string       `json:"payment_method_id"`
	DayOfMonth      int          `json:"day_of_month"`
	Amount          money.Amount `json:"amount"`
	Status          string       `json:"status" enum:"active,canceled"`
	NextRunAt       *time.Time   `json:"next_run_at"`
	CreatedAt       time.Time    `json:"created_at"`
}

// PaymentScheduleCreate is the body of POST /v1/accounts/{id}/payment_schedules.
type PaymentScheduleCreate struct {
	PaymentMethodID string       `json:"payment_method_id"`
	DayOfMonth      int          `json:"day_of_month" minimum:"1" maximum:"28"`
	Amount          money.Amount `json:"amount"`
}
