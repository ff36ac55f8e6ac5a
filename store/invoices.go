package store

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/ledger"
)

// InvoiceFilter narrows a list of invoices; zero fields match all.
type InvoiceFilter struct {
	Page
	AccountID string
	Status    invoice.Status
	// Period is a month's start: invoices whose period ends within that
	// month (after its start, at or before its end).
	Period time.Time
}

// InvoiceChange is what UpdateInvoice's fn may change together, in one
// store transaction: the invoice's status and payment fields, the
// account's status, and the events to write.
type InvoiceChange struct {
	Invoice *invoice.Invoice
	Account *coffer.Account
	Events  []ledger.Event
}

// Invoices keeps invoices. An invoice is created only by a committer
// batch (Writes.Invoices), in the store transaction that applies its
// credits, which also gives it the next number.
type Invoices interface {
	GetInvoice(ctx context.Context, id string) (*invoice.Invoice, error)
	// ListInvoices lists invoices oldest first.
	ListInvoices(ctx context.Context, f InvoiceFilter) ([]*invoice.Invoice, bool, error)
	// UnpaidInvoices lists an account's finalized and payment_failed
	// invoices, oldest first.
	UnpaidInvoices(ctx context.Context, accountID string) ([]*invoice.Invoice, error)
	// AccountsToClose lists, in id order after afterID, at most limit
	// accounts that may owe invoices up to the period ending at end:
	// created before end, with no invoice ending at end, and, if closed,
	// with none yet for the period they were closed in (a closed
	// account's updated_at is when it closed: nothing changes it after).
	AccountsToClose(ctx context.Context, end time.Time, afterID string, limit int) ([]string, error)
	// InvoicesDue lists unpaid invoices whose next payment attempt is at
	// or before now, oldest first, at most limit.
	InvoicesDue(ctx context.Context, now time.Time, limit int) ([]*invoice.Invoice, error)
	// UpdateInvoice locks the account and the invoice, lets fn change
	// the invoice's status and payment fields and the account's status,
	// and saves them with fn's events. What the invoice bills (its
	// period, lines and totals) is not fn's to change.
	UpdateInvoice(ctx context.Context, id string, fn func(*InvoiceChange) error) (*invoice.Invoice, error)
}
