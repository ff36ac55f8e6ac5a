package service

import (
	"context"
	"fmt"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// collectChunk is how many due invoices one collection round takes.
const collectChunk = 200

// CollectInvoices charges every unpaid invoice whose next attempt has come
// on the service's clock: the invoicing job runs it after each close.
func (s *Service) CollectInvoices(ctx context.Context) error {
	due, err := s.store.InvoicesDue(ctx, s.now(), collectChunk)
	if err != nil {
		return err
	}
	for _, inv := range due {
		if _, err := s.collect(ctx, inv, "", "invoicing"); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.log.ErrorContext(ctx, "collect invoice", "invoice", inv.ID, "err", err)
		}
	}
	return nil
}

// PayInvoice charges an unpaid invoice now, with the method named or the
// account's default: after the owner replaces a card, say. A decline
// answers payment_failed (402) and counts as an attempt.
func (s *Service) PayInvoice(ctx context.Context, c Call, id string, in api.InvoicePay) (*api.Invoice, error) {
	inv, err := s.readableInvoice(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if err := authorizeID(c.Caller, inv.AccountID, manageAccount); err != nil {
		return nil, err
	}
	switch {
	case inv.Status == invoice.Paid:
		return s.invoiceView(inv), nil
	case !inv.Status.Unpaid():
		return nil, coffer.Errorf(coffer.EConflict, "invoice %s is %s; only a finalized or payment_failed invoice can be paid", inv.Number, inv.Status)
	}
	out, err := s.collect(ctx, inv, in.PaymentMethodID, c.Caller.Actor())
	if err != nil {
		return nil, err
	}
	if out.Status == invoice.PaymentFailed {
		e := coffer.Errorf(coffer.EPaymentFailed, "the payment of %s %s for invoice %s was declined: %s (%s); the invoice is still due",
			out.AmountDue, out.Currency, out.Number, out.FailureReason, out.FailureCode)
		e.Param = "payment_method_id"
		return nil, e
	}
	return s.invoiceView(out), nil
}

// collect makes the invoice's next payment attempt. The payment is
// recorded under a key of the invoice and attempt before the gateway is
// called, and charged under the payment's id, so an attempt cut short by
// a crash is finished, never repeated, by the next pass: the gateway
// answers a repeated charge with the first. A succeeded payment is
// credited as a paid grant that repays the invoice's debt (settle), then
// the invoice is marked paid.
func (s *Service) collect(ctx context.Context, inv *invoice.Invoice, methodID, actor string) (*invoice.Invoice, error) {
	attempt := inv.Attempts + 1
	m, merr := s.chargeableMethod(ctx, inv.AccountID, methodID, true)
	if merr != nil && methodID != "" {
		return nil, merr // the caller named a method that cannot pay
	}
	if merr != nil {
		return s.invoiceFailed(ctx, inv.ID, attempt, "", "no_payment_method",
			"the account has no default payment method that can be charged")
	}
	now := s.now()
	p, _, err := s.store.CreatePayment(ctx, &coffer.Payment{ID: s.ids.New(coffer.PrefixPayment, now), AccountID: inv.AccountID,
		Source: coffer.SourceInvoice, Key: fmt.Sprintf("invoice:%s:%d", inv.ID, attempt), RequestHash: inv.ID,
		Status: coffer.PaymentProcessing, MethodID: m.ID, InvoiceID: inv.ID, Amount: inv.AmountDue, Currency: inv.Currency,
		Actor: actor, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return nil, err
	}
	if p.Status == coffer.PaymentProcessing {
		if m.ID != p.MethodID { // the attempt began with another method: finish it with that one
			if m, err = s.store.GetPaymentMethod(ctx, p.MethodID); err != nil {
				return nil, err
			}
		}
		bal, err := s.balanceOf(ctx, p.AccountID)
		if err != nil {
			return nil, err
		}
		ch, err := s.charge(ctx, p, m)
		if err != nil {
			return nil, err
		}
		if p, err = s.settle(ctx, p, ch, bal); err != nil {
			return nil, err
		}
	}
	switch p.Status {
	case coffer.PaymentSucceeded:
		return s.invoicePaid(ctx, inv.ID, p)
	case coffer.PaymentFailed:
		return s.invoiceFailed(ctx, inv.ID, attempt, p.ID, p.FailureCode, p.FailureMessage)
	}
	return inv, nil // a bank debit settling: the settlement job finishes it, the next pass sees it
}

// invoicePaid marks an invoice paid by a succeeded payment and lifts the
// suspension its failures caused, unless another unpaid invoice of the
// account caused one too.
func (s *Service) invoicePaid(ctx context.Context, id string, p *coffer.Payment) (*invoice.Invoice, error) {
	unpaid, err := s.store.UnpaidInvoices(ctx, p.AccountID)
	if err != nil {
		return nil, err
	}
	otherSuspension := false
	for _, u := range unpaid {
		otherSuspension = otherSuspension || (u.ID != id && u.Suspended)
	}
	// Paid when the payment reached the ledger: a later close reads the
	// debt as the ledger has it at its period's end, so an invoice whose
	// payment the ledger has by then must count as paid by then, however
	// long after the invoice was marked.
	lot, err := s.store.GetLot(ctx, p.LotID)
	if err != nil {
		return nil, err
	}
	return s.store.UpdateInvoice(ctx, id, func(c *store.InvoiceChange) error {
		inv, a := c.Invoice, c.Account
		if !inv.Status.Unpaid() {
			// Paid by another pass, or voided while the payment ran: the
			// payment stays on the account as credit.
			return nil
		}
		now := s.now()
		env := ledger.Env{Now: now, NewID: func(p string) string { return s.ids.New(p, now) }}
		inv.Status, inv.AmountPaid, inv.PaidAt, inv.PaymentID = invoice.Paid, p.Amount, lot.CreatedAt, p.ID
		inv.NextAttemptAt, inv.FailureCode, inv.FailureReason, inv.UpdatedAt = time.Time{}, "", "", now
		c.Events = append(c.Events, s.invoiceEvent(env, inv, EventInvoicePaid, map[string]any{"payment_id": p.ID}))
		if inv.Suspended && !otherSuspension && a.Status == ledger.StatusSuspended {
			a.Status, a.UpdatedAt = ledger.StatusActive, now
			c.Events = append(c.Events, ledger.Event{ID: env.NewID(coffer.PrefixEvent), Type: EventAccountReactivated,
				AccountID: a.ID, CreatedAt: now, Data: map[string]any{"reason": "invoice_paid", "invoice_id": inv.ID}})
		}
		return nil
	})
}

// invoiceFailed records a failed attempt: payment_failed, the next retry
// from the schedule, and after the last retry the account's suspension.
func (s *Service) invoiceFailed(ctx context.Context, id string, attempt int, paymentID, code, reason string) (*invoice.Invoice, error) {
	retries := s.cfg.Invoices.Retries
	return s.store.UpdateInvoice(ctx, id, func(c *store.InvoiceChange) error {
		inv, a := c.Invoice, c.Account
		if !inv.Status.Unpaid() || inv.Attempts >= attempt {
			return nil // recorded already, or settled meanwhile
		}
		now := s.now()
		env := ledger.Env{Now: now, NewID: func(p string) string { return s.ids.New(p, now) }}
		inv.Status, inv.Attempts, inv.PaymentID, inv.FailureCode, inv.FailureReason, inv.UpdatedAt =
			invoice.PaymentFailed, attempt, paymentID, code, reason, now
		data := map[string]any{"attempt": attempt, "failure_code": code, "failure_message": reason}
		if attempt <= len(retries) {
			// A retry already overdue (the job was behind) is the next
			// pass's work.
			inv.NextAttemptAt = maxTime(inv.FinalizedAt.Add(retries[attempt-1]), now)
			data["next_attempt_at"] = inv.NextAttemptAt.Format(time.RFC3339Nano)
		} else {
			inv.NextAttemptAt = time.Time{}
			if a.Status == ledger.StatusActive {
				a.Status, a.UpdatedAt, inv.Suspended = ledger.StatusSuspended, now, true
				c.Events = append(c.Events, ledger.Event{ID: env.NewID(coffer.PrefixEvent), Type: EventAccountSuspended,
					AccountID: a.ID, CreatedAt: now, Data: map[string]any{"reason": "invoice_unpaid", "invoice_id": inv.ID}})
			}
		}
		c.Events = append([]ledger.Event{s.invoiceEvent(env, inv, EventInvoicePaymentFailed, data)}, c.Events...)
		return nil
	})
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
