package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/cofferdev/coffer"
)

// readiness is a Readiness whose answer the test sets, and which sees the
// deadline it is given.
type readiness struct {
	err         atomic.Pointer[error]
	hadDeadline atomic.Bool
}

func (r *readiness) Ready(ctx context.Context) error {
	_, ok := ctx.Deadline()
	r.hadDeadline.Store(ok)
	if p := r.err.Load(); p != nil {
		return *p
	}
	return nil
}

func (r *readiness) set(err error) { r.err.Store(&err) }

// /healthz says the process is alive whatever the store does; /readyz is
// 200 while the check passes, under a deadline, and a 503 naming the
// reason when it fails.
func TestReadyz(t *testing.T) {
	t.Parallel()
	rd := &readiness{}
	s := newTestServer(t, Options{Health: NewHealth(rd)})

	r := s.do(t, "GET", "/readyz", nil, "Authorization", "")
	if r.status != http.StatusOK || string(r.body) != `{"status":"ready"}`+"\n" {
		t.Fatalf("ready: %d %s", r.status, r.body)
	}
	if !rd.hadDeadline.Load() {
		t.Error("the readiness check ran without a deadline")
	}

	for _, c := range []struct {
		err    error
		reason string
	}{
		{&NotReady{Reason: "store_unavailable", Err: errors.New("store did not answer")}, "store_unavailable"},
		{&NotReady{Reason: "migrations_pending", Err: errors.New("schema at 7, binary needs 8")}, "migrations_pending"},
		{errors.New("something else"), "not_ready"},
	} {
		rd.set(c.err)
		r := s.do(t, "GET", "/readyz", nil, "Authorization", "")
		e := errorOf(t, r)
		if r.status != http.StatusServiceUnavailable || e.Code != "not_ready" || e.Details["reason"] != c.reason || r.header.Get("Retry-After") == "" {
			t.Errorf("%v: %d %s, want 503 not_ready with reason %s and Retry-After", c.err, r.status, r.body, c.reason)
		}
		if h := s.do(t, "GET", "/healthz", nil, "Authorization", ""); h.status != http.StatusOK {
			t.Errorf("/healthz while not ready: %d, want 200: the process is alive", h.status)
		}
	}
}

// Once the server drains, /readyz says so and every request but the
// probes is refused with 503 overloaded, Retry-After and Connection:
// close, before authentication or the store.
func TestDrainRefusesRequests(t *testing.T) {
	t.Parallel()
	h := NewHealth(&readiness{})
	s := newTestServer(t, Options{Health: h})
	if r := s.do(t, "GET", "/readyz", nil); r.status != http.StatusOK {
		t.Fatalf("before draining: /readyz %d", r.status)
	}
	h.Drain()
	r := s.do(t, "GET", "/readyz", nil, "Authorization", "")
	if e := errorOf(t, r); r.status != http.StatusServiceUnavailable || e.Details["reason"] != ReasonShuttingDown {
		t.Errorf("/readyz while draining: %d %s", r.status, r.body)
	}
	if r := s.do(t, "GET", "/healthz", nil, "Authorization", ""); r.status != http.StatusOK {
		t.Errorf("/healthz while draining: %d, want 200", r.status)
	}
	for _, path := range []string{"/v1/accounts", "/openapi.json", "/no/such/route"} {
		req, err := http.NewRequest("GET", s.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Error struct{ Code, Message string }
		}
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusServiceUnavailable || body.Error.Code != coffer.EOverloaded ||
			res.Header.Get("Retry-After") != "1" || !res.Close {
			t.Errorf("%s while draining: %s %+v (%v), Retry-After %q, close %v; want 503 overloaded, Retry-After 1, Connection: close",
				path, res.Status, body, err, res.Header.Get("Retry-After"), res.Close)
		}
	}
}

// Leaving, the first step of a shutdown with a drain delay, fails
// /readyz but still serves every request.
func TestLeaveKeepsServing(t *testing.T) {
	t.Parallel()
	h := NewHealth(&readiness{})
	s := newTestServer(t, Options{Health: h})
	h.Leave()
	r := s.do(t, "GET", "/readyz", nil, "Authorization", "")
	if e := errorOf(t, r); r.status != http.StatusServiceUnavailable || e.Details["reason"] != ReasonShuttingDown {
		t.Errorf("/readyz while leaving: %d %s, want 503 shutting_down", r.status, r.body)
	}
	if r := s.do(t, "GET", "/openapi.json", nil); r.status != http.StatusOK {
		t.Errorf("GET /openapi.json while leaving: %d %s, want it served", r.status, r.body)
	}
	if h.Draining() {
		t.Error("leaving drains: requests would be refused")
	}
}

// Every answer names the server's version, the same the OpenAPI document
// states: successes, errors, the probes, refusals while draining.
func TestVersionHeader(t *testing.T) {
	t.Parallel()
	h := NewHealth(nil)
	s := newTestServer(t, Options{Version: "v1.2.3", Health: h})
	r := s.do(t, "GET", "/openapi.json", nil)
	var doc struct {
		Info struct{ Version string }
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || doc.Info.Version != "v1.2.3" {
		t.Fatalf("info.version %q (%v), want v1.2.3", doc.Info.Version, err)
	}
	check := func(what string, r response) {
		t.Helper()
		if v := r.header.Get("X-Coffer-Version"); v != "v1.2.3" {
			t.Errorf("%s (%d): X-Coffer-Version %q, want v1.2.3", what, r.status, v)
		}
	}
	check("openapi", r)
	check("healthz", s.do(t, "GET", "/healthz", nil))
	check("readyz", s.do(t, "GET", "/readyz", nil))
	check("unauthenticated", s.do(t, "GET", "/v1/accounts", nil, "Authorization", ""))
	check("unknown route", s.do(t, "GET", "/v1/nothing", nil))
	check("bad request", s.do(t, "POST", "/v1/debits", `{"amount":1}`))
	h.Drain()
	check("draining", s.do(t, "GET", "/v1/accounts", nil))

	if v := newTestServer(t, Options{}).do(t, "GET", "/healthz", nil).header.Get("X-Coffer-Version"); v != "dev" {
		t.Errorf("no version given: X-Coffer-Version %q, want dev", v)
	}
}
