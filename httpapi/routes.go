package httpapi

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/store"
)

// out is every successful answer: the wire type as the body.
type out[T any] struct {
	Body *T
}

// register adds an operation whose handler returns a wire value or an
// error. Errors become the API's error answer through the one table;
// huma sends the value with the operation's default status. A mutation
// runs inside service.Once, so every one of them honours the
// Idempotency-Key the same way, whatever its handler does.
func register[I, O any](a huma.API, op huma.Operation, fn func(context.Context, *I) (*O, error)) {
	documentErrors(a, &op)
	huma.Register(a, op, func(ctx context.Context, in *I) (*out[O], error) {
		run := func(ctx context.Context) (*O, error) { return fn(ctx, in) }
		var v *O
		var err error
		if st := stateFrom(ctx); st != nil && st.svc != nil && isMutation(op.Method) {
			v, err = service.Once(ctx, st.svc, callFrom(ctx), run)
		} else {
			v, err = run(ctx)
		}
		if err != nil {
			return nil, fail(ctx, err)
		}
		if v == nil {
			return nil, fail(ctx, errors.New(op.OperationID+": the service returned no result"))
		}
		return &out[O]{Body: v}, nil
	})
}

// documentErrors declares the operation's error answers, the statuses in
// op.Errors, as Coffer's error body in application/json. Left to huma, they
// would be documented with the schema and content type of huma's own error
// model, which no answer here has: shapeHumaErrors rewrites each one huma
// raises. huma still asks the registry for its model's schema, if only to
// document errors an operation leaves out; the alias answers with Coffer's,
// so that huma's model, and its ErrorDetail beside Coffer's, never enter
// the document.
func documentErrors(a huma.API, op *huma.Operation) {
	reg := a.OpenAPI().Components.Schemas
	reg.RegisterTypeAlias(reflect.TypeFor[huma.ErrorModel](), reflect.TypeFor[api.ErrorBody]())
	schema := reg.Schema(reflect.TypeFor[api.ErrorBody](), true, "ErrorBody")
	if op.Responses == nil {
		op.Responses = map[string]*huma.Response{}
	}
	for _, code := range op.Errors {
		op.Responses[strconv.Itoa(code)] = &huma.Response{
			Description: http.StatusText(code),
			Content:     map[string]*huma.MediaType{"application/json": {Schema: schema}},
		}
	}
	op.Errors = nil
}

// Error statuses documented on operations.
var (
	readErrors     = []int{400, 401, 403, 404, 429, 500}
	mutationErrors = []int{400, 401, 403, 404, 409, 429, 500, 503}
	moneyErrors    = []int{400, 401, 402, 403, 404, 409, 429, 500, 503}
)

// idempotencyKeyParam documents the header the authentication middleware
// reads for every mutation.
var idempotencyKeyParam = &huma.Param{
	Name:        "Idempotency-Key",
	In:          "header",
	Description: "Makes the request safe to retry: a repeat with the same key returns the first answer and changes nothing; the same key with a different request is a 409.",
	Schema:      &huma.Schema{Type: huma.TypeString, MaxLength: ptr(maxIdempotencyKey)},
}

func ptr[T any](v T) *T { return &v }

// get describes a read operation.
func get(id, path, tag, summary, desc string) huma.Operation {
	return huma.Operation{
		OperationID: id,
		Method:      http.MethodGet,
		Path:        path,
		Tags:        []string{tag},
		Summary:     summary,
		Description: desc,
		Security:    operationSecurity,
		Errors:      readErrors,
	}
}

// mutate describes a POST, PATCH or DELETE answering status.
func mutate(method string, status int, id, path, tag, summary, desc string) huma.Operation {
	return huma.Operation{
		OperationID:   id,
		Method:        method,
		Path:          path,
		Tags:          []string{tag},
		Summary:       summary,
		Description:   desc,
		DefaultStatus: status,
		Security:      operationSecurity,
		Parameters:    []*huma.Param{idempotencyKeyParam},
		Errors:        mutationErrors,
		MaxBodyBytes:  maxBodyBytes,
	}
}

// Path parameters, one type per resource so each is documented with the
// prefix its ids carry. These and PageQuery are exported only because huma
// finds parameters in embedded structs by reflection, which skips
// unexported ones; nothing outside this package uses them.
type (
	// AccountPath is the {id} of an account route.
	AccountPath struct {
		ID string `path:"id" doc:"The account's id (acct_…)."`
	}
	// SubaccountPath is the {id} of a subaccount route.
	SubaccountPath struct {
		ID string `path:"id" doc:"The subaccount's id (sub_…)."`
	}
	// GrantPath is the {id} of a grant route.
	GrantPath struct {
		ID string `path:"id" doc:"The grant's id (grant_…)."`
	}
	// HoldPath is the {id} of a hold route.
	HoldPath struct {
		ID string `path:"id" doc:"The hold's id (hold_…)."`
	}
)

// PageQuery is the cursor of every list.
type PageQuery struct {
	Limit         int    `query:"limit" minimum:"1" maximum:"100" doc:"How many items to return, 1 to 100; 20 by default."`
	StartingAfter string `query:"starting_after" doc:"The id of the last item of the previous page."`
}

// page checks the cursor's id prefix and returns the store's page.
func (q PageQuery) page(prefix string) (store.Page, error) {
	if q.StartingAfter != "" {
		if err := coffer.CheckID("starting_after", prefix, q.StartingAfter); err != nil {
			return store.Page{}, err
		}
	}
	return store.Page{Limit: q.Limit, StartingAfter: q.StartingAfter}, nil
}
