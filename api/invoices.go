package api

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// Invoice is an account's bill (postpaid) or statement (prepaid) for one
// period.
type Invoice struct {
	ID             string              `json:"id"`
	Object         string              `json:"object"`
	Number         string              `json:"number,omitempty" doc:"Sequential and gap-free (INV-000123), given at finalization; a draft has none."`
	AccountID      string              `json:"account_id"`
	BillingMode    string              `json:"billing_mode" enum:"prepaid,postpaid"`
	Currency       string              `json:"currency"`
	PeriodStart    time.Time           `json:"period_start"`
	PeriodEnd      time.Time           `json:"period_end" doc:"Exclusive: the instant the period ended."`
	Status         string              `json:"status" enum:"draft,finalized,paid,payment_failed,void"`
	Lines          []InvoiceLine       `json:"lines"`
	Subaccounts    []InvoiceSubaccount `json:"subaccounts" doc:"The period's usage by subaccount; an empty subaccount_id is the account's own usage."`
	Subtotal       money.Amount        `json:"subtotal" doc:"The usage lines plus the prepaid line."`
	CreditsApplied money.Amount        `json:"credits_applied" doc:"Minus the sum of the credit lines."`
	AmountDue      money.Amount        `json:"amount_due" doc:"subtotal - credits_applied."`
	AmountPaid     money.Amount        `json:"amount_paid"`
	Attempts       int                 `json:"attempts" doc:"Payment attempts so far."`
	NextAttemptAt  *time.Time          `json:"next_attempt_at,omitempty"`
	PaymentID      string              `json:"payment_id,omitempty"`
	FailureCode    string              `json:"failure_code,omitempty"`
	FailureMessage string              `json:"failure_message,omitempty"`
	HostedURL      string              `json:"hosted_url,omitempty" doc:"The printable page, readable without an API key by whoever has the link."`
	FinalizedAt    *time.Time          `json:"finalized_at,omitempty"`
	PaidAt         *time.Time          `json:"paid_at,omitempty"`
	VoidedAt       *time.Time          `json:"voided_at,omitempty"`
	VoidReason     string              `json:"void_reason,omitempty"`
}

// InvoiceLine is one line of an invoice. Lines of kind usage and prepaid
// make the subtotal and lines of kind credit the credits applied; the
// others (purchase, grant, true_up, payment, debt) report the period's activity
// and count in no total.
type InvoiceLine struct {
	Kind         string       `json:"kind" enum:"usage,prepaid,credit,purchase,grant,true_up,payment,debt"`
	Description  string       `json:"description"`
	Unit         string       `json:"unit,omitempty"`
	Quantity     money.Amount `json:"quantity"`
	Amount       money.Amount `json:"amount"`
	SubaccountID string       `json:"subaccount_id,omitempty"`
	GrantID      string       `json:"grant_id,omitempty" doc:"The grant a credit line applied."`
}

// InvoiceSubaccount is one subaccount's share of a period's usage.
type InvoiceSubaccount struct {
	SubaccountID string       `json:"subaccount_id"`
	Amount       money.Amount `json:"amount"`
}

// InvoicePay is the body of POST /v1/invoices/{id}/pay.
type InvoicePay struct {
	PaymentMethodID string `json:"payment_method_id,omitempty" doc:"The method to charge; the account's default when absent."`
}

// InvoiceVoid is the body of POST /v1/invoices/{id}/void.
type InvoiceVoid struct {
	Reason string `json:"reason" doc:"Why the invoice is cancelled; kept in the audit trail."`
}
