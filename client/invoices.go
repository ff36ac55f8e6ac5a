package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cofferdev/coffer/api"
)

// InvoiceListParams filters invoices: by account, status (finalized, paid,
// payment_failed, void) and period (a month, YYYY-MM).
type InvoiceListParams struct {
	ListParams
	AccountID string
	Status    string
	Period    string
}

func (p InvoiceListParams) values() url.Values {
	q := p.ListParams.values()
	setIf(q, "account_id", p.AccountID)
	setIf(q, "status", p.Status)
	setIf(q, "period", p.Period)
	return q
}

// ListInvoices returns one page of invoices, oldest first.
func (c *Client) ListInvoices(ctx context.Context, lp InvoiceListParams, opts ...CallOption) (*api.List[api.Invoice], error) {
	return call[api.List[api.Invoice]](ctx, c, http.MethodGet, withQuery("/v1/invoices", lp.values()), nil, opts)
}

// GetInvoice returns an invoice.
func (c *Client) GetInvoice(ctx context.Context, id string, opts ...CallOption) (*api.Invoice, error) {
	p, err := idPath("invoice id", "/v1/invoices/", id, "")
	if err != nil {
		return nil, err
	}
	return call[api.Invoice](ctx, c, http.MethodGet, p, nil, opts)
}

// UpcomingInvoice returns the draft of an account's open period.
func (c *Client) UpcomingInvoice(ctx context.Context, accountID string, opts ...CallOption) (*api.Invoice, error) {
	p, err := accountPath(accountID, "/invoices/upcoming")
	if err != nil {
		return nil, err
	}
	return call[api.Invoice](ctx, c, http.MethodGet, p, nil, opts)
}

// PayInvoice charges an unpaid invoice now.
func (c *Client) PayInvoice(ctx context.Context, id string, in api.InvoicePay, opts ...CallOption) (*api.Invoice, error) {
	p, err := idPath("invoice id", "/v1/invoices/", id, "/pay")
	if err != nil {
		return nil, err
	}
	return call[api.Invoice](ctx, c, http.MethodPost, p, in, opts)
}

// VoidInvoice cancels an unpaid invoice.
func (c *Client) VoidInvoice(ctx context.Context, id string, in api.InvoiceVoid, opts ...CallOption) (*api.Invoice, error) {
	p, err := idPath("invoice id", "/v1/invoices/", id, "/void")
	if err != nil {
		return nil, err
	}
	return call[api.Invoice](ctx, c, http.MethodPost, p, in, opts)
}

// Invoice documents.
const (
	InvoicePDF  = "/pdf"
	InvoiceHTML = "/html"
	InvoiceCSV  = "/lines?format=csv"
)

// InvoiceDocument returns an invoice as a document: InvoicePDF,
// InvoiceHTML, or its lines as CSV (InvoiceCSV).
func (c *Client) InvoiceDocument(ctx context.Context, id, doc string) ([]byte, error) {
	p, err := idPath("invoice id", "/v1/invoices/", id, doc)
	if err != nil {
		return nil, err
	}
	status, _, data, err := c.send(ctx, http.MethodGet, p, nil, "")
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		return nil, decodeError(status, data)
	}
	return data, nil
}
