package invoicedoc

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/cofferdev/coffer/invoice"
)

// Page geometry in millimetres: A4 with 15 mm margins, and room at the
// bottom for the footer.
const (
	margin       = 15.0
	contentWidth = 210 - 2*margin
	bottomRoom   = 22.0 // the auto page break margin; the footer sits inside it
	lineHeight   = 4.6
)

// PDF writes the document as an A4 PDF. It uses the core Helvetica font,
// whose encoding is cp1252: text is translated to it, so "–", "€" and
// accented Latin letters print, and a character cp1252 lacks prints as
// a dot. Nothing is written if rendering fails.
func (r *Renderer) PDF(w io.Writer, d Doc) error {
	v, err := newView(d)
	if err != nil {
		return err
	}
	f := fpdf.New("P", "mm", "A4", "")
	// The dates come from the invoice, not the clock (fpdf reads time.Now
	// for a zero date), and the catalogs are sorted: an invoice renders to
	// the same bytes each time.
	created, modified := pdfDates(d.Invoice)
	f.SetCreationDate(created)
	f.SetModificationDate(modified)
	f.SetCatalogSort(true)
	f.SetTitle(v.PageTitle, true)
	f.SetAuthor(v.Issuer.Name, true)
	f.SetCreator("Coffer", false)

	p := &pdfDoc{f: f, tr: f.UnicodeTranslatorFromDescriptor(""), v: v}
	p.render()
	if err := f.Error(); err != nil {
		return fmt.Errorf("render pdf: %w", err)
	}
	if err := f.Output(w); err != nil {
		return fmt.Errorf("render pdf: %w", err)
	}
	return nil
}

// pdfDates are the PDF's creation and modification dates: when the
// invoice was finalized (a draft: its period's start) and when it last
// changed.
func pdfDates(inv *invoice.Invoice) (created, modified time.Time) {
	created = cmp.Or(inv.FinalizedAt, inv.PeriodStart, time.Unix(0, 0)).UTC()
	modified = created
	for _, t := range []time.Time{inv.UpdatedAt, inv.PaidAt, inv.VoidedAt} {
		if t.After(modified) {
			modified = t.UTC()
		}
	}
	return created, modified
}

type pdfDoc struct {
	f  *fpdf.Fpdf
	tr func(string) string // UTF-8 to cp1252
	v  *view
}

type column struct {
	title string
	width float64
	align string // "L" or "R"
}

func (p *pdfDoc) render() {
	f, v := p.f, p.v
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, bottomRoom)
	f.AliasNbPages("")
	f.SetHeaderFunc(p.header)
	f.SetFooterFunc(p.footer)
	f.AddPage()

	// The title on the right, the issuer on the left.
	top := f.GetY()
	f.SetXY(margin+contentWidth/2, top)
	p.font("B", 20)
	f.CellFormat(contentWidth/2, 9, p.tr(v.Title), "", 2, "R", false, 0, "")
	p.font("", 10)
	if v.Number != "" && !v.Draft {
		f.CellFormat(contentWidth/2, 5, p.tr(v.Number), "", 2, "R", false, 0, "")
	}
	right := f.GetY()
	f.SetXY(margin, top)
	left := p.party(v.Issuer, "", contentWidth/2)
	f.SetY(max(left, right) + 4)

	if v.Draft {
		p.notice("Draft — not yet finalized. The figures may change until the period closes.", 82, 82, 91)
	}
	if v.Void {
		p.font("B", 22)
		f.SetTextColor(185, 28, 28)
		f.CellFormat(contentWidth, 10, "VOID", "", 1, "L", false, 0, "")
		p.notice(v.VoidNote, 185, 28, 28)
	}
	if v.PaymentFailed {
		p.notice(v.FailureNote, 146, 64, 14)
	}

	// The customer on the left, the invoice's facts on the right.
	top = f.GetY() + 2
	f.SetXY(margin, top)
	p.label("To")
	left = p.party(v.Customer, "Account ", contentWidth/2-5)
	right = p.facts(margin+contentWidth/2, top, contentWidth/2)
	f.SetY(max(left, right) + 6)

	p.section("Charges")
	if len(v.Counted) == 0 {
		p.font("", 9)
		f.CellFormat(contentWidth, 6, "No usage in this period.", "", 1, "L", false, 0, "")
	} else {
		cols := []column{{"Description", 95, "L"}, {"Unit", 25, "L"}, {"Quantity", 25, "R"}, {"Amount", 35, "R"}}
		rows := make([][]string, len(v.Counted))
		for i, l := range v.Counted {
			rows[i] = []string{l.Description, l.Unit, l.Quantity, l.Amount}
		}
		p.table(cols, rows)
	}
	p.totals()

	if len(v.Subaccounts) > 0 {
		p.section("Usage by subaccount")
		rows := make([][]string, len(v.Subaccounts))
		for i, s := range v.Subaccounts {
			rows[i] = []string{s.Label, s.Value}
		}
		p.table([]column{{"Subaccount", 145, "L"}, {"Amount", 35, "R"}}, rows)
	}

	if len(v.Activity) > 0 {
		p.section("Activity in the period")
		p.font("I", 9)
		f.CellFormat(contentWidth, 5, "For information: these lines are not part of the totals above.", "", 1, "L", false, 0, "")
		f.Ln(1)
		rows := make([][]string, len(v.Activity))
		for i, l := range v.Activity {
			q := l.Quantity
			if q != "" && l.Unit != "" {
				q += " " + l.Unit
			}
			rows[i] = []string{l.Kind, l.Description, q, l.Amount}
		}
		p.table([]column{{"Kind", 25, "L"}, {"Description", 95, "L"}, {"Quantity", 25, "R"}, {"Amount", 35, "R"}}, rows)
	}
}

func (p *pdfDoc) font(style string, size float64) {
	p.f.SetFont("Helvetica", style, size)
	p.f.SetTextColor(24, 24, 27)
}

// party prints a party's lines at the current position within width and
// returns the y below them. idLabel precedes the party's id.
func (p *pdfDoc) party(pt Party, idLabel string, width float64) float64 {
	f := p.f
	x := f.GetX()
	line := func(style, s string) {
		if s == "" {
			return
		}
		p.font(style, 10)
		f.SetX(x)
		f.MultiCell(width, lineHeight+0.4, p.tr(s), "", "L", false)
	}
	line("B", pt.Name)
	for _, a := range pt.Address {
		line("", a)
	}
	line("", pt.Email)
	if pt.ID != "" {
		line("", idLabel+pt.ID)
	}
	return f.GetY()
}

// facts prints the invoice's facts as a label column and a value column
// at (x, y) and returns the y below them.
func (p *pdfDoc) facts(x, y, width float64) float64 {
	f := p.f
	f.SetXY(x, y)
	p.label("Details")
	const labelWidth = 24.0
	for _, fact := range p.v.Facts {
		top := f.GetY()
		f.SetX(x)
		p.font("", 9)
		f.SetTextColor(113, 113, 122)
		f.CellFormat(labelWidth, lineHeight, p.tr(fact.Label), "", 0, "L", false, 0, "")
		p.font("", 9)
		f.SetXY(x+labelWidth, top)
		f.MultiCell(width-labelWidth, lineHeight, p.tr(fact.Value), "", "L", false)
	}
	return f.GetY()
}

// label prints a small grey caption above a block.
func (p *pdfDoc) label(s string) {
	x := p.f.GetX()
	p.font("B", 8)
	p.f.SetTextColor(113, 113, 122)
	p.f.CellFormat(40, 5, p.tr(s), "", 2, "L", false, 0, "")
	p.f.SetX(x)
}

// notice prints a framed paragraph in colour.
func (p *pdfDoc) notice(s string, r, g, b int) {
	f := p.f
	p.font("B", 10)
	f.SetTextColor(r, g, b)
	f.SetDrawColor(r, g, b)
	f.SetLineWidth(0.5)
	f.MultiCell(contentWidth, 6, p.tr(s), "1", "L", false)
	f.SetLineWidth(0.2)
	f.Ln(2)
}

// section starts a titled section, on a new page if its title and a row
// or two would not fit on this one.
func (p *pdfDoc) section(title string) {
	f := p.f
	p.breakFor(8 + 3*lineHeight)
	f.Ln(3)
	p.font("B", 12)
	f.CellFormat(contentWidth, 7, p.tr(title), "", 1, "L", false, 0, "")
	f.Ln(1)
}

// breakFor starts a new page unless h millimetres fit on this one.
func (p *pdfDoc) breakFor(h float64) bool {
	_, pageHeight := p.f.GetPageSize()
	if p.f.GetY()+h <= pageHeight-bottomRoom {
		return false
	}
	p.f.AddPage()
	return true
}

// table prints rows under a header, wrapping long cells onto more lines
// and never splitting a row across pages: a row that does not fit starts
// a new page, which repeats the header.
func (p *pdfDoc) table(cols []column, rows [][]string) {
	f := p.f
	header := func() {
		p.font("B", 8.5)
		f.SetTextColor(82, 82, 91)
		f.SetFillColor(244, 244, 245)
		f.SetDrawColor(113, 113, 122)
		for _, c := range cols {
			f.CellFormat(c.width, 6.5, p.tr(c.title), "B", 0, c.align, true, 0, "")
		}
		f.Ln(-1)
	}
	header()
	for _, cells := range rows {
		p.font("", 9)
		lines := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			for _, l := range f.SplitLines([]byte(p.tr(cells[i])), c.width) {
				lines[i] = append(lines[i], string(l))
			}
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lineHeight + 1.6
		if p.breakFor(h) {
			header()
			p.font("", 9)
		}
		x, y := f.GetXY()
		for i, c := range cols {
			for j, l := range lines[i] {
				f.SetXY(x, y+0.8+float64(j)*lineHeight)
				f.CellFormat(c.width, lineHeight, l, "", 0, c.align, false, 0, "")
			}
			x += c.width
		}
		f.SetDrawColor(212, 212, 216)
		f.Line(margin, y+h, margin+contentWidth, y+h)
		f.SetXY(margin, y+h)
	}
}

// totals prints the totals right-aligned under the lines, the amount due
// in bold over a rule.
func (p *pdfDoc) totals() {
	f := p.f
	const labelWidth, valueWidth = 45.0, 35.0
	x := margin + contentWidth - labelWidth - valueWidth
	p.breakFor(float64(len(p.v.Totals))*6 + 3)
	f.Ln(2)
	for _, t := range p.v.Totals {
		style := ""
		if t.Due {
			style = "B"
			f.SetDrawColor(24, 24, 27)
			f.SetLineWidth(0.4)
			f.Line(x, f.GetY(), x+labelWidth+valueWidth, f.GetY())
			f.SetLineWidth(0.2)
		}
		p.font(style, 10)
		f.SetX(x)
		f.CellFormat(labelWidth, 6, p.tr(t.Label), "", 0, "L", false, 0, "")
		f.CellFormat(valueWidth, 6, p.tr(t.Value), "", 1, "R", false, 0, "")
	}
}

// header runs at the top of every page: a void document says so across
// each page, behind its text, and a page after the first says whose it is.
func (p *pdfDoc) header() {
	f := p.f
	if p.v.Void {
		x, y := f.GetXY()
		f.SetFont("Helvetica", "B", 120)
		f.SetTextColor(250, 215, 215)
		f.TransformBegin()
		f.TransformRotate(45, 105, 160)
		f.Text(105-f.GetStringWidth("VOID")/2, 175, "VOID")
		f.TransformEnd()
		f.SetXY(x, y)
	}
	if f.PageNo() > 1 {
		p.font("", 8)
		f.SetTextColor(113, 113, 122)
		f.CellFormat(contentWidth, 5, p.tr(p.v.PageTitle+", continued"), "", 1, "L", false, 0, "")
		f.Ln(2)
	}
}

// footer runs at the bottom of every page: the tax note, the link to the
// HTML page and the page number.
func (p *pdfDoc) footer() {
	f := p.f
	f.SetY(-bottomRoom + 6)
	f.SetDrawColor(212, 212, 216)
	f.Line(margin, f.GetY(), margin+contentWidth, f.GetY())
	f.Ln(1.5)
	p.font("", 8)
	f.SetTextColor(82, 82, 91)
	page := "Page " + strconv.Itoa(f.PageNo()) + " of {nb}"
	f.CellFormat(contentWidth-30, 4, p.tr(p.v.TaxNote), "", 0, "L", false, 0, "")
	f.CellFormat(30, 4, page, "", 1, "R", false, 0, "")
	if p.v.URL != "" {
		f.CellFormat(contentWidth, 4, p.tr("View online: "+p.v.URL), "", 1, "L", false, 0, p.v.URL)
	}
}
