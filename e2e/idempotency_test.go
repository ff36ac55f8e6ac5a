package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/payments"
)

// wire sends requests as they are, and reads answers as bytes, so answers
// can be compared exactly.
type wire struct {
	t   *testing.T
	h   *harness
	hc  *http.Client
	key int // for fresh Idempotency-Keys
}

func newWire(t *testing.T, h *harness) *wire {
	return &wire{t: t, h: h, hc: &http.Client{Transport: h.spec}}
}

// send makes one request with the admin key; idemKey "" sends none.
func (w *wire) send(method, path, body, idemKey string) (int, []byte) {
	w.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(w.h.ctx, method, w.h.srv.URL()+path, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+w.h.srv.AdminKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	res, err := w.hc.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return res.StatusCode, b
}

// must sends a request that must succeed, and decodes its answer into out
// (if not nil).
func (w *wire) must(method, path, body string, out any) []byte {
	w.t.Helper()
	w.key++
	status, b := w.send(method, path, body, fmt.Sprintf("setup-%d", w.key))
	if status/100 != 2 {
		w.t.Fatalf("setup %s %s: status %d: %s", method, path, status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			w.t.Fatalf("setup %s %s: %v: %s", method, path, err, b)
		}
	}
	return b
}

// get reads a resource.
func (w *wire) get(path string) string {
	w.t.Helper()
	status, b := w.send(http.MethodGet, path, "", "")
	if status != http.StatusOK {
		w.t.Fatalf("GET %s: status %d: %s", path, status, b)
	}
	return string(b)
}

// all reads every page of a list, item by item.
func (w *wire) all(path string) string {
	w.t.Helper()
	var out []string
	after := ""
	for {
		p := path
		sep := "?"
		if strings.Contains(p, "?") {
			sep = "&"
		}
		if strings.HasSuffix(p, "payment_methods") || strings.HasSuffix(p, "payment_schedules") {
			sep = "" // unpaged lists
		} else {
			p += sep + "limit=100"
			if after != "" {
				p += "&starting_after=" + after
			}
		}
		var page struct {
			Data    []json.RawMessage `json:"data"`
			HasMore bool              `json:"has_more"`
		}
		if err := json.Unmarshal([]byte(w.get(p)), &page); err != nil {
			w.t.Fatalf("list %s: %v", p, err)
		}
		for _, d := range page.Data {
			out = append(out, string(d))
		}
		if !page.HasMore || len(page.Data) == 0 {
			return strings.Join(out, "\n")
		}
		var last struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(page.Data[len(page.Data)-1], &last)
		after = last.ID
	}
}

// account opens an account holding 100.00 of paid credit.
func (w *wire) account(name string) string {
	w.t.Helper()
	var a api.Account
	w.must("POST", "/v1/accounts", `{"name":"`+name+`","email":"owner@example.com"}`, &a)
	w.must("POST", "/v1/accounts/"+a.ID+"/grants", `{"amount":"100.00","category":"paid"}`, nil)
	return a.ID
}

func (w *wire) card(acct string) string {
	w.t.Helper()
	var m api.PaymentMethod
	w.must("POST", "/v1/accounts/"+acct+"/payment_methods",
		`{"type":"card","card_number":"`+payments.TestCardSuccess+`","exp_month":12,"exp_year":2030,"cvc":"123"}`, &m)
	return m.ID
}

// bank adds a bank account, verified unless told otherwise.
func (w *wire) bank(acct string, verify bool) string {
	w.t.Helper()
	var m api.PaymentMethod
	w.must("POST", "/v1/accounts/"+acct+"/payment_methods", `{"type":"us_bank_account","routing_number":"`+
		payments.TestRoutingNumber+`","account_number":"000123456789","account_holder_name":"Ada Owner"}`, &m)
	if verify {
		w.must("POST", "/v1/payment_methods/"+m.ID+"/verify", `{"code":"`+w.code(m.ID)+`"}`, nil)
	}
	return m.ID
}

func (w *wire) code(method string) string {
	w.t.Helper()
	var c api.VerificationCode
	if err := json.Unmarshal([]byte(w.get("/v1/payment_methods/"+method+"/sandbox_verification_code")), &c); err != nil {
		w.t.Fatal(err)
	}
	return c.Code
}

func (w *wire) id(method, path, body string) string {
	w.t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	w.must(method, path, body, &v)
	return v.ID
}

// unpaidInvoice opens a postpaid account with a card, serves it usage and
// switches it to prepaid, which invoices the usage at once (the test clock
// stands still, so nothing collects it yet). It returns the invoice's id.
func (w *wire) unpaidInvoice(name string) string {
	w.t.Helper()
	a := w.id("POST", "/v1/accounts", `{"name":"`+name+`","billing_mode":"postpaid"}`)
	w.card(a)
	w.must("POST", "/v1/debits", `{"account_id":"`+a+`","event_id":"served","amount":"12.00"}`, nil)
	w.must("PATCH", "/v1/accounts/"+a, `{"billing_mode":"prepaid"}`, nil)
	var l api.List[api.Invoice]
	if err := json.Unmarshal([]byte(w.get("/v1/invoices?account_id="+a)), &l); err != nil || len(l.Data) != 1 || l.Data[0].Status != "finalized" {
		w.t.Fatalf("unpaid invoice of %s: %v %+v", a, err, l)
	}
	return l.Data[0].ID
}

// endpoint adds a webhook endpoint on the test's receiver, subscribed to
// one type.
func (w *wire) endpoint(hook, typ string) string {
	w.t.Helper()
	return w.id("POST", "/v1/webhook_endpoints", `{"url":"`+hook+`","event_types":["`+typ+`"]}`)
}

// createdEvent is the account.created event of an account.
func (w *wire) createdEvent(acct string) api.Event {
	w.t.Helper()
	var l api.List[api.Event]
	if err := json.Unmarshal([]byte(w.get("/v1/events?type=account.created&account_id="+acct)), &l); err != nil || len(l.Data) != 1 {
		w.t.Fatalf("account.created of %s: %v %+v", acct, err, l)
	}
	return l.Data[0]
}

// hook is a webhook receiver that counts the requests of each event.
type hook struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newHook(t *testing.T) *hook {
	k := &hook{hits: map[string]int{}}
	k.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var ev api.Event
		_ = json.NewDecoder(r.Body).Decode(&ev)
		k.mu.Lock()
		k.hits[ev.ID]++
		k.mu.Unlock()
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(k.Close)
	return k
}

// sent waits until no delivery of the events is pending, then says how
// often each reached the receiver. A redelivery is a request to the
// receiver made after the redeliver call has answered, so this is how its
// effect shows.
func (w *wire) sent(k *hook, events ...string) string {
	w.t.Helper()
	waitFor(w.t, "deliveries of "+strings.Join(events, ", "), func() bool {
		for _, id := range events {
			var d api.EventDetail
			if err := json.Unmarshal([]byte(w.get("/v1/events/"+id)), &d); err != nil {
				w.t.Fatal(err)
			}
			for _, dl := range d.Deliveries {
				if dl.Status == "pending" {
					return false
				}
			}
		}
		return true
	})
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, id := range events {
		out = append(out, fmt.Sprintf("%s:%d", id, k.hits[id]))
	}
	return strings.Join(out, " ")
}

func (w *wire) balance(acct string) string { return w.get("/v1/accounts/" + acct + "/balance") }

// idemCase is one operation's requests for the idempotency walk: a valid
// request, a different request on the same route (another body, or the
// same kind of resource under another id), and a read of what the
// operation changes.
type idemCase struct {
	path, body           string
	otherPath, otherBody string
	probe                func() string
	// quiet: the first request changes nothing probe shows; a second
	// one would.
	quiet bool
	// firstOnly names a field only the first answer carries, a secret
	// shown once; replays are the first answer without it.
	firstOnly string
}

// idemFixtures builds a valid request for every mutating operation, by
// operationId. Webhook endpoints point at k.
func idemFixtures(w *wire, k *hook) map[string]func() idemCase {
	hook := k.URL
	acctPath := func(a string) string { return "/v1/accounts/" + a }
	return map[string]func() idemCase{
		"createAccount": func() idemCase {
			return idemCase{path: "/v1/accounts", body: `{"name":"idem create"}`, otherBody: `{"name":"idem other"}`,
				probe: func() string { return w.all("/v1/accounts") }}
		},
		"updateAccount": func() idemCase {
			a := w.account("idem update")
			return idemCase{path: acctPath(a), body: `{"metadata":{"n":"1"}}`, otherBody: `{"metadata":{"n":"2"}}`,
				probe: func() string { return w.get(acctPath(a)) }}
		},
		"closeAccount": func() idemCase {
			a, b := w.account("idem close a"), w.account("idem close b")
			return idemCase{path: acctPath(a) + "/close", otherPath: acctPath(b) + "/close",
				probe: func() string { return w.get(acctPath(a)) + w.get(acctPath(b)) }}
		},
		"createSubaccount": func() idemCase {
			a := w.account("idem sub")
			return idemCase{path: acctPath(a) + "/subaccounts", body: `{"name":"one"}`, otherBody: `{"name":"two"}`,
				probe: func() string { return w.all(acctPath(a) + "/subaccounts") }, firstOnly: "auth_token"}
		},
		"updateSubaccount": func() idemCase {
			a := w.account("idem sub update")
			s := w.id("POST", acctPath(a)+"/subaccounts", `{"name":"one"}`)
			return idemCase{path: "/v1/subaccounts/" + s, body: `{"enabled":false}`, otherBody: `{"name":"renamed"}`,
				probe: func() string { return w.get("/v1/subaccounts/" + s) }}
		},
		"deleteSubaccount": func() idemCase {
			a := w.account("idem sub delete")
			s1 := w.id("POST", acctPath(a)+"/subaccounts", `{"name":"one"}`)
			s2 := w.id("POST", acctPath(a)+"/subaccounts", `{"name":"two"}`)
			return idemCase{path: "/v1/subaccounts/" + s1, otherPath: "/v1/subaccounts/" + s2,
				probe: func() string { return w.all(acctPath(a) + "/subaccounts") }}
		},
		"createGrant": func() idemCase {
			a := w.account("idem grant")
			return idemCase{path: acctPath(a) + "/grants", body: `{"amount":"5.00"}`, otherBody: `{"amount":"6.00"}`,
				probe: func() string { return w.balance(a) + w.all(acctPath(a)+"/grants") }}
		},
		"voidGrant": func() idemCase {
			a := w.account("idem void")
			g1 := w.id("POST", acctPath(a)+"/grants", `{"amount":"5.00"}`)
			g2 := w.id("POST", acctPath(a)+"/grants", `{"amount":"6.00"}`)
			return idemCase{path: "/v1/grants/" + g1 + "/void", body: `{"reason":"mistake"}`,
				otherPath: "/v1/grants/" + g2 + "/void", otherBody: `{"reason":"mistake"}`,
				probe: func() string { return w.balance(a) + w.all(acctPath(a)+"/grants") }}
		},
		"payInvoice": func() idemCase {
			i1, i2 := w.unpaidInvoice("idem pay a"), w.unpaidInvoice("idem pay b")
			return idemCase{path: "/v1/invoices/" + i1 + "/pay", body: `{}`, otherPath: "/v1/invoices/" + i2 + "/pay", otherBody: `{}`,
				probe: func() string { return w.get("/v1/invoices/"+i1) + w.get("/v1/invoices/"+i2) }}
		},
		"voidInvoice": func() idemCase {
			i1, i2 := w.unpaidInvoice("idem void a"), w.unpaidInvoice("idem void b")
			return idemCase{path: "/v1/invoices/" + i1 + "/void", body: `{"reason":"mistake"}`,
				otherPath: "/v1/invoices/" + i2 + "/void", otherBody: `{"reason":"mistake"}`,
				probe: func() string { return w.get("/v1/invoices/"+i1) + w.get("/v1/invoices/"+i2) }}
		},
		"createProgram": func() idemCase {
			body := func(name string) string {
				return `{"name":"` + name + `","currency":"USD","gift":"50.00","starts_on":"2026-03"}`
			}
			return idemCase{path: "/v1/programs", body: body("idem program"), otherBody: body("idem other"),
				probe: func() string { return w.all("/v1/programs") }}
		},
		"updateProgram": func() idemCase {
			p := w.id("POST", "/v1/programs", `{"name":"idem update","gift":"50.00","starts_on":"2026-03"}`)
			return idemCase{path: "/v1/programs/" + p, body: `{"name":"one"}`, otherBody: `{"name":"two"}`,
				probe: func() string { return w.get("/v1/programs/" + p) }}
		},
		"createEnrollment": func() idemCase {
			p := w.id("POST", "/v1/programs", `{"name":"idem enrol","gift":"50.00","starts_on":"2026-03"}`)
			a, b := w.account("idem enrol a"), w.account("idem enrol b")
			w.card(a)
			w.card(b)
			return idemCase{path: "/v1/programs/" + p + "/enrollments", body: `{"account_id":"` + a + `"}`, otherBody: `{"account_id":"` + b + `"}`,
				probe: func() string { return w.all("/v1/programs/"+p+"/enrollments") + w.balance(a) + w.balance(b) }}
		},
		"deleteEnrollment": func() idemCase {
			p := w.id("POST", "/v1/programs", `{"name":"idem unenrol","gift":"50.00","starts_on":"2026-03"}`)
			a, b := w.account("idem unenrol a"), w.account("idem unenrol b")
			w.card(a)
			w.card(b)
			e1 := w.id("POST", "/v1/programs/"+p+"/enrollments", `{"account_id":"`+a+`"}`)
			e2 := w.id("POST", "/v1/programs/"+p+"/enrollments", `{"account_id":"`+b+`"}`)
			return idemCase{path: "/v1/enrollments/" + e1, otherPath: "/v1/enrollments/" + e2,
				probe: func() string { return w.all("/v1/programs/"+p+"/enrollments") + w.balance(a) + w.balance(b) }}
		},
		"putBalanceAlerts": func() idemCase {
			a := w.account("idem alerts")
			return idemCase{path: acctPath(a) + "/balance_alerts", body: `{"thresholds":["50.00"]}`, otherBody: `{"thresholds":["40.00"]}`,
				probe: func() string { return w.get(acctPath(a) + "/balance_alerts") }}
		},
		"createWebhookEndpoint": func() idemCase {
			return idemCase{path: "/v1/webhook_endpoints", body: `{"url":"` + hook + `","event_types":["payment.failed"]}`,
				otherBody: `{"url":"` + hook + `/other","event_types":["payment.failed"]}`,
				probe:     func() string { return w.all("/v1/webhook_endpoints") }, firstOnly: "secret"}
		},
		"updateWebhookEndpoint": func() idemCase {
			e := w.endpoint(hook, "payment.failed")
			return idemCase{path: "/v1/webhook_endpoints/" + e, body: `{"description":"one"}`, otherBody: `{"description":"two"}`,
				probe: func() string { return w.get("/v1/webhook_endpoints/" + e) }}
		},
		"deleteWebhookEndpoint": func() idemCase {
			e1, e2 := w.endpoint(hook, "payment.failed"), w.endpoint(hook, "payment.failed")
			return idemCase{path: "/v1/webhook_endpoints/" + e1, otherPath: "/v1/webhook_endpoints/" + e2,
				probe: func() string { return w.all("/v1/webhook_endpoints") }}
		},
		"createApiKey": func() idemCase {
			return idemCase{path: "/v1/api_keys", body: `{"role":"usage","name":"idem one"}`, otherBody: `{"role":"usage","name":"idem two"}`,
				probe: func() string { return withoutLastUse(w.all("/v1/api_keys")) }, firstOnly: "secret"}
		},
		"revokeApiKey": func() idemCase {
			k1, k2 := w.id("POST", "/v1/api_keys", `{"role":"usage"}`), w.id("POST", "/v1/api_keys", `{"role":"usage"}`)
			return idemCase{path: "/v1/api_keys/" + k1, otherPath: "/v1/api_keys/" + k2,
				probe: func() string { return w.get("/v1/api_keys/"+k1) + w.get("/v1/api_keys/"+k2) }}
		},
		"rotateApiKey": func() idemCase {
			k1, k2 := w.id("POST", "/v1/api_keys", `{"role":"usage"}`), w.id("POST", "/v1/api_keys", `{"role":"usage"}`)
			return idemCase{path: "/v1/api_keys/" + k1 + "/rotate", body: `{"overlap":"1h"}`,
				otherPath: "/v1/api_keys/" + k2 + "/rotate", otherBody: `{"overlap":"1h"}`,
				probe: func() string { return withoutLastUse(w.all("/v1/api_keys")) }, firstOnly: "secret"}
		},
		"redeliverEvent": func() idemCase {
			e := w.endpoint(hook, "account.created")
			ev1, ev2 := w.createdEvent(w.account("idem redeliver a")).ID, w.createdEvent(w.account("idem redeliver b")).ID
			body := `{"endpoint_id":"` + e + `"}`
			return idemCase{path: "/v1/events/" + ev1 + "/redeliver", body: body,
				otherPath: "/v1/events/" + ev2 + "/redeliver", otherBody: body,
				probe: func() string { return w.sent(k, ev1, ev2) }}
		},
		"redeliverEvents": func() idemCase {
			e := w.endpoint(hook, "account.created")
			a := w.account("idem redeliver range")
			ev := w.createdEvent(a)
			from, to := ev.CreatedAt.Format(time.RFC3339Nano), ev.CreatedAt.Add(time.Second).Format(time.RFC3339Nano)
			body := func(typ string) string {
				return `{"from":"` + from + `","to":"` + to + `","types":["` + typ + `"],"endpoint_id":"` + e + `"}`
			}
			return idemCase{path: "/v1/events/redeliver", body: body("account.created"), otherBody: body("account.credits.granted"),
				probe: func() string {
					var ids []string
					var l api.List[api.Event]
					q := url.Values{"account_id": {a}}
					if err := json.Unmarshal([]byte(w.get("/v1/events?"+q.Encode())), &l); err != nil {
						w.t.Fatal(err)
					}
					for _, ev := range l.Data {
						ids = append(ids, ev.ID)
					}
					return w.sent(k, ids...)
				}}
		},
		"createPaymentMethod": func() idemCase {
			a := w.account("idem method")
			card := func(year int) string {
				return fmt.Sprintf(`{"type":"card","card_number":"%s","exp_month":12,"exp_year":%d,"cvc":"123"}`, payments.TestCardSuccess, year)
			}
			return idemCase{path: acctPath(a) + "/payment_methods", body: card(2030), otherBody: card(2031),
				probe: func() string { return w.all(acctPath(a) + "/payment_methods") }}
		},
		"verifyPaymentMethod": func() idemCase {
			a := w.account("idem verify")
			m := w.bank(a, false)
			return idemCase{path: "/v1/payment_methods/" + m + "/verify", body: `{"code":"` + w.code(m) + `"}`, otherBody: `{"code":"000000"}`,
				probe: func() string { return w.get("/v1/payment_methods/" + m) }}
		},
		"setDefaultPaymentMethod": func() idemCase {
			a := w.account("idem default")
			m1, m2 := w.card(a), w.card(a)
			return idemCase{path: "/v1/payment_methods/" + m2 + "/set_default", otherPath: "/v1/payment_methods/" + m1 + "/set_default",
				probe: func() string { return w.all(acctPath(a) + "/payment_methods") }}
		},
		"removePaymentMethod": func() idemCase {
			a := w.account("idem remove")
			m1, m2 := w.card(a), w.card(a)
			return idemCase{path: "/v1/payment_methods/" + m1, otherPath: "/v1/payment_methods/" + m2,
				probe: func() string { return w.all(acctPath(a) + "/payment_methods") }}
		},
		"createPurchase": func() idemCase {
			a := w.account("idem purchase")
			w.card(a)
			return idemCase{path: acctPath(a) + "/purchases", body: `{"amount":"30.00"}`, otherBody: `{"amount":"31.00"}`,
				probe: func() string { return w.balance(a) + w.all(acctPath(a)+"/payments") }}
		},
		"putAutoRecharge": func() idemCase {
			a := w.account("idem recharge")
			m := w.card(a)
			body := func(threshold string) string {
				return `{"enabled":true,"payment_method_id":"` + m + `","threshold":"` + threshold + `","amount":"25.00"}`
			}
			return idemCase{path: acctPath(a) + "/auto_recharge", body: body("10.00"), otherBody: body("11.00"),
				probe: func() string { return w.get(acctPath(a) + "/auto_recharge") }}
		},
		"createPaymentSchedule": func() idemCase {
			a := w.account("idem schedule")
			m := w.bank(a, true)
			body := func(day int) string {
				return fmt.Sprintf(`{"payment_method_id":"%s","day_of_month":%d,"amount":"50.00"}`, m, day)
			}
			return idemCase{path: acctPath(a) + "/payment_schedules", body: body(5), otherBody: body(6),
				probe: func() string { return w.all(acctPath(a) + "/payment_schedules") }}
		},
		"cancelPaymentSchedule": func() idemCase {
			a := w.account("idem schedule cancel")
			m := w.bank(a, true)
			s1 := w.id("POST", acctPath(a)+"/payment_schedules", `{"payment_method_id":"`+m+`","day_of_month":5,"amount":"50.00"}`)
			s2 := w.id("POST", acctPath(a)+"/payment_schedules", `{"payment_method_id":"`+m+`","day_of_month":6,"amount":"50.00"}`)
			return idemCase{path: "/v1/payment_schedules/" + s1, otherPath: "/v1/payment_schedules/" + s2,
				probe: func() string { return w.all(acctPath(a) + "/payment_schedules") }}
		},
		"createDebit": func() idemCase {
			a := w.account("idem debit")
			return idemCase{path: "/v1/debits", body: `{"account_id":"` + a + `","event_id":"d-1","amount":"1.00"}`,
				otherBody: `{"account_id":"` + a + `","event_id":"d-2","amount":"1.00"}`,
				probe:     func() string { return w.balance(a) + w.all(acctPath(a)+"/transactions") }}
		},
		"createDebitBatch": func() idemCase {
			a := w.account("idem batch")
			batch := func(ev string) string {
				return `{"debits":[{"account_id":"` + a + `","event_id":"` + ev + `","amount":"1.00"}]}`
			}
			return idemCase{path: "/v1/debits/batch", body: batch("b-1"), otherBody: batch("b-2"),
				probe: func() string { return w.balance(a) + w.all(acctPath(a)+"/transactions") }}
		},
		"createHold": func() idemCase {
			a := w.account("idem hold")
			return idemCase{path: "/v1/holds", body: `{"account_id":"` + a + `","amount":"5.00","ttl":"1h"}`,
				otherBody: `{"account_id":"` + a + `","amount":"6.00","ttl":"1h"}`,
				probe:     func() string { return w.balance(a) }}
		},
		"captureHold": func() idemCase {
			a := w.account("idem capture")
			hd := w.id("POST", "/v1/holds", `{"account_id":"`+a+`","amount":"5.00","ttl":"1h"}`)
			return idemCase{path: "/v1/holds/" + hd + "/capture", body: `{"amount":"2.00"}`, otherBody: `{"amount":"3.00"}`,
				probe: func() string { return w.balance(a) + w.get("/v1/holds/"+hd) }}
		},
		"releaseHold": func() idemCase {
			a := w.account("idem release")
			h1 := w.id("POST", "/v1/holds", `{"account_id":"`+a+`","amount":"5.00","ttl":"1h"}`)
			h2 := w.id("POST", "/v1/holds", `{"account_id":"`+a+`","amount":"6.00","ttl":"1h"}`)
			return idemCase{path: "/v1/holds/" + h1 + "/release", otherPath: "/v1/holds/" + h2 + "/release",
				probe: func() string { return w.balance(a) + w.get("/v1/holds/"+h1) + w.get("/v1/holds/"+h2) }}
		},
		"advanceTestClock": func() idemCase {
			// A grant that a second advance would expire.
			a := w.account("idem clock")
			var clock api.Clock
			w.must("POST", "/v1/test_clock/advance", `{"by":"1s"}`, &clock)
			expires := clock.Now.Add(90 * time.Minute).Format(time.RFC3339Nano)
			g := w.id("POST", acctPath(a)+"/grants", `{"amount":"5.00","expires_at":"`+expires+`"}`)
			return idemCase{path: "/v1/test_clock/advance", body: `{"by":"1h"}`, otherBody: `{"by":"2h"}`,
				probe: func() string { return w.get("/v1/grants/"+g) + w.balance(a) }, quiet: true}
		},
	}
}

// mutatingOperations reads the running server's OpenAPI document: every
// POST, PUT, PATCH and DELETE, by operationId, as "METHOD /path".
func mutatingOperations(t *testing.T, h *harness) map[string]string {
	t.Helper()
	ops := map[string]string{}
	for _, op := range h.documentedOperations() {
		switch op.method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			ops[op.id] = op.method + " " + op.path
		}
	}
	return ops
}

// without is an answer without one of its fields, which must be there,
// as the server encodes it (in field order, with a final newline).
func without(t *testing.T, answer []byte, field string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(answer, &m); err != nil {
		t.Fatal(err)
	}
	v, ok := m[field]
	if !ok || string(v) == `""` {
		t.Fatalf("the first answer lacks %s: %s", field, answer)
	}
	// Drop `"field":value,` from the bytes as sent, keeping their order.
	cut := []byte(`"` + field + `":` + string(v) + `,`)
	if !bytes.Contains(answer, cut) {
		t.Fatalf("%s is the last field of %s", field, answer)
	}
	return bytes.Replace(answer, cut, nil, 1)
}

// matches reports whether a concrete path fits an OpenAPI path template.
func matches(template, path string) bool {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if !strings.HasPrefix(ts[i], "{") && ts[i] != ps[i] {
			return false
		}
	}
	return true
}

// Every mutating operation the server documents honours the
// Idempotency-Key: a repeat answers byte for byte as the first time and
// changes nothing; the same key on a different request — another body,
// another resource, another route — is a 409 and changes nothing. The
// operations come from the server's own OpenAPI document, so a new one
// without a fixture fails here instead of going unchecked.
func TestIdempotencyKeyOnEveryMutation(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := startWith(t, dsn, nil) // deliveries polled often: redeliveries show at the receiver
		w := newWire(t, h)
		ops := mutatingOperations(t, h)
		fixtures := idemFixtures(w, newHook(t))
		var ids []string
		for id, op := range ops {
			if fixtures[id] == nil {
				t.Errorf("%s (%s) has no idempotency fixture: add one to idemFixtures", id, op)
				continue
			}
			ids = append(ids, id)
		}
		for id := range fixtures {
			if ops[id] == "" {
				t.Errorf("fixture %s names no operation of the OpenAPI document", id)
			}
		}
		if t.Failed() {
			return
		}
		// The clock moves last, so every other case runs at one instant.
		sort.Slice(ids, func(i, j int) bool {
			if (ids[i] == "advanceTestClock") != (ids[j] == "advanceTestClock") {
				return ids[j] == "advanceTestClock"
			}
			return ids[i] < ids[j]
		})

		buyer := w.account("idem buyer")
		w.card(buyer)
		events := func() string { return fmt.Sprint(strings.Count(w.all("/v1/events"), "\n")) }
		// Requests of other routes that the key must refuse too.
		foreign := [][3]string{
			{"POST", "/v1/accounts", `{"name":"reused key"}`},
			{"POST", "/v1/accounts/" + buyer + "/purchases", `{"amount":"25.00"}`},
		}

		for _, id := range ids {
			t.Run(id, func(t *testing.T) {
				parent := w.t
				w.t = t // a failure stops this case, from its own goroutine
				defer func() { w.t = parent }()
				method, template, _ := strings.Cut(ops[id], " ")
				c := fixtures[id]()
				if !matches(template, c.path) {
					t.Fatalf("fixture path %s does not fit %s", c.path, template)
				}
				if c.otherPath == "" {
					c.otherPath = c.path
				}
				if c.otherPath == c.path && c.otherBody == c.body {
					t.Fatalf("fixture's other request is the same request")
				}
				key := "idem-walk-" + id

				before := c.probe()
				status, first := w.send(method, c.path, c.body, key)
				if status/100 != 2 {
					t.Fatalf("%s %s: status %d: %s", method, c.path, status, first)
				}
				after, evs := c.probe(), events()
				if after == before && !c.quiet {
					t.Fatalf("the probe does not see the first request's effect: %s", after)
				}

				if c.firstOnly != "" {
					first = without(t, first, c.firstOnly)
				}
				again, replay := w.send(method, c.path, c.body, key)
				if again != status || !bytes.Equal(replay, first) {
					t.Errorf("repeat answered %d %s\nfirst answer was %d %s", again, replay, status, first)
				}
				if p := c.probe(); p != after {
					t.Errorf("repeat changed state:\nbefore %s\nafter  %s", after, p)
				}

				refuse := func(method, path, body string) {
					t.Helper()
					st, b := w.send(method, path, body, key)
					var e api.ErrorBody
					if err := json.Unmarshal(b, &e); st != http.StatusConflict || err != nil || e.Error.Code != "idempotency_key_reused" {
						t.Errorf("%s %s %s under the same key: %d %s, want 409 idempotency_key_reused", method, path, body, st, b)
					}
				}
				refuse(method, c.otherPath, c.otherBody)
				for _, f := range foreign {
					refuse(f[0], f[1], f[2])
				}
				if p := c.probe(); p != after {
					t.Errorf("refused requests changed state:\nbefore %s\nafter  %s", after, p)
				}
				if e := events(); e != evs {
					t.Errorf("events: %s before the repeat and refusals, %s after", evs, e)
				}
				// The first request still replays after the refusals.
				if again, replay := w.send(method, c.path, c.body, key); again != status || !bytes.Equal(replay, first) {
					t.Errorf("repeat after refusals answered %d %s", again, replay)
				}
			})
		}
	})
}

// Twenty copies of one batch sent at once under one key make one set of
// debits, and every copy gets the same answer, byte for byte.
func TestConcurrentBatchReplaysAnswerAlike(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		w := newWire(t, h)
		a := w.account("batch race")
		var debits []string
		for i := range 5 {
			debits = append(debits, fmt.Sprintf(`{"account_id":"%s","event_id":"race-%d","amount":"1.50"}`, a, i))
		}
		body := `{"debits":[` + strings.Join(debits, ",") + `]}`

		const n = 20
		type answer struct {
			status int
			body   []byte
		}
		answers := make([]answer, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				answers[i].status, answers[i].body = w.send("POST", "/v1/debits/batch", body, "batch-race")
			}()
		}
		close(start)
		wg.Wait()
		for i, an := range answers {
			if an.status != http.StatusOK || !bytes.Equal(an.body, answers[0].body) {
				t.Errorf("answer %d: %d %s\nanswer 0: %d %s", i, an.status, an.body, answers[0].status, answers[0].body)
			}
		}
		wantAmount(t, "balance", h.balance(a).Balance, "92.50")
		var txns api.List[api.Transaction]
		if err := json.Unmarshal([]byte(w.get("/v1/accounts/"+a+"/transactions?limit=100")), &txns); err != nil {
			t.Fatal(err)
		}
		if got := len(txns.Data); got != 6 { // the grant and five debits
			t.Errorf("%d transactions, want 6", got)
		}
	})
}

// Removing a payment method twice under one key answers the second time
// as the first, not with "not found".
func TestRepeatedRemovePaymentMethodReplays(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		w := newWire(t, h)
		a := w.account("remove twice")
		m := w.card(a)
		s1, b1 := w.send("DELETE", "/v1/payment_methods/"+m, "", "remove-once")
		s2, b2 := w.send("DELETE", "/v1/payment_methods/"+m, "", "remove-once")
		if s1 != http.StatusOK || s2 != s1 || !bytes.Equal(b1, b2) {
			t.Errorf("first %d %s\nrepeat %d %s", s1, b1, s2, b2)
		}
	})
}

// lastUse is a key's last_used_at in a listing.
var lastUse = regexp.MustCompile(`"last_used_at":("[^"]*"|null)`)

// withoutLastUse drops last_used_at from a listing of keys: the key
// making the requests marks its use in the background, when it will.
func withoutLastUse(s string) string { return lastUse.ReplaceAllString(s, "") }
