package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// liveServer is the API over a real service and a SQLite store.
type liveServer struct {
	*testServer
	svc   *service.Service
	admin string
}

func newLiveServer(t *testing.T, testClock bool) *liveServer {
	t.Helper()
	ctx := t.Context()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "coffer.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var clock coffer.Clock = coffer.SystemClock{}
	if testClock {
		clock = coffer.NewTestClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	svc := service.New(st, clock, logger, service.DefaultConfig())
	admin, err := svc.EnsureAdminKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(svc, Options{Logger: logger, TestClock: testClock}))
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
		st.Close()
	})
	return &liveServer{testServer: &testServer{Server: srv, log: logs}, svc: svc, admin: admin}
}

// call sends a request with the admin key unless headers say otherwise and
// decodes a 2xx answer into out, refusing unknown fields so the wire shape
// is checked too.
func (s *liveServer) call(t *testing.T, method, path, body string, wantStatus int, out any, headers ...string) response {
	t.Helper()
	var b any
	if body != "" {
		b = body
	}
	r := s.do(t, method, path, b, append([]string{"Authorization", "Bearer " + s.admin}, headers...)...)
	if r.status != wantStatus {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.status, wantStatus, r.body)
	}
	if out != nil {
		dec := json.NewDecoder(bytes.NewReader(r.body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(out); err != nil {
			t.Fatalf("%s %s: decode %T: %v; body %s", method, path, out, err, r.body)
		}
	}
	return r
}

func TestLiveAccountsAndSubaccounts(t *testing.T) {
	t.Parallel()
	s := newLiveServer(t, false)

	var a api.Account
	r := s.call(t, "POST", "/v1/accounts", `{"name":"Acme","email":"ops@example.com","min_balance":"-10"}`, 201, &a, "Idempotency-Key", "create-acme")
	if !strings.HasPrefix(a.ID, "acct_") || a.Currency != "USD" || a.MinBalance.String() != "-10.00" {
		t.Fatalf("account %+v", a)
	}
	if !strings.Contains(string(r.body), `"min_balance":"-10.00"`) {
		t.Errorf("min_balance is not a decimal string on the wire: %s", r.body)
	}

	// The same key and body replays; the same key with another body is refused.
	var again api.Account
	s.call(t, "POST", "/v1/accounts", `{"name":"Acme","email":"ops@example.com","min_balance":"-10"}`, 201, &again, "Idempotency-Key", "create-acme")
	if again.ID != a.ID {
		t.Errorf("replay created %s, first was %s", again.ID, a.ID)
	}
	r = s.call(t, "POST", "/v1/accounts", `{"name":"Other"}`, 409, nil, "Idempotency-Key", "create-acme")
	if e := errorOf(t, r); e.Code != coffer.EIdempotencyReuse || e.Type != "invalid_request_error" {
		t.Errorf("reused key: %+v", e)
	}

	var list api.List[api.Account]
	s.call(t, "GET", "/v1/accounts?limit=1", "", 200, &list)
	if len(list.Data) != 1 || list.Data[0].ID != a.ID {
		t.Errorf("list %+v", list)
	}

	var upd api.Account
	s.call(t, "PATCH", "/v1/accounts/"+a.ID, `{"name":"Acme Ltd","metadata":{"plan":"pro"}}`, 200, &upd)
	if upd.Name != "Acme Ltd" || upd.Metadata["plan"] != "pro" {
		t.Errorf("update %+v", upd)
	}

	r = s.call(t, "GET", "/v1/accounts/acct_0000000000000000000000000a", "", 404, nil)
	if e := errorOf(t, r); e.Code != coffer.ENotFound || e.Type != "invalid_request_error" {
		t.Errorf("unknown account: %+v", e)
	}

	var sub api.Subaccount
	s.call(t, "POST", "/v1/accounts/"+a.ID+"/subaccounts", `{"name":"eu-west"}`, 201, &sub)
	if sub.AuthToken == "" || !sub.Enabled {
		t.Fatalf("subaccount %+v", sub)
	}
	var subs api.List[api.Subaccount]
	s.call(t, "GET", "/v1/accounts/"+a.ID+"/subaccounts", "", 200, &subs)
	if len(subs.Data) != 1 || subs.Data[0].AuthToken != "" {
		t.Errorf("subaccounts %+v", subs)
	}

	// The subaccount authenticates with HTTP Basic and sees its balance.
	basic := "Basic " + basicAuth(sub.AuthID, sub.AuthToken)
	var bal api.Balance
	s.call(t, "GET", "/v1/accounts/"+a.ID+"/balance", "", 200, &bal, "Authorization", basic)
	if bal.AccountID != a.ID {
		t.Errorf("balance %+v", bal)
	}
	s.call(t, "PATCH", "/v1/subaccounts/"+sub.ID, `{"enabled":false}`, 200, nil)
	r = s.call(t, "GET", "/v1/accounts/"+a.ID+"/balance", "", 403, nil, "Authorization", basic)
	if e := errorOf(t, r); e.Code != coffer.ESubaccountDisabled || e.Type != "permission_error" {
		t.Errorf("disabled subaccount: %+v", e)
	}
	s.call(t, "DELETE", "/v1/subaccounts/"+sub.ID, "", 200, nil)

	var closed api.Account
	s.call(t, "POST", "/v1/accounts/"+a.ID+"/close", "", 200, &closed)
	if closed.Status != "closed" {
		t.Errorf("closed account status %q", closed.Status)
	}
	r = s.call(t, "POST", "/v1/debits", `{"account_id":"`+a.ID+`","event_id":"e1","amount":"1"}`, 403, nil)
	if e := errorOf(t, r); e.Code != coffer.EAccountClosed || e.Type != "balance_error" {
		t.Errorf("debit on a closed account: %+v", e)
	}
}

func TestLiveMoney(t *testing.T) {
	t.Parallel()
	s := newLiveServer(t, true)
	var a api.Account
	s.call(t, "POST", "/v1/accounts", `{"name":"Acme"}`, 201, &a)
	base := "/v1/accounts/" + a.ID

	var g api.Grant
	s.call(t, "POST", base+"/grants", `{"amount":"25.00","category":"paid","reason":"welcome"}`, 201, &g)
	if g.Amount.String() != "25.00" || g.Status != "active" {
		t.Fatalf("grant %+v", g)
	}
	s.call(t, "GET", "/v1/grants/"+g.ID, "", 200, &api.Grant{})
	var grants api.List[api.Grant]
	s.call(t, "GET", base+"/grants?category=paid&status=active", "", 200, &grants)
	if len(grants.Data) != 1 {
		t.Errorf("grants %+v", grants)
	}

	var d api.Debit
	r := s.call(t, "POST", "/v1/debits", `{"account_id":"`+a.ID+`","event_id":"call-1","amount":"0.0075"}`, 201, &d)
	if d.Balance.String() != "24.9925" || d.Replayed {
		t.Errorf("debit %+v", d)
	}
	if !strings.Contains(string(r.body), `"balance":"24.9925"`) {
		t.Errorf("balance is not a decimal string on the wire: %s", r.body)
	}
	s.call(t, "POST", "/v1/debits", `{"account_id":"`+a.ID+`","event_id":"call-1","amount":"0.0075"}`, 201, &d)
	if !d.Replayed {
		t.Error("a repeated event was not reported as replayed")
	}

	r = s.call(t, "POST", "/v1/debits", `{"account_id":"`+a.ID+`","event_id":"call-2","amount":"100"}`, 402, nil)
	if e := errorOf(t, r); e.Code != coffer.EInsufficientBalance || e.Type != "balance_error" {
		t.Errorf("insufficient balance: %+v", e)
	}

	var batch api.DebitBatchResult
	s.call(t, "POST", "/v1/debits/batch", `{"debits":[
		{"account_id":"`+a.ID+`","event_id":"b-1","amount":"1"},
		{"account_id":"`+a.ID+`","event_id":"b-2","amount":"1000"}]}`, 200, &batch)
	if len(batch.Data) != 2 || batch.Data[0].Status != 201 || batch.Data[1].Status != 402 || batch.Data[1].Error == nil {
		t.Errorf("batch %+v", batch)
	}

	var h api.Hold
	s.call(t, "POST", "/v1/holds", `{"account_id":"`+a.ID+`","amount":"5","ttl":"10m"}`, 201, &h)
	s.call(t, "GET", "/v1/holds/"+h.ID, "", 200, &api.Hold{})
	s.call(t, "POST", "/v1/holds/"+h.ID+"/capture", `{"amount":"3.50"}`, 200, &h)
	if h.Status != "captured" {
		t.Errorf("captured hold %+v", h)
	}
	var h2 api.Hold
	s.call(t, "POST", "/v1/holds", `{"account_id":"`+a.ID+`","amount":"2","ttl":"10m"}`, 201, &h2)
	s.call(t, "POST", "/v1/holds/"+h2.ID+"/release", "", 200, &h2)
	if h2.Status != "released" {
		t.Errorf("released hold %+v", h2)
	}

	var bal api.Balance
	s.call(t, "GET", base+"/balance", "", 200, &bal)
	if bal.Balance.String() != "20.4925" || bal.Held.String() != "0.00" {
		t.Errorf("balance %+v", bal)
	}

	var txns api.List[api.Transaction]
	s.call(t, "GET", base+"/transactions?type=debit&type=capture", "", 200, &txns)
	if len(txns.Data) != 3 {
		t.Errorf("%d debit and capture transactions, want 3: %+v", len(txns.Data), txns)
	}
	s.call(t, "GET", base+"/transactions?type=grant,debit&limit=1", "", 200, &txns)
	if len(txns.Data) != 1 || !txns.HasMore {
		t.Errorf("first page %+v", txns)
	}

	s.call(t, "POST", "/v1/grants/"+g.ID+"/void", `{"reason":"test"}`, 200, &g)
	if g.Status != "voided" {
		t.Errorf("voided grant %+v", g)
	}

	var c api.Clock
	s.call(t, "POST", "/v1/test_clock/advance", `{"by":"1h"}`, 200, &c)
	if !c.Now.Equal(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("clock %v", c.Now)
	}
}

func TestLiveAuthentication(t *testing.T) {
	t.Parallel()
	s := newLiveServer(t, false)
	r := s.call(t, "GET", "/v1/accounts", "", 401, nil, "Authorization", "Bearer ck_wrong")
	if e := errorOf(t, r); e.Code != coffer.EUnauthenticated || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("wrong key: %+v", e)
	}
	r = s.call(t, "GET", "/v1/accounts", "", 401, nil, "Authorization", "Basic "+basicAuth("SAnope", "x"))
	if e := errorOf(t, r); e.Code != coffer.EUnauthenticated {
		t.Errorf("wrong subaccount: %+v", e)
	}

	// A usage key may debit but not create accounts.
	key, _, err := s.svc.CreateAPIKey(t.Context(), coffer.RoleUsage, "", "gateway")
	if err != nil {
		t.Fatal(err)
	}
	r = s.call(t, "POST", "/v1/accounts", `{"name":"x"}`, 403, nil, "Authorization", "Bearer "+key)
	if e := errorOf(t, r); e.Code != coffer.EForbidden || e.Type != "permission_error" {
		t.Errorf("usage key creating an account: %+v", e)
	}
}

func TestLiveTestClockNeedsTheOption(t *testing.T) {
	t.Parallel()
	s := newLiveServer(t, false)
	s.call(t, "POST", "/v1/test_clock/advance", `{"by":"1h"}`, 404, nil)
}

func basicAuth(id, token string) string {
	r, _ := http.NewRequest("GET", "/", io.NopCloser(strings.NewReader("")))
	r.SetBasicAuth(id, token)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}
