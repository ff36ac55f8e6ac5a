package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/service"
)

const tagInvoices = "Invoices"

// InvoicePath is the {id} of an invoice route.
type InvoicePath struct {
	ID string `path:"id" doc:"The invoice's id (inv_…)."`
}

// document is an answer that is a file rather than JSON.
type document struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	CacheControl       string `header:"Cache-Control"`
	Body               []byte
}

func (h *handler) registerInvoices(a huma.API) {
	a.OpenAPI().Tags = append(a.OpenAPI().Tags, &huma.Tag{Name: tagInvoices,
		Description: "Monthly invoices (postpaid) and statements (prepaid): one per account and UTC calendar month, numbered gap-free at finalization, with credits applied soonest-expiring first. Taxes are not computed."})

	register(a, get("listInvoices", "/v1/invoices", tagInvoices, "List invoices",
		"Oldest first. An account key lists its own account's."),
		func(ctx context.Context, in *struct {
			AccountID string `query:"account_id" doc:"Only this account's invoices."`
			Status    string `query:"status" enum:"finalized,paid,payment_failed,void" doc:"Only invoices in this status."`
			Period    string `query:"period" doc:"Only invoices of this month, as YYYY-MM."`
			PageQuery
		}) (*api.List[api.Invoice], error) {
			p, err := in.page("inv")
			if err != nil {
				return nil, err
			}
			return h.svc.ListInvoices(ctx, callFrom(ctx), service.InvoiceFilter{AccountID: in.AccountID, Status: in.Status, Period: in.Period}, p)
		})
	register(a, get("getInvoice", "/v1/invoices/{id}", tagInvoices, "Retrieve an invoice",
		"Returns the invoice with its lines, subtotal, credits applied, amount due and paid, status and payment attempts."),
		func(ctx context.Context, in *struct{ InvoicePath }) (*api.Invoice, error) {
			return h.svc.GetInvoice(ctx, callFrom(ctx), in.ID)
		})
	register(a, get("getUpcomingInvoice", "/v1/accounts/{id}/invoices/upcoming", tagInvoices, "Preview the open period's invoice",
		"The draft of the account's open period so far, with the credits its close would apply. Nothing is written."),
		func(ctx context.Context, in *struct{ AccountPath }) (*api.Invoice, error) {
			return h.svc.UpcomingInvoice(ctx, callFrom(ctx), in.ID)
		})

	pay := mutate(http.MethodPost, http.StatusOK, "payInvoice", "/v1/invoices/{id}/pay", tagInvoices, "Pay an invoice now",
		"Charges the amount due to the method named, or the account's default: after the owner replaces a card, say. A decline answers payment_failed (402) and counts as an attempt.")
	pay.Errors = moneyErrors
	register(a, pay, func(ctx context.Context, in *struct {
		InvoicePath
		Body *api.InvoicePay
	}) (*api.Invoice, error) {
		var body api.InvoicePay
		if in.Body != nil {
			body = *in.Body
		}
		return h.svc.PayInvoice(ctx, callFrom(ctx), in.ID, body)
	})
	register(a, mutate(http.MethodPost, http.StatusOK, "voidInvoice", "/v1/invoices/{id}/void", tagInvoices, "Void an invoice",
		"Admin only. Cancels an unpaid invoice: the credits it applied come back as grants on the same terms, and what it billed is written off."),
		func(ctx context.Context, in *struct {
			InvoicePath
			Body api.InvoiceVoid
		}) (*api.Invoice, error) {
			return h.svc.VoidInvoice(ctx, callFrom(ctx), in.ID, in.Body)
		})

	h.registerDocument(a, "getInvoicePDF", "/pdf", "The invoice as a PDF",
		"The invoice rendered as a PDF document.", "application/pdf", service.DocPDF)
	h.registerDocument(a, "getInvoiceHTML", "/html", "The invoice as a printable page",
		"The invoice rendered as a self-contained HTML page, for printing or saving.", "text/html; charset=utf-8", service.DocHTML)
	lines := get("listInvoiceLines", "/v1/invoices/{id}/lines", tagInvoices, "List an invoice's lines",
		"JSON, or CSV with ?format=csv or Accept: text/csv: a header row, exact decimal amounts, UTF-8.")
	documentErrors(a, &lines)
	listSchema := a.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[api.List[api.InvoiceLine]](), true, "")
	lines.Responses["200"] = &huma.Response{Description: "The invoice's lines", Content: map[string]*huma.MediaType{
		"application/json": {Schema: listSchema}, "text/csv": {Schema: &huma.Schema{Type: huma.TypeString}}}}
	huma.Register(a, lines, func(ctx context.Context, in *struct {
		InvoicePath
		Format string `query:"format" enum:"json,csv" doc:"csv for a spreadsheet; json by default."`
		Accept string `header:"Accept"`
	}) (*document, error) {
		inv, err := h.svc.ReadableInvoice(ctx, callFrom(ctx), in.ID)
		if err != nil {
			return nil, fail(ctx, err)
		}
		if in.Format == "csv" || (in.Format == "" && strings.Contains(in.Accept, "text/csv")) {
			var buf bytes.Buffer
			if err := h.svc.InvoiceDocument(ctx, &buf, inv, service.DocCSV); err != nil {
				return nil, fail(ctx, err)
			}
			return &document{ContentType: "text/csv; charset=utf-8", CacheControl: "private, no-store",
				ContentDisposition: `attachment; filename="` + fileName(inv, "csv") + `"`, Body: buf.Bytes()}, nil
		}
		full, err := h.svc.GetInvoice(ctx, callFrom(ctx), in.ID)
		if err != nil {
			return nil, fail(ctx, err)
		}
		body, err := json.Marshal(api.List[api.InvoiceLine]{Data: full.Lines})
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &document{ContentType: "application/json", CacheControl: "private, no-store", Body: body}, nil
	})
}

// registerDocument adds GET /v1/invoices/{id}<suffix>, a document of the
// invoice in the given format.
func (h *handler) registerDocument(a huma.API, id, suffix, summary, description, contentType, format string) {
	op := get(id, "/v1/invoices/{id}"+suffix, tagInvoices, summary, description)
	documentErrors(a, &op)
	op.Responses["200"] = &huma.Response{Description: summary, Content: map[string]*huma.MediaType{contentType: {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}}}
	huma.Register(a, op, func(ctx context.Context, in *struct{ InvoicePath }) (*document, error) {
		inv, err := h.svc.ReadableInvoice(ctx, callFrom(ctx), in.ID)
		if err != nil {
			return nil, fail(ctx, err)
		}
		var buf bytes.Buffer
		if err := h.svc.InvoiceDocument(ctx, &buf, inv, format); err != nil {
			return nil, fail(ctx, err)
		}
		disp := "inline"
		if format == service.DocPDF {
			disp = `attachment; filename="` + fileName(inv, "pdf") + `"`
		}
		return &document{ContentType: contentType, ContentDisposition: disp, CacheControl: "private, no-store", Body: buf.Bytes()}, nil
	})
}

// fileName names an invoice's file: its number, or its id for a draft.
func fileName(inv *invoice.Invoice, ext string) string {
	name := inv.Number
	if name == "" {
		name = inv.ID
	}
	return name + "." + ext
}

// registerHostedInvoices serves the invoice page the e-mail links to,
// /invoices/{id}?token=…, outside the API: readable by whoever has the
// link, as a hosted invoice page is, with no API key.
func registerHostedInvoices(mux *http.ServeMux, svc *service.Service) {
	mux.HandleFunc("GET /invoices/{id}", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		inv, err := svc.InvoiceLink(ctx, r.PathValue("id"), r.URL.Query().Get("token"))
		if err != nil {
			writeError(w, errorFor(ctx, err))
			return
		}
		var buf bytes.Buffer
		format, ct := service.DocHTML, "text/html; charset=utf-8"
		if r.URL.Query().Get("format") == "pdf" {
			format, ct = service.DocPDF, "application/pdf"
		}
		if err := svc.InvoiceDocument(ctx, &buf, inv, format); err != nil {
			writeError(w, errorFor(ctx, err))
			return
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "private, no-store")
		w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
		_, _ = w.Write(buf.Bytes())
	})
}
