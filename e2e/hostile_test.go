package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/payments"
)

// TestHostileInput sends every operation of the served OpenAPI document
// requests that are wrong in one place each: broken JSON, each property
// of the wrong type, NUL and other control characters, numbers and
// strings far too large, nesting far too deep, unknown fields, bad path
// ids, query parameters and headers. The cases are generated from the
// document, so a new route or field is covered without touching this
// test. No answer may be a 5xx; every refusal must be in the error shape,
// and a 400 about a named field must name it; and since each case is
// refused, every GET answers the same afterwards as before. Then text a
// store can hold and the extremes of each amount and integer go in valid
// requests, where only a 5xx fails. The cases are bounded (a few dozen per
// operation); the log says how many were sent.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		fx := h.hostileFixtures()
		ops := h.documentedOperations()

		before := h.readAll(ops, fx)
		r := &hostileRun{h: h, fx: fx}
		for _, op := range ops {
			r.operation(op, r.admin)
			if op.tag == "Debits" || op.tag == "Holds" {
				r.operation(op, r.subaccount)
			}
		}
		r.credentials()
		after := h.readAll(ops, fx)
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s changed:\nbefore %s\nafter  %s", k, v, after[k])
			}
		}

		// Text a store can hold, control characters included, is taken as
		// given, and the extremes of a range are in it: such requests may
		// succeed, so they run after the snapshot.
		for _, op := range ops {
			r.storableText(op)
			r.extremes(op)
		}
		t.Logf("%d requests, %d answered 5xx", r.sent, r.fivexx)
	})
}

// hostileFixtures are the resources the path ids of the operations name,
// so requests reach past the lookup of their resource.
type hostileFixtures struct {
	account, subaccount, grant, hold, card, bank, payment, schedule, endpoint, event, invoice, program, enrollment, apiKey string

	subAuth string // the subaccount's HTTP Basic credentials
}

func (h *harness) hostileFixtures() *hostileFixtures {
	h.t.Helper()
	a := h.account("Hostile", "")
	h.grant(a.ID, api.GrantCreate{Amount: amt("100.00"), Reason: "fixture"})
	g := h.grant(a.ID, api.GrantCreate{Amount: amt("5.00"), Reason: "fixture"})
	sub, err := h.admin.CreateSubaccount(h.ctx, a.ID, api.SubaccountCreate{Name: "worker"})
	if err != nil {
		h.t.Fatalf("subaccount: %v", err)
	}
	hold, err := h.admin.CreateHold(h.ctx, api.HoldCreate{AccountID: a.ID, Amount: amt("1.00"), TTL: "1h"})
	if err != nil {
		h.t.Fatalf("hold: %v", err)
	}
	card := h.card(a.ID, payments.TestCardSuccess)
	bank := h.bank(a.ID, "000123456789")
	h.verifyBank(bank)
	pay, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("25.00"), PaymentMethodID: card.ID})
	if err != nil {
		h.t.Fatalf("purchase: %v", err)
	}
	sc, err := h.admin.CreatePaymentSchedule(h.ctx, a.ID, api.PaymentScheduleCreate{PaymentMethodID: bank.ID, DayOfMonth: 15, Amount: amt("10.00")})
	if err != nil {
		h.t.Fatalf("schedule: %v", err)
	}
	off := false
	we, err := h.admin.CreateWebhookEndpoint(h.ctx, api.WebhookEndpointCreate{URL: "https://example.com/hook", Enabled: &off})
	if err != nil {
		h.t.Fatalf("webhook endpoint: %v", err)
	}
	// A postpaid account switched to prepaid is invoiced at once; with a
	// declining card, the invoice stays unpaid for pay and void to reach.
	pp, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: "Hostile postpaid", Currency: "USD", BillingMode: "postpaid"})
	if err != nil {
		h.t.Fatalf("postpaid account: %v", err)
	}
	h.card(pp.ID, payments.TestCardDecline)
	h.mustDebit(pp.ID, "served", "3.00")
	prepaid := "prepaid"
	if _, err := h.admin.UpdateAccount(h.ctx, pp.ID, api.AccountUpdate{BillingMode: &prepaid}); err != nil {
		h.t.Fatalf("switch to prepaid: %v", err)
	}
	inv := h.onlyInvoice(pp.ID)
	enr := h.enrolled("Hostile enrolled")
	key, err := h.admin.CreateAPIKey(h.ctx, api.APIKeyCreate{Role: "usage", Name: "hostile"})
	if err != nil {
		h.t.Fatalf("api key: %v", err)
	}
	h.adminKeyUsed() // so the key list reads the same before and after
	evs := h.allEvents(client.EventParams{})
	if len(evs) == 0 {
		h.t.Fatal("no events")
	}
	return &hostileFixtures{
		account: a.ID, subaccount: sub.ID, grant: g.ID, hold: hold.ID, card: card.ID, bank: bank.ID,
		payment: pay.ID, schedule: sc.ID, endpoint: we.ID, event: evs[0].ID, invoice: inv.ID,
		program: enr.ProgramID, enrollment: enr.ID, apiKey: key.ID,
		subAuth: "Basic " + base64.StdEncoding.EncodeToString([]byte(sub.AuthID+":"+sub.AuthToken)),
	}
}

// pathID is the fixture a route's {id} names, by the collection the path
// starts with. A route under a new collection fails here until it has one.
func (fx *hostileFixtures) pathID(op *docOp) (string, bool) {
	if op.id == "verifyPaymentMethod" || op.id == "getSandboxVerificationCode" {
		return fx.bank, true // what only a bank account has
	}
	seg := strings.Split(strings.TrimPrefix(op.path, "/v1/"), "/")[0]
	id, ok := map[string]string{
		"accounts": fx.account, "subaccounts": fx.subaccount, "grants": fx.grant, "holds": fx.hold,
		"payment_methods": fx.card, "payments": fx.payment, "payment_schedules": fx.schedule,
		"webhook_endpoints": fx.endpoint, "events": fx.event, "invoices": fx.invoice,
		"programs": fx.program, "enrollments": fx.enrollment, "api_keys": fx.apiKey,
	}[seg]
	return id, ok
}

// validBody is a request the operation would accept; every
// case changes one thing in it. An operation with a body and none here
// fails the test, so a new route gets one.
func (fx *hostileFixtures) validBody(opID string) (string, bool) {
	debit := `{"account_id":"` + fx.account + `","event_id":"hostile-1","amount":"1.00","description":"d","metadata":{"foo":"bar"}}`
	b, ok := map[string]string{
		"createAccount":         `{"name":"Hostile","currency":"USD"}`,
		"updateAccount":         `{"name":"Renamed"}`,
		"putAutoRecharge":       `{"threshold":"5.00","amount":"10.00","payment_method_id":"` + fx.card + `"}`,
		"putBalanceAlerts":      `{"thresholds":["5.00"],"emails":["alerts@example.com"]}`,
		"createGrant":           `{"amount":"1.00","reason":"hostile","metadata":{"foo":"bar"}}`,
		"createPaymentMethod":   `{"type":"card","card_number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"}`,
		"createPaymentSchedule": `{"payment_method_id":"` + fx.bank + `","day_of_month":1,"amount":"10.00"}`,
		"createPurchase":        `{"amount":"25.00","payment_method_id":"` + fx.card + `"}`,
		"createSubaccount":      `{"name":"Worker"}`,
		"createDebit":           debit,
		"createDebitBatch":      `{"debits":[` + debit + `]}`,
		"redeliverEvents":       `{"from":"2026-03-01T00:00:00Z","to":"2026-03-03T00:00:00Z"}`,
		"redeliverEvent":        `{}`,
		"voidGrant":             `{"reason":"hostile"}`,
		"payInvoice":            `{}`,
		"voidInvoice":           `{"reason":"hostile"}`,
		"createProgram":         `{"name":"Hostile","currency":"USD","gift":"50.00","starts_on":"2026-03","requires_payment_method":false}`,
		"updateProgram":         `{"name":"Renamed","ends_on":"2026-12","auto_payment":{"balance":"-400.00"}}`,
		"createEnrollment":      `{"account_id":"` + fx.account + `"}`,
		"createHold":            `{"account_id":"` + fx.account + `","amount":"1.00","ttl":"15m","event_id":"hold-1","description":"d"}`,
		"captureHold":           `{"amount":"1.00"}`,
		"verifyPaymentMethod":   `{"code":"123456"}`,
		"updateSubaccount":      `{"name":"Renamed"}`,
		"advanceTestClock":      `{"by":"1h"}`,
		"createWebhookEndpoint": `{"url":"https://example.com/other","description":"d","event_types":["account.created"],"enabled":false}`,
		"updateWebhookEndpoint": `{"description":"d"}`,
		"createApiKey":          `{"role":"usage","name":"hostile","expires_at":"2030-01-01T00:00:00Z"}`,
		"rotateApiKey":          `{"overlap":"1h","name":"next"}`,
	}[opID]
	return b, ok
}

// docOp is one operation of the OpenAPI document.

// readAll answers every GET operation on the fixtures, as the state
// the hostile requests must leave alone.
// lastUsed matches an API key's last_used_at with its value.
var lastUsed = regexp.MustCompile(`"last_used_at":"[^"]*"`)

func (h *harness) readAll(ops []*docOp, fx *hostileFixtures) map[string]string {
	h.t.Helper()
	out := map[string]string{}
	for _, op := range ops {
		if op.method != http.MethodGet {
			continue
		}
		path := op.path
		if strings.Contains(path, "{id}") {
			id, ok := fx.pathID(op)
			if !ok {
				h.t.Fatalf("%s: no fixture for the id of %s", op.id, op.path)
			}
			path = strings.Replace(path, "{id}", id, 1)
		}
		status, _, body := h.raw(http.MethodGet, path, nil, "Bearer "+h.srv.AdminKey, nil)
		// A key's last use moves with every request made with it, these
		// reads' own included (noted once a minute of wall time, so a slow
		// run sees it move): it is not state a refused request changed.
		body = lastUsed.ReplaceAll(body, []byte(`"last_used_at":"…"`))
		out[op.id] = fmt.Sprintf("%d %s", status, body)
	}
	return out
}

// raw sends one request as given, with no retries and no redirects.
func (h *harness) raw(method, path string, body []byte, authz string, header map[string]string) (int, http.Header, []byte) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(h.ctx, method, h.srv.URL()+path, rd)
	if err != nil {
		h.t.Fatalf("%s %q: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", authz)
	for k, v := range header {
		req.Header[k] = []string{v}
	}
	c := &http.Client{Transport: h.spec, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		h.t.Fatalf("%s %q: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatalf("%s %q: read: %v", method, path, err)
	}
	return res.StatusCode, res.Header, b
}

// hostileRun sends the cases and checks each answer.
type hostileRun struct {
	h      *harness
	fx     *hostileFixtures
	sent   int
	fivexx int
}

// hostileCase is one request wrong in one place. field is the name the
// answer's param must carry when the request is refused as invalid
// ("" when the fault is the body as a whole); prefix accepts any param
// starting with field (a metadata key that cannot be named as given).
type hostileCase struct {
	what         string
	method, path string
	body         []byte
	header       map[string]string
	field        string
	prefix       bool
	mayPass      bool // a read, or text a store holds: a 2xx is fine
}

func (r *hostileRun) admin() string      { return "Bearer " + r.h.srv.AdminKey }
func (r *hostileRun) subaccount() string { return r.fx.subAuth }

func (r *hostileRun) send(c hostileCase, authz string) {
	t := r.h.t
	t.Helper()
	r.sent++
	status, _, body := r.h.raw(c.method, c.path, c.body, authz, c.header)
	desc := fmt.Sprintf("%s %s (%s)", c.method, c.path, c.what)
	if len(desc) > 300 {
		desc = desc[:300] + "…"
	}
	if status >= 500 {
		r.fivexx++
		t.Errorf("%s: %d %s", desc, status, body)
		return
	}
	if status < 400 {
		// A batch answers 200 with each debit's own outcome: each must be
		// a refusal that passes the same checks.
		var batch api.DebitBatchResult
		if status == http.StatusOK && json.Unmarshal(body, &batch) == nil && len(batch.Data) > 0 && batch.Data[0].Status != 0 {
			for _, it := range batch.Data {
				if it.Error == nil {
					if !c.mayPass {
						t.Errorf("%s: a debit of the batch accepted with %d: %.300s", desc, it.Status, body)
					}
					continue
				}
				r.refusal(c, desc, it.Status, &api.ErrorBody{Error: *it.Error}, body)
			}
			return
		}
		if !c.mayPass {
			t.Errorf("%s: accepted with %d: %.300s", desc, status, body)
		}
		return
	}
	var e api.ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Errorf("%s: %d answer is not JSON: %.300s", desc, status, body)
		return
	}
	r.refusal(c, desc, status, &e, body)
}

// leaf is the last name of a field's path: "unit" of "debits[0].unit".
func leaf(field string) string {
	return field[strings.LastIndexAny(field, ".]")+1:]
}

// refusal checks an error answer: its shape, its words, and for a 400
// about a field, that it names the field, or its element or parent
// ("notification_emails" for "notification_emails[0]"), or that the
// message names it among others ("amount cannot be combined with unit").
func (r *hostileRun) refusal(c hostileCase, desc string, status int, e *api.ErrorBody, body []byte) {
	t := r.h.t
	t.Helper()
	if status >= 500 {
		r.fivexx++
		t.Errorf("%s: %d %.300s", desc, status, body)
		return
	}
	if e.Error.Code == "" || e.Error.Message == "" || e.Error.Type == "" {
		t.Errorf("%s: %d answer not in the error shape: %.300s", desc, status, body)
		return
	}
	if strings.Contains(e.Error.Message, "Go struct") || strings.Contains(e.Error.Message, "json: ") {
		t.Errorf("%s: message speaks Go: %q", desc, e.Error.Message)
	}
	if status != http.StatusBadRequest || c.field == "" {
		return
	}
	p, want := e.Error.Param, c.field
	related := p == want || strings.HasPrefix(p, want+"[") || strings.HasPrefix(p, want+".") ||
		strings.HasPrefix(want, p+"[") || strings.HasPrefix(want, p+".") || (c.prefix && strings.HasPrefix(p, want))
	switch {
	case p == "":
		t.Errorf("%s: refusal names no field (want %q): %q", desc, want, e.Error.Message)
	case !related && !strings.Contains(e.Error.Message, leaf(want)):
		t.Errorf("%s: param %q, want %q: %q", desc, p, want, e.Error.Message)
	}
}

// target returns the operation's path with its fixture id, and its valid
// body.
func (r *hostileRun) target(op *docOp) (path string, body map[string]any) {
	t := r.h.t
	path = op.path
	if strings.Contains(path, "{id}") {
		id, ok := r.fx.pathID(op)
		if !ok {
			t.Fatalf("%s: no fixture for the id of %s", op.id, op.path)
		}
		path = strings.Replace(path, "{id}", id, 1)
	}
	if op.body != nil {
		b, ok := r.fx.validBody(op.id)
		if !ok {
			t.Fatalf("%s: no valid body to start its cases from", op.id)
		}
		if err := json.Unmarshal([]byte(b), &body); err != nil {
			t.Fatalf("%s: valid body: %v", op.id, err)
		}
	}
	return path, body
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// nul is spelled out so the test's source holds no raw control character.
const nul = "\x00"

var tooLong = strings.Repeat("x", 10_000)

func (r *hostileRun) operation(op *docOp, authz func() string) {
	path, body := r.target(op)
	send := func(c hostileCase) {
		c.method = op.method
		if c.path == "" {
			c.path = path
		}
		if c.body == nil && body != nil {
			c.body = mustJSON(body)
		}
		r.send(c, authz())
	}

	// The id in the path.
	if strings.Contains(op.path, "{id}") {
		id, _ := r.fx.pathID(op)
		prefix, _, _ := strings.Cut(id, "_")
		for what, bad := range map[string]string{
			"NUL in the id":         url.PathEscape(id + nul),
			"invalid UTF-8 id":      url.PathEscape(id[:len(id)-1] + "\xff"),
			"id far too long":       prefix + "_" + tooLong,
			"id of another kind":    "txn_" + id[len(prefix)+1:],
			"id with a space":       url.PathEscape(id[:len(id)-1] + " "),
			"id with a control":     url.PathEscape(id[:len(id)-1] + "\x1b"),
			"id with a percent-NUL": url.PathEscape(prefix + "_%00"),
		} {
			send(hostileCase{what: what, path: strings.Replace(op.path, "{id}", bad, 1), field: "id"})
		}
	}

	// Query parameters, on reads.
	if op.method == http.MethodGet {
		for _, p := range op.params {
			if p.In != "query" {
				continue
			}
			for what, v := range queryValues(p.Schema) {
				send(hostileCase{what: p.Name + ": " + what, path: path + "?" + url.QueryEscape(p.Name) + "=" + url.QueryEscape(v), field: p.Name, mayPass: true})
			}
		}
		send(hostileCase{what: "unknown query parameter", path: path + "?zz_unknown=1", field: "zz_unknown", mayPass: true})
		return
	}

	// Headers, on mutations: the Idempotency-Key is stored.
	for what, v := range map[string]string{
		"Idempotency-Key too long":      strings.Repeat("k", 256),
		"Idempotency-Key invalid UTF-8": "key-\xff\xfe",
	} {
		send(hostileCase{what: what, header: map[string]string{"Idempotency-Key": v}, field: "Idempotency-Key"})
	}

	if op.body == nil {
		return
	}
	valid := mustJSON(body)

	// The body as a whole.
	deep := strings.Repeat(`{"a":`, 20_000) + "1" + strings.Repeat("}", 20_000)
	for what, b := range map[string]string{
		"truncated JSON":            string(valid[:len(valid)/2]),
		"JSON missing its }":        string(valid[:len(valid)-1]),
		"array for the body":        "[" + string(valid) + "]",
		"string for the body":       `"x"`,
		"null body":                 `null`,
		"number body":               `12`,
		"deeply nested JSON":        deep,
		"deep array":                strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000),
		"trailing garbage":          string(valid) + "x",
		"two bodies":                string(valid) + string(valid),
		"NUL byte in the JSON text": strings.Replace(string(valid), ":", ":"+nul, 1),
		"invalid UTF-8 in the JSON": strings.Replace(string(valid), `"`, "\"\xff", 1),
	} {
		if b != string(valid) { // a valid body too small to be broken that way
			send(hostileCase{what: what, body: []byte(b)})
		}
	}
	withUnknown := clone(body)
	withUnknown["zz_unknown"] = 1
	send(hostileCase{what: "unknown field", body: mustJSON(withUnknown), field: "zz_unknown"})
	nulKey := clone(body)
	nulKey["na"+nul+"me"] = "x"
	send(hostileCase{what: "NUL in a field name", body: mustJSON(nulKey), field: "na", prefix: true})

	// One megabyte in the first free-text property.
	for _, s := range slots(op.body, nil, body) {
		if s.schema.is("string") && s.schema.Format == "" && s.schema.Enum == nil {
			b := setAt(body, s.at, strings.Repeat("x", 1<<20))
			send(hostileCase{what: s.name + " of 1 MB", body: mustJSON(b), field: s.name})
			break
		}
	}

	// Each property, wrong in each way its schema allows.
	for _, s := range slots(op.body, nil, body) {
		for what, v := range badValues(s.schema) {
			c := hostileCase{what: s.name + ": " + what, body: mustJSON(setAt(body, s.at, v)), field: s.name}
			if strings.HasPrefix(what, "NUL in a key") {
				c.field, c.prefix = s.name, true
			}
			send(c)
		}
	}
}

// storableText sends text with control characters a store can hold (all
// but NUL) in every string property of a valid body: accepted or refused,
// never a 5xx.
func (r *hostileRun) storableText(op *docOp) {
	if op.body == nil {
		return
	}
	path, body := r.target(op)
	for _, s := range slots(op.body, nil, body) {
		if !s.schema.is("string") || s.schema.Format != "" || s.schema.Enum != nil {
			continue
		}
		for _, v := range []string{"tab\there", "bell\a", "esc\x1b[31m", "del\x7f", "line\u2028sep", "bom\ufeff", "emoji \U0001F600"} {
			r.send(hostileCase{what: s.name + ": " + fmt.Sprintf("%q", v), method: op.method, path: path,
				body: mustJSON(setAt(body, s.at, v)), field: s.name, mayPass: true}, r.admin())
		}
	}
}

// extremes sends the largest and smallest values each amount and integer
// property's schema admits: accepted or refused, never a 5xx.
func (r *hostileRun) extremes(op *docOp) {
	if op.body == nil {
		return
	}
	path, body := r.target(op)
	for _, s := range slots(op.body, nil, body) {
		var vs []any
		switch {
		case s.schema.Format == "decimal":
			vs = []any{"999999999999.999999", "-999999999999.999999", "0.000001", "0"}
		case s.schema.is("integer"):
			vs = []any{json.Number("2147483647"), json.Number("-2147483648"), 0}
		}
		for _, v := range vs {
			r.send(hostileCase{what: fmt.Sprintf("%s: %v", s.name, v), method: op.method, path: path,
				body: mustJSON(setAt(body, s.at, v)), field: s.name, mayPass: true}, r.admin())
		}
	}
}

// credentials sends HTTP Basic and Bearer credentials a store cannot
// hold: they are invalid credentials, not a failure.
func (r *hostileRun) credentials() {
	for what, authz := range map[string]string{
		"NUL in the auth id":    "Basic " + base64.StdEncoding.EncodeToString([]byte("AC"+nul+":tok")),
		"invalid UTF-8 auth id": "Basic " + base64.StdEncoding.EncodeToString([]byte("AC\xff:tok")),
		"NUL in the token":      "Basic " + base64.StdEncoding.EncodeToString([]byte("AC1:t"+nul)),
		"invalid UTF-8 bearer":  "Bearer sk_\xff\xfe",
		"bearer far too long":   "Bearer " + tooLong,
		"basic not base64":      "Basic %%%",
		"auth id far too long":  "Basic " + base64.StdEncoding.EncodeToString([]byte(tooLong+":tok")),
	} {
		r.send(hostileCase{what: what, method: http.MethodGet, path: "/v1/accounts"}, authz)
	}
}

// queryValues are the wrong values for a query parameter of this schema.
func queryValues(s *docSchema) map[string]string {
	v := map[string]string{
		"NUL":           nul,
		"NUL inside":    "a" + nul + "b",
		"invalid UTF-8": "\xff\xfe",
		"far too long":  tooLong,
	}
	switch {
	case s.is("integer"):
		v["not a number"] = "ten"
		v["negative"] = "-5"
		v["zero"] = "0"
		v["fraction"] = "1.5"
		v["10^30"] = "1" + strings.Repeat("0", 30)
		v["past int64"] = "99999999999999999999"
	case s.Format == "date-time":
		v["not a time"] = "yesterday"
		v["month 13"] = "2026-13-01T00:00:00Z"
	case s.Enum != nil:
		v["not one of the values"] = "bogus"
	}
	return v
}

// slot is a property of a body: where it sits in the valid body, and the
// name the API gives it.
type slot struct {
	at     []any // keys and indexes
	name   string
	schema *docSchema
}

// slots lists every property of an object schema, descending into
// objects, arrays of objects (their first item) and maps (a key "foo").
func slots(s *docSchema, at []any, valid any) []slot {
	var out []slot
	name := func(at []any) string {
		var b strings.Builder
		for _, k := range at {
			switch k := k.(type) {
			case string:
				if b.Len() > 0 {
					b.WriteString(".")
				}
				b.WriteString(k)
			case int:
				fmt.Fprintf(&b, "[%d]", k)
			}
		}
		return b.String()
	}
	keys := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vm, _ := valid.(map[string]any)
	for _, k := range keys {
		p := s.Properties[k]
		here := append(slices.Clone(at), k)
		out = append(out, slot{at: here, name: name(here), schema: p})
		switch {
		case p.is("array") && p.Items != nil && p.Items.Properties != nil:
			if items, ok := vm[k].([]any); ok && len(items) > 0 {
				out = append(out, slots(p.Items, append(here, 0), items[0])...)
			}
		case p.is("array") && p.Items != nil:
			item := append(slices.Clone(here), 0)
			out = append(out, slot{at: item, name: name(item), schema: p.Items})
		case p.is("object") && p.Properties != nil:
			out = append(out, slots(p, here, vm[k])...)
		case p.is("object"):
			if as, ok := p.AdditionalProperties.(*docSchema); ok {
				key := append(slices.Clone(here), "foo")
				out = append(out, slot{at: key, name: name(key), schema: as})
			}
		}
	}
	return out
}

// badValues are the wrong values for a property of this schema.
func badValues(s *docSchema) map[string]any {
	v := map[string]any{
		"an array for a scalar": []any{},
		"an object":             map[string]any{"a": 1},
	}
	switch {
	case s.is("string"):
		v["a number"] = 12345
		v["a boolean"] = true
		v["NUL"] = nul
		v["NUL inside"] = "a" + nul + "b"
		v["far too long"] = tooLong
		if s.Format == "decimal" {
			v["10^30"] = "1" + strings.Repeat("0", 30)
			v["negative zero"] = "-0"
			v["negative zero with decimals"] = "-0.00"
			v["exponent"] = "1e5"
			v["hexadecimal"] = "0x10"
			v["leading space"] = " 1"
			v["decimal comma"] = "1,5"
			v["Arabic digits"] = "\u0661\u0662"
		}
		if s.Format == "date-time" {
			v["not a time"] = "tomorrow"
			v["month 13"] = "2026-13-01T00:00:00Z"
		}
		if s.Enum != nil {
			v["not one of the values"] = "bogus"
		}
	case s.is("integer"):
		v["a string"] = "1"
		v["a fraction"] = 1.5
		v["10^30"] = json.Number("1" + strings.Repeat("0", 30))
		v["past int64"] = json.Number("99999999999999999999")
		v["below int64"] = json.Number("-99999999999999999999")
		v["past int32"] = json.Number("4294967296")
		v["a boolean"] = true
	case s.is("boolean"):
		v["a string"] = "true"
		v["a number"] = 1
	case s.is("array"):
		delete(v, "an array for a scalar")
		v["a string"] = "x"
		v["an array of numbers"] = []any{12345}
		v["an array of arrays"] = []any{[]any{}}
	case s.is("object"):
		delete(v, "an object")
		v["a string"] = "x"
		v["a number"] = 1
		if _, ok := s.AdditionalProperties.(*docSchema); ok {
			v["NUL in a key"] = map[string]any{"a" + nul: "v"}
			v["a number as a value"] = map[string]any{"k": 1}
		}
	}
	return v
}

// clone copies a decoded JSON value deeply.
func clone(m map[string]any) map[string]any {
	var out map[string]any
	_ = json.Unmarshal(mustJSON(m), &out)
	return out
}

// setAt returns a copy of body with the value at the path replaced,
// creating the objects and arrays on the way.
func setAt(body map[string]any, at []any, v any) map[string]any {
	out := clone(body)
	var cur any = out
	for i, k := range at {
		last := i == len(at)-1
		switch k := k.(type) {
		case string:
			m := cur.(map[string]any)
			if last {
				m[k] = v
				return out
			}
			next, ok := m[k]
			if _, isInt := at[i+1].(int); isInt {
				if _, ok := next.([]any); !ok {
					next = []any{nil}
				}
			} else if _, ok2 := next.(map[string]any); !ok || !ok2 {
				next = map[string]any{}
			}
			m[k] = next
			cur = next
		case int:
			a := cur.([]any)
			if last {
				a[k] = v
				return out
			}
			if _, ok := a[k].(map[string]any); !ok {
				a[k] = map[string]any{}
			}
			cur = a[k]
		}
	}
	return out
}

// TestRefusalsNameTheirField sends requests each wrong in one named field
// (text a store cannot hold, a negative zero, a number too large for its
// field, a field that belongs to another request) and checks that both
// stores refuse each the same way: a 400 naming the field as the API
// spells it, in words free of Go's.
func TestRefusalsNameTheirField(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		fx := h.hostileFixtures()
		admin := "Bearer " + h.srv.AdminKey
		debit := func(extra string) string {
			return `{"account_id":"` + fx.account + `","event_id":"e1","amount":"1.00"` + extra + `}`
		}
		pm := `"type":"card","card_number":"4242424242424242","exp_month":12,"exp_year":2030`
		tests := []struct {
			method, path, body string
			header             map[string]string
			param              string
		}{
			{"POST", "/v1/accounts", `{"name":"a\u0000b"}`, nil, "name"},
			{"POST", "/v1/accounts", `{"name":"A","metadata":{"foo":"\u0000"}}`, nil, "metadata.foo"},
			{"POST", "/v1/accounts", `{"name":"A","metadata":{"f\u0000":"x"}}`, nil, `metadata.f\x00`},
			{"POST", "/v1/accounts", `{"name":"A","min_balance":"-0"}`, nil, "min_balance"},
			{"POST", "/v1/accounts", `{"name":"A","trust_tier":1e30}`, nil, "trust_tier"},
			{"POST", "/v1/accounts", `{"name":"A"}`, map[string]string{"Idempotency-Key": "k\xff"}, "Idempotency-Key"},
			{"PATCH", "/v1/subaccounts/" + fx.subaccount, `{"name":"\u0000"}`, nil, "name"},
			{"POST", "/v1/accounts/" + fx.account + "/grants", `{"amount":"1","reason":"\u0000"}`, nil, "reason"},
			{"POST", "/v1/accounts/" + fx.account + "/grants", `{"amount":"-0.00"}`, nil, "amount"},
			{"POST", "/v1/accounts/" + fx.account + "/grants", `{"amount":"1","priority":99999999999999999999}`, nil, "priority"},
			{"POST", "/v1/grants/" + fx.grant + "/void", `{"reason":"x\u0000"}`, nil, "reason"},
			{"POST", "/v1/debits", debit(`,"description":"\u0000"`), nil, "description"},
			{"POST", "/v1/debits", `{"account_id":"` + fx.account + `","event_id":"e\u0000","amount":"1.00"}`, nil, "event_id"},
			{"POST", "/v1/debits/batch", `{"debits":[` + debit("") + `,{"event_id":"\u0000","amount":"1"}]}`, nil, "debits[1].event_id"},
			{"POST", "/v1/holds", `{"account_id":"` + fx.account + `","amount":"1","ttl":"1m","event_id":"\u0000"}`, nil, "event_id"},
			{"POST", "/v1/webhook_endpoints", `{"url":"https://example.com/h","description":"\u0000"}`, nil, "description"},
			{"GET", "/v1/accounts/" + fx.account + "/grants?unit=%00", "", nil, "unit"},
			{"GET", "/v1/events?type=%FF", "", nil, "type"},
			{"PUT", "/v1/accounts/" + fx.account + "/auto_recharge", `{"amount":"-5.00"}`, nil, "amount"},
			{"PUT", "/v1/accounts/" + fx.account + "/auto_recharge", `{"daily_cap":"-1"}`, nil, "daily_cap"},
			{"POST", "/v1/events/" + fx.event + "/redeliver", `{"types":["account.created"]}`, nil, "types"},
			{"POST", "/v1/events/redeliver", `{"from":"2026-03-01T00:00:00Z"}`, nil, "to"},
			{"POST", "/v1/events/redeliver", `{"from":"2026-03-01T00:00:00Z","to":"2026-03-03T00:00:00Z","types":["a b"]}`, nil, "types"},
			{"POST", "/v1/accounts/" + fx.account + "/payment_methods", `{` + pm + `,"routing_number":"110000000"}`, nil, "routing_number"},
			{"POST", "/v1/accounts/" + fx.account + "/payment_methods", `{` + pm + `,"account_holder_name":"` + strings.Repeat("a", 300) + `"}`, nil, "account_holder_name"},
			{"POST", "/v1/accounts/" + fx.account + "/payment_methods", `{` + pm + `,"exp_year":4294967296}`, nil, "exp_year"},
			{"POST", "/v1/test_clock/advance", `{"to":"2020-01-01T00:00:00Z"}`, nil, "to"},
		}
		for _, tt := range tests {
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			status, _, b := h.raw(tt.method, tt.path, body, admin, tt.header)
			var e api.ErrorBody
			_ = json.Unmarshal(b, &e)
			if status != http.StatusBadRequest || e.Error.Param != tt.param {
				t.Errorf("%s %s %.80s: %d param %q, want 400 %q: %s", tt.method, tt.path, tt.body, status, e.Error.Param, tt.param, b)
				continue
			}
			if strings.Contains(e.Error.Message, "Go struct") || strings.HasPrefix(e.Error.Message, tt.param+" "+tt.param) {
				t.Errorf("%s %s: message %q", tt.method, tt.path, e.Error.Message)
			}
		}

		// Within a batch, a debit's own refusal names its place in the batch.
		status, _, b := h.raw("POST", "/v1/debits/batch", []byte(`{"debits":[`+debit(`,"metadata":{"foo":"`+strings.Repeat("x", 501)+`"}`)+`]}`), admin, nil)
		var res api.DebitBatchResult
		if err := json.Unmarshal(b, &res); status != http.StatusOK || err != nil || len(res.Data) != 1 || res.Data[0].Error == nil ||
			res.Data[0].Error.Param != "debits[0].metadata.foo" {
			t.Errorf("batch with long metadata: %d %s", status, b)
		}

		// A subaccount's malformed account id is named, not echoed back as
		// an account not found.
		for path, rest := range map[string]string{"/v1/debits": `"event_id":"e1"`, "/v1/holds": `"ttl":"1m"`} {
			in := `{"account_id":"` + strings.Repeat("x", 300) + `","amount":"1",` + rest + `}`
			status, _, b := h.raw("POST", path, []byte(in), fx.subAuth, nil)
			var e api.ErrorBody
			if _ = json.Unmarshal(b, &e); status != http.StatusBadRequest || e.Error.Param != "account_id" {
				t.Errorf("POST %s as the subaccount with a malformed account_id: %d %.200s", path, status, b)
			}
		}

		// Credentials a store cannot hold are simply wrong credentials.
		for _, cred := range []string{"AC\x00:tok", "AC\xff:tok", "AC1:t\x00"} {
			status, _, b := h.raw("GET", "/v1/accounts", nil, "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)), nil)
			if status != http.StatusUnauthorized {
				t.Errorf("Basic %q: %d %s", cred, status, b)
			}
		}
	})
}
