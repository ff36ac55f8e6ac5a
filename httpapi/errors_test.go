package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

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
