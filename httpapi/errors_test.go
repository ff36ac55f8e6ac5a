package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/cofferdev/coffer"
)

func TestErrorTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code   string
		status int
		typ    string
	}{
		{coffer.EInvalid, 400, "invalid_request_error"},
		{coffer.EUnauthenticated, 401, "authentication_error"},
		{coffer.EForbidden, 403, "permission_error"},
		{coffer.ENotFound, 404, "invalid_request_error"},
		{coffer.EConflict, 409, "invalid_request_error"},
		{coffer.EIdempotencyReuse, 409, "invalid_request_error"},
		{coffer.EInsufficientBalance, 402, "balance_error"},
		{coffer.EAccountSuspended, 403, "balance_error"},
		{coffer.EAccountClosed, 403, "balance_error"},
		{coffer.ESubaccountDisabled, 403, "permission_error"},
		{coffer.EOverloaded, 503, "api_error"},
	}
	for _, tt := range tests {
		err := fmt.Errorf("context: %w", &coffer.Error{Code: tt.code, Message: "msg", Param: "p", Details: map[string]string{"available": "1.00"}})
		e := errorFor(context.Background(), err)
		if e.status != tt.status || e.ErrorBody.Error.Type != tt.typ || e.ErrorBody.Error.Code != tt.code {
			t.Errorf("%s: got %d %s %s, want %d %s", tt.code, e.status, e.ErrorBody.Error.Type, e.ErrorBody.Error.Code, tt.status, tt.typ)
		}
		if e.ErrorBody.Error.Message != "msg" || e.ErrorBody.Error.Param != "p" || e.ErrorBody.Error.Details["available"] != "1.00" {
			t.Errorf("%s: message, param or details lost: %+v", tt.code, e.ErrorBody.Error)
		}
	}

	if h := errorFor(context.Background(), coffer.Errorf(coffer.EOverloaded, "busy")).header.Get("Retry-After"); h != "1" {
		t.Errorf("overloaded: Retry-After %q, want 1", h)
	}
	if h := errorFor(context.Background(), coffer.Errorf(coffer.EUnauthenticated, "no")).header.Values("WWW-Authenticate"); len(h) != 2 {
		t.Errorf("unauthenticated: WWW-Authenticate %q", h)
	}
}

func TestInternalErrorsAreLoggedNotSent(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	ctx := context.WithValue(context.Background(), reqStateKey{}, &reqState{log: slog.New(slog.NewTextHandler(logs, nil))})
	for _, err := range []error{
		errors.New(secretText),
		&coffer.Error{Code: coffer.EInternal, Message: secretText},
		&coffer.Error{Code: "no_such_code", Message: secretText},
	} {
		e := errorFor(ctx, err)
		if e.status != http.StatusInternalServerError || e.ErrorBody.Error.Type != "api_error" ||
			e.ErrorBody.Error.Code != coffer.EInternal || e.ErrorBody.Error.Message != "internal error" {
			t.Errorf("%v: answered %d %+v", err, e.status, e.ErrorBody.Error)
		}
	}
	if n := strings.Count(logs.String(), secretText); n != 3 {
		t.Errorf("the real error was logged %d times, want 3:\n%s", n, logs)
	}
}

func TestUnknownRoutesAnswerInShape(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	r := s.do(t, "GET", "/v1/nothing-here", nil)
	if e := errorOf(t, r); r.status != 404 || e.Code != coffer.ENotFound {
		t.Errorf("unknown route: %d %s", r.status, r.body)
	}
	r = s.do(t, "PUT", "/v1/accounts", `{}`)
	if e := errorOf(t, r); r.status != 405 || e.Type != "invalid_request_error" {
		t.Errorf("wrong method: %d %s", r.status, r.body)
	}
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "POST") {
		t.Errorf("405 without Allow: %q", allow)
	}
}

// TestHandlerErrorsThroughHuma checks that an error a handler returns
// reaches the client with its status, shape and headers, and that a panic
// becomes a logged 500.
func TestHandlerErrorsThroughHuma(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	a := humago.New(mux, huma.Config{OpenAPI: &huma.OpenAPI{Info: &huma.Info{Title: "probe", Version: "1"}}, Formats: huma.DefaultFormats})
	type empty struct{}
	register(a, get("busy", "/busy", "t", "busy", ""), func(ctx context.Context, _ *empty) (*empty, error) {
		return nil, fmt.Errorf("queue: %w", coffer.Errorf(coffer.EOverloaded, "too many requests queued"))
	})
	register(a, get("refused", "/refused", "t", "refused", ""), func(ctx context.Context, _ *empty) (*empty, error) {
		return nil, &coffer.Error{Code: coffer.EInsufficientBalance, Message: "not enough", Details: map[string]string{"available": "1.50"}}
	})
	register(a, get("panics", "/panics", "t", "panics", ""), func(ctx context.Context, _ *empty) (*empty, error) {
		panic(secretText)
	})
	register(a, get("nothing", "/nothing", "t", "nothing", ""), func(ctx context.Context, _ *empty) (*empty, error) {
		return nil, nil
	})
	logs := &syncBuffer{}
	srv := httptest.NewServer(logRequests(slog.New(slog.NewTextHandler(logs, nil)), recoverPanics(mux)))
	defer srv.Close()
	s := &testServer{Server: srv, log: logs}

	r := s.do(t, "GET", "/busy", nil)
	if e := errorOf(t, r); r.status != 503 || e.Code != coffer.EOverloaded || e.Type != "api_error" || r.header.Get("Retry-After") != "1" {
		t.Errorf("overloaded: %d %v %s", r.status, r.header, r.body)
	}
	r = s.do(t, "GET", "/refused", nil)
	if e := errorOf(t, r); r.status != 402 || e.Type != "balance_error" || e.Details["available"] != "1.50" {
		t.Errorf("refused: %d %s", r.status, r.body)
	}
	for _, path := range []string{"/panics", "/nothing"} {
		r = s.do(t, "GET", path, nil)
		if e := errorOf(t, r); r.status != 500 || e.Message != "internal error" {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	if !strings.Contains(logs.String(), secretText) || !strings.Contains(logs.String(), "panic serving request") {
		t.Errorf("the panic was not logged:\n%s", logs)
	}
}

// TestDecodeError checks that a decoding failure the schema let through
// is reported with the field's wire name and no Go type names.
func TestDecodeError(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, field, message string }{
		{"json: cannot unmarshal number 1e30 into Go struct field AccountCreate.trust_tier of type int", "trust_tier", "1e30 is out of range"},
		{"json: cannot unmarshal number 1.5 into Go struct field DebitBatch.debits.0.quantity of type int64", "debits[0].quantity", "1.5 is out of range"},
		{"json: cannot unmarshal string into Go struct field GrantCreate.priority of type int", "priority", "expected another type than string"},
	}
	for _, tt := range tests {
		field, msg, ok := decodeError(tt.in)
		if !ok || field != tt.field || msg != tt.message {
			t.Errorf("%q: %q %q %v, want %q %q", tt.in, field, msg, ok, tt.field, tt.message)
		}
	}
	if _, _, ok := decodeError("invalid character 'x' looking for beginning of value"); ok {
		t.Error("a syntax error read as a decoding failure")
	}
}

// TestHumaErrorsAreNotReplaced checks that building the API leaves huma's
// own error constructors as huma made them: the errors huma raises are
// shaped by the API's transformer, so another huma API in the process
// answers as huma would.
func TestHumaErrorsAreNotReplaced(t *testing.T) {
	t.Parallel()
	newTestServer(t, Options{})
	if _, ok := huma.NewError(http.StatusBadRequest, "probe").(*huma.ErrorModel); !ok {
		t.Error("huma.NewError does not build huma's ErrorModel")
	}
	if _, ok := huma.NewErrorWithContext(nil, http.StatusBadRequest, "probe").(*huma.ErrorModel); !ok {
		t.Error("huma.NewErrorWithContext does not build huma's ErrorModel")
	}
}
