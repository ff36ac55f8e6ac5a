package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cofferdev/coffer/client"
)

// The spec check validates every JSON answer the harness's clients receive
// against the server's own OpenAPI document, with a JSON Schema validator
// that shares nothing with huma: the answer of an operation must match the
// schema its document gives for that status, errors included, and the
// status must be one the document lists. A mismatch fails the test at
// cleanup, naming the request, so the document and the server cannot drift
// apart unnoticed.

// specDocURL names the served document inside the validator; nothing is
// fetched from it.
const specDocURL = "https://coffer.invalid/openapi.json"

// specChecker is an http.RoundTripper that checks answers as they pass.
type specChecker struct {
	base http.RoundTripper
	ops  []*specOp

	mu       sync.Mutex
	compiler *jsonschema.Compiler          // holds the document; not safe for concurrent use
	schemas  map[string]*jsonschema.Schema // compiled so far, by location
	failures map[string]int                // message → how many times
}

// specOp is one documented operation and its compiled answer schemas.
type specOp struct {
	method   string
	segments []string // the path template split at '/', "{id}" for parameters
	literals int      // segments that are not parameters: more is a closer match
	// answers maps a status ("200", "4XX", "default") to the location of
	// its JSON body's schema in the document; "" when the status is
	// documented without a JSON body.
	answers map[string]string
}

// newSpecChecker fetches the server's document for the checks of its
// answers; t fails at cleanup with whatever the answers got wrong. Each
// answer schema is compiled once per server, when an answer first needs
// it: a test meets a handful of the document's operations.
func newSpecChecker(t testing.TB, baseURL string) *specChecker {
	t.Helper()
	res, err := http.Get(baseURL + "/openapi.json")
	if err != nil {
		t.Fatalf("spec check: %v", err)
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("spec check: GET /openapi.json: %d %v", res.StatusCode, err)
	}
	sc, err := compileSpec(raw)
	if err != nil {
		t.Fatalf("spec check: %v", err)
	}
	sc.base = http.DefaultTransport
	t.Cleanup(func() { sc.report(t) })
	return sc
}

func compileSpec(raw []byte) (*specChecker, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("the document is not JSON: %w", err)
	}
	var shape struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]json.RawMessage `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &shape); err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(specDocURL, doc); err != nil {
		return nil, err
	}
	sc := &specChecker{compiler: c, schemas: map[string]*jsonschema.Schema{}, failures: map[string]int{}}
	for path, item := range shape.Paths {
		for method, o := range item {
			op := &specOp{method: strings.ToUpper(method), segments: strings.Split(path, "/"), answers: map[string]string{}}
			for _, s := range op.segments {
				if !strings.HasPrefix(s, "{") {
					op.literals++
				}
			}
			for status, r := range o.Responses {
				op.answers[status] = ""
				if _, ok := r.Content["application/json"]; ok {
					op.answers[status] = specDocURL + "#/paths/" + pointerEscape(path) + "/" + method + "/responses/" + status + "/content/application~1json/schema"
				}
			}
			sc.ops = append(sc.ops, op)
		}
	}
	return sc, nil
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// operation finds the documented operation for a request: the template of
// the right length whose literal segments all match, the one with the most
// literal segments when several do (/v1/debits/batch before /v1/debits/{id}).
func (sc *specChecker) operation(method, path string) *specOp {
	segs := strings.Split(path, "/")
	var best *specOp
	for _, op := range sc.ops {
		if op.method != method || len(op.segments) != len(segs) || (best != nil && best.literals >= op.literals) {
			continue
		}
		match := true
		for i, s := range op.segments {
			if !strings.HasPrefix(s, "{") && s != segs[i] {
				match = false
				break
			}
		}
		if match {
			best = op
		}
	}
	return best
}

// RoundTrip sends the request and checks the answer; the caller reads the
// body as it was sent.
func (sc *specChecker) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := sc.base.RoundTrip(req)
	if err != nil {
		return res, err
	}
	op := sc.operation(req.Method, req.URL.Path)
	if op == nil || req.Method == http.MethodHead {
		return res, nil // not an API operation: the document, /healthz, hosted invoices
	}
	what := req.Method + " " + req.URL.Path
	status := fmt.Sprint(res.StatusCode)
	loc, documented := op.answers[status]
	if !documented {
		loc, documented = op.answers[status[:1]+"XX"]
	}
	if !documented {
		loc, documented = op.answers["default"]
	}
	if !documented {
		sc.fail(fmt.Sprintf("%s answered %s, a status its operation does not document", what, status))
	}
	ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if ct != "application/json" || res.Body == nil {
		return res, nil
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return res, nil // the caller sees the same short body and reports it
	}
	if !documented {
		return res, nil
	}
	if loc == "" {
		sc.fail(fmt.Sprintf("%s answered %s with a JSON body its operation does not document", what, status))
		return res, nil
	}
	schema, err := sc.schema(loc)
	if err != nil {
		sc.fail(fmt.Sprintf("%s: the document's schema for %s does not compile: %v", what, status, err))
		return res, nil
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		sc.fail(fmt.Sprintf("%s answered %s with a body that is not JSON: %v", what, status, err))
		return res, nil
	}
	if err := schema.Validate(v); err != nil {
		sc.fail(fmt.Sprintf("%s answered %s with a body its schema refuses: %v\nbody: %.2000s", what, status, err, body))
	}
	return res, nil
}

// schema compiles the schema at loc, once.
func (sc *specChecker) schema(loc string) (*jsonschema.Schema, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if s, ok := sc.schemas[loc]; ok {
		return s, nil
	}
	s, err := sc.compiler.Compile(loc)
	if err != nil {
		return nil, err
	}
	sc.schemas[loc] = s
	return s, nil
}

func (sc *specChecker) fail(msg string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.failures[msg]++
}

// report fails t with each distinct mismatch, once.
func (sc *specChecker) report(t testing.TB) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	msgs := make([]string, 0, len(sc.failures))
	for m := range sc.failures {
		msgs = append(msgs, m)
	}
	sort.Strings(msgs)
	for _, m := range msgs {
		t.Errorf("spec check: %s (%d times)", m, sc.failures[m])
	}
}

// httpClient returns an *http.Client whose answers are checked, with the
// client package's default timeout.
func (sc *specChecker) httpClient() *http.Client {
	return &http.Client{Transport: sc, Timeout: 60 * time.Second}
}

// client returns an API client for the harness's server whose every answer
// is checked against the server's document.
func (h *harness) client(opts ...client.Option) *client.Client {
	return client.New(h.srv.URL(), append([]client.Option{client.WithHTTPClient(h.spec.httpClient())}, opts...)...)
}
