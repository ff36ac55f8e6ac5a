// Package invoicedoc renders one invoice as the documents a person
// receives: a printable HTML page, a PDF, and its lines as CSV. It only
// renders to an io.Writer: the caller loads the invoice and the parties,
// and nothing here reads a store, a clock or a global, so one invoice
// always renders to the same bytes.
package invoicedoc

import (
	"errors"
	"html/template"
	"strings"
	"time"

	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/money"
)

// Party is who an invoice is from or to.
type Party struct {
	Name    string
	Address []string // postal address, one line each
	Email   string
	// ID is the customer's account id, or for the issuer a registration
	// or tax number, printed as given.
	ID string
}

// Doc is everything a document shows.
type Doc struct {
	Invoice  *invoice.Invoice
	Issuer   Party // the operator, from configuration
	Customer Party // the account: name, e-mail, id (the invoice's AccountID when empty)
	// Subaccounts names the subaccounts for the per-subaccount breakdown,
	// by id; a subaccount without a name is shown by its id. May be nil.
	Subaccounts map[string]string
	// HTMLURL, if set, is the address of the HTML page, printed in the
	// footer: a link in the PDF, so a reader can find the page again.
	HTMLURL string
}

// taxNote is the footer every document carries.
const taxNote = "Taxes are not computed by Coffer."

// Renderer renders documents. Build it with New; it holds the parsed
// HTML template and no other state, so one Renderer serves any number of
// goroutines.
type Renderer struct {
	html *template.Template
}

// New returns a Renderer.
func New() *Renderer {
	return &Renderer{html: template.Must(template.ParseFS(templates, "invoice.html.tmpl"))}
}

var errNoInvoice = errors.New("no invoice to render")

// view is what the HTML page and the PDF show, worked out once from a Doc
// so both say the same thing in the same words.
type view struct {
	Title     string // "Invoice" or "Statement"
	Heading   string // "Invoice INV-000123", "Statement (draft)"
	PageTitle string // the heading and the issuer: the HTML title, the PDF's metadata
	Number    string // empty for a draft
	Draft     bool
	Issuer    Party
	Customer  Party
	Facts     []pair // number, status, period, dates, billing mode

	Counted     []row
	Totals      []total
	Subaccounts []pair // name, amount
	Activity    []row

	Void          bool
	VoidNote      string
	PaymentFailed bool
	FailureNote   string

	TaxNote string
	URL     string
}

type pair struct{ Label, Value string }

// total is one of the totals; Due marks the amount due, shown strongest.
type total struct {
	Label, Value string
	Due          bool
}

// row is one invoice line as shown: the quantity and the amount are blank
// where they say nothing.
type row struct {
	Kind, Description, Unit, Quantity, Amount string
}

func newView(d Doc) (*view, error) {
	inv := d.Invoice
	if inv == nil {
		return nil, errNoInvoice
	}
	cur := string(inv.Currency)
	v := &view{
		Title:    title(inv.Mode),
		Number:   inv.Number,
		Draft:    inv.Status == invoice.Draft,
		Issuer:   d.Issuer,
		Customer: d.Customer,
		TaxNote:  taxNote,
		URL:      d.HTMLURL,
	}
	if v.Customer.ID == "" {
		v.Customer.ID = inv.AccountID
	}
	number := inv.Number
	switch {
	case v.Draft:
		v.Heading = v.Title + " (draft)"
		number = "Draft — not yet finalized"
	case inv.Number == "":
		v.Heading = v.Title
	default:
		v.Heading = v.Title + " " + inv.Number
	}
	v.PageTitle = v.Heading
	if d.Issuer.Name != "" {
		v.PageTitle += " — " + d.Issuer.Name
	}
	if number != "" {
		v.Facts = append(v.Facts, pair{"Number", number})
	}
	v.Facts = append(v.Facts,
		pair{"Status", statusLabel(inv.Status)},
		pair{"Period", period(inv.PeriodStart, inv.PeriodEnd)},
	)
	for _, f := range []struct {
		label string
		at    time.Time
	}{{"Finalized", inv.FinalizedAt}, {"Paid", inv.PaidAt}, {"Voided", inv.VoidedAt}} {
		if !f.at.IsZero() {
			v.Facts = append(v.Facts, pair{f.label, day(f.at)})
		}
	}
	v.Facts = append(v.Facts, pair{"Billing", modeLabel(inv.Mode)})

	for _, l := range inv.Lines {
		r := row{Kind: kindLabel(l.Kind), Description: l.Description, Unit: l.Unit, Quantity: quantity(l.Quantity)}
		// A unit grant counts units, not money: its zero amount says nothing.
		if l.Kind.Counted() || l.Amount != 0 || l.Unit == "" {
			r.Amount = withCurrency(l.Amount, cur)
		}
		if l.Kind.Counted() {
			v.Counted = append(v.Counted, r)
		} else {
			v.Activity = append(v.Activity, r)
		}
	}
	v.Totals = []total{
		{"Subtotal", withCurrency(inv.Subtotal, cur), false},
		{"Credits applied", withCurrency(-inv.CreditsApplied, cur), false},
		{"Amount due", withCurrency(inv.AmountDue, cur), true},
		{"Amount paid", withCurrency(inv.AmountPaid, cur), false},
	}

	named := false
	for _, s := range inv.Subaccounts {
		named = named || s.SubaccountID != ""
	}
	if named {
		for _, s := range inv.Subaccounts {
			v.Subaccounts = append(v.Subaccounts, pair{subaccountName(s.SubaccountID, d.Subaccounts), withCurrency(s.Amount, cur)})
		}
	}

	switch inv.Status {
	case invoice.Void:
		v.Void = true
		v.VoidNote = "This " + strings.ToLower(v.Title) + " was voided"
		if !inv.VoidedAt.IsZero() {
			v.VoidNote += " on " + day(inv.VoidedAt)
		}
		v.VoidNote += " and is not payable."
		if inv.VoidReason != "" {
			v.VoidNote += " Reason: " + inv.VoidReason
		}
	case invoice.PaymentFailed:
		v.PaymentFailed = true
		v.FailureNote = "Payment failed"
		if inv.FailureReason != "" {
			v.FailureNote += ": " + strings.TrimSuffix(inv.FailureReason, ".")
		}
		v.FailureNote += ". It will be retried"
		if !inv.NextAttemptAt.IsZero() {
			v.FailureNote += " on " + moment(inv.NextAttemptAt)
		}
		v.FailureNote += "."
	}
	return v, nil
}

func title(m invoice.Mode) string {
	if m == invoice.Prepaid {
		return "Statement"
	}
	return "Invoice"
}

func modeLabel(m invoice.Mode) string {
	switch m {
	case invoice.Prepaid:
		return "Prepaid: usage was paid from the balance as it happened"
	case invoice.Postpaid:
		return "Postpaid: usage is billed at the end of the period"
	}
	return string(m)
}

func statusLabel(s invoice.Status) string {
	switch s {
	case invoice.Draft:
		return "Draft"
	case invoice.Finalized:
		return "Awaiting payment"
	case invoice.Paid:
		return "Paid"
	case invoice.PaymentFailed:
		return "Payment failed"
	case invoice.Void:
		return "Void"
	}
	return string(s)
}

func kindLabel(k invoice.LineKind) string {
	switch k {
	case invoice.LineUsage:
		return "Usage"
	case invoice.LinePrepaid:
		return "Prepaid"
	case invoice.LineCredit:
		return "Credit"
	case invoice.LinePurchase:
		return "Purchase"
	case invoice.LineGrant:
		return "Grant"
	case invoice.LinePayment:
		return "Payment"
	case invoice.LineDebt:
		return "Debt"
	}
	return string(k)
}

func subaccountName(id string, names map[string]string) string {
	switch {
	case id == "":
		return "The account itself"
	case names[id] != "":
		return names[id] + " (" + id + ")"
	}
	return id
}

// period shows a period as its first and last days: PeriodEnd is
// exclusive, so the last day is the one before it.
func period(start, end time.Time) string {
	if start.IsZero() || end.IsZero() {
		return ""
	}
	return day(start) + " – " + day(end.Add(-time.Nanosecond))
}

// Dates are shown in UTC, the time zone periods are cut in.
func day(t time.Time) string { return t.UTC().Format("2 January 2006") }

func moment(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") }

// amount shows an amount for reading: thousands grouped, two decimals
// unless it has more precision, then as many as it needs ("1,234.50",
// "0.0075", "-50.00"). Amount.String gives the exact decimal text; only
// the grouping is added.
func amount(a money.Amount) string { return group(a.String()) }

func withCurrency(a money.Amount, cur string) string {
	if cur == "" {
		return amount(a)
	}
	return amount(a) + " " + cur
}

// quantity shows a count of units: blank when zero, no trailing zeros
// ("1,500", "2.5").
func quantity(q money.Amount) string {
	if q == 0 {
		return ""
	}
	s := q.String()
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	return group(s)
}

// group puts a comma between each three digits of a decimal's whole part.
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if dot {
		b.WriteString(".")
		b.WriteString(frac)
	}
	return b.String()
}
