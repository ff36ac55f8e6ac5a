package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/store"
)

// Events about invoices, written with the change they report.
const (
	EventInvoiceFinalized     = "invoice.finalized"
	EventInvoicePaid          = "invoice.paid"
	EventInvoicePaymentFailed = "invoice.payment_failed"
	EventInvoiceVoided        = "invoice.voided"
)

// InvoiceConfig holds the deployment's invoicing settings. A field left at
// its zero value takes DefaultInvoiceConfig's.
type InvoiceConfig struct {
	// CloseDelay is how long after a period ends its close begins: past
	// the committer's batch deadline, so every transaction stamped before
	// the end has committed or failed.
	CloseDelay time.Duration
	// Retries are when a failed invoice payment is tried again, counted
	// from the invoice's finalization. After the last the account is
	// suspended.
	Retries []time.Duration
	// Issuer is the operator as invoices name it: a name and address
	// lines.
	IssuerName    string
	IssuerAddress []string
	IssuerEmail   string
	// PublicURL is where customers reach this server (for the invoice
	// link in e-mails), e.g. https://billing.example.com; empty leaves
	// e-mails without a link.
	PublicURL string
}

// DefaultInvoiceConfig returns the invoicing settings used when nothing
// is configured: close a minute after the period, retry a failed payment
// 1, 3 and 5 days after finalization.
func DefaultInvoiceConfig() InvoiceConfig {
	return InvoiceConfig{
		CloseDelay: time.Minute,
		Retries:    []time.Duration{24 * time.Hour, 3 * 24 * time.Hour, 5 * 24 * time.Hour},
		IssuerName: "Coffer",
	}
}

func (c InvoiceConfig) withDefaults() InvoiceConfig {
	d := DefaultInvoiceConfig()
	if c.CloseDelay <= 0 {
		c.CloseDelay = d.CloseDelay
	}
	if c.Retries == nil {
		c.Retries = d.Retries
	}
	if c.IssuerName == "" {
		c.IssuerName = d.IssuerName
	}
	return c
}

// GetInvoice reads an invoice. An account key sees its own.
func (s *Service) GetInvoice(ctx context.Context, c Call, id string) (*api.Invoice, error) {
	inv, err := s.readableInvoice(ctx, c, id)
	if err != nil {
		return nil, err
	}
	return s.invoiceView(inv), nil
}

// readableInvoice finds an invoice the caller may read.
func (s *Service) readableInvoice(ctx context.Context, c Call, id string) (*invoice.Invoice, error) {
	if err := coffer.CheckID("id", coffer.PrefixInvoice, id); err != nil {
		return nil, err
	}
	inv, err := s.store.GetInvoice(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := authorize(c.Caller, inv.AccountID, readAccount); err != nil {
		if coffer.ErrorCode(err) == coffer.ENotFound { // another account's: not the caller's to know of
			return nil, coffer.Errorf(coffer.ENotFound, "invoice %s not found", id)
		}
		return nil, err
	}
	return inv, nil
}

// InvoiceFilter is what GET /v1/invoices may filter by.
type InvoiceFilter struct {
	AccountID string
	Status    string
	Period    string // YYYY-MM
}

// ListInvoices lists invoices oldest first. An account key lists its own.
func (s *Service) ListInvoices(ctx context.Context, c Call, f InvoiceFilter, p store.Page) (*api.List[api.Invoice], error) {
	if f.AccountID == "" && c.Caller.Role == coffer.RoleAccount {
		f.AccountID = c.Caller.AccountID
	}
	if f.AccountID != "" {
		if err := coffer.CheckID("account_id", coffer.PrefixAccount, f.AccountID); err != nil {
			return nil, err
		}
		if err := authorizeID(c.Caller, f.AccountID, readAccount); err != nil {
			return nil, err
		}
	} else if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := oneOf("status", f.Status, string(invoice.Finalized), string(invoice.Paid), string(invoice.PaymentFailed), string(invoice.Void)); err != nil {
		return nil, err
	}
	sf := store.InvoiceFilter{AccountID: f.AccountID, Status: invoice.Status(f.Status)}
	if f.Period != "" {
		start, _, err := invoice.ParsePeriod(f.Period)
		if err != nil {
			return nil, coffer.Invalid("period", "must be a month as YYYY-MM, such as 2026-11; got %q", f.Period)
		}
		sf.Period = start
	}
	pg, err := page(p, coffer.PrefixInvoice)
	if err != nil {
		return nil, err
	}
	sf.Page = pg
	items, more, err := s.store.ListInvoices(ctx, sf)
	if err != nil {
		return nil, err
	}
	return list(items, more, func(inv *invoice.Invoice) api.Invoice { return *s.invoiceView(inv) }), nil
}

// newViewToken makes the secret of an invoice's link.
func newViewToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// hostedURL is the invoice's printable page, with its token.
func (s *Service) hostedURL(inv *invoice.Invoice) string {
	if inv.ViewToken == "" {
		return ""
	}
	return s.cfg.Invoices.PublicURL + "/invoices/" + inv.ID + "?token=" + inv.ViewToken
}

// invoiceView is an invoice as the API shows it.
func (s *Service) invoiceView(inv *invoice.Invoice) *api.Invoice {
	v := &api.Invoice{ID: inv.ID, Object: "invoice", Number: inv.Number, AccountID: inv.AccountID,
		BillingMode: string(inv.Mode), Currency: string(inv.Currency), PeriodStart: inv.PeriodStart, PeriodEnd: inv.PeriodEnd,
		Status: string(inv.Status), Lines: []api.InvoiceLine{}, Subaccounts: []api.InvoiceSubaccount{},
		Subtotal: inv.Subtotal, CreditsApplied: inv.CreditsApplied, AmountDue: inv.AmountDue, AmountPaid: inv.AmountPaid,
		Attempts: inv.Attempts, NextAttemptAt: optTime(inv.NextAttemptAt), PaymentID: inv.PaymentID,
		FailureCode: inv.FailureCode, FailureMessage: inv.FailureReason, HostedURL: s.hostedURL(inv),
		FinalizedAt: optTime(inv.FinalizedAt), PaidAt: optTime(inv.PaidAt), VoidedAt: optTime(inv.VoidedAt), VoidReason: inv.VoidReason}
	for _, l := range inv.Lines {
		v.Lines = append(v.Lines, api.InvoiceLine{Kind: string(l.Kind), Description: l.Description, Unit: l.Unit,
			Quantity: l.Quantity, Amount: l.Amount, SubaccountID: l.SubaccountID, GrantID: l.LotID})
	}
	for _, sa := range inv.Subaccounts {
		v.Subaccounts = append(v.Subaccounts, api.InvoiceSubaccount{SubaccountID: sa.SubaccountID, Amount: sa.Amount})
	}
	return v
}
