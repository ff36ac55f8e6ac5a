// Package coffer holds the domain vocabulary shared by every layer: the error
// type, identifiers, the clock, and the domain records (accounts, payments,
// notifications) with their statuses. It imports no I/O; the ledger rules
// live in package ledger, what is kept and how in package store, and each
// dependency (SQL, HTTP, the CLI) has a package of its own that adapts it to
// these types.
package coffer

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status (HTTPStatus, below); the codes are
// part of the public API and never change meaning.
const (
	EInvalid             = "invalid_request" // the request is malformed or a field is wrong
	EUnauthenticated     = "unauthenticated" // missing or bad credentials
	EForbidden           = "forbidden"       // credentials valid, action not allowed for them
	ENotFound            = "not_found"       // no such resource visible to the caller
	EConflict            = "conflict"        // the resource's state forbids the action
	EIdempotencyReuse    = "idempotency_key_reused"
	EInsufficientBalance = "insufficient_balance" // a strict debit or hold would cross the floor
	ECreditLimitReached  = "credit_limit_reached" // served usage or a capture would cross the credit limit
	EAccountSuspended    = "account_suspended"
	EAccountClosed       = "account_closed"
	ESubaccountDisabled  = "subaccount_disabled"
	EOverloaded          = "overloaded"          // the write queue is full; retry after a moment
	ERateLimited         = "rate_limited"        // the credential's request rate is over its limit; retry after Retry-After
	EPaymentFailed       = "payment_failed"      // the gateway declined the charge; nothing changed
	EGatewayUnavailable  = "gateway_unavailable" // the gateway could not be reached; retry with the same key
	EUnpaidInvoices      = "unpaid_invoices"     // a switch to prepaid waits for every invoice to be paid
	EInternal            = "internal_error"
)

// Error is an error meant to be shown to the caller: a stable code, a
// message a person can act on, the request field at fault if any, and extra
// machine-readable details (such as the available balance on a refusal).
// Anything that is not an *Error is reported as an internal error and its
// text is logged, never sent.
type Error struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Param   string            `json:"param,omitempty"`
	Details map[string]string `json:"details,omitempty"`
}

func (e *Error) Error() string {
	if e.Param != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Param)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error naming the request field at fault.
func Invalid(param, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Param: param, Message: param + " " + fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an *Error in err's chain, or EInternal.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// HTTPStatus is the HTTP status each error code is answered with. It lives
// here, beside the codes, because stored idempotent answers record it too.
func HTTPStatus(code string) int {
	switch code {
	case EInvalid:
		return 400
	case EUnauthenticated:
		return 401
	case EInsufficientBalance, ECreditLimitReached, EPaymentFailed:
		return 402
	case EForbidden, EAccountSuspended, EAccountClosed, ESubaccountDisabled:
		return 403
	case ENotFound:
		return 404
	case EConflict, EIdempotencyReuse, EUnpaidInvoices:
		return 409
	case EOverloaded, EGatewayUnavailable:
		return 503
	case ERateLimited:
		return 429
	}
	return 500
}
