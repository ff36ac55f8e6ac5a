package httpapi

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
)

// TestBodyNULs checks that a NUL anywhere in a JSON body is found and
// located as huma locates fields, and that an escaped backslash followed
// by "u0000" is text, not NUL.
func TestBodyNULs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want []string
	}{
		{`{"name":"a"}`, nil},
		{`{"name":"a\\u0000"}`, nil},
		{`{"name":"a\u0000"}`, []string{"body.name"}},
		{`{"a":1,"b":[true,null,{"c":"\u0000"}],"d":"x"}`, []string{"body.b[2].c"}},
		{`{"debits":[{"event_id":"e1"},{"event_id":"\u0000","metadata":{"k":"v","\u0000":"w"}}]}`,
			[]string{"body.debits[1].event_id", `body.debits[1].metadata.\x00`}},
		{`["\u0000",["x","\u0000"]]`, []string{"body[0]", "body[1][1]"}},
		{`{"a":{"b":{}},"c":[[],{}],"e":"\u0000"}`, []string{"body.e"}},
		{`{"name":"\u0000"`, nil}, // not JSON: huma says why
		{`{"name":"\u0000"} trailing`, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, err := range bodyNULs([]byte(tt.body), maxTextErrors) {
			var d *huma.ErrorDetail
			if !errors.As(err, &d) || !strings.Contains(d.Message, "NUL") {
				t.Errorf("%s: error %v", tt.body, err)
				continue
			}
			got = append(got, d.Location)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: NULs at %q, want %q", tt.body, got, tt.want)
		}
	}
	many := `{"a":[` + strings.Repeat(`"\u0000",`, 50) + `"x"]}`
	if n := len(bodyNULs([]byte(many), maxTextErrors)); n != maxTextErrors {
		t.Errorf("%d errors for 50 NULs, want %d", n, maxTextErrors)
	}
}
