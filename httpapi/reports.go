package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
)

const tagReports = "Reports"

// reportPageSize is a JSON report page's default length; CSV answers
// every row at once, for a spreadsheet.
const reportPageSize = 500

// ReportFormat chooses JSON or CSV.
type ReportFormat struct {
	Format string `query:"format" enum:"json,csv" doc:"csv for a spreadsheet (every row, a header row, decimal strings, UTF-8); json by default."`
	Accept string `header:"Accept"`
}

func (f ReportFormat) csv() bool {
	return f.Format == "csv" || (f.Format == "" && strings.Contains(f.Accept, "text/csv"))
}

// ReportRange is a report's range and filters.
type ReportRange struct {
	From      time.Time `query:"from" doc:"RFC 3339, inclusive; 30 days before to by default."`
	To        time.Time `query:"to" doc:"RFC 3339, exclusive; now by default."`
	AccountID string    `query:"account_id" doc:"Only this account."`
}

// ReportPage pages a JSON report's rows.
type ReportPage struct {
	Limit         int    `query:"limit" minimum:"1" maximum:"1000" doc:"Rows per page, 1 to 1000; 500 by default."`
	StartingAfter string `query:"starting_after" doc:"The next_cursor of the previous page."`
}

func (p ReportPage) limit() int {
	if p.Limit == 0 {
		return reportPageSize
	}
	return p.Limit
}

func (h *handler) registerReports(a huma.API) {
	a.OpenAPI().Tags = append(a.OpenAPI().Tags, &huma.Tag{Name: tagReports,
		Description: "Credit usage, liability, usage and runway, from the ledger's own postings (so they reconcile with coffer check). JSON, or CSV with ?format=csv or Accept: text/csv."})

	credits := reportOp(a, "getCreditsReport", "/v1/reports/credits", "Credit usage",
		"Admin only. Per currency and unit, category and period: opening, granted, consumed, expired (breakage), voided, remaining.",
		reflect.TypeFor[api.CreditsReport]())
	huma.Register(a, credits, func(ctx context.Context, in *struct {
		ReportRange
		Group    string `query:"group" enum:"day,week,month" doc:"Split the range into UTC days, ISO weeks or months; one period by default."`
		Kind     string `query:"kind" enum:"monetary,units"`
		Unit     string `query:"unit"`
		Category string `query:"category" enum:"paid,promotional"`
		ReportPage
		ReportFormat
	}) (*document, error) {
		r, err := h.svc.CreditsReport(ctx, callFrom(ctx), service.ReportQuery{From: in.From, To: in.To, Group: in.Group,
			AccountID: in.AccountID, Kind: in.Kind, Unit: in.Unit, Category: in.Category})
		if err != nil {
			return nil, fail(ctx, err)
		}
		if in.csv() {
			return csvDocument(ctx, "credits.csv", func(w io.Writer) error { return service.WriteCreditsCSV(w, r) })
		}
		if r.Data, r.HasMore, r.NextCursor, err = service.Page(r.Data, in.limit(), in.StartingAfter); err != nil {
			return nil, fail(ctx, err)
		}
		return jsonDocument(ctx, r)
	})

	liability := reportOp(a, "getLiabilityReport", "/v1/reports/liability", "Credit liability",
		"Admin only. The credit still owed at an instant by currency and unit, category and expiry bucket.",
		reflect.TypeFor[api.LiabilityReport]())
	huma.Register(a, liability, func(ctx context.Context, in *struct {
		At        time.Time `query:"at" doc:"RFC 3339; now by default."`
		AccountID string    `query:"account_id" doc:"Only this account."`
		Kind      string    `query:"kind" enum:"monetary,units"`
		Category  string    `query:"category" enum:"paid,promotional"`
		ReportFormat
	}) (*document, error) {
		r, err := h.svc.LiabilityReport(ctx, callFrom(ctx), in.At, service.ReportQuery{AccountID: in.AccountID, Kind: in.Kind, Category: in.Category})
		if err != nil {
			return nil, fail(ctx, err)
		}
		if in.csv() {
			return csvDocument(ctx, "liability.csv", func(w io.Writer) error { return service.WriteLiabilityCSV(w, r) })
		}
		return jsonDocument(ctx, r)
	})

	usage := reportOp(a, "getUsageReport", "/v1/reports/usage", "Usage",
		"Per UTC day, account, subaccount and unit, with totals and daily averages. An account key may read its own account's (account_id); every account's needs an admin key.",
		reflect.TypeFor[api.UsageReport]())
	huma.Register(a, usage, func(ctx context.Context, in *struct {
		ReportRange
		ReportPage
		ReportFormat
	}) (*document, error) {
		r, err := h.svc.UsageReport(ctx, callFrom(ctx), service.ReportQuery{From: in.From, To: in.To, AccountID: in.AccountID})
		if err != nil {
			return nil, fail(ctx, err)
		}
		if in.csv() {
			return csvDocument(ctx, "usage.csv", func(w io.Writer) error { return service.WriteUsageCSV(w, r) })
		}
		if r.Data, r.HasMore, r.NextCursor, err = service.Page(r.Data, in.limit(), in.StartingAfter); err != nil {
			return nil, fail(ctx, err)
		}
		return jsonDocument(ctx, r)
	})

	register(a, get("getRunway", "/v1/accounts/{id}/runway", tagReports, "How long the balance lasts",
		"The days until the balance reaches its floor at the last 30 days' burn rate (or since the account was created), counting credit that expires before it is spent, and the figures it used. No usage: no date, and a reason."),
		func(ctx context.Context, in *struct{ AccountPath }) (*api.Runway, error) {
			return h.svc.Runway(ctx, callFrom(ctx), in.ID)
		})
}

// reportOp is a GET report route answering JSON of type t or CSV.
func reportOp(a huma.API, id, path, summary, desc string, t reflect.Type) huma.Operation {
	op := get(id, path, tagReports, summary, desc)
	documentErrors(a, &op)
	schema := a.OpenAPI().Components.Schemas.Schema(t, true, "")
	op.Responses["200"] = &huma.Response{Description: summary, Content: map[string]*huma.MediaType{
		"application/json": {Schema: schema}, "text/csv": {Schema: &huma.Schema{Type: huma.TypeString}}}}
	return op
}

func jsonDocument(ctx context.Context, v any) (*document, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fail(ctx, err)
	}
	return &document{ContentType: "application/json", CacheControl: "private, no-store", Body: body}, nil
}

// csvDocument is a CSV answer written by write (the service's writers,
// which the console's downloads share).
func csvDocument(ctx context.Context, name string, write func(io.Writer) error) (*document, error) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return nil, fail(ctx, err)
	}
	return &document{ContentType: "text/csv; charset=utf-8", CacheControl: "private, no-store",
		ContentDisposition: `attachment; filename="` + name + `"`, Body: buf.Bytes()}, nil
}
