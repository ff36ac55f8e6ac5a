package console_test

// Browser tests of the billing pages: invoices, payments, programs and
// enrolments, and reports.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/store"
)

// billingStart is when the invoiced sites' test clock starts: mid-January,
// so moving it into February closes January.
var billingStart = time.Date(2030, 1, 10, 12, 0, 0, 0, time.UTC)

// invoiced is a postpaid account whose January closed: 30.00 of usage, a
// 5.00 promotional credit applied, 25.00 due, charged to a card that
// declines, so the invoice's payment failed.
type invoiced struct {
	account *api.Account
	invoice api.Invoice
}

func (s *site) invoiced(name string) invoiced {
	s.t.Helper()
	ctx, svc := s.t.Context(), s.srv.Service()
	a, err := svc.CreateAccount(ctx, s.admin, api.AccountCreate{Name: name, Currency: "USD", BillingMode: "postpaid"})
	s.must(err)
	_, err = svc.AddPaymentMethod(ctx, s.admin, a.ID, api.PaymentMethodCreate{Type: "card", CardNumber: payments.TestCardDecline,
		ExpMonth: 12, ExpYear: 2035, CVC: "123"})
	s.must(err)
	_, err = svc.CreateGrant(ctx, s.admin, a.ID, api.GrantCreate{Amount: money.MustParse("5"), Category: "promotional", Reason: "welcome"})
	s.must(err)
	thirty := money.MustParse("30")
	_, err = svc.Debit(ctx, s.admin, api.DebitCreate{AccountID: a.ID, EventID: "ev-" + a.ID, Amount: &thirty, AllowNegative: true})
	s.must(err)
	return invoiced{account: a}
}

// closeJanuary moves the clock into February, which closes January's
// period and tries to collect its invoices, and returns each account's
// invoice.
func (s *site) closeJanuary(accts ...*invoiced) {
	s.t.Helper()
	ctx, svc := s.t.Context(), s.srv.Service()
	feb := time.Date(2030, 2, 1, 1, 0, 0, 0, time.UTC)
	_, err := svc.AdvanceClock(ctx, s.admin, api.ClockAdvance{To: &feb})
	s.must(err)
	for _, a := range accts {
		list, err := svc.ListInvoices(ctx, s.admin, service.InvoiceFilter{AccountID: a.account.ID}, store.Page{Limit: 10})
		s.must(err)
		if len(list.Data) != 1 {
			s.t.Fatalf("%s has %d invoices after January closed", a.account.Name, len(list.Data))
		}
		a.invoice = list.Data[0]
	}
}

func (s *site) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

// fetched is what a page's own script would get from a path of the site,
// with the tab's cookies.
type fetched struct {
	Status      int    `json:"status"`
	ContentType string `json:"type"`
	Disposition string `json:"disposition"`
	Body        string `json:"body"`
}

// fetch gets the href of the first link the CSS selector matches, as the
// browser would on a click, without leaving the page.
func (b *tab) fetch(link string) fetched {
	b.t.Helper()
	return b.fetchHref(fmt.Sprintf(`document.querySelector(%q)?.href`, link), link)
}

// fetchPath gets a path of the site as fetch does a link's.
func (b *tab) fetchPath(path string) fetched {
	b.t.Helper()
	return b.fetchHref(fmt.Sprintf(`new URL(%q, location.href).href`, path), path)
}

// fetchHref gets the URL the script href evaluates to; what names it in
// a failure.
func (b *tab) fetchHref(href, what string) fetched {
	b.t.Helper()
	js := fmt.Sprintf(`(async () => {
		const href = %s;
		if (!href) return JSON.stringify({status: 0, body: "no link"});
		const r = await fetch(href, {credentials: "same-origin"});
		return JSON.stringify({status: r.status, type: r.headers.get("content-type") || "",
			disposition: r.headers.get("content-disposition") || "", body: await r.text()});
	})()`, href)
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatal(err)
	}
	var f fetched
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		b.t.Fatal(err)
	}
	if f.Status == 0 {
		b.t.Fatalf("%s: %s", what, f.Body)
	}
	return f
}

// Staff open an account's invoices and an invoice's page: the printable
// invoice in its frame and the PDF download, served as application/pdf;
// a retry on the declining card is refused beside the payment method in
// the service's words; a void needs a reason, and with one the invoice is
// void.
func TestInvoicePageAndPDF(t *testing.T) {
	t.Parallel()
	s := startClockSite(t, billingStart)
	acme := s.invoiced("Acme Rockets")
	s.closeJanuary(&acme)
	inv := acme.invoice
	if inv.Status != "payment_failed" || inv.AmountDue != money.MustParse("25") {
		t.Fatalf("the invoice is %s with %s due", inv.Status, inv.AmountDue)
	}
	b := openTab(t, s)
	b.firstSignIn(s.srv.StaffEmail, s.srv.StaffPassword)
	if st := b.visit("/accounts/" + acme.account.ID + "/invoices"); st != http.StatusOK {
		t.Fatalf("the invoices tab answered %d", st)
	}
	row := b.text("#invoices-title ~ .table-wrap tbody tr")
	for _, want := range []string{inv.Number, "Payment failed", "$30.00", "$5.00", "$25.00", "Jan 1, 2030 – Jan 31, 2030"} {
		if !strings.Contains(row, want) {
			t.Errorf("the invoice's row lacks %q: %q", want, row)
		}
	}
	if up := b.text("#upcoming-title + p + dl"); !strings.Contains(up, "$0.00") {
		t.Errorf("February's preview so far reads %q", up)
	}
	b.shoot("invoices")

	b.visit("/accounts/" + acme.account.ID + "/invoices/" + inv.ID)
	if got := b.title(); !strings.Contains(got, "Invoice "+inv.Number) {
		t.Fatalf("the invoice page is titled %q", got)
	}
	pdf := b.fetch("a[href$='/pdf']")
	if pdf.Status != http.StatusOK || pdf.ContentType != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF") ||
		!strings.Contains(pdf.Disposition, inv.Number+".pdf") {
		t.Fatalf("the PDF answered %d %q %q, starting %.8q", pdf.Status, pdf.ContentType, pdf.Disposition, pdf.Body)
	}
	doc := b.fetch("a[href$='/document']")
	if doc.Status != http.StatusOK || !strings.Contains(doc.Body, inv.Number) || !strings.Contains(doc.Body, "25.00") {
		t.Fatalf("the printable invoice answered %d: %.200q", doc.Status, doc.Body)
	}
	framed, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("iframe.invoice-frame[title]").contentDocument.title`))
	if err != nil || !strings.Contains(framed, "Invoice "+inv.Number) {
		t.Fatalf("the page's frame shows %q (%v)", framed, err)
	}
	b.shoot("invoice")

	// Staff see every account, but an invoice is a page of its own
	// account only.
	other := s.account("Globex Corporation")
	if st := b.visit("/accounts/" + other.ID + "/invoices/" + inv.ID + "/pdf"); st != http.StatusNotFound {
		t.Fatalf("the invoice's PDF under another account answered %d", st)
	}
	if st := b.visit("/accounts/" + other.ID + "/invoices/" + inv.ID); st != http.StatusNotFound {
		t.Fatalf("the invoice under another account answered %d", st)
	}
	b.visit("/accounts/" + acme.account.ID + "/invoices/" + inv.ID)
	if st := b.submit("form[action$='/pay'] button[type=submit]"); st != http.StatusPaymentRequired {
		t.Fatalf("a retry on a declining card answered %d", st)
	}
	if msg := b.text("#pay-payment_method_id-error"); !strings.Contains(msg, "declined") {
		t.Fatalf("the retry's error says %q", msg)
	}
	if st := b.submit("form[action$='/void'] button[type=submit]"); st != http.StatusBadRequest {
		t.Fatalf("a void without a reason answered %d", st)
	}
	if msg := b.text("#void-invoice-reason-error"); !strings.Contains(msg, "reason") {
		t.Fatalf("the void's error says %q", msg)
	}
	b.fill(map[string]string{"#void-invoice-reason": "Billed in error"})
	b.submit("form[action$='/void'] button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "Voided invoice "+inv.Number) {
		t.Fatalf("after the void: %q", n)
	}
	got, err := s.srv.Service().GetInvoice(t.Context(), s.admin, inv.ID)
	if err != nil || got.Status != "void" || got.VoidReason != "Billed in error" {
		t.Fatalf("the service's invoice after the void: %+v %v", got, err)
	}
}

// An owner sees its own invoices and payments (the declined invoice
// payment with its reason); another account's invoice is not found,
// under its own account or this one, and Reports, Programs and the
// account's program tab are not allowed.
func TestOwnerSeesItsOwnInvoices(t *testing.T) {
	t.Parallel()
	s := startClockSite(t, billingStart)
	mine, theirs := s.invoiced("Mine Ltd"), s.invoiced("Theirs Inc")
	s.closeJanuary(&mine, &theirs)
	temp := s.user("owner@mine.test", coffer.UserOwner, mine.account.ID)
	b := openTab(t, s)
	b.firstSignIn("owner@mine.test", temp)
	base := "/accounts/" + mine.account.ID
	if st := b.visit(base + "/invoices"); st != http.StatusOK || !strings.Contains(b.text("tbody"), mine.invoice.Number) {
		t.Fatalf("the owner's invoices answered %d: %q", st, b.text("main"))
	}
	b.visit(base + "/invoices/" + mine.invoice.ID)
	if n, err := b.count("form[action$='/void']"); err != nil || n != 0 {
		t.Fatalf("an owner is offered the void form (%d, %v)", n, err)
	}
	if st := b.visit(base + "/payment-history"); st != http.StatusOK {
		t.Fatalf("the owner's payment history answered %d", st)
	}
	if row := b.text("tbody tr"); !strings.Contains(row, "Invoice") || !strings.Contains(row, "Failed") || !strings.Contains(row, "card_declined") ||
		!strings.Contains(row, "$25.00") {
		t.Fatalf("the owner's payment row reads %q", row)
	}
	b.shoot("payment-history")
	for path, want := range map[string]int{
		base + "/invoices/" + theirs.invoice.ID:                                      http.StatusNotFound,
		"/accounts/" + theirs.account.ID + "/invoices/" + theirs.invoice.ID:          http.StatusNotFound,
		"/accounts/" + theirs.account.ID + "/invoices":                               http.StatusNotFound,
		"/accounts/" + theirs.account.ID + "/invoices/" + theirs.invoice.ID + "/pdf": http.StatusNotFound,
		"/accounts/" + theirs.account.ID + "/payment-history":                        http.StatusNotFound,
		"/reports":             http.StatusForbidden,
		"/reports/credits.csv": http.StatusForbidden,
		"/programs":            http.StatusForbidden,
		base + "/program":      http.StatusForbidden,
	} {
		if st := b.visit(path); st != want {
			t.Errorf("%s answered %d, want %d", path, st, want)
		}
	}
}

// Staff read the credit usage report for an account, with its chart,
// and download it as CSV: the API's header row and the figure consumed.
// The liability and usage reports open with their own CSV links.
func TestReportsAndTheirCSV(t *testing.T) {
	t.Parallel()
	s := startSite(t, "sqlite")
	a := s.account("Acme Rockets")
	ctx, svc := t.Context(), s.srv.Service()
	if _, err := svc.CreateGrant(ctx, s.admin, a.ID, api.GrantCreate{Amount: money.MustParse("25"), Category: "paid", Reason: "purchase"}); err != nil {
		t.Fatal(err)
	}
	amount := money.MustParse("7.50")
	if _, err := svc.Debit(ctx, s.admin, api.DebitCreate{AccountID: a.ID, EventID: "ev-1", Amount: &amount}); err != nil {
		t.Fatal(err)
	}
	b := openTab(t, s)
	b.firstSignIn(s.srv.StaffEmail, s.srv.StaffPassword)
	b.visit("/reports")
	b.fill(map[string]string{"#credits-account_id": a.ID, "#credits-group": "day"})
	if st := b.submit("form[action='/reports'] button[type=submit]"); st != http.StatusOK {
		t.Fatalf("the credit report answered %d", st)
	}
	if row := b.text("#credits-title ~ .table-wrap tbody"); !strings.Contains(row, "$25.00") || !strings.Contains(row, "$7.50") {
		t.Fatalf("the report's rows read %q", row)
	}
	if n, err := b.count("figure#credits-USD svg[role=img]"); err != nil || n != 1 {
		t.Fatalf("the credit chart is drawn %d times (%v)", n, err)
	}
	b.shoot("reports")
	csv := b.fetch("a[href^='/reports/credits.csv']")
	lines := strings.Split(strings.TrimSpace(csv.Body), "\n")
	if csv.Status != http.StatusOK || !strings.HasPrefix(csv.ContentType, "text/csv") || len(lines) < 2 ||
		lines[0] != "period_start,period_end,currency,unit,kind,category,opening,granted,consumed,expired,voided,remaining" {
		t.Fatalf("the CSV answered %d %q:\n%s", csv.Status, csv.ContentType, csv.Body)
	}
	if !strings.Contains(lines[1], ",USD,,monetary,paid,0.00,25.00,7.50,0.00,0.00,17.50") {
		t.Fatalf("the CSV's row is %q", lines[1])
	}

	// A date input sends only dates; a hand-made link may send anything.
	if st := b.visit("/reports?from=2030-13-01"); st != http.StatusBadRequest ||
		!strings.Contains(b.text("#credits-from-error"), "must be a date") {
		t.Fatalf("a bad date answered %d: %q", st, b.text("main"))
	}
	b.visit("/reports/liability?account_id=" + a.ID)
	if row := b.text("tbody"); !strings.Contains(row, "$17.50") {
		t.Fatalf("the liability reads %q", row)
	}
	if l := b.fetch("a[href^='/reports/liability.csv']"); !strings.HasPrefix(l.Body, "at,currency,unit,kind,category,bucket,amount,grants") {
		t.Fatalf("the liability CSV is %q", l.Body)
	}
	b.visit("/reports/usage?account_id=" + a.ID)
	if row := b.text("tbody"); !strings.Contains(row, "$7.50") {
		t.Fatalf("the usage reads %q", row)
	}
}

// Staff create a program (a bad gift told beside the gift), enrol an
// account from the program's page, see the enrolment on the account's
// program tab, and end it there.
func TestCreateProgramAndEnrol(t *testing.T) {
	t.Parallel()
	s := startSite(t, "sqlite")
	a := s.account("Good Causes")
	b := openTab(t, s)
	b.firstSignIn(s.srv.StaffEmail, s.srv.StaffPassword)
	b.visit("/programs")
	b.fill(map[string]string{"#program-name": "Impact Access", "#program-gift": "lots", "#program-starts_on": "2030-01",
		"#program-requires_payment_method": "false"})
	if st := b.submit("form[action='/programs'] button[type=submit]"); st != http.StatusBadRequest {
		t.Fatalf("a bad gift answered %d", st)
	}
	if msg := b.text("#program-gift-error"); msg == "" {
		t.Fatal("the bad gift has no error beside it")
	}
	b.fill(map[string]string{"#program-gift": "500.00"})
	b.submit("form[action='/programs'] button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "Created program Impact Access") || !strings.HasPrefix(b.path(), "/programs/prog_") {
		t.Fatalf("after the create: %s %q", b.path(), n)
	}
	if terms := b.text("#terms-title + dl"); !strings.Contains(terms, "$500.00") || !strings.Contains(terms, "−$510.00") {
		t.Fatalf("the program's terms read %q", terms)
	}
	b.fill(map[string]string{"#enrol-account_id": a.ID})
	b.submit("form[action$='/enrollments'] button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "Enrolled account "+a.ID) {
		t.Fatalf("after the enrolment: %q", n)
	}
	if row := b.text("#enrollments-title ~ .table-wrap tbody"); !strings.Contains(row, "Good Causes") || !strings.Contains(row, "Active") {
		t.Fatalf("the enrolments read %q", row)
	}
	b.shoot("program")
	b.visit("/programs")
	b.shoot("programs")

	b.visit("/accounts/" + a.ID + "/program")
	if h := b.text("#enrolment-title"); !strings.Contains(h, "Impact Access") {
		t.Fatalf("the account's program tab is headed %q", h)
	}
	b.submit("form[action$='/program/end'] button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "Ended the enrolment") {
		t.Fatalf("after the end: %q", n)
	}
	if n, err := b.count("form[action$='/program/enrol']"); err != nil || n != 1 {
		t.Fatalf("after the end the enrol form shows %d times (%v)", n, err)
	}
	bal, err := s.srv.Service().Balance(t.Context(), s.admin, a.ID, nil)
	if err != nil || bal.Gift != nil {
		t.Fatalf("the balance after the end still has a gift: %+v %v", bal, err)
	}
}
