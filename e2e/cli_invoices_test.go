package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/payments"
)

// The invoice commands against a real server. A postpaid account switched
// to prepaid is invoiced at once, so two accounts give two unpaid invoices
// without moving the clock: one is paid from the command line, the other's
// payment is declined and it is voided. Their tables, documents and lines
// are read back.
func TestInvoiceCommands(t *testing.T) {
	t.Parallel()
	h := start(t, filepath.Join(t.TempDir(), "coffer.db"))
	run := func(args ...string) (string, string, error) {
		t.Helper()
		return runCoffer(t, []string{"COFFER_URL=" + h.srv.URL(), "COFFER_API_KEY=" + h.srv.AdminKey}, args...)
	}
	cli := func(args ...string) string {
		t.Helper()
		out, errOut, err := run(args...)
		if err != nil {
			t.Fatalf("coffer %s: %v\n%s", strings.Join(args, " "), err, errOut)
		}
		return out
	}
	// invoiced is a postpaid account that used amount, then switched to
	// prepaid, and its one invoice.
	invoiced := func(name, card, amount string) (*api.Account, api.Invoice) {
		t.Helper()
		a, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: name, Currency: "USD", BillingMode: "postpaid"})
		if err != nil {
			t.Fatal(err)
		}
		h.card(a.ID, card)
		h.mustDebit(a.ID, name+"-usage", amount)
		prepaid := "prepaid"
		if _, err := h.admin.UpdateAccount(h.ctx, a.ID, api.AccountUpdate{BillingMode: &prepaid}); err != nil {
			t.Fatalf("switch %s to prepaid: %v", name, err)
		}
		var l api.List[api.Invoice]
		if err := json.Unmarshal([]byte(cli("invoices", "list", "--account", a.ID, "--json")), &l); err != nil || len(l.Data) != 1 {
			t.Fatalf("invoices of %s: %+v %v", name, l, err)
		}
		inv := l.Data[0]
		if inv.Status != "finalized" || !strings.HasPrefix(inv.Number, "INV-") || inv.AmountDue != amt(amount) {
			t.Fatalf("%s's invoice: %+v", name, inv)
		}
		return a, inv
	}
	payer, paid := invoiced("payer", payments.TestCardSuccess, "20.00")
	voider, voided := invoiced("voider", payments.TestCardDecline, "7.50")

	// The list: one row per invoice, its period as days, its totals.
	out := cli("invoices", "list")
	for _, want := range []string{
		"ID", "NUMBER", "PERIOD", "DUE",
		paid.ID + "  " + paid.Number + "  " + payer.ID + "  2026-03-01 – 2026-03-02  postpaid  finalized  USD       20.00     0.00     20.00  0.00",
		voided.ID + "  " + voided.Number + "  " + voider.ID,
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("invoices list lacks %q:\n%s", want, out)
		}
	}
	if out = cli("invoices", "list", "--account", payer.ID, "--period", "2026-03", "--status", "finalized"); strings.Contains(out, voided.ID) || !strings.Contains(out, paid.ID) {
		t.Fatalf("invoices list filtered by account, period and status:\n%s", out)
	}
	_, errOut, err := run("invoices", "list", "--period", "March")
	if err == nil || !strings.Contains(err.Error(), "YYYY-MM") {
		t.Fatalf("a malformed period: %v %s", err, errOut)
	}

	out = cli("invoices", "show", paid.ID)
	if f := cliFields(out); f["Number"] != paid.Number || f["Status"] != "finalized" || f["Period"] != "2026-03-01 – 2026-03-02" ||
		f["Amount due"] != "20.00 USD" || f["Amount paid"] != "0.00 USD" || f["Next attempt"] != "2026-03-02T09:00:00Z" {
		t.Fatalf("invoices show:\n%s", out)
	}
	if !strings.Contains(out, "\nKIND ") || !regexp.MustCompile(`\nusage +Usage +- +- +20\.00 `).MatchString(out) {
		t.Fatalf("invoices show has no usage line of 20.00:\n%s", out)
	}

	// The open period since the switch: a draft with nothing in it yet.
	out = cli("invoices", "upcoming", payer.ID)
	if f := cliFields(out); f["Status"] != "draft" || f["Billing mode"] != "prepaid" || f["Amount due"] != "0.00 USD" {
		t.Fatalf("invoices upcoming:\n%s", out)
	}

	var after api.Invoice
	if err := json.Unmarshal([]byte(cli("invoices", "pay", paid.ID, "--json")), &after); err != nil {
		t.Fatal(err)
	}
	if after.Status != "paid" || after.AmountPaid != amt("20.00") || after.PaymentID == "" {
		t.Fatalf("paid invoice: %+v", after)
	}
	if out = cli("invoices", "show", paid.ID); cliFields(out)["Status"] != "paid" || cliFields(out)["Payment"] != after.PaymentID {
		t.Fatalf("invoices show after paying:\n%s", out)
	}

	// A declined card: the server's message, and the invoice still due.
	_, errOut, err = run("invoices", "pay", voided.ID)
	if err == nil || !strings.Contains(err.Error(), "declined") || !strings.Contains(err.Error(), voided.Number) {
		t.Fatalf("a declined payment: %v %s", err, errOut)
	}
	if _, _, err = run("invoices", "void", voided.ID); err == nil || !strings.Contains(err.Error(), `"reason" not set`) {
		t.Fatalf("void without a reason: %v", err)
	}
	out = cli("invoices", "void", voided.ID, "--reason", "goodwill")
	if f := cliFields(out); f["Status"] != "void" || f["Void reason"] != "goodwill" || !strings.HasPrefix(f["Failure"], "card_declined: ") {
		t.Fatalf("invoices void:\n%s", out)
	}
	if got, err := h.admin.GetInvoice(h.ctx, voided.ID); err != nil || got.Status != "void" {
		t.Fatalf("voided invoice: %+v %v", got, err)
	}
	if out = cli("invoices", "list", "--status", "void"); !strings.Contains(out, voided.ID) || strings.Contains(out, paid.ID) {
		t.Fatalf("void invoices:\n%s", out)
	}

	// Documents: to a file, and to stdout.
	dir := t.TempDir()
	pdf := filepath.Join(dir, "paid.pdf")
	if out = cli("invoices", "pdf", paid.ID, "-o", pdf); !strings.Contains(out, "wrote "+pdf) {
		t.Fatalf("invoices pdf: %s", out)
	}
	b, err := os.ReadFile(pdf)
	if err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("the PDF file starts %.20q (%v)", b, err)
	}
	if out = cli("invoices", "pdf", paid.ID, "-o", "-"); out != string(b) {
		t.Fatalf("the PDF on stdout (%d bytes) is not the file's (%d bytes)", len(out), len(b))
	}
	page := filepath.Join(dir, "paid.html")
	cli("invoices", "html", paid.ID, "--output", page)
	if b, err := os.ReadFile(page); err != nil || !strings.Contains(string(b), "<html") || !strings.Contains(string(b), paid.Number) {
		t.Fatalf("the HTML page: %v\n%.300s", err, b)
	}

	// Lines: a table, JSON, or CSV.
	out = cli("invoices", "lines", paid.ID)
	if !strings.HasPrefix(out, "KIND") || !strings.Contains(out, "usage") || !strings.Contains(out, "20.00") {
		t.Fatalf("invoices lines:\n%s", out)
	}
	var lines api.List[api.InvoiceLine]
	if err := json.Unmarshal([]byte(cli("invoices", "lines", paid.ID, "--json")), &lines); err != nil || len(lines.Data) != len(after.Lines) {
		t.Fatalf("invoices lines --json: %+v %v", lines, err)
	}
	csv := cli("invoices", "lines", paid.ID, "--csv", "-o", "-")
	want, err := h.admin.InvoiceDocument(h.ctx, paid.ID, client.InvoiceCSV)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(csv, "kind,description,unit,quantity,amount,currency,subaccount_id,grant_id\r\n") || csv != string(want) ||
		!strings.Contains(csv, "\r\nusage,") {
		t.Fatalf("invoices lines --csv:\n%s", csv)
	}
	file := filepath.Join(dir, "lines.csv")
	cli("invoices", "lines", paid.ID, "--csv", "-o", file)
	if b, err := os.ReadFile(file); err != nil || string(b) != csv {
		t.Fatalf("the CSV file: %v\n%s", err, b)
	}
	if _, _, err = run("invoices", "lines", paid.ID, "-o", file); err == nil || !strings.Contains(err.Error(), "add --csv") {
		t.Fatalf("-o without --csv: %v", err)
	}
	missing := "inv_" + strings.Repeat("0", 26)
	if _, _, err = run("invoices", "pdf", missing, "-o", filepath.Join(dir, "missing.pdf")); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("the PDF of no invoice: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.pdf")); !os.IsNotExist(err) {
		t.Fatalf("a failed download left a file: %v", err)
	}
}

// cliFields reads the "Label  value" lines of a command's table: label and
// value are parted by two spaces or more.
func cliFields(out string) map[string]string {
	m := map[string]string{}
	sep := regexp.MustCompile(`  +`)
	for l := range strings.SplitSeq(out, "\n") {
		if kv := sep.Split(strings.TrimSpace(l), 2); len(kv) == 2 {
			m[kv[0]] = kv[1]
		}
	}
	return m
}
