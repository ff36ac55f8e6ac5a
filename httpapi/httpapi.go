// Package httpapi serves Coffer's v1 REST API over the service layer.
//
// Routes are declared with huma on a standard library ServeMux, so the
// OpenAPI 3.1 document at /openapi.json is generated from the same Go types
// that decode requests and encode answers (package api). The documentation
// page at /docs is bundled in the binary and reads that document; it loads
// nothing from elsewhere.
//
// The layer is thin on purpose: it authenticates the caller, refuses
// malformed requests (bad JSON, unknown fields, amounts that are not
// decimal strings) before they reach the service, hashes each mutating
// request for the service's idempotency check, and turns every error into
// one JSON shape through one table (errors.go).
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/cofferdev/coffer/service"
)

// Options configures the API handler.
type Options struct {
	// Logger receives the access log and the text of internal errors.
	// Nil discards both.
	Logger *slog.Logger
	// TestClock registers POST /v1/test_clock/advance. Without it the
	// route does not exist.
	TestClock bool
	// Version is the server's version, shown in the OpenAPI document
	// and in every answer's X-Coffer-Version header.
	Version string
	// Metrics, if set, is told of every answered request (metrics.go).
	Metrics RequestObserver
	// RateLimits are the per-key token buckets of each role
	// (ratelimit.go); all off when zero.
	RateLimits RateLimits
	// Health answers /readyz and refuses requests once the server
	// drains (health.go); nil is always ready.
	Health *Health
	// Fallback, if set, serves every request outside /v1 that no API
	// route takes: the web console at / (fallback.go).
	Fallback http.Handler
}

// Body size limits. A batch carries up to maxBatchDebits debits, each a few
// hundred bytes with its metadata, so it gets a limit of its own.
const (
	maxBodyBytes      = 1 << 20
	maxBatchBodyBytes = 16 << 20
	maxBatchDebits    = 10_000
)

// authenticator resolves credentials; *service.Service is the one used in
// production. Tests of request validation stand in for it so they can run
// without a store.
type authenticator interface {
	Authenticate(ctx context.Context, bearer string) (*service.Caller, error)
	AuthenticateSubaccount(ctx context.Context, authID, token string) (*service.Caller, error)
}

// strictCasing sets huma.ValidateStrictCasing once, when the first API is
// built.
var strictCasing sync.Once

type handler struct {
	svc    *service.Service
	auth   authenticator
	limits *limiter // nil: no rate limits, and nothing to pay for them
}

// New returns the HTTP handler for the whole API: the /v1 routes,
// /healthz, /readyz, /openapi.json and /docs.
func New(svc *service.Service, opts Options) http.Handler {
	return newHandler(svc, svc, opts)
}

func newHandler(svc *service.Service, auth authenticator, opts Options) http.Handler {
	strictCasing.Do(func() {
		// Field names are matched exactly: "Name" is an unknown field, not
		// "name", as a strict decoder would see it. huma reads this from a
		// package variable, for every API in the process, and has no
		// setting per API; it is set before the first API serves, once,
		// and never changed, so no request reads it while it is written.
		huma.ValidateStrictCasing = true
	})
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	version := opts.Version
	if version == "" {
		version = "dev"
	}

	mux := http.NewServeMux()
	registry := newRegistry()
	a := humago.New(mux, huma.Config{
		OpenAPI: &huma.OpenAPI{
			OpenAPI: "3.1.0",
			Info: &huma.Info{
				Title:       "Coffer API",
				Version:     version,
				Description: apiDescription,
			},
			Components: &huma.Components{
				Schemas:         registry,
				SecuritySchemes: securitySchemes,
			},
			Tags: apiTags,
		},
		Formats: map[string]huma.Format{
			"application/json": huma.DefaultJSONFormat,
			"json":             huma.DefaultJSONFormat,
		},
		DefaultFormat:                "application/json",
		RejectUnknownQueryParameters: true,
		Transformers:                 []huma.Transformer{shapeHumaErrors},
	})
	h := &handler{svc: svc, auth: auth, limits: newLimiter(opts.RateLimits, time.Now)}
	a.UseMiddleware(h.authenticate, carryErrorStatus)

	h.registerAccounts(a)
	h.registerCredits(a)
	h.registerUsage(a)
	h.registerPayments(a)
	h.registerNotify(a)
	h.registerInvoices(a)
	h.registerPrograms(a)
	h.registerProgramReport(a)
	h.registerReports(a)
	h.registerAPIKeys(a)
	if opts.TestClock {
		h.registerTestClock(a)
	}
	refineSchemas(registry)
	boundIntegers(registry)
	listsNeverNull(registry)
	standardKeywords(registry)
	finishDocument(a.OpenAPI())

	spec, err := json.Marshal(a.OpenAPI())
	if err != nil {
		panic("httpapi: cannot encode the OpenAPI document: " + err.Error())
	}
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(spec)
	})
	registerHealth(mux, opts.Health)
	registerDocs(mux)
	registerHostedInvoices(mux, svc)

	api := logRequests(logger, identify(version, observeRequests(opts.Metrics, opts.Health.refuseWhileDraining(recoverPanics(assumeJSON(jsonNotFound(mux)))))))
	if opts.Fallback == nil {
		return api
	}
	// The console's requests get the same access log, request id and
	// version header as the API's.
	return withFallback(mux, api, logRequests(logger, identify(version, opts.Fallback)))
}

// apiDescription heads the OpenAPI document and the documentation page.
const apiDescription = `Coffer keeps prepaid balances and credits for usage-based businesses.

**Authentication.** Send an API key as ` + "`Authorization: Bearer <key>`" + `, or a subaccount's auth id and token with HTTP Basic.

**Amounts** are decimal strings with at most 6 decimal places (` + "`\"25.00\"`, `\"0.0075\"`" + `); JSON numbers are refused. **Times** are RFC 3339.

**Idempotency.** Every POST, PUT, PATCH and DELETE takes an ` + "`Idempotency-Key`" + ` header (at most 255 characters). A repeat with the same key returns the first answer and changes nothing; the same key with a different request, on any route, is a 409.

**Errors** always have the shape ` + "`{\"error\":{\"type\",\"code\",\"message\",\"param\",\"details\",\"request_id\"}}`" + `. The code is stable; param names the field at fault; request_id is the answer's ` + "`X-Request-Id`" + `, which a request may send itself.

**Lists** take ` + "`limit`" + ` and ` + "`starting_after`" + ` (the last id of the previous page) and answer ` + "`{\"data\":[…],\"has_more\":…}`" + `.`

// apiTags orders and introduces the groups of operations.
var apiTags = []*huma.Tag{
	{Name: tagAccounts, Description: "The operator's customers. Each account has one currency, a status, a billing mode and a floor (`min_balance`)."},
	{Name: tagSubaccounts, Description: "Subaccounts draw on their account's balance and authenticate with their own auth id and token (HTTP Basic)."},
	{Name: tagBalances, Description: "Balances and the ledger history behind them."},
	{Name: tagGrants, Description: "Credits added to an account. Each grant is a lot with its own category, priority and expiry; debits consume lots in order."},
	{Name: tagDebits, Description: "Usage. A debit consumes credits in real time; the event id makes it idempotent."},
	{Name: tagHolds, Description: "Reservations made before work whose final cost is not known yet."},
	{Name: tagTestClock, Description: "Present only on a server started in test mode."},
}

// jsonMarshal encodes v as huma does, without HTML escaping.
func jsonMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
