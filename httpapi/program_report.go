package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
)

// registerProgramReport adds GET /v1/programs/{id}/report, a program's
// gifts per enrollment and in total, as JSON or CSV.
func (h *handler) registerProgramReport(a huma.API) {
	op := get("getProgramReport", "/v1/programs/{id}/report", tagPrograms, "Report on a program's gifts",
		"Admin only. Per enrollment and in total, from the ledger: the gift issued, what the monthly true-ups applied to the balance, "+
			"what remains, and what went to breakage, split into expired (the credited period ended) and voided (unenrolment or a voided grant); "+
			"issued = applied + remaining + expired + voided on every row. "+
			"JSON, or CSV with ?format=csv or Accept: text/csv: a header row, one row per enrollment, a final total row, exact decimal amounts, UTF-8.")
	documentErrors(a, &op)
	schema := a.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[api.ProgramReport](), true, "")
	op.Responses["200"] = &huma.Response{Description: "The program's report", Content: map[string]*huma.MediaType{
		"application/json": {Schema: schema}, "text/csv": {Schema: &huma.Schema{Type: huma.TypeString}}}}
	huma.Register(a, op, func(ctx context.Context, in *struct {
		ProgramPath
		Format string `query:"format" enum:"json,csv" doc:"csv for a spreadsheet; json by default."`
		Accept string `header:"Accept"`
	}) (*document, error) {
		r, err := h.svc.ProgramReport(ctx, callFrom(ctx), in.ID)
		if err != nil {
			return nil, fail(ctx, err)
		}
		if in.Format == "csv" || (in.Format == "" && strings.Contains(in.Accept, "text/csv")) {
			var buf bytes.Buffer
			if err := service.WriteProgramReportCSV(&buf, r); err != nil {
				return nil, fail(ctx, err)
			}
			return &document{ContentType: "text/csv; charset=utf-8", CacheControl: "private, no-store",
				ContentDisposition: `attachment; filename="` + r.ProgramID + `-report.csv"`, Body: buf.Bytes()}, nil
		}
		body, err := json.Marshal(r)
		if err != nil {
			return nil, fail(ctx, err)
		}
		return &document{ContentType: "application/json", CacheControl: "private, no-store", Body: body}, nil
	})
}
