package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/httpapi"
)

// Every answer schema of the document compiles, including those no test
// meets.
func TestSpecCheckCompilesEveryAnswer(t *testing.T) {
	t.Parallel()
	sc, err := compileSpec(httpapi.Document(httpapi.Options{TestClock: true}))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, op := range sc.ops {
		for status, loc := range op.answers {
			if loc == "" {
				continue
			}
			n++
			if _, err := sc.schema(loc); err != nil {
				t.Errorf("%s %s %s: %v", op.method, strings.Join(op.segments, "/"), status, err)
			}
		}
	}
	if n < 200 {
		t.Errorf("only %d answer schemas", n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The check catches what it is for: a body its schema refuses, a status the
// operation does not document. A right answer passes, and the caller reads
// the body as sent.
func TestSpecCheckCatchesDrift(t *testing.T) {
	t.Parallel()
	sc, err := compileSpec(httpapi.Document(httpapi.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	answer := map[string]struct {
		status int
		body   string
	}{
		"/v1/accounts/acct_wrong":  {200, `{"object":"account","min_balance":0}`},
		"/v1/accounts/acct_teapot": {418, `{}`},
		"/v1/accounts/acct_gone":   {404, `{"error":{"type":"invalid_request_error","code":"not_found","message":"no such account"}}`},
		"/v1/debits/batch":         {200, `{"data":null}`},
	}
	sc.base = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		a := answer[r.URL.Path]
		return &http.Response{StatusCode: a.status, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(a.body)), Request: r}, nil
	})
	hc := &http.Client{Transport: sc}
	for path, a := range answer {
		method := http.MethodGet
		if path == "/v1/debits/batch" {
			method = http.MethodPost
		}
		req, _ := http.NewRequest(method, "http://coffer.invalid"+path, nil)
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(b) != a.body {
			t.Errorf("%s: the caller read %q, not the body sent", path, b)
		}
	}
	want := []string{"GET /v1/accounts/acct_wrong answered 200 with a body its schema refuses",
		"GET /v1/accounts/acct_teapot answered 418, a status its operation does not document",
		"POST /v1/debits/batch answered 200 with a body its schema refuses"}
	if len(sc.failures) != len(want) {
		t.Errorf("%d failures, want %d: %v", len(sc.failures), len(want), sc.failures)
	}
	for _, w := range want {
		found := false
		for m := range sc.failures {
			found = found || strings.HasPrefix(m, w)
		}
		if !found {
			t.Errorf("no failure %q in %v", w, sc.failures)
		}
	}
}
