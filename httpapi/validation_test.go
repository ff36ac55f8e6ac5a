package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/api"
)

const (
	acct  = "/v1/accounts/acct_0000000000000000000000000a"
	hold  = "/v1/holds/hold_0000000000000000000000000a"
	grant = "/v1/grants/grant_0000000000000000000000000a"
)

// TestValidationErrors checks that what huma refuses before the service
// is reached comes out as a 400 in the API's error shape, naming the field.
func TestValidationErrors(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	tests := []struct {
		name          string
		method, path  string
		body          any
		headers       []string
		status        int
		param         string
		messageSubstr string
	}{
		{"malformed JSON", "POST", "/v1/accounts", `{"name":`, nil, 400, "", "not valid JSON"},
		{"not an object", "POST", "/v1/accounts", `[]`, nil, 400, "", "expected object"},
		{"empty body", "POST", "/v1/accounts", nil, nil, 400, "", "request body is required"},
		{"unknown field", "POST", "/v1/accounts", `{"name":"Acme","currency":"USD","colour":"red"}`, nil, 400, "colour", "colour is not a known field"},
		{"unknown nested field", "POST", "/v1/debits/batch", `{"debits":[{"event_id":"e1","amount":"1.00","extra":true}]}`, nil, 400, "debits[0].extra", "not a known field"},
		{"field name in another case", "POST", "/v1/accounts", `{"Name":"Acme"}`, nil, 400, "name", "Name is not a known field"},
		{"wrong type", "POST", "/v1/accounts", `{"name":5}`, nil, 400, "name", "expected string"},
		{"missing required", "POST", "/v1/accounts", `{"email":"a@example.com"}`, nil, 400, "name", "name is required"},
		{"amount as JSON number", "POST", acct + "/grants", `{"amount":25}`, nil, 400, "amount", "expected string"},
		{"amount with 7 decimals", "POST", acct + "/grants", `{"amount":"1.1234567"}`, nil, 400, "amount", "at most 6 decimal places"},
		{"amount in exponent form", "POST", acct + "/grants", `{"amount":"1e5"}`, nil, 400, "amount", "decimal string"},
		{"amount NaN", "POST", acct + "/grants", `{"amount":"NaN"}`, nil, 400, "amount", "decimal string"},
		{"amount out of range", "POST", acct + "/grants", `{"amount":"99999999999999"}`, nil, 400, "amount", "decimal string"},
		{"amount with plus sign", "POST", "/v1/holds", `{"amount":"+5","ttl":"1m"}`, nil, 400, "amount", "decimal string"},
		{"amount empty", "POST", hold + "/capture", `{"amount":""}`, nil, 400, "amount", "decimal string"},
		{"amount pointer as number", "POST", "/v1/debits", `{"event_id":"e1","amount":0.1}`, nil, 400, "amount", "expected string"},
		{"amount in nested item", "POST", "/v1/debits/batch", `{"debits":[{"event_id":"e1","amount":"1"},{"event_id":"e2","amount":1}]}`, nil, 400, "debits[1].amount", "expected string"},
		{"map of amounts", "PATCH", acct, `{"min_balance":"-0.0000001"}`, nil, 400, "min_balance", "decimal string"},
		{"missing event id", "POST", "/v1/debits", `{"amount":"1.00"}`, nil, 400, "event_id", "event_id is required"},
		{"empty batch", "POST", "/v1/debits/batch", `{"debits":[]}`, nil, 400, "debits", "expected array length >= 1"},
		{"bad enum", "POST", acct + "/grants", `{"amount":"1","kind":"gold"}`, nil, 400, "kind", "expected value to be one of"},
		{"bad time", "POST", acct + "/grants", `{"amount":"1","expires_at":"tomorrow"}`, nil, 400, "expires_at", "RFC 3339"},
		{"limit too small", "GET", "/v1/accounts?limit=0", nil, nil, 400, "limit", "expected number >= 1"},
		{"limit too large", "GET", "/v1/accounts?limit=1000", nil, nil, 400, "limit", "expected number <= 100"},
		{"limit not a number", "GET", "/v1/accounts?limit=ten", nil, nil, 400, "limit", "invalid integer"},
		{"unknown query parameter", "GET", "/v1/accounts?colour=red", nil, nil, 400, "colour", "unknown"},
		{"cursor of the wrong kind", "GET", "/v1/accounts?starting_after=txn_0000000000000000000000000a", nil, nil, 400, "starting_after", "acct_"},
		{"path id of the wrong kind", "GET", "/v1/accounts/txn_0000000000000000000000000a", nil, nil, 400, "id", "acct_"},
		{"malformed path id", "GET", "/v1/holds/hold_x", nil, nil, 400, "id", "hold_"},
		{"bad balance instant", "GET", acct + "/balance?at=yesterday", nil, nil, 400, "at", "invalid date/time"},
		{"bad transaction type", "GET", acct + "/transactions?type=debit,refund", nil, nil, 400, "type", "refund"},
		{"bad repeated transaction type", "GET", acct + "/transactions?type=debit&type=nope", nil, nil, 400, "type", "nope"},
		{"empty range", "GET", acct + "/transactions?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", nil, nil, 400, "to", "after from"},
		{"bad subaccount filter", "GET", acct + "/transactions?subaccount_id=acct_0000000000000000000000000a", nil, nil, 400, "subaccount_id", "sub_"},
		{"bad grant filter", "GET", acct + "/grants?kind=gold", nil, nil, 400, "kind", "expected value to be one of"},
		{"idempotency key too long", "POST", "/v1/accounts", `{"name":"Acme"}`, []string{"Idempotency-Key", strings.Repeat("k", 256)}, 400, "Idempotency-Key", "at most 255"},
		{"NUL in a body field", "POST", "/v1/accounts", `{"name":"Ac\u0000me"}`, nil, 400, "name", "NUL"},
		{"NUL in a batch item", "POST", "/v1/debits/batch", `{"debits":[{"event_id":"e1","amount":"1"},{"event_id":"\u0000","amount":"1"}]}`, nil, 400, "debits[1].event_id", "NUL"},
		{"NUL in a metadata value", "POST", "/v1/accounts", `{"name":"Acme","metadata":{"a":"x","foo":"\u0000"}}`, nil, 400, "metadata.foo", "NUL"},
		{"NUL in a metadata key", "POST", "/v1/accounts", `{"name":"Acme","metadata":{"f\u0000":"x"}}`, nil, 400, `metadata.f\x00`, "NUL"},
		{"NUL in a query parameter", "GET", "/v1/accounts?starting_after=%00", nil, nil, 400, "starting_after", "NUL"},
		{"invalid UTF-8 in a query parameter", "GET", acct + "/grants?unit=%FF", nil, nil, 400, "unit", "UTF-8"},
		{"NUL in a path id", "GET", "/v1/accounts/acct_%00", nil, nil, 400, "id", "NUL"},
		{"invalid UTF-8 idempotency key", "POST", "/v1/accounts", `{"name":"Acme"}`, []string{"Idempotency-Key", "k\xff"}, 400, "Idempotency-Key", "UTF-8"},
		{"amount negative zero", "POST", acct + "/grants", `{"amount":"-0"}`, nil, 400, "amount", "no minus sign on zero"},
		{"amount negative zero with decimals", "PATCH", acct, `{"min_balance":"-000.000"}`, nil, 400, "min_balance", "no minus sign on zero"},
		{"integer past int64", "POST", "/v1/accounts", `{"name":"Acme","trust_tier":99999999999999999999}`, nil, 400, "trust_tier", "<= 2147483647"},
		{"integer 10^30", "POST", acct + "/grants", `{"amount":"1","priority":1e30}`, nil, 400, "priority", "<= 2147483647"},
		{"form body", "POST", "/v1/accounts", `name=Acme`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 400, "", "JSON"},
		{"not JSON", "POST", "/v1/accounts", `<a/>`, []string{"Content-Type", "application/xml"}, 415, "", "JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := s.do(t, tt.method, tt.path, tt.body, tt.headers...)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tt.status, r.body)
			}
			e := errorOf(t, r)
			if e.Type != "invalid_request_error" || e.Code != "invalid_request" {
				t.Errorf("type %q code %q, want invalid_request_error invalid_request", e.Type, e.Code)
			}
			if e.Param != tt.param {
				t.Errorf("param %q, want %q (message %q)", e.Param, tt.param, e.Message)
			}
			if !strings.Contains(e.Message, tt.messageSubstr) {
				t.Errorf("message %q does not mention %q", e.Message, tt.messageSubstr)
			}
			if tt.param != "" && !strings.Contains(e.Message, tt.param) {
				t.Errorf("message %q does not name the field %q", e.Message, tt.param)
			}
		})
	}
}

func TestSeveralValidationErrorsAreAllReported(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	r := s.do(t, "POST", "/v1/accounts", `{"name":1,"currency":2,"extra":3}`)
	e := errorOf(t, r)
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d", r.status)
	}
	for _, f := range []string{"name", "currency", "extra"} {
		if _, ok := e.Details[f]; !ok {
			t.Errorf("details lack %q: %v", f, e.Details)
		}
		if !strings.Contains(e.Message, f) {
			t.Errorf("message %q does not name %q", e.Message, f)
		}
	}
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	big := `{"name":"` + strings.Repeat("a", maxBodyBytes) + `"}`
	r := s.do(t, "POST", "/v1/accounts", big)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413; body %.200s", r.status, r.body)
	}
	if e := errorOf(t, r); !strings.Contains(e.Message, "too large") {
		t.Errorf("message %q", e.Message)
	}

	// The batch endpoint takes more than the default limit.
	var b strings.Builder
	b.WriteString(`{"debits":[`)
	for i := 0; b.Len() < 2*maxBodyBytes; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"event_id":"evt-` + strings.Repeat("x", 40) + `","amount":1}`)
	}
	b.WriteString(`]}`)
	r = s.do(t, "POST", "/v1/debits/batch", b.String())
	// Every item has a numeric amount, so it is refused for that, not for size.
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400; body %.200s", r.status, r.body)
	}
}

// TestValidRequestPassesValidation checks that correct requests are not
// refused by the checks in front of the service.
func TestValidRequestPassesValidation(t *testing.T) {
	t.Parallel()
	s := newLiveServer(t, false)
	var a api.Account
	s.call(t, "POST", "/v1/accounts", `{"name":"Acme"}`, 201, &a)
	acct := "/v1/accounts/" + a.ID
	tests := []struct{ method, path, body string }{
		{"POST", "/v1/accounts", `{"name":"Acme","email":"ops@example.com","min_balance":"-50.00","metadata":{"tier":"gold"}}`},
		{"POST", "/v1/accounts", `{"name":"Acme","currency":"EUR","billing_mode":"postpaid","notification_emails":null}`},
		{"POST", acct + "/grants", `{"amount":"25.00","category":"paid","expires_at":"2036-01-01T00:00:00Z","priority":10}`},
		{"POST", acct + "/grants", `{"amount":"999999999999.999999","kind":"units","unit":"sms"}`},
		{"POST", "/v1/debits", `{"account_id":"` + a.ID + `","event_id":"e1","unit":"sms","quantity":"3","unit_price":"0.0075"}`},
		{"POST", "/v1/holds", `{"account_id":"` + a.ID + `","amount":"5","ttl":"15m"}`},
		{"PATCH", acct, `{"name":null}`},
		{"GET", "/v1/accounts?limit=100&starting_after=acct_0000000000000000000000000a", ``},
		{"GET", acct + "/balance?at=2025-06-01T12:00:00Z", ``},
		{"GET", acct + "/transactions?type=debit,grant&type=void&from=2025-01-01T00:00:00Z&subaccount_id=sub_0000000000000000000000000a", ``},
		{"GET", acct + "/grants?kind=units&category=paid&status=active&unit=sms", ``},
	}
	for _, tt := range tests {
		want := http.StatusOK
		if tt.method == "POST" {
			want = http.StatusCreated
		}
		s.call(t, tt.method, tt.path, tt.body, want, nil)
	}
}
