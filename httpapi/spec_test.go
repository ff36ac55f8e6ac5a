package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Document is what a server serves, byte for byte, with or without the
// test clock.
func TestDocumentIsTheServedOne(t *testing.T) {
	t.Parallel()
	for _, opts := range []Options{{Version: "1.2.3"}, {Version: "1.2.3", TestClock: true}} {
		served := newTestServer(t, opts).do(t, "GET", "/openapi.json", nil, "Authorization", "").body
		if got := Document(opts); !bytes.Equal(got, served) {
			t.Errorf("test clock %v: Document gives %d bytes, the server serves %d", opts.TestClock, len(got), len(served))
		}
	}
}

// TestDocumentIsStandard checks what linters need and what the document
// must say truthfully: only standard keywords, a server, a licence, a
// description on every operation, nullable auto-recharge amounts and list
// data that is never null.
func TestDocumentIsStandard(t *testing.T) {
	t.Parallel()
	raw := Document(Options{TestClock: true})
	if bytes.Contains(raw, []byte("patternDescription")) {
		t.Error("the document still uses patternDescription")
	}
	var doc struct {
		Servers []struct{ URL string } `json:"servers"`
		Info    struct {
			License *struct{ Name string } `json:"license"`
		} `json:"info"`
		Paths      map[string]map[string]struct{ Description string } `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Required   []string `json:"required"`
				Properties map[string]struct {
					Type        any    `json:"type"`
					Description string `json:"description"`
					Deprecated  bool   `json:"deprecated"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) == 0 || doc.Servers[0].URL == "" || doc.Info.License == nil || doc.Info.License.Name == "" {
		t.Errorf("servers %v, license %v", doc.Servers, doc.Info.License)
	}
	for path, item := range doc.Paths {
		for method, op := range item {
			if op.Description == "" {
				t.Errorf("%s %s has no description", method, path)
			}
		}
	}
	ar := doc.Components.Schemas["AutoRecharge"]
	for _, f := range []string{"amount", "target", "daily_cap", "retry_at_balance", "retry_at"} {
		p := ar.Properties[f]
		if fmt.Sprint(p.Type) != "[string null]" || !slices.Contains(ar.Required, f) {
			t.Errorf("AutoRecharge.%s: type %v, required %v; want a nullable string, always sent", f, p.Type, slices.Contains(ar.Required, f))
		}
	}
	if !ar.Properties["retry_at"].Deprecated || ar.Properties["retry_at_balance"].Deprecated {
		t.Error("retry_at must be deprecated, retry_at_balance not")
	}
	amount := doc.Components.Schemas["GrantCreate"].Properties["amount"].Description
	if !strings.Contains(amount, "at most 6 decimal places") {
		t.Errorf("GrantCreate.amount lost its format in the description: %q", amount)
	}
	lists := 0
	for name, s := range doc.Components.Schemas {
		if d, ok := s.Properties["data"]; ok && d.Type != "object" {
			lists++
			if d.Type != "array" {
				t.Errorf("%s.data: type %v, want array (never null)", name, d.Type)
			}
		}
	}
	if lists < 15 {
		t.Errorf("only %d list schemas found", lists)
	}
}
