package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/service"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	basic := func(id, tok string) string {
		r, _ := http.NewRequest("GET", "/", nil)
		r.SetBasicAuth(id, tok)
		return r.Header.Get("Authorization")
	}
	tests := []struct {
		name   string
		authz  string
		status int
		code   string
		typ    string
	}{
		{"no credentials", "", 401, coffer.EUnauthenticated, "authentication_error"},
		{"unknown key", "Bearer " + badKey, 401, coffer.EUnauthenticated, "authentication_error"},
		{"empty bearer", "Bearer ", 401, coffer.EUnauthenticated, "authentication_error"},
		{"other scheme", "Digest abc", 401, coffer.EUnauthenticated, "authentication_error"},
		{"malformed basic", "Basic !!!", 401, coffer.EUnauthenticated, "authentication_error"},
		{"unknown subaccount", basic("AC_NOPE", "x"), 401, coffer.EUnauthenticated, "authentication_error"},
		{"disabled subaccount", basic(subDisabled, "x"), 403, coffer.ESubaccountDisabled, "permission_error"},
		{"authentication broken", "Bearer " + brokenKey, 500, coffer.EInternal, "api_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A malformed body must not matter: credentials are checked first.
			r := s.do(t, "POST", "/v1/accounts", `{"name":`, "Authorization", tt.authz)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tt.status, r.body)
			}
			e := errorOf(t, r)
			if e.Code != tt.code || e.Type != tt.typ {
				t.Errorf("got %s/%s, want %s/%s", e.Type, e.Code, tt.typ, tt.code)
			}
			if tt.status == 401 && len(r.header.Values("WWW-Authenticate")) == 0 {
				t.Error("401 without WWW-Authenticate")
			}
			if strings.Contains(string(r.body), secretText) {
				t.Errorf("internal error text leaked: %s", r.body)
			}
		})
	}
	if !strings.Contains(s.log.String(), secretText) {
		t.Error("the internal authentication error was not logged")
	}

	// Valid credentials get past authentication to validation.
	for _, authz := range []string{"Bearer " + adminKey, "bearer " + adminKey, basic(subAuthID, subToken)} {
		r := s.do(t, "POST", "/v1/accounts", `{"name":`, "Authorization", authz)
		if r.status != http.StatusBadRequest {
			t.Errorf("%.12s…: status %d, want 400 for the malformed body; %s", authz, r.status, r.body)
		}
	}
}

func TestPublicRoutesNeedNoCredentials(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	for _, path := range []string{"/healthz", "/openapi.json", "/docs", "/docs/docs.js", "/docs/docs.css"} {
		r := s.do(t, "GET", path, nil, "Authorization", "")
		if r.status != http.StatusOK {
			t.Errorf("GET %s: %d", path, r.status)
		}
	}
	r := s.do(t, "GET", "/healthz", nil, "Authorization", "")
	if string(r.body) != "ok\n" {
		t.Errorf("healthz body %q", r.body)
	}
}

// TestCallCarriesIdempotencyInputs runs the authentication middleware in
// front of a probe operation and checks what the service would receive.
func TestCallCarriesIdempotencyInputs(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	a := humago.New(mux, huma.Config{OpenAPI: &huma.OpenAPI{Info: &huma.Info{Title: "probe", Version: "1"}}, Formats: huma.DefaultFormats})
	h := &handler{auth: fakeAuth{}}
	a.UseMiddleware(h.authenticate)
	type probeBody struct {
		Name string `json:"name"`
	}
	type probe struct {
		Caller, Key, Hash, Name string
	}
	register(a, mutate(http.MethodPost, 200, "probe", "/probe", "t", "probe", ""),
		func(ctx context.Context, in *struct{ Body probeBody }) (*probe, error) {
			c := callFrom(ctx)
			return &probe{Caller: c.Caller.KeyID, Key: c.IdempotencyKey, Hash: c.RequestHash, Name: in.Body.Name}, nil
		})
	srv := httptest.NewServer(logRequests(discardLogger(), mux))
	defer srv.Close()

	body := `{"name":"Acme"}`
	req, _ := http.NewRequest("POST", srv.URL+"/probe?x=1", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminKey)
	req.Header.Set("Idempotency-Key", "key-1")
	req.Header.Set("Content-Type", "application/json")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got probe
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("POST\n/probe?x=1\n" + body))
	want := probe{Caller: "key_admin", Key: "key-1", Hash: hex.EncodeToString(sum[:]), Name: "Acme"}
	if got != want {
		t.Errorf("call = %+v, want %+v", got, want)
	}
}

func TestRequestHashSeparatesRequests(t *testing.T) {
	t.Parallel()
	base := requestHash("POST", "/v1/debits", []byte(`{"a":1}`))
	for _, other := range []string{
		requestHash("PATCH", "/v1/debits", []byte(`{"a":1}`)),
		requestHash("POST", "/v1/debits?x=1", []byte(`{"a":1}`)),
		requestHash("POST", "/v1/debits", []byte(`{"a":2}`)),
		requestHash("POST", "/v1/debit", []byte("s\n{\"a\":1}")),
	} {
		if other == base {
			t.Errorf("two different requests share hash %s", base)
		}
	}
	if len(base) != 64 {
		t.Errorf("hash %q is not hex SHA-256", base)
	}
}

func TestAccessLogKeepsSecretsOut(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	s.do(t, "GET", "/v1/accounts?starting_after=acct_0000000000000000000000000a", nil)
	s.do(t, "GET", "/healthz", nil, "Authorization", "Basic "+subToken)
	logs := s.log.String()
	if strings.Contains(logs, adminKey) || strings.Contains(logs, subToken) {
		t.Errorf("a credential reached the log:\n%s", logs)
	}
	found := false
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", l)
		}
		if m["msg"] == "http request" && m["path"] == "/v1/accounts" {
			found = true
			if m["method"] != "GET" || m["key_id"] != "key_admin" || m["status"] == nil || m["duration"] == nil {
				t.Errorf("access log line lacks fields: %s", l)
			}
		}
	}
	if !found {
		t.Errorf("no access log line for /v1/accounts:\n%s", logs)
	}
}

func TestCallFromWithoutState(t *testing.T) {
	t.Parallel()
	if c := callFrom(context.Background()); c != (service.Call{}) {
		t.Errorf("callFrom on a bare context = %+v", c)
	}
}
