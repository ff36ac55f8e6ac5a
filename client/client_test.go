package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
)

// recorded is what a fake server saw of one request.
type recorded struct {
	Method, Path, Query string
	Header              http.Header
	Body                string
}

// fake is an httptest server that records requests and answers each with
// the next function of answers (the last one repeats).
type fake struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []recorded
	answers []http.HandlerFunc
}

func newFake(t *testing.T, answers ...http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{answers: answers}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(body)})
		h := f.answers[min(len(f.reqs), len(f.answers))-1]
		f.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// client returns a client for the fake with fast retries.
func (f *fake) client(opts ...Option) *Client {
	c := New(f.URL+"/", opts...)
	c.backoff = time.Millisecond
	return c
}

func answer(status int, v any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
}

func errAnswer(status int, code, msg, param string) http.HandlerFunc {
	return answer(status, api.ErrorBody{Error: api.ErrorDetail{Type: "invalid_request_error", Code: code, Message: msg, Param: param}})
}

// hangUp closes the connection without answering: a network error.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

func TestCreateAccountRequestShape(t *testing.T) {
	f := newFake(t, answer(201, api.Account{ID: "acct_1", Name: "Acme", Currency: "USD", MinBalance: money.MustParse("-10")}))
	c := f.client(WithAPIKey("sk_test"), WithUserAgent("ua/1"))
	mb := money.MustParse("-10")
	acct, err := c.CreateAccount(context.Background(), api.AccountCreate{Name: "Acme", Currency: "USD", MinBalance: &mb})
	if err != nil {
		t.Fatal(err)
	}
	if acct.ID != "acct_1" || acct.MinBalance != mb {
		t.Errorf("account = %+v", acct)
	}
	r := f.requests()[0]
	if r.Method != "POST" || r.Path != "/v1/accounts" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	for h, want := range map[string]string{
		"Authorization": "Bearer sk_test",
		"Content-Type":  "application/json",
		"Accept":        "application/json",
		"User-Agent":    "ua/1",
	} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if !strings.HasPrefix(r.Header.Get("Idempotency-Key"), "ik_") {
		t.Errorf("Idempotency-Key = %q", r.Header.Get("Idempotency-Key"))
	}
	if want := `{"name":"Acme","currency":"USD","min_balance":"-10.00"}`; r.Body != want {
		t.Errorf("body = %s, want %s", r.Body, want)
	}
}

func TestSubaccountBasicAuth(t *testing.T) {
	f := newFake(t, answer(200, api.Balance{Balance: money.MustParse("3.2")}))
	c := f.client(WithSubaccount("sub_auth", "tok"))
	b, err := c.GetBalance(context.Background(), "acct_1", BalanceParams{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Balance.String() != "3.20" {
		t.Errorf("balance = %s", b.Balance)
	}
	r := f.requests()[0]
	req := &http.Request{Header: r.Header}
	if id, tok, ok := req.BasicAuth(); !ok || id != "sub_auth" || tok != "tok" {
		t.Errorf("basic auth = %q %q %v", id, tok, ok)
	}
	if r.Header.Get("Idempotency-Key") != "" || r.Header.Get("Content-Type") != "" {
		t.Errorf("GET carries Idempotency-Key or Content-Type: %v", r.Header)
	}
	if r.Path != "/v1/accounts/acct_1/balance" || r.Query != "" {
		t.Errorf("request = %s?%s", r.Path, r.Query)
	}
}

func TestQueryParameters(t *testing.T) {
	f := newFake(t, answer(200, map[string]any{"data": []any{}, "has_more": false}))
	c := f.client()
	ctx := context.Background()
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	if _, err := c.ListTransactions(ctx, "acct_1", TransactionListParams{
		ListParams: ListParams{Limit: 10, StartingAfter: "txn_9"},
		Types:      []string{"debit", "grant"}, From: from, SubaccountID: "sub_1",
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListGrants(ctx, "acct_1", GrantListParams{Kind: "units", Unit: "sms", Status: "active"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListAccounts(ctx, ListParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetBalance(ctx, "acct_1", BalanceParams{At: at}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/v1/accounts/acct_1/transactions?from=2026-01-01T00%3A00%3A00Z&limit=10&starting_after=txn_9&subaccount_id=sub_1&type=debit%2Cgrant",
		"/v1/accounts/acct_1/grants?kind=units&status=active&unit=sms",
		"/v1/accounts",
		"/v1/accounts/acct_1/balance?at=2026-02-03T04%3A05%3A06Z",
	}
	for i, r := range f.requests() {
		got := r.Path
		if r.Query != "" {
			got += "?" + r.Query
		}
		if got != want[i] {
			t.Errorf("request %d = %s, want %s", i, got, want[i])
		}
	}
}

func TestPathsAndMethods(t *testing.T) {
	f := newFake(t, answer(200, map[string]any{}))
	c := f.client()
	ctx := context.Background()
	amt := money.MustParse("1.5")
	name := "x"
	calls := []struct {
		want string
		call func() error
	}{
		{"GET /v1/accounts/acct_1", func() error { _, err := c.GetAccount(ctx, "acct_1"); return err }},
		{"PATCH /v1/accounts/acct_1", func() error { _, err := c.UpdateAccount(ctx, "acct_1", api.AccountUpdate{Name: &name}); return err }},
		{"POST /v1/accounts/acct_1/close", func() error { _, err := c.CloseAccount(ctx, "acct_1"); return err }},
		{"POST /v1/accounts/acct_1/subaccounts", func() error {
			_, err := c.CreateSubaccount(ctx, "acct_1", api.SubaccountCreate{Name: "a"})
			return err
		}},
		{"GET /v1/accounts/acct_1/subaccounts", func() error { _, err := c.ListSubaccounts(ctx, "acct_1", ListParams{}); return err }},
		{"GET /v1/subaccounts/sub_1", func() error { _, err := c.GetSubaccount(ctx, "sub_1"); return err }},
		{"PATCH /v1/subaccounts/sub_1", func() error { _, err := c.UpdateSubaccount(ctx, "sub_1", api.SubaccountUpdate{}); return err }},
		{"DELETE /v1/subaccounts/sub_1", func() error { _, err := c.DeleteSubaccount(ctx, "sub_1"); return err }},
		{"POST /v1/accounts/acct_1/grants", func() error {
			_, err := c.CreateGrant(ctx, "acct_1", api.GrantCreate{Amount: amt})
			return err
		}},
		{"GET /v1/grants/grant_1", func() error { _, err := c.GetGrant(ctx, "grant_1"); return err }},
		{"POST /v1/grants/grant_1/void", func() error { _, err := c.VoidGrant(ctx, "grant_1", api.GrantVoid{Reason: "r"}); return err }},
		{"POST /v1/debits", func() error { _, err := c.Debit(ctx, api.DebitCreate{EventID: "e", Amount: &amt}); return err }},
		{"POST /v1/debits/batch", func() error { _, err := c.DebitBatch(ctx, api.DebitBatch{}); return err }},
		{"POST /v1/holds", func() error { _, err := c.CreateHold(ctx, api.HoldCreate{Amount: amt, TTL: "1m"}); return err }},
		{"GET /v1/holds/hold_1", func() error { _, err := c.GetHold(ctx, "hold_1"); return err }},
		{"POST /v1/holds/hold_1/capture", func() error { _, err := c.CaptureHold(ctx, "hold_1", api.HoldCapture{Amount: amt}); return err }},
		{"POST /v1/holds/hold_1/release", func() error { _, err := c.ReleaseHold(ctx, "hold_1"); return err }},
		{"POST /v1/test_clock/advance", func() error { _, err := c.AdvanceClock(ctx, api.ClockAdvance{By: "1h"}); return err }},
		{"GET /v1/accounts/a%2Fb", func() error { _, err := c.GetAccount(ctx, "a/b"); return err }},
	}
	for i, tc := range calls {
		if err := tc.call(); err != nil {
			t.Fatalf("%s: %v", tc.want, err)
		}
		r := f.requests()[i]
		if got := r.Method + " " + r.Path; got != strings.Replace(tc.want, "%2F", "/", 1) {
			t.Errorf("call %d = %s, want %s", i, got, tc.want)
		}
		// A debit's event_id is its idempotency key; every other mutation
		// carries an Idempotency-Key.
		if hasKey := r.Header.Get("Idempotency-Key") != ""; hasKey != (r.Method != "GET" && r.Path != "/v1/debits") {
			t.Errorf("%s: Idempotency-Key present = %v", tc.want, hasKey)
		}
	}
	if _, err := c.GetAccount(ctx, ""); err == nil {
		t.Error("empty id accepted")
	}
}

func TestDebitAmountsAreStrings(t *testing.T) {
	f := newFake(t, answer(201, json.RawMessage(`{"object":"debit","balance":"-0.0075","available":"9.9925","replayed":true,"transaction":{"id":"txn_1","amount":"-0.0075"}}`)))
	c := f.client()
	q, p := money.MustParse("3"), money.MustParse("0.0025")
	d, err := c.Debit(context.Background(), api.DebitCreate{AccountID: "acct_1", EventID: "ev1", Unit: "sms", Quantity: &q, UnitPrice: &p})
	if err != nil {
		t.Fatal(err)
	}
	if d.Balance != money.MustParse("-0.0075") || !d.Replayed || d.Transaction.ID != "txn_1" {
		t.Errorf("debit = %+v", d)
	}
	want := `{"account_id":"acct_1","event_id":"ev1","unit":"sms","quantity":"3.00","unit_price":"0.0025"}`
	if got := f.requests()[0].Body; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestCallerIdempotencyKey(t *testing.T) {
	f := newFake(t, answer(201, api.Hold{ID: "hold_1"}))
	c := f.client()
	if _, err := c.CreateHold(context.Background(), api.HoldCreate{TTL: "1m"}, WithIdempotencyKey("mine")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateHold(context.Background(), api.HoldCreate{TTL: "1m"}); err != nil {
		t.Fatal(err)
	}
	rs := f.requests()
	if k := rs[0].Header.Get("Idempotency-Key"); k != "mine" {
		t.Errorf("key = %q, want mine", k)
	}
	if k := rs[1].Header.Get("Idempotency-Key"); k == "" || k == "mine" {
		t.Errorf("second call key = %q, want a fresh one", k)
	}
}

func TestRetrySameKeyOn503(t *testing.T) {
	overloaded := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		errAnswer(503, "overloaded", "too busy", "")(w, r)
	}
	f := newFake(t, overloaded, overloaded, answer(201, api.Grant{}))
	amt := money.MustParse("1")
	if _, err := f.client().CreateGrant(context.Background(), "acct_1", api.GrantCreate{Amount: amt}); err != nil {
		t.Fatal(err)
	}
	assertSameKeyAndBody(t, f.requests(), 3)
}

func TestRetrySameKeyOnNetworkError(t *testing.T) {
	f := newFake(t, hangUp, hangUp, answer(201, api.Grant{}))
	amt := money.MustParse("1")
	if _, err := f.client().CreateGrant(context.Background(), "acct_1", api.GrantCreate{Amount: amt}); err != nil {
		t.Fatal(err)
	}
	// net/http may itself resend a request it knows is idempotent after a
	// hang-up; either way every attempt must carry the same key.
	if n := len(f.requests()); n < 3 {
		t.Fatalf("%d requests, want at least 3", n)
	}
	assertSameKeyAndBody(t, f.requests(), len(f.requests()))
}

func assertSameKeyAndBody(t *testing.T, rs []recorded, n int) {
	t.Helper()
	if len(rs) != n {
		t.Fatalf("%d requests, want %d", len(rs), n)
	}
	key := rs[0].Header.Get("Idempotency-Key")
	if key == "" {
		t.Fatal("no Idempotency-Key")
	}
	for i, r := range rs {
		if r.Header.Get("Idempotency-Key") != key || r.Body != rs[0].Body {
			t.Errorf("attempt %d: key %q body %s; first was key %q body %s",
				i+1, r.Header.Get("Idempotency-Key"), r.Body, key, rs[0].Body)
		}
	}
}

func TestRetriesAreBounded(t *testing.T) {
	f := newFake(t, errAnswer(503, "overloaded", "too busy", ""))
	c := f.client(WithMaxAttempts(2))
	_, err := c.ReleaseHold(context.Background(), "hold_1")
	var e *Error
	if !errors.As(err, &e) || e.Status != 503 || e.Code != "overloaded" {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

func TestLongRetryAfterIsNotWaited(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		errAnswer(503, "overloaded", "too busy", "")(w, r)
	})
	start := time.Now()
	if _, err := f.client().GetHold(context.Background(), "hold_1"); ErrorCode(err) != "overloaded" {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.requests()); n != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("%d attempts in %s, want 1 at once", n, time.Since(start))
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "20")
		errAnswer(503, "overloaded", "too busy", "")(w, r)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := f.client().GetHold(ctx, "hold_1"); err == nil {
		t.Fatal("no error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("returned after %s", d)
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	f := newFake(t, errAnswer(409, "conflict", "hold already captured", ""))
	_, err := f.client().CaptureHold(context.Background(), "hold_1", api.HoldCapture{})
	if ErrorCode(err) != "conflict" || len(f.requests()) != 1 {
		t.Errorf("err = %v after %d attempts", err, len(f.requests()))
	}
}

func TestErrorDecoding(t *testing.T) {
	f := newFake(t, answer(402, api.ErrorBody{Error: api.ErrorDetail{
		Type: "invalid_request_error", Code: "insufficient_balance", Param: "amount",
		Message: "insufficient balance: 5.00 is more than the 3.20 available",
		Details: map[string]string{"available": "3.20"},
	}}))
	amt := money.MustParse("5")
	_, err := f.client().Debit(context.Background(), api.DebitCreate{EventID: "e", Amount: &amt})
	want := "insufficient_balance: insufficient balance: 5.00 is more than the 3.20 available (param amount)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err is %T", err)
	}
	if e.Status != 402 || e.Code != "insufficient_balance" || e.Param != "amount" || e.Details["available"] != "3.20" {
		t.Errorf("error = %+v", e)
	}
	if ErrorCode(err) != "insufficient_balance" || ErrorCode(nil) != "" || ErrorCode(errors.New("x")) != "" {
		t.Error("ErrorCode")
	}
}

func TestErrorWithoutErrorBody(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream exploded", http.StatusBadGateway)
	})
	_, err := f.client().GetAccount(context.Background(), "acct_1")
	if want := "http 502: Bad Gateway: upstream exploded"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	if ErrorCode(err) != "" {
		t.Errorf("code = %q", ErrorCode(err))
	}
}

func TestDeleteWithoutBody(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	s, err := f.client().DeleteSubaccount(context.Background(), "sub_1")
	if err != nil || s != nil {
		t.Errorf("DeleteSubaccount = %v, %v", s, err)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"2", 2 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"Mon, 01 Jan 2001 00:00:00 GMT", 0, true},
	} {
		got, ok := retryAfter(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %s, %v", tc.in, got, ok)
		}
	}
}

// TestDebitRetriesByEventID: a debit carries no made-up Idempotency-Key, a
// retry after a lost answer sends the same body (so the same event_id, which
// the server answers with the first debit), and a caller's own key is sent.
func TestDebitRetriesByEventID(t *testing.T) {
	f := newFake(t, hangUp, answer(200, api.Debit{Replayed: true}))
	c := f.client()
	amt := money.MustParse("0.01")
	d, err := c.Debit(context.Background(), api.DebitCreate{AccountID: "acct_1", EventID: "ev-7", Amount: &amt})
	if err != nil || !d.Replayed {
		t.Fatalf("debit = %+v, %v", d, err)
	}
	rs := f.requests()
	if len(rs) != 2 || rs[0].Body != rs[1].Body || !strings.Contains(rs[0].Body, `"event_id":"ev-7"`) {
		t.Fatalf("requests = %+v", rs)
	}
	for _, r := range rs {
		if k := r.Header.Get("Idempotency-Key"); k != "" {
			t.Errorf("debit sent Idempotency-Key %q", k)
		}
	}
	if _, err := c.Debit(context.Background(), api.DebitCreate{AccountID: "acct_1", EventID: "ev-8", Amount: &amt},
		WithIdempotencyKey("mine")); err != nil {
		t.Fatal(err)
	}
	if k := f.requests()[2].Header.Get("Idempotency-Key"); k != "mine" {
		t.Errorf("caller's key = %q, want mine", k)
	}
}
