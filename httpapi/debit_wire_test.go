package httpapi

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/api"
)

// recordID matches the ids an answer carries, which are random (and a
// request id the server made up); each is
// replaced by its prefix and as many X as it has characters, so the rest
// of the answer, its length included, is compared byte for byte.
var recordID = regexp.MustCompile(`\b((acct|txn|grant|sub|key)_[0-9a-z]{26}|req_[0-9a-f]{16})\b`)

func maskIDs(s string) string {
	return recordID.ReplaceAllStringFunc(s, func(id string) string {
		prefix, rest, _ := strings.Cut(id, "_")
		return prefix + "_" + strings.Repeat("X", len(rest))
	})
}

// wireOf is an answer as the client receives it: the status line, every
// header but Date, sorted, and the body, with ids masked.
func wireOf(r response) string {
	var b strings.Builder
	b.WriteString(http.StatusText(r.status) + "\n")
	names := make([]string, 0, len(r.header))
	for k := range r.header {
		if k != "Date" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range r.header[k] {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	b.WriteString("\n" + string(r.body))
	return maskIDs(b.String())
}

// TestDebitWire pins the exact bytes of POST /v1/debits answers, the
// debit and its refusals alike: field order, number formats, error bodies
// and headers. A change to how the route decodes, checks or encodes must
// leave every one of them as it is.
func TestDebitWire(t *testing.T) {
	s := newLiveServer(t, true)
	var a api.Account
	s.call(t, "POST", "/v1/accounts", `{"name":"Acme"}`, 201, &a)
	s.call(t, "POST", "/v1/accounts/"+a.ID+"/grants", `{"amount":"10.00","category":"paid"}`, 201, nil)
	acct := `"account_id":"` + a.ID + `"`

	for _, c := range []struct {
		name    string
		body    string
		headers []string
	}{
		{name: "debit", body: `{` + acct + `,"event_id":"evt-1","amount":"0.0075"}`},
		{name: "replay", body: `{` + acct + `,"event_id":"evt-1","amount":"0.0075"}`},
		{name: "full", body: `{` + acct + `,"event_id":"evt-2","amount":"1.5","description":"GPU \"minutes\" <b>&</b>","metadata":{"b":"2","a":"é\u00e9"},"allow_negative":false}`,
			headers: []string{"Idempotency-Key", "k-1"}},
		{name: "full again", body: `{` + acct + `,"event_id":"evt-2","amount":"1.5","description":"GPU \"minutes\" <b>&</b>","metadata":{"b":"2","a":"é\u00e9"},"allow_negative":false}`,
			headers: []string{"Idempotency-Key", "k-1"}},
		{name: "key reused", body: `{` + acct + `,"event_id":"evt-3","amount":"1"}`, headers: []string{"Idempotency-Key", "k-1"}},
		{name: "insufficient", body: `{` + acct + `,"event_id":"evt-4","amount":"100"}`},
		{name: "no account", body: `{"account_id":"acct_0000000000000000000000000a","event_id":"evt-5","amount":"1"}`},
		{name: "amount number", body: `{` + acct + `,"event_id":"evt-6","amount":1}`},
		{name: "unknown field", body: `{` + acct + `,"event_id":"evt-7","amount":"1","Amount":"1"}`},
		{name: "no event id", body: `{` + acct + `,"amount":"1"}`},
		{name: "bad amount", body: `{` + acct + `,"event_id":"evt-8","amount":"1.1234567"}`},
		{name: "not json", body: `{` + acct + `,"event_id":`},
		{name: "nul", body: `{` + acct + `,"event_id":"evt\u0000","amount":"1"}`},
		{name: "empty", body: ``},
		{name: "no amount", body: `{` + acct + `,"event_id":"evt-9"}`},
		{name: "wrong type", body: `{` + acct + `,"event_id":"evt-10","amount":"1","allow_negative":"yes"}`},
		{name: "unauthenticated", body: `{` + acct + `,"event_id":"evt-11","amount":"1"}`, headers: []string{"Authorization", "Bearer sk_nope"}},
		{name: "form type", body: `{` + acct + `,"event_id":"evt-12","amount":"0.01"}`, headers: []string{"Content-Type", "text/plain"}},
		{name: "long key", body: `{` + acct + `,"event_id":"evt-13","amount":"0.01"}`, headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}},
		{name: "generated id", body: `{` + acct + `,"event_id":"evt-15","amount":"0.01"}`, headers: []string{"X-Request-Id", ""}},
		{name: "generated id refused", body: `{` + acct + `,"event_id":"evt-16","amount":0.01}`, headers: []string{"X-Request-Id", ""}},
		{name: "duplicate key", body: `{` + acct + `,"event_id":"evt-17","amount":"0.01","amount":"0.02"}`},
		{name: "nulls", body: `{` + acct + `,"event_id":"evt-18","amount":"0.01","description":null,"metadata":null,"subaccount_id":null}`},
		{name: "escaped key", body: `{` + acct + `,"event_\u0069d":"evt-19","amount":"0.01"}`},
		{name: "trailing data", body: `{` + acct + `,"event_id":"evt-20","amount":"0.01"} {}`},
		{name: "metadata number", body: `{` + acct + `,"event_id":"evt-21","amount":"0.01","metadata":{"a":1}}`},
		{name: "units", body: `{` + acct + `,"event_id":"evt-22","unit":"gpu_s","quantity":"3","unit_price":"0.5"}`},
		{name: "array", body: `[1]`},
		{name: "pretty", body: "{\n  " + acct + ",\n  \"event_id\": \"evt-23\",\n  \"amount\": \"0.01\"\n}\n"},
		{name: "wrong prefix", body: `{` + acct + `,"event_id":"evt-24","amount":"0.01","subaccount_id":"acct_0000000000000000000000000a"}`},
		{name: "zero", body: `{` + acct + `,"event_id":"evt-25","amount":"0"}`},
		{name: "negative", body: `{` + acct + `,"event_id":"evt-26","amount":"-1"}`},
		{name: "no account id", body: `{"event_id":"evt-27","amount":"0.01"}`},
		{name: "query", body: `{` + acct + `,"event_id":"evt-14","amount":"0.01"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := "/v1/debits"
			if c.name == "query" {
				path += "?x=1"
			}
			headers := append([]string{"X-Request-Id", "req-" + strings.ReplaceAll(c.name, " ", "-")}, c.headers...)
			var body any
			if c.name != "empty" {
				body = c.body
			}
			got := wireOf(s.do(t, "POST", path, body, append([]string{"Authorization", "Bearer " + s.admin}, headers...)...))
			file := filepath.Join("testdata", "debit_wire", strings.ReplaceAll(c.name, " ", "-")+".txt")
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("answer changed from %s:\n got %q\nwant %q", file, got, want)
			}
		})
	}
}
