// Package chart draws the console's pictures as server-rendered SVG: the
// balance over time as a line and area, a daily figure as bars with an
// optional marker (usage per day and its average), and daily figures
// stacked by category (credit used, paid and promotional).
//
// It is pure: no I/O, no clock, no package state. Every function takes
// the figures and gives back markup, so the same input always draws the
// same picture and tests can compare it with a golden file.
//
// Amounts come in as money.Amount and stay exact everywhere text shows
// them (labels, the description, the data table). They become float64
// only to place marks on the screen: that is drawing, not money, and a
// rounding there moves a bar by a fraction of a pixel, never a figure.
//
// Each chart is an accessible image (role="img" with <title> and <desc>)
// followed by its figures as a table in a <details> element, so a screen
// reader or keyboard user gets every number. The SVG has a fixed height
// and the width of its container: marks stretch with the width, text
// keeps its size, so the labels are as readable on a 375 px phone as on
// a 1280 px screen.
package chart

import (
	"html/template"
	"strings"
	"time"

	"github.com/cofferdev/coffer/money"
)

// Point is one day's figure: Day is the day (its UTC midnight), Value the
// exact amount.
type Point struct {
	Day   time.Time
	Value money.Amount
}

// Format says how a chart writes amounts: the currency code or unit name
// shown with them, and the decimals axis labels carry. The data table
// writes every amount exactly: at least Decimals decimals, more when the
// amount has them.
type Format struct {
	Unit     string // "USD", or a usage unit such as "sms"
	Decimals int    // 0 to 6
}

// ForCurrency is the format of a currency's amounts, with its ISO 4217
// decimals (two for USD, none for JPY, three for KWD).
func ForCurrency(code string) Format {
	return Format{Unit: code, Decimals: currencyDecimals(code)}
}

// ForUnit is the format of a usage unit's quantities: whole units on the
// axis, the exact quantity in the table.
func ForUnit(name string) Format { return Format{Unit: name, Decimals: 0} }

// currencyDecimals is the ISO 4217 minor unit of the active currencies
// that do not use two decimals.
func currencyDecimals(code string) int {
	switch code {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	}
	return 2
}

func (f Format) decimals() int { return min(max(f.Decimals, 0), money.Scale) }

// Figure is a drawn chart: the SVG image, an optional note under it and
// its figures as a table.
type Figure struct {
	id, svg, note, table string
}

// HTML is the chart for a page: a <figure> holding the SVG, the note and
// the table of figures in a <details> element. Every text in it is
// escaped; the markup is also well-formed XML.
func (f Figure) HTML() template.HTML {
	var b strings.Builder
	b.WriteString(`<figure class="coffer-chart" id="` + f.id + `">`)
	b.WriteString(f.svg)
	if f.note != "" {
		b.WriteString(`<p class="coffer-chart-note">` + f.note + `</p>`)
	}
	b.WriteString(f.table)
	b.WriteString(`</figure>`)
	return template.HTML(b.String()) // built from escaped text only
}

// SVG is the image alone, a standalone SVG document (it names its
// namespace), for a file or an <img>. The note and the figures are in
// its <desc>.
func (f Figure) SVG() template.HTML {
	return template.HTML(f.svg) // built from escaped text only
}
