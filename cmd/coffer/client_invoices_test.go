package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
)

func testInvoice() api.Invoice {
	march, april := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	return api.Invoice{ID: "inv_01", Object: "invoice", Number: "INV-000042", AccountID: "acct_01", BillingMode: "postpaid",
		Currency: "USD", PeriodStart: march, PeriodEnd: april, Status: "paid",
		Lines: []api.InvoiceLine{
			{Kind: "usage", Description: "SMS", Unit: "sms", Quantity: money.MustParse("3000"), Amount: money.MustParse("150"), SubaccountID: "sub_1"},
			{Kind: "credit", Description: "welcome", Amount: money.MustParse("-50"), GrantID: "grant_1"},
		},
		Subaccounts: []api.InvoiceSubaccount{{SubaccountID: "sub_1", Amount: money.MustParse("150")}},
		Subtotal:    money.MustParse("150"), CreditsApplied: money.MustParse("50"), AmountDue: money.MustParse("100"), AmountPaid: money.MustParse("100")}
}

func TestInvoicesListQueryAndTable(t *testing.T) {
	f := newFakeServer(t, 200, api.List[api.Invoice]{Data: []api.Invoice{testInvoice()}, HasMore: true})
	out, errOut, err := run(t, f.URL, "invoices", "list", "--account", "acct_01", "--status", "paid", "--period", "2026-03", "--limit", "1")
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := f.last(t); r.URL.Path != "/v1/invoices" || r.URL.RawQuery != "account_id=acct_01&limit=1&period=2026-03&status=paid" {
		t.Errorf("request = %s?%s", r.URL.Path, r.URL.RawQuery)
	}
	// The period's end is exclusive: March ends on the 31st.
	want := "" +
		"ID      NUMBER      ACCOUNT  PERIOD                   MODE      STATUS  CURRENCY  SUBTOTAL  CREDITS  DUE     PAID\n" +
		"inv_01  INV-000042  acct_01  2026-03-01 – 2026-03-31  postpaid  paid    USD       150.00    50.00    100.00  100.00\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if errOut != "more results: add --starting-after inv_01\n" {
		t.Errorf("stderr = %q", errOut)
	}
}

func TestInvoicesShow(t *testing.T) {
	f := newFakeServer(t, 200, testInvoice())
	out, _, err := run(t, f.URL, "invoices", "show", "inv_01")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"Period        2026-03-01 – 2026-03-31\n",
		"KIND    DESCRIPTION  UNIT  QUANTITY  AMOUNT  SUBACCOUNT  GRANT\n",
		"usage   SMS          sms   3000.00   150.00  sub_1       -\n",
		"credit  welcome      -     -         -50.00  -           grant_1\n",
		"SUBACCOUNT  USAGE\nsub_1       150.00\n",
		"Credits applied  50.00 USD\nAmount due       100.00 USD\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestInvoicesPayAndVoidRequests(t *testing.T) {
	f := newFakeServer(t, 200, testInvoice())
	if _, _, err := run(t, f.URL, "invoices", "pay", "inv_01", "--payment-method", "pm_1", "--idempotency-key", "k1"); err != nil {
		t.Fatal(err)
	}
	if r, body := f.last(t); r.Method != "POST" || r.URL.Path != "/v1/invoices/inv_01/pay" || body != `{"payment_method_id":"pm_1"}` || r.Header.Get("Idempotency-Key") != "k1" {
		t.Errorf("pay: %s %s %s", r.Method, r.URL.Path, body)
	}
	if _, _, err := run(t, f.URL, "invoices", "void", "inv_01", "--reason", "goodwill"); err != nil {
		t.Fatal(err)
	}
	if r, body := f.last(t); r.URL.Path != "/v1/invoices/inv_01/void" || body != `{"reason":"goodwill"}` || r.Header.Get("Idempotency-Key") == "" {
		t.Errorf("void: %s %s", r.URL.Path, body)
	}
}

// documentServer answers an invoice's JSON and its documents, as the
// server does, and counts the requests.
func documentServer(t *testing.T, inv api.Invoice) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/invoices/{id}", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_ = json.NewEncoder(w).Encode(inv)
	})
	mux.HandleFunc("GET /v1/invoices/{id}/pdf", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.WriteString(w, "%PDF-1.4 the document")
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s, &n
}

// Without -o the document is named after the invoice's number, in the
// working directory, readable by its owner only.
func TestInvoiceDocumentDefaultFileName(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s, _ := documentServer(t, testInvoice())
	out, _, err := run(t, s.URL, "invoices", "pdf", "inv_01")
	if err != nil {
		t.Fatal(err)
	}
	if out != "wrote INV-000042.pdf (21 bytes)\n" {
		t.Errorf("stdout = %q", out)
	}
	fi, err := os.Stat(filepath.Join(dir, "INV-000042.pdf"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the file: %v %v", fi, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "INV-000042.pdf")); string(b) != "%PDF-1.4 the document" {
		t.Errorf("the file holds %q", b)
	}
}

// A number that is not a plain name (a hostile or broken server's) is
// never used as a path.
func TestInvoiceDocumentRefusesAPathAsName(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	inv := testInvoice()
	inv.Number = "../escaped"
	s, n := documentServer(t, inv)
	if _, _, err := run(t, s.URL, "invoices", "pdf", "inv_01"); err == nil || !strings.Contains(err.Error(), "give -o FILE") {
		t.Errorf("err = %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests; the document must not be fetched when it cannot be named", n.Load())
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "escaped*")); len(m) != 0 {
		t.Errorf("written outside the directory: %v", m)
	}
}

func TestInvoiceCommandLineErrors(t *testing.T) {
	f := newFakeServer(t, 200, "{}")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"invoices", "void", "inv_01"}, `"reason" not set`},
		{[]string{"invoices", "lines", "inv_01", "-o", "x.csv"}, "-o writes the CSV: add --csv"},
		{[]string{"invoices", "lines", "inv_01", "--csv", "--json"}, "give --csv or --json, not both"},
		{[]string{"invoices", "upcoming"}, "accepts 1 arg(s), received 0"},
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
