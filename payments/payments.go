// Package payments defines how Coffer takes money: the Gateway interface a
// payment processor adapter implements, and Sandbox, the deterministic
// gateway built in for development and tests. Package stripe adapts Stripe.
//
// Coffer never keeps card or bank numbers: a gateway turns what the owner
// typed into an opaque token when the method is set up, and every later call
// names the token. A charge carries an idempotency key, so a charge retried
// after a timeout or a crash is the same charge, never a second one.
package payments

import (
	"context"
	"errors"
	"time"

	"github.com/cofferdev/coffer/money"
)

// Method types.
const (
	Card          = "card"
	PayPal        = "paypal"
	USBankAccount = "us_bank_account"
)

// Charge statuses. A card or PayPal charge is final at once; a bank debit
// is Pending until it settles, then Succeeded or Failed.
const (
	Pending   = "pending"
	Succeeded = "succeeded"
	Failed    = "failed"
)

// MethodSetup is what the owner gives to add a payment method. Which fields
// matter depends on Type; a gateway may instead take a Token its own client
// library made (a Stripe PaymentMethod id, say).
type MethodSetup struct {
	Type          string
	CardNumber    string
	ExpMonth      int
	ExpYear       int
	CVC           string
	PayPalEmail   string
	RoutingNumber string
	AccountNumber string
	AccountHolder string
	Token         string
}

// Method is a payment method as the gateway set it up.
type Method struct {
	Token string // the gateway's reference; Coffer stores only this
	Brand string // card brand, or the bank's name
	Last4 string
	Email string // PayPal
	// NeedsVerification is true for a bank account until its code is
	// confirmed with Verify.
	NeedsVerification bool
}

// ChargeRequest asks for money.
type ChargeRequest struct {
	// IdempotencyKey makes a repeated request return the first charge.
	IdempotencyKey string
	Token          string
	MethodType     string
	Amount         money.Amount
	Currency       money.Currency
	Description    string
}

// Charge is a charge's outcome as the gateway reports it.
type Charge struct {
	ID             string
	Status         string // Pending, Succeeded or Failed
	FailureCode    string // card_declined, insufficient_funds, ...
	FailureMessage string
	// SettlesAt is when a Pending charge is expected to settle.
	SettlesAt time.Time
}

// Refund is a refund's outcome.
type Refund struct {
	ID     string
	Status string
}

// Gateway is a payment processor. Declines are not errors: Charge answers
// a Charge with Status Failed and a reason. An error means the gateway could
// not be reached or refused the request itself; the charge's fate is then
// unknown and a retry with the same idempotency key finds it out.
type Gateway interface {
	// Name is "sandbox" or "stripe".
	Name() string
	// SetupMethod registers a payment method and returns its token.
	SetupMethod(ctx context.Context, in MethodSetup) (*Method, error)
	// Verify confirms a bank account with the 6-digit code of its
	// verification deposit. A wrong code is ErrWrongCode.
	Verify(ctx context.Context, token, code string) error
	// Charge takes money from a method.
	Charge(ctx context.Context, in ChargeRequest) (*Charge, error)
	// Refund gives a charge's money back, all of it when amount is zero.
	Refund(ctx context.Context, chargeID string, amount money.Amount, idempotencyKey string) (*Refund, error)
	// Status reports a charge's current state: how a pending bank debit
	// is seen to settle.
	Status(ctx context.Context, chargeID string) (*Charge, error)
}

// ErrWrongCode is a verification code that does not match.
var ErrWrongCode = errors.New("the verification code does not match")

// InvalidMethodError is a payment method the gateway refuses to set up
// (a malformed card number, say); Message is safe to show.
type InvalidMethodError struct {
	Param   string
	Message string
}

func (e *InvalidMethodError) Error() string { return e.Message }
