package main

import (
	"bytes"
	"encoding/json"
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

// These tests cover the client commands' own work — flags to requests,
// answers to tables and JSON, errors to messages — against a fake server
// that returns canned answers. The real server is exercised end to end
// elsewhere.

// fakeServer answers every request with status and body, and records what
// it was sent.
type fakeServer struct {
	*httptest.Server
	status int
	body   string
	header http.Header

	mu   sync.Mutex
	reqs []*http.Request
	sent []string
}

func newFakeServer(t *testing.T, status int, body any) *fakeServer {
	t.Helper()
	b, ok := body.(string)
	if !ok {
		j, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		b = string(j)
	}
	f := &fakeServer{status: status, body: b, header: http.Header{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, r.Clone(r.Context()))
		f.sent = append(f.sent, string(data))
		f.mu.Unlock()
		for k, v := range f.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		io.WriteString(w, f.body)
	}))
	t.Cleanup(f.Close)
	return f
}

// last returns the last request and its body.
func (f *fakeServer) last(t *testing.T) (*http.Request, string) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		t.Fatal("no request reached the server")
	}
	return f.reqs[len(f.reqs)-1], f.sent[len(f.sent)-1]
}

// run executes the coffer command line against url and returns stdout,
// stderr and the error main would print after "coffer: ".
func run(t *testing.T, url string, args ...string) (string, string, error) {
	t.Helper()
	t.Setenv("COFFER_URL", url)
	t.Setenv("COFFER_API_KEY", "")
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errOut.String(), err
}

var created = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testAccount() api.Account {
	return api.Account{
		ID: "acct_01", Object: "account", Name: "Acme", Email: "ops@acme.test", Currency: "USD",
		Status: "active", BillingMode: "prepaid", MinBalance: money.MustParse("-10"), TrustTier: 2,
		Metadata: map[string]string{"plan": "pro", "crm": "42"}, CreatedAt: created, UpdatedAt: created,
	}
}

func TestAccountsCreate(t *testing.T) {
	f := newFakeServer(t, 201, testAccount())
	out, _, err := run(t, f.URL, "accounts", "create", "--name", "Acme", "--currency", "usd",
		"--min-balance", "-10", "--trust-tier", "2", "--metadata", "plan=pro,crm=42",
		"--notification-emails", "a@x.test,b@x.test", "--api-key", "sk_1")
	if err != nil {
		t.Fatal(err)
	}
	r, body := f.last(t)
	if r.Method != "POST" || r.URL.Path != "/v1/accounts" {
		t.Errorf("request = %s %s", r.Method, r.URL.Path)
	}
	if r.Header.Get("Authorization") != "Bearer sk_1" || r.Header.Get("Idempotency-Key") == "" {
		t.Errorf("headers = %v", r.Header)
	}
	want := `{"name":"Acme","notification_emails":["a@x.test","b@x.test"],"currency":"USD","min_balance":"-10.00","trust_tier":2,"metadata":{"crm":"42","plan":"pro"}}`
	if body != want {
		t.Errorf("body = %s\nwant   %s", body, want)
	}
	for _, s := range []string{
		"ID                   acct_01\n",
		"Notification emails  -\n",
		"Min balance          -10.00\n",
		"Metadata             crm=42, plan=pro\n",
		"Created              2026-03-01T12:00:00Z\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestAccountsUpdateSendsOnlyGivenFlags(t *testing.T) {
	f := newFakeServer(t, 200, testAccount())
	if _, _, err := run(t, f.URL, "accounts", "update", "acct_01", "--name", "New", "--trust-tier", "0", "--idempotency-key", "k1"); err != nil {
		t.Fatal(err)
	}
	r, body := f.last(t)
	if r.Method != "PATCH" || r.URL.Path != "/v1/accounts/acct_01" || r.Header.Get("Idempotency-Key") != "k1" {
		t.Errorf("request = %s %s key %q", r.Method, r.URL.Path, r.Header.Get("Idempotency-Key"))
	}
	if want := `{"name":"New","trust_tier":0}`; body != want {
		t.Errorf("body = %s, want %s", body, want)
	}
}

func TestAccountsListTableAndNextPageHint(t *testing.T) {
	a, b := testAccount(), testAccount()
	b.ID, b.Name, b.Email, b.MinBalance = "acct_02", "Globex Corporation", "", 0
	f := newFakeServer(t, 200, api.List[api.Account]{Data: []api.Account{a, b}, HasMore: true})
	out, errOut, err := run(t, f.URL, "accounts", "list", "--limit", "2")
	if err != nil {
		t.Fatal(err)
	}
	want := "" +
		"ID       NAME                EMAIL          CURRENCY  STATUS  BILLING  MIN BALANCE  CREATED\n" +
		"acct_01  Acme                ops@acme.test  USD       active  prepaid  -10.00       2026-03-01T12:00:00Z\n" +
		"acct_02  Globex Corporation  -              USD       active  prepaid  0.00         2026-03-01T12:00:00Z\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if errOut != "more results: add --starting-after acct_02\n" {
		t.Errorf("stderr = %q", errOut)
	}
	if r, _ := f.last(t); r.URL.RawQuery != "limit=2" {
		t.Errorf("query = %s", r.URL.RawQuery)
	}
}

func TestJSONOutputIsTheAnswer(t *testing.T) {
	f := newFakeServer(t, 200, testAccount())
	out, _, err := run(t, f.URL, "accounts", "get", "acct_01", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got api.Account
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if got.ID != "acct_01" || got.MinBalance != money.MustParse("-10") || !strings.Contains(out, `"min_balance": "-10.00"`) {
		t.Errorf("output:\n%s", out)
	}
}

func TestServerErrorBecomesMessage(t *testing.T) {
	f := newFakeServer(t, 402, api.ErrorBody{Error: api.ErrorDetail{
		Type: "balance_error", Code: "insufficient_balance", Param: "amount",
		Message: "insufficient balance: 5.00 is more than the 3.20 available",
	}})
	out, _, err := run(t, f.URL, "debit", "acct_01", "--amount", "5", "--event-id", "ev1")
	if err == nil || err.Error() != "insufficient balance: 5.00 is more than the 3.20 available" {
		t.Errorf("err = %v", err)
	}
	if out != "" {
		t.Errorf("stdout = %q", out)
	}
}

func TestUnauthenticatedHint(t *testing.T) {
	f := newFakeServer(t, 401, api.ErrorBody{Error: api.ErrorDetail{Code: "unauthenticated", Message: "missing API key"}})
	_, _, err := run(t, f.URL, "balance", "acct_01")
	if err == nil || err.Error() != "missing API key (set --api-key or COFFER_API_KEY)" {
		t.Errorf("err = %v", err)
	}
}

func TestUnreachableServer(t *testing.T) {
	f := newFakeServer(t, 200, "{}")
	f.Close()
	_, _, err := run(t, f.URL, "balance", "acct_01")
	if err == nil || !strings.HasPrefix(err.Error(), "cannot reach the server at "+f.URL) {
		t.Errorf("err = %v", err)
	}
}

func TestDebitGeneratesAndPrintsEventID(t *testing.T) {
	q, p := money.MustParse("3"), money.MustParse("0.0075")
	f := newFakeServer(t, 201, api.Debit{Object: "debit", Balance: money.MustParse("9.9775"), Available: money.MustParse("19.9775"),
		Transaction: api.Transaction{ID: "txn_1", EventID: "whatever", Amount: money.MustParse("-0.0225"), Currency: "USD",
			Unit: "sms", Quantity: &q, UnitPrice: &p}})
	out, errOut, err := run(t, f.URL, "debit", "acct_01", "--unit", "sms", "--quantity", "3", "--unit-price", "0.0075", "--allow-negative", "--subaccount", "sub_1")
	if err != nil {
		t.Fatal(err)
	}
	_, body := f.last(t)
	var sent api.DebitCreate
	if err := json.Unmarshal([]byte(body), &sent); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sent.EventID, "cli_") || errOut != "event id: "+sent.EventID+"\n" {
		t.Errorf("event id %q, stderr %q", sent.EventID, errOut)
	}
	if sent.AccountID != "acct_01" || !sent.AllowNegative || sent.SubaccountID != "sub_1" || sent.Amount != nil || *sent.Quantity != q || *sent.UnitPrice != p {
		t.Errorf("sent %+v", sent)
	}
	for _, s := range []string{"Usage        3.00 sms at 0.0075\n", "Balance      9.9775 USD\n", "Available    19.9775 USD\n"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestDebitFlagErrors(t *testing.T) {
	f := newFakeServer(t, 201, "{}")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"debit", "acct_01"}, "give either --amount, or --unit with --quantity"},
		{[]string{"debit", "acct_01", "--amount", "1", "--unit", "sms"}, "give either --amount, or --unit with --quantity"},
		{[]string{"debit", "acct_01", "--amount", "1.1234567"}, `has more than 6 decimal places`},
		{[]string{"debit", "acct_01", "--amount", "1e3"}, `is not a decimal number`},
		{[]string{"debit"}, "accepts 1 arg(s), received 0"},
		{[]string{"clock", "advance"}, "give exactly one of --by or --to"},
		{[]string{"clock", "advance", "--by", "1h", "--to", "2026-01-01"}, "give exactly one of --by or --to"},
		{[]string{"history", "acct_01", "--from", "yesterday"}, "is not a time"},
	} {
		_, _, err := run(t, f.URL, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) != 0 {
		t.Errorf("%d requests sent for refused command lines", len(f.reqs))
	}
}

func TestHistoryQueryAndTable(t *testing.T) {
	q := money.MustParse("2")
	f := newFakeServer(t, 200, api.List[api.Transaction]{Data: []api.Transaction{
		{ID: "txn_2", Type: "debit", Amount: money.MustParse("-1.5"), BalanceAfter: money.MustParse("8.5"),
			EventID: "ev2", SubaccountID: "sub_1", Unit: "sms", Quantity: &q, Description: "two texts", CreatedAt: created},
		{ID: "txn_1", Type: "grant", Amount: money.MustParse("10"), BalanceAfter: money.MustParse("10"),
			GrantID: "grant_1", Reason: "welcome", CreatedAt: created},
	}})
	out, _, err := run(t, f.URL, "history", "acct_01", "--type", "debit,grant", "--from", "2026-01-01",
		"--to", "2026-04-01T00:00:00+02:00", "--subaccount", "sub_1", "--limit", "5")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.last(t)
	if want := "from=2026-01-01T00%3A00%3A00Z&limit=5&subaccount_id=sub_1&to=2026-04-01T00%3A00%3A00%2B02%3A00&type=debit%2Cgrant"; r.URL.RawQuery != want {
		t.Errorf("query = %s\nwant    %s", r.URL.RawQuery, want)
	}
	want := "" +
		"ID     TIME                  TYPE   AMOUNT  BALANCE AFTER  EVENT  SUBACCOUNT  DETAIL\n" +
		"txn_2  2026-03-01T12:00:00Z  debit  -1.50   8.50           ev2    sub_1       2.00 sms; two texts\n" +
		"txn_1  2026-03-01T12:00:00Z  grant  10.00   10.00          -      -           grant_1; welcome\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestBalance(t *testing.T) {
	f := newFakeServer(t, 200, api.Balance{Object: "balance", AccountID: "acct_01", Currency: "USD",
		Balance: money.MustParse("12.5"), Available: money.MustParse("10"),
		Credits: map[string]money.Amount{"paid": money.MustParse("10"), "promotional": money.MustParse("2.5")},
		Units:   map[string]money.Amount{"sms": money.MustParse("100")}, Status: "active", At: created})
	out, _, err := run(t, f.URL, "balance", "acct_01", "--at", "2026-03-01T12:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.last(t)
	if r.URL.Path != "/v1/accounts/acct_01/balance" || r.URL.RawQuery != "at=2026-03-01T12%3A00%3A00Z" {
		t.Errorf("request = %s?%s", r.URL.Path, r.URL.RawQuery)
	}
	for _, s := range []string{"Balance               12.50\n", "Credits               paid=10.00, promotional=2.50\n", "Units                 sms=100.00\n"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestGrantsCreateImpliesUnitsKind(t *testing.T) {
	f := newFakeServer(t, 201, api.Grant{ID: "grant_1", Kind: "units", Unit: "sms", Amount: money.MustParse("100")})
	out, _, err := run(t, f.URL, "grants", "create", "acct_01", "--amount", "100", "--unit", "sms",
		"--expires-at", "2027-01-01", "--reason", "welcome", "--priority", "10")
	if err != nil {
		t.Fatal(err)
	}
	r, body := f.last(t)
	want := `{"kind":"units","amount":"100.00","unit":"sms","priority":10,"expires_at":"2027-01-01T00:00:00Z","reason":"welcome"}`
	if r.URL.Path != "/v1/accounts/acct_01/grants" || body != want {
		t.Errorf("%s body = %s\nwant %s", r.URL.Path, body, want)
	}
	if !strings.Contains(out, "Expires      never\n") {
		t.Errorf("output:\n%s", out)
	}
}

func TestSubaccountsDisableDeleteAndCreate(t *testing.T) {
	f := newFakeServer(t, 200, api.Subaccount{ID: "sub_1", AuthID: "auth_1", AuthToken: "tok_secret"})
	if _, _, err := run(t, f.URL, "subaccounts", "disable", "sub_1"); err != nil {
		t.Fatal(err)
	}
	r, body := f.last(t)
	if r.Method != "PATCH" || r.URL.Path != "/v1/subaccounts/sub_1" || body != `{"enabled":false}` {
		t.Errorf("request = %s %s %s", r.Method, r.URL.Path, body)
	}
	if out, _, err := run(t, f.URL, "subaccounts", "delete", "sub_1"); err != nil || out != "Deleted  sub_1\n" {
		t.Errorf("delete: %q, %v", out, err)
	}
	if r, _ := f.last(t); r.Method != "DELETE" || r.URL.Path != "/v1/subaccounts/sub_1" {
		t.Errorf("request = %s %s", r.Method, r.URL.Path)
	}
	out, errOut, err := run(t, f.URL, "subaccounts", "create", "acct_01", "--name", "eu-gateway")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Auth token  tok_secret\n") || !strings.Contains(errOut, "shown only once") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
}

func TestHoldsAndClock(t *testing.T) {
	f := newFakeServer(t, 200, api.Hold{ID: "hold_1", Status: "captured"})
	if _, _, err := run(t, f.URL, "holds", "capture", "hold_1", "--amount", "0.42"); err != nil {
		t.Fatal(err)
	}
	r, body := f.last(t)
	if r.URL.Path != "/v1/holds/hold_1/capture" || body != `{"amount":"0.42"}` {
		t.Errorf("request = %s %s", r.URL.Path, body)
	}
	if _, _, err := run(t, f.URL, "holds", "create", "acct_01", "--amount", "2"); err != nil {
		t.Fatal(err)
	}
	if r, body := f.last(t); r.URL.Path != "/v1/holds" || body != `{"account_id":"acct_01","amount":"2.00","ttl":"15m"}` {
		t.Errorf("request = %s %s", r.URL.Path, body)
	}
	if _, _, err := run(t, f.URL, "clock", "advance", "--by", "36h"); err != nil {
		t.Fatal(err)
	}
	if r, body := f.last(t); r.URL.Path != "/v1/test_clock/advance" || body != `{"by":"36h"}` {
		t.Errorf("request = %s %s", r.URL.Path, body)
	}
}

func TestConnectionFlagsAndEnvironment(t *testing.T) {
	f := newFakeServer(t, 200, testAccount())
	t.Setenv("COFFER_URL", "http://127.0.0.1:1")
	t.Setenv("COFFER_API_KEY", "sk_env")
	root := newRootCmd()
	root.SetOut(io.Discard)
	root.SetArgs([]string{"accounts", "get", "acct_01", "--url", f.URL})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if r, _ := f.last(t); r.Header.Get("Authorization") != "Bearer sk_env" {
		t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
	}
}
