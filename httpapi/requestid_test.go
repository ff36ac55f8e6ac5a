package httpapi

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

var madeRequestID = regexp.MustCompile(`^req_[0-9a-f]{16}$`)

// Every answer echoes the caller's X-Request-Id, whatever route and
// outcome, and every error body carries it as error.request_id.
func TestRequestIDIsEchoed(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	const id = "edge-7f3a/2 trace:1"
	for _, c := range []struct {
		method, path, body string
		headers            []string
		status             int
	}{
		{"GET", "/healthz", "", nil, 200},
		{"GET", "/openapi.json", "", nil, 200},
		{"GET", "/v1/nothing-here", "", nil, 404},
		{"PUT", "/v1/accounts", "{}", nil, 405},
		{"GET", "/v1/accounts", "", []string{"Authorization", "Bearer " + badKey}, 401},
		{"GET", "/v1/accounts", "", []string{"Authorization", "Bearer " + brokenKey}, 500},
		{"POST", "/v1/accounts", `{"name":`, nil, 400},
		{"POST", "/v1/accounts", `{"name":"a","currency":"USD","colour":"red"}`, nil, 400},
		// The zero service behind the test server has no store: a request
		// that reaches it panics, and is answered with a 500.
		{"GET", "/v1/accounts", "", nil, 500},
	} {
		var body any
		if c.body != "" {
			body = c.body
		}
		r := s.do(t, c.method, c.path, body, append([]string{"X-Request-Id", id}, c.headers...)...)
		if r.status != c.status {
			t.Errorf("%s %s: status %d, want %d; body %s", c.method, c.path, r.status, c.status, r.body)
		}
		if got := r.header.Get("X-Request-Id"); got != id {
			t.Errorf("%s %s: X-Request-Id %q, want %q", c.method, c.path, got, id)
		}
		if r.status >= 400 {
			if e := errorOf(t, r); e.RequestID != id {
				t.Errorf("%s %s: error.request_id %q, want %q; body %s", c.method, c.path, e.RequestID, id, r.body)
			}
		}
	}
	// The access-log line of each of those requests, and the error logged
	// for the failed authentication and the panic, carry the id.
	var access, errs int
	for _, line := range strings.Split(strings.TrimSpace(s.log.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		if rec["request_id"] != id {
			t.Errorf("log line without the request id: %s", line)
		}
		switch rec["msg"] {
		case "http request":
			access++
		case "request failed", "panic serving request":
			errs++
		}
	}
	if access != 9 || errs != 2 {
		t.Errorf("%d access-log lines and %d error lines, want 9 and 2:\n%s", access, errs, s.log)
	}
}

// A request without a usable X-Request-Id gets one of the server's making,
// a new one each time.
func TestRequestIDIsMadeWhenAbsentOrInvalid(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	seen := map[string]bool{}
	for _, sent := range []string{"", strings.Repeat("a", 129), "caf\u00e9", "tab\there"} {
		r := s.do(t, "GET", "/v1/nothing-here", nil, "X-Request-Id", sent)
		got := r.header.Get("X-Request-Id")
		if !madeRequestID.MatchString(got) {
			t.Errorf("sent %q: X-Request-Id %q, want a new req_ id", sent, got)
		}
		if seen[got] {
			t.Errorf("sent %q: X-Request-Id %q given twice", sent, got)
		}
		seen[got] = true
		if e := errorOf(t, r); e.RequestID != got {
			t.Errorf("sent %q: error.request_id %q, want the header's %q", sent, e.RequestID, got)
		}
	}
	// The longest id accepted is 128 characters.
	long := strings.Repeat("b", 128)
	if got := s.do(t, "GET", "/healthz", nil, "X-Request-Id", long).header.Get("X-Request-Id"); got != long {
		t.Errorf("a 128-character id was replaced by %q", got)
	}
}

// The hosted invoice page, outside the API, answers with the id too, and
// its errors carry it.
func TestRequestIDOnHostedInvoices(t *testing.T) {
	t.Parallel()
	s := newLiveServer(t, false)
	r := s.do(t, "GET", "/invoices/inv_missing?token=nope", nil, "Authorization", "", "X-Request-Id", "hosted-1")
	if r.header.Get("X-Request-Id") != "hosted-1" || r.status < 400 {
		t.Fatalf("hosted invoice: status %d, X-Request-Id %q", r.status, r.header.Get("X-Request-Id"))
	}
	if e := errorOf(t, r); e.RequestID != "hosted-1" {
		t.Errorf("hosted invoice error: request_id %q; body %s", e.RequestID, r.body)
	}
}

// The error object's request_id is in the OpenAPI document.
func TestRequestIDInTheSpec(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	r := s.do(t, "GET", "/openapi.json", nil)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Description string `json:"description"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	p, ok := doc.Components.Schemas["ErrorDetail"].Properties["request_id"]
	if !ok || !strings.Contains(p.Description, "X-Request-Id") {
		t.Errorf("ErrorDetail.request_id is not documented: %+v", doc.Components.Schemas["ErrorDetail"])
	}
}
