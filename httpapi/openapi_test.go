package httpapi

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
)

// routes is the v1 surface this package serves, without the test clock.
var routes = []struct{ method, path string }{
	{"post", "/v1/accounts"}, {"get", "/v1/accounts"},
	{"get", "/v1/accounts/{id}"}, {"patch", "/v1/accounts/{id}"}, {"post", "/v1/accounts/{id}/close"},
	{"post", "/v1/accounts/{id}/subaccounts"}, {"get", "/v1/accounts/{id}/subaccounts"},
	{"get", "/v1/subaccounts/{id}"}, {"patch", "/v1/subaccounts/{id}"}, {"delete", "/v1/subaccounts/{id}"},
	{"get", "/v1/accounts/{id}/balance"}, {"get", "/v1/accounts/{id}/transactions"},
	{"post", "/v1/accounts/{id}/grants"}, {"get", "/v1/accounts/{id}/grants"},
	{"get", "/v1/grants/{id}"}, {"post", "/v1/grants/{id}/void"},
	{"post", "/v1/debits"}, {"post", "/v1/debits/batch"},
	{"post", "/v1/holds"}, {"get", "/v1/holds/{id}"}, {"post", "/v1/holds/{id}/capture"}, {"post", "/v1/holds/{id}/release"},
}

type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Info    struct {
		Title, Version string
	} `json:"info"`
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		Schemas         map[string]*schema         `json:"schemas"`
		SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
	} `json:"components"`
}

type operation struct {
	OperationID string                `json:"operationId"`
	Security    []map[string][]string `json:"security"`
	Parameters  []struct {
		Name, In string
	} `json:"parameters"`
	Responses map[string]json.RawMessage `json:"responses"`
}

type schema struct {
	Type                 any                `json:"type"`
	Format               string             `json:"format"`
	Pattern              string             `json:"pattern"`
	Ref                  string             `json:"$ref"`
	Properties           map[string]*schema `json:"properties"`
	Items                *schema            `json:"items"`
	AdditionalProperties any                `json:"additionalProperties"`
	Required             []string           `json:"required"`
	Enum                 []string           `json:"enum"`
	MaxItems             *int               `json:"maxItems"`
}

func fetchDoc(t *testing.T, s *testServer) openAPIDoc {
	t.Helper()
	r := s.do(t, "GET", "/openapi.json", nil, "Authorization", "")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /openapi.json: %d %s", r.status, r.header.Get("Content-Type"))
	}
	var doc openAPIDoc
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("/openapi.json is not JSON: %v", err)
	}
	return doc
}

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{Version: "1.2.3"})
	doc := fetchDoc(t, s)
	if doc.OpenAPI != "3.1.0" || doc.Info.Version != "1.2.3" || doc.Info.Title == "" {
		t.Errorf("openapi %q, info %+v", doc.OpenAPI, doc.Info)
	}
	n := 0
	for _, item := range doc.Paths {
		n += len(item)
	}
	if n != len(routes) {
		t.Errorf("the document has %d operations, want %d", n, len(routes))
	}
	for _, rt := range routes {
		op, ok := doc.Paths[rt.path][rt.method]
		if !ok {
			t.Errorf("%s %s is missing", rt.method, rt.path)
			continue
		}
		if op.OperationID == "" || len(op.Security) != 2 {
			t.Errorf("%s %s: operationId %q, security %v", rt.method, rt.path, op.OperationID, op.Security)
		}
		if _, ok := op.Responses["422"]; ok {
			t.Errorf("%s %s documents a 422; validation errors are 400s", rt.method, rt.path)
		}
		hasKey := slices.ContainsFunc(op.Parameters, func(p struct{ Name, In string }) bool {
			return p.Name == "Idempotency-Key" && p.In == "header"
		})
		if hasKey != (rt.method != "get") {
			t.Errorf("%s %s: Idempotency-Key documented = %v", rt.method, rt.path, hasKey)
		}
	}
	if _, ok := doc.Paths["/v1/test_clock/advance"]; ok {
		t.Error("the test clock is documented on a server without it")
	}
	for _, name := range []string{"apiKey", "subaccount"} {
		if _, ok := doc.Components.SecuritySchemes[name]; !ok {
			t.Errorf("security scheme %s missing", name)
		}
	}
	errBody := doc.Components.Schemas["ErrorBody"]
	if errBody == nil || errBody.Properties["error"] == nil || errBody.Properties["error"].Ref != "#/components/schemas/ErrorDetail" {
		t.Errorf("ErrorBody schema: %+v", errBody)
	}
}

// TestAmountsAreDecimalStrings walks every schema and checks each amount
// field is a string with the decimal pattern, never a number.
func TestAmountsAreDecimalStrings(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{TestClock: true})
	doc := fetchDoc(t, s)
	amounts := map[string][]string{
		"AccountCreate": {"min_balance"}, "Account": {"min_balance"},
		"GrantCreate": {"amount"}, "Grant": {"amount", "remaining"},
		"DebitCreate": {"amount", "quantity", "unit_price"}, "Debit": {"balance", "available"},
		"HoldCreate": {"amount"}, "HoldCapture": {"amount"}, "Hold": {"amount", "captured"},
		"Transaction": {"amount", "balance_after", "quantity", "unit_price"}, "Posting": {"amount"},
		"Balance": {"balance", "available", "held", "debt", "min_balance", "expiring_soon",
			"gifted_remaining", "balance_with_credits", "pending"},
	}
	re := regexp.MustCompile(amountPattern)
	for name, fields := range amounts {
		sc := doc.Components.Schemas[name]
		if sc == nil {
			t.Errorf("schema %s missing", name)
			continue
		}
		for _, f := range fields {
			p := sc.Properties[f]
			if p == nil || p.Type != "string" || p.Pattern != amountPattern || p.Format != "decimal" {
				t.Errorf("%s.%s = %+v, want a decimal string", name, f, p)
			}
		}
	}
	for _, m := range []string{"credits", "units"} {
		addl, _ := json.Marshal(doc.Components.Schemas["Balance"].Properties[m].AdditionalProperties)
		if !strings.Contains(string(addl), `"type":"string"`) || !strings.Contains(string(addl), `"format":"decimal"`) {
			t.Errorf("Balance.%s values: %s", m, addl)
		}
	}
	for _, ok := range []string{"0", "25.00", "-3.2", "0.000001", "999999999999.999999", "-999999999999.999999",
		"-0.000001", "-000000000001", "-0.5", "007", "-10.00", "-000000000000.000001"} {
		if !re.MatchString(ok) {
			t.Errorf("pattern refuses %q", ok)
		}
	}
	for _, bad := range []string{"", "1.", ".5", "+1", "1e3", "NaN", "1.0000001", "1000000000000", " 1",
		"-0", "-0.00", "-000000000000.000000", "-", "-0000000000001", "-1000000000000", "-.5", "-0.0000001"} {
		if re.MatchString(bad) {
			t.Errorf("pattern accepts %q", bad)
		}
	}
	// What the pattern accepts, money.Parse must parse: otherwise the
	// refusal comes from decoding, which cannot name the field.
	for _, ok := range []string{"-0.000001", "-000000000001", "999999999999.999999", "-999999999999.999999", "-000000000000.000001"} {
		if _, err := money.Parse(ok); err != nil {
			t.Errorf("the pattern accepts %q, which does not parse: %v", ok, err)
		}
	}
	// No integer or number may describe money anywhere in the document.
	for name, sc := range doc.Components.Schemas {
		for f, p := range sc.Properties {
			if (p.Type == "number" || p.Type == "integer") && slices.Contains([]string{"amount", "balance", "available", "remaining"}, f) {
				t.Errorf("%s.%s is a %v", name, f, p.Type)
			}
		}
	}
}

func TestSchemaRefinements(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{TestClock: true})
	doc := fetchDoc(t, s)
	for name, props := range refinements {
		sc := doc.Components.Schemas[name]
		if sc == nil {
			t.Errorf("refinement for unknown schema %s", name)
			continue
		}
		for prop, ref := range props {
			if ref.optional && slices.Contains(sc.Required, prop) {
				t.Errorf("%s.%s is still required", name, prop)
			}
			if ref.enum != nil && len(sc.Properties[prop].Enum) != len(ref.enum) {
				t.Errorf("%s.%s enum %v", name, prop, sc.Properties[prop].Enum)
			}
		}
	}
	if m := doc.Components.Schemas["DebitBatch"].Properties["debits"].MaxItems; m == nil || *m != maxBatchDebits {
		t.Errorf("DebitBatch.debits maxItems %v", m)
	}
	if !slices.Contains(doc.Components.Schemas["AccountCreate"].Required, "name") {
		t.Error("AccountCreate.name lost its required mark")
	}
}

func TestTestClockRoute(t *testing.T) {
	t.Parallel()
	off := newTestServer(t, Options{})
	r := off.do(t, "POST", "/v1/test_clock/advance", `{"by":"1h"}`)
	if e := errorOf(t, r); r.status != http.StatusNotFound || e.Code != coffer.ENotFound {
		t.Errorf("without the option: %d %s", r.status, r.body)
	}

	on := newTestServer(t, Options{TestClock: true})
	if _, ok := fetchDoc(t, on).Paths["/v1/test_clock/advance"]["post"]; !ok {
		t.Error("the test clock route is not documented")
	}
	r = on.do(t, "POST", "/v1/test_clock/advance", `{"by":1}`)
	if e := errorOf(t, r); r.status != http.StatusBadRequest || e.Param != "by" {
		t.Errorf("with the option, a bad body: %d %s", r.status, r.body)
	}
}

func TestDocsPage(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	r := s.do(t, "GET", "/docs", nil, "Authorization", "")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /docs: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if !strings.Contains(string(r.body), `src="/docs/docs.js"`) {
		t.Error("the page does not load its script")
	}
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	for path, ct := range map[string]string{"/docs/docs.js": "javascript", "/docs/docs.css": "text/css"} {
		r := s.do(t, "GET", path, nil)
		if r.status != http.StatusOK || !strings.Contains(r.header.Get("Content-Type"), ct) {
			t.Errorf("GET %s: %d %s", path, r.status, r.header.Get("Content-Type"))
		}
	}

	// Nothing the page is made of may point at another origin.
	external := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|cdn|unpkg|jsdelivr`)
	err := fs.WalkDir(docsFiles, "docs", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := docsFiles.ReadFile(path)
		if err != nil {
			return err
		}
		if m := external.FindString(string(b)); m != "" {
			t.Errorf("%s refers to %q", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "/openapi.json"
			if i%2 == 1 {
				path = "/v1/accounts?limit=0"
			}
			r := s.do(t, "GET", path, nil)
			if r.status != http.StatusOK && r.status != http.StatusBadRequest {
				t.Errorf("GET %s: %d", path, r.status)
			}
		}()
	}
	wg.Wait()
}
