package service

import (
	"context"
	"crypto/subtle"
	"io"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/invoicedoc"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// UpcomingInvoice is the account's open period so far, as a draft: what
// its invoice would say if the period closed now, credits it would apply
// included. Nothing is written.
func (s *Service) UpcomingInvoice(ctx context.Context, c Call, accountID string) (*api.Invoice, error) {
	if err := authorizeID(c.Caller, accountID, readAccount); err != nil {
		return nil, err
	}
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	invs, err := s.allInvoices(ctx, accountID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	from := periodFrom(a, invs)
	_, end := invoice.PeriodOf(from)
	end = minTime(end, now.Add(time.Microsecond)) // through now: timestamps are microseconds
	if !from.Before(end) {
		end = from.Add(time.Microsecond) // the period began this instant: an empty draft
	}
	d, err := s.draftInvoice(ctx, a, invs, end)
	if err != nil {
		return nil, err
	}
	st, err := s.store.LoadState(ctx, accountID)
	if err != nil {
		return nil, err
	}
	draft, toApply := d.make(st, now)
	// The credits the close would apply, worked out on a copy of the
	// state read without a lock: a preview, never written.
	env := ledger.Env{Now: now, NewID: func(p string) string { return s.ids.New(p, now) }}
	if _, applied, err := st.ApplyCredits(env, ledger.CreditApplication{Amount: toApply, Before: end}); err == nil {
		draft.Apply(applied)
	}
	draft.ID, draft.ViewToken = "", ""
	return s.invoiceView(draft), nil
}

// VoidInvoice cancels an unpaid invoice: its applied credits come back
// as grants on the same terms and what it billed is written off. Admin
// only. The invoice is marked void first, under its lock, so no payment
// can complete it meanwhile; then the ledger's void is written through the
// committer under a key of the invoice. Voiding an invoice already void
// finishes that second step if a crash cut it short, and otherwise
// answers the invoice as it is.
func (s *Service) VoidInvoice(ctx context.Context, c Call, id string, in api.InvoiceVoid) (*api.Invoice, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixInvoice, id); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return nil, coffer.Invalid("reason", "is required: say why the invoice is voided")
	}
	if err := checkText("reason", reason, maxName); err != nil {
		return nil, err
	}
	inv, err := s.store.UpdateInvoice(ctx, id, func(ch *store.InvoiceChange) error {
		inv := ch.Invoice
		switch {
		case inv.Status == invoice.Void:
			return nil
		case !inv.Status.Unpaid():
			return coffer.Errorf(coffer.EConflict, "invoice %s is %s; only a finalized or payment_failed invoice can be voided", inv.Number, inv.Status)
		}
		now := s.now()
		inv.Status, inv.VoidedAt, inv.VoidReason, inv.NextAttemptAt, inv.UpdatedAt = invoice.Void, now, reason, time.Time{}, now
		return nil
	})
	if err != nil || inv.Reversed {
		if err != nil {
			return nil, err
		}
		return s.invoiceView(inv), nil
	}
	key := &store.Idempotency{Scope: "invoicing", Key: "void@" + inv.ID, RequestHash: "void"}
	actor := c.Caller.Actor()
	val, err := s.submit(ctx, &committer.Request{AccountID: inv.AccountID, Idempotency: key,
		Run: func(b *committer.Batch, st *ledger.State) (any, error) {
			e, err := st.VoidInvoice(b.Env, ledger.InvoiceVoid{InvoiceID: inv.ID, Credits: inv.Credits,
				WriteOff: inv.AmountDue, Reason: "invoice " + inv.Number + " voided: " + inv.VoidReason, Actor: actor})
			if err != nil {
				return nil, err
			}
			done := cloneInvoice(inv)
			done.Reversed = true
			e.Events = append(e.Events, s.invoiceEvent(b.Env, done, EventInvoiceVoided, map[string]any{"reason": inv.VoidReason}))
			b.Record(e)
			b.RecordVoided(done)
			return s.invoiceView(done), nil
		}})
	return decodeReplay[api.Invoice](val, err)
}

// InvoiceLink checks an invoice link's token and reads the invoice: the
// printable page is readable by whoever has its link, as the e-mail sends
// it, without an API key.
func (s *Service) InvoiceLink(ctx context.Context, id, token string) (*invoice.Invoice, error) {
	if err := coffer.CheckID("id", coffer.PrefixInvoice, id); err != nil {
		return nil, err
	}
	inv, err := s.store.GetInvoice(ctx, id)
	if err == nil && (inv.ViewToken == "" || subtle.ConstantTimeCompare([]byte(inv.ViewToken), []byte(token)) != 1) {
		err = coffer.Errorf(coffer.ENotFound, "invoice %s not found", id)
	}
	return inv, err
}

// Document formats.
const (
	DocHTML = "html"
	DocPDF  = "pdf"
	DocCSV  = "csv"
)

// InvoiceDocument writes the invoice as a document: its printable page,
// its PDF, or its lines as CSV. inv is one the caller may read (from
// readableInvoice or InvoiceLink).
func (s *Service) InvoiceDocument(ctx context.Context, w io.Writer, inv *invoice.Invoice, format string) error {
	if format == DocCSV {
		return invoicedoc.CSV(w, inv)
	}
	a, err := s.store.GetAccount(ctx, inv.AccountID)
	if err != nil {
		return err
	}
	cfg := s.cfg.Invoices
	d := invoicedoc.Doc{Invoice: inv,
		Issuer:   invoicedoc.Party{Name: cfg.IssuerName, Address: cfg.IssuerAddress, Email: cfg.IssuerEmail},
		Customer: invoicedoc.Party{Name: a.Name, Email: a.Email, ID: a.ID}, Subaccounts: map[string]string{}}
	if cfg.PublicURL != "" {
		d.HTMLURL = s.hostedURL(inv)
	}
	for _, sa := range inv.Subaccounts {
		if sa.SubaccountID == "" {
			continue
		}
		if sub, err := s.store.GetSubaccount(ctx, sa.SubaccountID); err == nil && sub.Name != "" {
			d.Subaccounts[sa.SubaccountID] = sub.Name
		}
	}
	if format == DocPDF {
		return s.docs.PDF(w, d)
	}
	return s.docs.HTML(w, d)
}

// ReadableInvoice is readableInvoice for the HTTP layer's document routes.
func (s *Service) ReadableInvoice(ctx context.Context, c Call, id string) (*invoice.Invoice, error) {
	return s.readableInvoice(ctx, c, id)
}

// pending is the credit set against the account's invoices still unpaid
// at instant at (now: those unpaid now).
func (s *Service) pending(ctx context.Context, accountID string, at *time.Time) (money.Amount, error) {
	var invs []*invoice.Invoice
	var err error
	if at == nil {
		invs, err = s.store.UnpaidInvoices(ctx, accountID)
	} else {
		invs, err = s.allInvoices(ctx, accountID)
	}
	if err != nil {
		return 0, err
	}
	var sum money.Amount
	for _, inv := range invs {
		if at == nil || outstandingAt(inv, *at) {
			sum += inv.CreditsApplied
		}
	}
	return sum, nil
}

// switchToPrepaid ends a postpaid account's open period now, issuing its
// invoice, and makes the account prepaid in the same transaction. It is
// refused while an invoice is unpaid.
func (s *Service) switchToPrepaid(ctx context.Context, a *coffer.Account) error {
	unpaid, err := s.store.UnpaidInvoices(ctx, a.ID)
	if err != nil {
		return err
	}
	if len(unpaid) > 0 {
		nums := make([]string, len(unpaid))
		for i, u := range unpaid {
			nums[i] = u.Number
		}
		e := coffer.Errorf(coffer.EUnpaidInvoices, "account %s has unpaid invoices (%s); it can switch to prepaid once they are paid or voided",
			a.ID, strings.Join(nums, ", "))
		e.Param = "billing_mode"
		return e
	}
	// Months that ended but are not closed yet are closed first, as
	// monthly invoices.
	monthStart, _ := invoice.PeriodOf(s.now())
	if err := s.closeThrough(ctx, a.ID, monthStart); err != nil {
		return err
	}
	// Whatever this process has queued for the account commits first, so
	// the tally below sees it.
	if _, err := s.submit(ctx, &committer.Request{AccountID: a.ID,
		Run: func(*committer.Batch, *ledger.State) (any, error) { return nil, nil }}); err != nil {
		return err
	}
	invs, err := s.allInvoices(ctx, a.ID)
	if err != nil {
		return err
	}
	// The period ends just after now, so that it holds everything stamped
	// until now (timestamps are microseconds).
	end := s.now().Add(time.Microsecond)
	if _, err = s.closePeriod(ctx, a, invs, end, true); err != nil {
		return err
	}
	// A test clock stands still: move it past the end, or usage sent at
	// the same instant would be stamped inside the period just closed.
	if tc, ok := s.clock.(*coffer.TestClock); ok && tc.Now().Before(end) {
		return tc.Set(end)
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
