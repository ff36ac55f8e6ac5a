package invoicedoc

import (
	"bytes"
	"compress/zlib"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/money"
)

var (
	nov1 = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)
	dec1 = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)
)

// workedExample is the credit-grants guide's worked example: a postpaid
// account used 150.00 in November 2026 and a 50.00 grant paid a third of
// it, leaving 100.00 due.
func workedExample() *invoice.Invoice {
	return &invoice.Invoice{
		ID: "inv_1", Number: "INV-000123", AccountID: "acc_1", Currency: "USD",
		Mode: invoice.Postpaid, PeriodStart: nov1, PeriodEnd: dec1, Status: invoice.Finalized,
		Lines: []invoice.Line{
			{Kind: invoice.LineUsage, Description: "Usage: api_call", Unit: "api_call", Quantity: money.FromInt(1500), Amount: money.MustParse("150.00")},
			{Kind: invoice.LineCredit, Description: "Credit applied: promotional grant_x", Amount: money.MustParse("-50.00"), LotID: "grant_x"},
		},
		Subaccounts:    []invoice.Subaccount{{Amount: money.MustParse("150.00")}},
		Subtotal:       money.MustParse("150"),
		CreditsApplied: money.MustParse("50"),
		AmountDue:      money.MustParse("100"),
		FinalizedAt:    dec1,
		UpdatedAt:      dec1,
	}
}

func workedDoc() Doc {
	return Doc{
		Invoice:  workedExample(),
		Issuer:   Party{Name: "Example Cloud Ltd", Address: []string{"1 Harbour Street", "Leith EH6 6QQ", "United Kingdom"}, Email: "billing@example.com"},
		Customer: Party{Name: "Ada Lovelace", Email: "ada@example.org", ID: "acc_1"},
	}
}

func renderHTML(t *testing.T, d Doc) string {
	t.Helper()
	var b bytes.Buffer
	if err := New().HTML(&b, d); err != nil {
		t.Fatalf("HTML: %v", err)
	}
	return b.String()
}

func mustContain(t *testing.T, doc, what string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(doc, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func mustNotContain(t *testing.T, doc, what string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(doc, w) {
			t.Errorf("%s contains %q", what, w)
		}
	}
}

func TestWorkedExampleAddsUp(t *testing.T) {
	if msg := workedExample().Check(); msg != "" {
		t.Fatalf("the fixture's totals disagree with its lines: %s", msg)
	}
}

func TestHTMLWorkedExample(t *testing.T) {
	out := renderHTML(t, workedDoc())
	mustContain(t, out, "the HTML page",
		"<title>Invoice INV-000123 — Example Cloud Ltd</title>",
		"Invoice INV-000123",
		"150.00 USD",
		"100.00 USD",
		"1,500", // the quantity
		"1 Harbour Street", "Leith EH6 6QQ",
		"Ada Lovelace", "ada@example.org", "Account acc_1",
		"1 November 2026 – 30 November 2026",
		"Awaiting payment",
		"Finalized</dt><dd>1 December 2026",
		"Amount paid",
		taxNote,
		"@media print",
		`name="viewport"`,
	)
	// Credits are shown negative, with an ASCII minus so that a copied
	// figure pastes as a number: once as the line, once as the total.
	if n := strings.Count(out, "-50.00 USD"); n != 2 {
		t.Errorf("the page shows -50.00 USD %d times, want 2 (the credit line and Credits applied)", n)
	}
	// Self-contained: no scripts, no fetched resources.
	mustNotContain(t, out, "the HTML page", "<script", "<link", "src=", "url(", "@import",
		"Activity in the period", "Usage by subaccount", "VOID", "Draft")
}

func TestHTMLTitleFollowsMode(t *testing.T) {
	d := workedDoc()
	d.Invoice.Mode = invoice.Prepaid
	mustContain(t, renderHTML(t, d), "a prepaid statement", "<title>Statement INV-000123", "<h1>Statement INV-000123</h1>", "Prepaid:")
}

func TestHTMLEscapes(t *testing.T) {
	d := workedDoc()
	d.Customer.Name = `<script>alert("name")</script>`
	d.Issuer.Address = []string{`<img src=x onerror=alert(1)>`}
	d.Invoice.Lines[0].Description = `Usage: <b>bold</b> & co`
	d.HTMLURL = "javascript:alert(1)"
	out := renderHTML(t, d)
	mustNotContain(t, out, "a page of hostile names", "<script", "<img", "<b>", `href="javascript:`)
	mustContain(t, out, "a page of hostile names",
		"&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;",
		"&lt;img src=x onerror=alert(1)&gt;",
		"Usage: &lt;b&gt;bold&lt;/b&gt; &amp; co",
		`href="#ZgotmplZ"`)
}

func TestHTMLDraft(t *testing.T) {
	d := workedDoc()
	d.Invoice.Status, d.Invoice.Number, d.Invoice.FinalizedAt = invoice.Draft, "", time.Time{}
	out := renderHTML(t, d)
	mustContain(t, out, "a draft", "<title>Invoice (draft) — Example Cloud Ltd</title>", "Draft — not yet finalized")
	mustNotContain(t, out, "a draft", "INV-", "Finalized</dt>")
}

func TestHTMLVoidAndFailed(t *testing.T) {
	d := workedDoc()
	d.Invoice.Status, d.Invoice.VoidedAt, d.Invoice.VoidReason = invoice.Void, dec1.AddDate(0, 0, 2), "issued in error"
	mustContain(t, renderHTML(t, d), "a void invoice", "<strong>VOID</strong>", "Reason: issued in error", "Voided</dt><dd>3 December 2026", "voided on 3 December 2026 and is not payable.")

	d = workedDoc()
	d.Invoice.Status = invoice.PaymentFailed
	d.Invoice.FailureReason = "Your card was declined."
	d.Invoice.NextAttemptAt = time.Date(2026, time.December, 4, 9, 30, 0, 0, time.UTC)
	mustContain(t, renderHTML(t, d), "an invoice whose payment failed",
		"Payment failed: Your card was declined. It will be retried on 4 December 2026, 09:30 UTC.")

	d.Invoice.FailureReason, d.Invoice.NextAttemptAt = "", time.Time{}
	mustContain(t, renderHTML(t, d), "an invoice whose payment failed", "Payment failed. It will be retried.")
}

func TestHTMLSubaccountsAndActivity(t *testing.T) {
	d := workedDoc()
	inv := d.Invoice
	inv.Lines = append(inv.Lines,
		invoice.Line{Kind: invoice.LinePurchase, Description: "Credit purchased", Amount: money.MustParse("20")},
		invoice.Line{Kind: invoice.LineGrant, Description: "Unit credits granted: sms", Unit: "sms", Quantity: money.FromInt(100)},
		invoice.Line{Kind: invoice.LineDebt, Description: "Owed on earlier invoices", Amount: money.MustParse("7.5")},
	)
	inv.Subaccounts = []invoice.Subaccount{
		{Amount: money.MustParse("100")},
		{SubaccountID: "sub_a", Amount: money.MustParse("30")},
		{SubaccountID: "sub_b", Amount: money.MustParse("20")},
	}
	d.Subaccounts = map[string]string{"sub_a": "Research"}
	out := renderHTML(t, d)
	mustContain(t, out, "the page",
		"Usage by subaccount", "The account itself", "Research (sub_a)", ">sub_b<", "30.00 USD",
		"Activity in the period", "not part of the totals",
		"Credit purchased", "20.00 USD", "100 sms", "7.50 USD")
	// The activity comes after the totals, apart from the charges.
	if a, b := strings.Index(out, "Amount due"), strings.Index(out, "Credit purchased"); a < 0 || b < a {
		t.Errorf("the activity line is not after the totals")
	}
	// A unit grant counts units: it shows no money amount.
	mustContain(t, out, "the page", `100 sms</td><td class="num"></td>`)
}

func TestAmountText(t *testing.T) {
	for in, want := range map[string]string{
		"150": "150.00", "-50": "-50.00", "0": "0.00", "0.000001": "0.000001", "0.0075": "0.0075",
		"999.9": "999.90", "1000": "1,000.00", "-1234567.5": "-1,234,567.50", "123456": "123,456.00",
	} {
		if got := amount(money.MustParse(in)); got != want {
			t.Errorf("amount(%s) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"0": "", "1500": "1,500", "2.5": "2.5", "0.000001": "0.000001", "-3": "-3"} {
		if got := quantity(money.MustParse(in)); got != want {
			t.Errorf("quantity(%s) = %q, want %q", in, got, want)
		}
	}
	if got, want := period(time.Date(2027, time.February, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, time.March, 1, 0, 0, 0, 0, time.UTC)),
		"1 February 2027 – 28 February 2027"; got != want {
		t.Errorf("period = %q, want %q", got, want)
	}
}

func renderPDF(t *testing.T, d Doc) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := New().PDF(&b, d); err != nil {
		t.Fatalf("PDF: %v", err)
	}
	out := b.Bytes()
	if !bytes.HasPrefix(out, []byte("%PDF-")) {
		t.Fatalf("the PDF starts %q", out[:min(len(out), 16)])
	}
	if len(out) < 1500 {
		t.Fatalf("the PDF is only %d bytes", len(out))
	}
	return out
}

// pageText inflates a PDF's content streams: the text fpdf draws, in
// cp1252, with its string operators around it.
func pageText(t *testing.T, pdf []byte) string {
	t.Helper()
	var text strings.Builder
	rest := pdf
	for {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			break
		}
		rest = rest[i+len("stream\n"):]
		j := bytes.Index(rest, []byte("\nendstream"))
		if j < 0 {
			t.Fatal("a stream has no end")
		}
		zr, err := zlib.NewReader(bytes.NewReader(rest[:j]))
		if err != nil {
			t.Fatalf("a stream does not inflate: %v", err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("a stream does not inflate: %v", err)
		}
		text.Write(b)
		rest = rest[j+len("\nendstream"):]
	}
	if text.Len() == 0 {
		t.Fatal("the PDF has no content stream")
	}
	return text.String()
}

func TestPDFWorkedExample(t *testing.T) {
	d := workedDoc()
	d.Issuer.Name = "Café Ltd"
	d.HTMLURL = "https://billing.example.com/invoices/inv_1"
	out := renderPDF(t, d)
	text := pageText(t, out)
	mustContain(t, text, "the PDF's pages",
		"(INV-000123)", "(150.00 USD)", "(-50.00 USD)", "(100.00 USD)", "(1 Harbour Street)", "(Ada Lovelace)",
		"(Account acc_1)", "(Charges)", "(Page 1 of 1)",
		"Taxes are not computed by Coffer.",
		"View online: https://billing.example.com/invoices/inv_1",
		// cp1252: the en dash is 0x96 and é is 0xE9, not their UTF-8 bytes.
		"(1 November 2026 \x96 30 November 2026)", "(Caf\xe9 Ltd)")
	mustContain(t, string(out), "the PDF", "/URI (https://billing.example.com/invoices/inv_1)",
		// The dates are the invoice's, not the clock's.
		"/CreationDate (D:20261201000000)")
	if again := renderPDF(t, d); !bytes.Equal(out, again) {
		t.Error("the same invoice rendered twice gives two different PDFs")
	}
}

func TestPDFStates(t *testing.T) {
	void := workedDoc()
	void.Invoice.Status, void.Invoice.VoidReason = invoice.Void, "issued in error"
	mustContain(t, pageText(t, renderPDF(t, void)), "a void PDF", "(VOID)", "Reason: issued in error")

	draft := workedDoc()
	draft.Invoice.Status, draft.Invoice.Number, draft.Invoice.FinalizedAt = invoice.Draft, "", time.Time{}
	text := pageText(t, renderPDF(t, draft))
	mustContain(t, text, "a draft PDF", "(Invoice)", "Draft \x97 not yet finalized")
	mustNotContain(t, text, "a draft PDF", "INV-")

	failed := workedDoc()
	failed.Invoice.Status = invoice.PaymentFailed
	mustContain(t, pageText(t, renderPDF(t, failed)), "a failed PDF", "Payment failed. It will be retried.")

	empty := &invoice.Invoice{Currency: "EUR", Mode: invoice.Prepaid, Status: invoice.Draft, PeriodStart: nov1, PeriodEnd: dec1}
	mustContain(t, pageText(t, renderPDF(t, Doc{Invoice: empty})), "an empty statement", "(Statement)", "No usage in this period.", "(0.00 EUR)")
}

func TestPDFManyLinesBreakPages(t *testing.T) {
	d := workedDoc()
	inv := d.Invoice
	inv.Lines, inv.Subtotal, inv.Subaccounts = nil, 0, nil
	for i := range 120 {
		a := money.FromInt(int64(i + 1))
		inv.Lines = append(inv.Lines, invoice.Line{Kind: invoice.LineUsage, Unit: "api_call", Amount: a,
			Description: fmt.Sprintf("Usage: api_call (subaccount sub_%03d), a description long enough to wrap onto a second line of its cell", i)})
		inv.Subaccounts = append(inv.Subaccounts, invoice.Subaccount{SubaccountID: fmt.Sprintf("sub_%03d", i), Amount: a})
		inv.Subtotal += a
	}
	inv.AmountDue = inv.Subtotal - inv.CreditsApplied
	text := pageText(t, renderPDF(t, d))
	mustContain(t, text, "a long PDF", "(Page 2 of ", "sub_119", "(Amount due)", "(Invoice INV-000123 \x97 Example Cloud Ltd, continued)")
	mustNotContain(t, text, "a long PDF", "{nb}")
	// Every page of the lines repeats the table's header.
	if n := strings.Count(text, "(Description)"); n < 3 {
		t.Errorf("the lines' header is printed %d times over several pages", n)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestErrorsAreReturned(t *testing.T) {
	r := New()
	if err := r.HTML(failingWriter{}, workedDoc()); err == nil {
		t.Error("HTML to a failing writer: no error")
	}
	if err := r.PDF(failingWriter{}, workedDoc()); err == nil {
		t.Error("PDF to a failing writer: no error")
	}
	if err := CSV(failingWriter{}, workedExample()); err == nil {
		t.Error("CSV to a failing writer: no error")
	}
	var b bytes.Buffer
	if r.HTML(&b, Doc{}) == nil || r.PDF(&b, Doc{}) == nil || CSV(&b, nil) == nil {
		t.Error("a document without an invoice rendered")
	}
	if b.Len() != 0 {
		t.Errorf("a refused document wrote %d bytes", b.Len())
	}
}

func TestCSV(t *testing.T) {
	inv := workedExample()
	tricky := `Credit applied: "spring", promo, 2026`
	inv.Lines = append(inv.Lines,
		invoice.Line{Kind: invoice.LineUsage, Description: "Usage: gb (subaccount sub_a)", Unit: "gb", Quantity: money.MustParse("0.5"), Amount: money.MustParse("0.000001"), SubaccountID: "sub_a"},
		invoice.Line{Kind: invoice.LineCredit, Description: tricky, Amount: money.MustParse("-1234.5"), LotID: "grant_y"},
		invoice.Line{Kind: invoice.LinePayment, Description: "Payments of earlier invoices — ünïcode", Amount: money.MustParse("12")},
	)
	var b bytes.Buffer
	if err := CSV(&b, inv); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	if got, want := strings.Join(rows[0], ","), "kind,description,unit,quantity,amount,currency,subaccount_id,grant_id"; got != want {
		t.Fatalf("header %q, want %q", got, want)
	}
	if len(rows)-1 != len(inv.Lines) {
		t.Fatalf("%d rows for %d lines", len(rows)-1, len(inv.Lines))
	}
	want := [][]string{
		{"usage", "Usage: api_call", "api_call", "1500.00", "150.00", "USD", "", ""},
		{"credit", "Credit applied: promotional grant_x", "", "", "-50.00", "USD", "", "grant_x"},
		{"usage", "Usage: gb (subaccount sub_a)", "gb", "0.50", "0.000001", "USD", "sub_a", ""},
		{"credit", tricky, "", "", "-1234.50", "USD", "", "grant_y"},
		{"payment", "Payments of earlier invoices — ünïcode", "", "", "12.00", "USD", "", ""},
	}
	for i, w := range want {
		if got := rows[i+1]; strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("row %d = %q, want %q", i+1, got, w)
		}
	}
	// Each amount reads back as the exact amount of its line.
	for i, l := range inv.Lines {
		if a, err := money.Parse(rows[i+1][4]); err != nil || a != l.Amount {
			t.Errorf("row %d amount %q reads back as %v, %v; want %v", i+1, rows[i+1][4], a, err, l.Amount)
		}
	}
}
