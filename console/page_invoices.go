package console

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/store"
)

// The account's invoices: the list with the open period's preview, an
// invoice's page with its printable document and PDF, and the staff's
// void and the retry of a failed payment.

func invoicesRoutes() []route {
	return []route{
		{pattern: "GET /accounts/{id}/invoices", access: member, tab: "Invoices", handle: invoicesPage},
		{pattern: "GET /accounts/{id}/invoices/{inv}", access: member, handle: invoicePage},
		{pattern: "GET /accounts/{id}/invoices/{inv}/document", access: member, handle: invoiceDocument(service.DocHTML)},
		{pattern: "GET /accounts/{id}/invoices/{inv}/pdf", access: member, handle: invoiceDocument(service.DocPDF)},
		// The service decides who may pay: staff, and an owner its own
		// invoice, as with POST /v1/invoices/{id}/pay.
		{pattern: "POST /accounts/{id}/invoices/{inv}/pay", access: member, handle: payInvoice},
		{pattern: "POST /accounts/{id}/invoices/{inv}/void", access: staff, handle: voidInvoice},
	}
}

type invoicesData struct {
	Form        *form
	Invoices    []invoiceRow
	Upcoming    *invoiceRow
	Next, First string
}

// invoiceRow is an invoice with the words its row shows.
type invoiceRow struct {
	api.Invoice
	Period string
	// Due says when the amount due is collected: the next payment
	// attempt of an unpaid invoice, or when it was paid or voided.
	Due string
}

func newInvoiceRow(inv *api.Invoice) invoiceRow {
	r := invoiceRow{Invoice: *inv, Period: formatDate(inv.PeriodStart) + " – " + formatDate(inv.PeriodEnd.Add(-time.Microsecond))}
	switch {
	case inv.Status == "paid" && inv.PaidAt != nil:
		r.Due = "Paid " + formatDate(inv.PaidAt)
	case inv.Status == "void":
		r.Due = "Voided " + formatDate(inv.VoidedAt)
	case inv.NextAttemptAt != nil:
		r.Due = "Next try " + formatDate(inv.NextAttemptAt)
	case inv.FinalizedAt != nil && inv.AmountDue != 0:
		r.Due = "Due " + formatDate(inv.FinalizedAt)
	default:
		r.Due = "—"
	}
	return r
}

func invoicesPage(q *request) error {
	d := &invoicesData{}
	v, err := q.accountView(d)
	if err != nil {
		return err
	}
	call, err := q.call()
	if err != nil {
		return err
	}
	qv := q.r.URL.Query()
	d.Form = newForm("invoices", url.Values{"status": {qv.Get("status")}}, "status")
	list, err := q.c.svc.ListInvoices(q.r.Context(), call, service.InvoiceFilter{AccountID: v.Account.ID, Status: qv.Get("status")},
		store.Page{Limit: pageSize, StartingAfter: qv.Get("starting_after")})
	if err != nil {
		if !d.Form.fail(err) || isCode(err, coffer.ENotFound) {
			return err
		}
		return q.renderView(coffer.HTTPStatus(coffer.ErrorCode(err)), "invoices", v)
	}
	// Newest first, as people look for the last bill; the API lists a
	// page oldest first.
	for i := len(list.Data) - 1; i >= 0; i-- {
		d.Invoices = append(d.Invoices, newInvoiceRow(&list.Data[i]))
	}
	last := ""
	if n := len(list.Data); n > 0 {
		last = list.Data[n-1].ID
	}
	d.Next, d.First = pagerLinks(qv, list.HasMore, last, "status")
	up, err := q.c.svc.UpcomingInvoice(q.r.Context(), call, v.Account.ID)
	if err != nil {
		return err
	}
	row := newInvoiceRow(up)
	d.Upcoming = &row
	return q.renderView(http.StatusOK, "invoices", v)
}

type invoiceData struct {
	Invoice invoiceRow
	// Pay is the retry form of an unpaid invoice; Void the staff's void.
	Pay, Void *form
	// Methods are the pay form's choices: the account's usable methods.
	Methods []option
	// Unpaid is whether the invoice still has money due.
	Unpaid bool
}

// MethodField is the pay form's choice of payment method.
func (d *invoiceData) MethodField() field {
	fl := d.Pay.Select("payment_method_id", "Payment method")
	fl.Options = d.Methods
	return fl
}

const (
	payFormID  = "pay"
	voidFormID = "void-invoice"
)

func invoicePage(q *request) error {
	return q.renderInvoice(http.StatusOK, nil)
}

// renderInvoice draws an invoice's page; failed is a form sent with
// errors (pay or void), redrawn with them.
func (q *request) renderInvoice(status int, failed *form) error {
	d := &invoiceData{}
	v, err := q.accountView(d)
	if err != nil {
		return err
	}
	call, err := q.call()
	if err != nil {
		return err
	}
	inv, err := q.accountInvoice(call)
	if err != nil {
		return err
	}
	d.Invoice = newInvoiceRow(inv)
	d.Unpaid = inv.Status == "finalized" || inv.Status == "payment_failed"
	if d.Unpaid {
		d.Pay, d.Methods = newForm(payFormID, nil, "payment_method_id"), []option{{Value: "", Label: "The account's default"}}
		methods, err := q.c.svc.ListPaymentMethods(q.r.Context(), call, v.Account.ID)
		if err != nil {
			return err
		}
		for _, m := range methods.Data {
			if m.Status == "active" {
				label := methodLabel(m)
				if m.Default {
					label += " (default)"
				}
				d.Methods = append(d.Methods, option{Value: m.ID, Label: label})
			}
		}
		if q.sess.Staff() {
			d.Void = newForm(voidFormID, nil, "reason")
		}
		switch {
		case failed == nil:
		case failed.ID == payFormID:
			d.Pay = failed
		case failed.ID == voidFormID && d.Void != nil:
			d.Void = failed
		}
	}
	return q.renderView(status, "invoice", v)
}

// accountInvoice reads the invoice the path names, which must be the
// path's account's: another account's invoice is not a page of this one.
func (q *request) accountInvoice(call service.Call) (*api.Invoice, error) {
	id := q.r.PathValue("inv")
	inv, err := q.c.svc.GetInvoice(q.r.Context(), call, id)
	if err == nil && inv.AccountID != q.r.PathValue("id") {
		err = coffer.Errorf(coffer.ENotFound, "invoice %s not found", id)
	}
	return inv, err
}

// invoiceDocument serves the invoice as its printable page or its PDF,
// as GET /v1/invoices/{id}/html and /pdf do.
func invoiceDocument(format string) func(*request) error {
	return func(q *request) error {
		call, err := q.call()
		if err != nil {
			return err
		}
		id := q.r.PathValue("inv")
		inv, err := q.c.svc.ReadableInvoice(q.r.Context(), call, id)
		if err == nil && inv.AccountID != q.r.PathValue("id") {
			err = coffer.Errorf(coffer.ENotFound, "invoice %s not found", id)
		}
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := q.c.svc.InvoiceDocument(q.r.Context(), &buf, inv, format); err != nil {
			return err
		}
		h := q.w.Header()
		h.Set("Cache-Control", "private, no-store")
		name := inv.Number
		if name == "" {
			name = inv.ID
		}
		if format == service.DocPDF {
			h.Set("Content-Type", "application/pdf")
			h.Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
		} else {
			// The document carries its own styles, inline, and is shown
			// in a frame of the invoice's page: it may be framed by the
			// console and load nothing at all.
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
			h.Set("X-Frame-Options", "SAMEORIGIN")
		}
		_, err = q.w.Write(buf.Bytes())
		return err
	}
}

func payInvoice(q *request) error {
	f := newForm(payFormID, q.r.PostForm, "payment_method_id")
	return q.invoiceAction(f, "Payment of invoice %s succeeded.", func(ctx context.Context, call service.Call, id string) (*api.Invoice, error) {
		return q.c.svc.PayInvoice(ctx, call, id, api.InvoicePay{PaymentMethodID: f.Values.Get("payment_method_id")})
	})
}

func voidInvoice(q *request) error {
	f := newForm(voidFormID, q.r.PostForm, "reason")
	return q.invoiceAction(f, "Voided invoice %s.", func(ctx context.Context, call service.Call, id string) (*api.Invoice, error) {
		return q.c.svc.VoidInvoice(ctx, call, id, api.InvoiceVoid{Reason: f.Values.Get("reason")})
	})
}

// invoiceAction runs a form's change of the path's invoice once (its
// idempotency key), then shows the invoice with a notice, or the form
// again with the service's refusal beside its field.
func (q *request) invoiceAction(f *form, done string, run func(context.Context, service.Call, string) (*api.Invoice, error)) error {
	call, err := q.mutation()
	if err != nil {
		return err
	}
	inv, err := q.accountInvoice(call)
	if err == nil {
		inv, err = service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.Invoice, error) {
			return run(ctx, call, inv.ID)
		})
		if err == nil {
			return q.redirect("/accounts/"+inv.AccountID+"/invoices/"+inv.ID, fmt.Sprintf(done, invoiceName(inv)))
		}
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	return q.renderInvoice(coffer.HTTPStatus(coffer.ErrorCode(err)), f)
}

// invoiceName is how a notice names an invoice: its number.
func invoiceName(inv *api.Invoice) string {
	if inv.Number != "" {
		return inv.Number
	}
	return inv.ID
}
