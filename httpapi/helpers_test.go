package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
)

// Credentials the fake authenticator knows.
const (
	adminKey    = "sk_test_admin"
	badKey      = "sk_test_revoked"
	brokenKey   = "sk_test_broken" // authentication fails with an internal error
	subAuthID   = "AC123"
	subToken    = "tok_secret"
	subDisabled = "AC_DISABLED"
	secretText  = "connection refused at 10.0.0.7"
)

// fakeAuth stands in for the service's authentication so that the request
// checks in front of the service can be tested without a store.
type fakeAuth struct{}

func (fakeAuth) Authenticate(_ context.Context, bearer string) (*service.Caller, error) {
	switch bearer {
	case adminKey:
		return &service.Caller{KeyID: "key_admin", Role: coffer.RoleAdmin}, nil
	case brokenKey:
		return nil, errors.New(secretText)
	}
	return nil, coffer.Errorf(coffer.EUnauthenticated, "invalid API key")
}

func (fakeAuth) AuthenticateSubaccount(_ context.Context, authID, token string) (*service.Caller, error) {
	switch {
	case authID == subAuthID && token == subToken:
		return &service.Caller{KeyID: "sub_1", Role: service.RoleSubaccount, AccountID: "acct_1", SubaccountID: "sub_1"}, nil
	case authID == subDisabled:
		return nil, coffer.Errorf(coffer.ESubaccountDisabled, "the subaccount is disabled")
	}
	return nil, coffer.Errorf(coffer.ENotFound, "no such subaccount")
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testServer struct {
	*httptest.Server
	log *syncBuffer
}

// newTestServer serves the API over a zero Service: every request the
// checks let through reaches a service with no store behind it.
func newTestServer(t *testing.T, opts Options) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	opts.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(newHandler(&service.Service{}, fakeAuth{}, opts))
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, log: logs}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; body may be a string (sent as is) or nil. Headers
// come in pairs; "Authorization" defaults to the admin key unless given.
func (s *testServer) do(t *testing.T, method, path string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	if b, ok := body.(string); ok {
		rd = strings.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// errorOf decodes an error answer strictly: the body must be exactly the
// API's error shape.
func errorOf(t *testing.T, r response) api.ErrorDetail {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error answer has Content-Type %q, want application/json; body %s", ct, r.body)
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	var e api.ErrorBody
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error answer is not an api.ErrorBody: %v; body %s", err, r.body)
	}
	if e.Error.Type == "" || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error answer lacks type, code or message: %s", r.body)
	}
	return e.Error
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
