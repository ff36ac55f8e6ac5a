package chart

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cofferdev/coffer/money"
)

// StackedChart is daily figures of a few categories drawn as one bar a
// day, the categories stacked on each other, with a legend: credit used
// per day, paid below and promotional above. A negative figure (value
// given back) stacks below zero.
type StackedChart struct {
	ID     string // unique on the page; "credits" by default
	Title  string // what the chart shows: its accessible name and the table's caption
	Format Format
	Series []string     // the categories' names, bottom of the stack first
	Days   []StackedDay // oldest first
	Height int          // pixels; 0 draws 240
}

// StackedDay is one day's figure per category: Values[i] belongs to
// Series[i]; a missing one counts as zero and one past the series is
// left out.
type StackedDay struct {
	Day    time.Time
	Values []money.Amount
}

func (d StackedDay) value(i int) money.Amount {
	if i < len(d.Values) {
		return d.Values[i]
	}
	return 0
}

// colourNames name palette's colours, for the description.
func colourName(i int) string {
	return [...]string{"dark blue", "orange", "green", "purple"}[i%4]
}

// Stacked draws c.
func Stacked(c StackedChart) Figure {
	dec := c.Format.decimals()
	days := make([]time.Time, len(c.Days))
	var lo, hi money.Amount
	for i, d := range c.Days {
		days[i] = d.Day
		up, down := stackSums(d, len(c.Series))
		lo, hi = min(lo, down), max(hi, up)
	}
	fr := newFrame(c.ID, "credits", title(c.Title), c.Format, c.Height, true, minBars, days, lo, hi)
	var marks strings.Builder
	for i, d := range c.Days {
		var up, down int64
		for s, name := range c.Series {
			v := int64(d.value(s))
			words := day(d.Day) + ": " + name + " " + withUnit(exact(money.Amount(v), dec), c.Format)
			switch {
			case v > 0:
				marks.WriteString(segment(fr, i, up, sat(up, v), palette(s), words))
				up = sat(up, v)
			case v < 0:
				marks.WriteString(segment(fr, i, down, sat(down, v), palette(s), words))
				down = sat(down, v)
			}
		}
	}
	fr.desc = stackedDesc(fr.title, c)
	head := append(append([]string{"Day"}, c.Series...), "Total")
	for i := 1; i < len(head); i++ {
		head[i] = headed(head[i], "", c.Format)
	}
	return Figure{id: fr.id, svg: fr.svg(marks.String(), legend(c.Series)), table: table(fr.title, head, days, func(i int) []string {
		d := c.Days[i]
		var row []string
		var total money.Amount
		ok := true
		for s := range c.Series {
			row = append(row, exact(d.value(s), dec))
			var err error
			if total, err = total.Add(d.value(s)); err != nil {
				ok = false
			}
		}
		if ok {
			return append(row, exact(total, dec))
		}
		return append(row, "out of range")
	})}
}

// segment is one category's part of a day's bar, from the stack's height
// so far to its height after it. A segment stacked on another leaves a
// pixel of white between them, so neighbouring colours never touch.
func segment(fr *frame, i int, from, to int64, fill, words string) string {
	if from != 0 {
		if y0, y1 := math.Round(fr.yIn(from)), math.Round(fr.yIn(to)); max(y0, y1)-min(y0, y1) > 2 {
			gap := 1.0
			if to < from {
				gap = -1
			}
			return barAt(i, y0-gap, y1, fill, words)
		}
	}
	return bar(fr, i, from, to, fill, words)
}

// barAt is a bar between two heights in the plot.
func barAt(i int, y0, y1 float64, fill, words string) string {
	top, h := min(y0, y1), max(y0, y1)-min(y0, y1)
	return `<rect x="` + num(float64(i)+0.15) + `" y="` + num(top) + `" width="0.7" height="` + num(h) + `" fill="` + fill + `"><title>` +
		text(words) + `</title></rect>`
}

// stackSums is the height of a day's stack above zero and its depth
// below.
func stackSums(d StackedDay, n int) (up, down money.Amount) {
	var u, dn int64
	for s := range n {
		if v := int64(d.value(s)); v > 0 {
			u = sat(u, v)
		} else {
			dn = sat(dn, v)
		}
	}
	return money.Amount(u), money.Amount(dn)
}

// dayTotal is a day's figures above zero added up exactly, or false
// when the sum is out of range.
func dayTotal(d StackedDay, n int) (money.Amount, bool) {
	var t money.Amount
	for s := range n {
		if v := d.value(s); v > 0 {
			var err error
			if t, err = t.Add(v); err != nil {
				return 0, false
			}
		}
	}
	return t, true
}

// sat adds, stopping at the axis's limit instead of wrapping: a stack's
// height is drawing, and the table gives the figures.
func sat(a, b int64) int64 { return clamp(clamp(a) + clamp(b)) }

// legend writes the categories' colours in a row above the plot.
func legend(series []string) string {
	var b strings.Builder
	b.WriteString(`<g class="coffer-chart-legend" fill="` + ink + `">`)
	x := 0
	for i, name := range series {
		b.WriteString(`<rect x="` + itoa(x) + `" y="5" width="12" height="12" rx="2" fill="` + palette(i) + `"/>`)
		b.WriteString(`<text x="` + itoa(x+17) + `" y="15">` + text(name) + `</text>`)
		x += 17 + 7*utf8.RuneCountInString(name) + 18 // about 7 px a character at 12 px
	}
	b.WriteString(`</g>`)
	return b.String()
}

// stackedDesc describes the stack in words: its days, the order and
// colour of its categories, each one's total and the highest day.
func stackedDesc(title string, c StackedChart) string {
	dec := c.Format.decimals()
	if len(c.Days) == 0 {
		return title + ": no figures for these days."
	}
	days := make([]time.Time, len(c.Days))
	for i, d := range c.Days {
		days[i] = d.Day
	}
	unit := ""
	if c.Format.Unit != "" {
		unit = ", in " + c.Format.Unit
	}
	var order, totals []string
	for s, name := range c.Series {
		order = append(order, name+" ("+colourName(s)+")")
		var t money.Amount
		ok := true
		for _, d := range c.Days {
			var err error
			if t, err = t.Add(d.value(s)); err != nil {
				ok = false
			}
		}
		if ok {
			totals = append(totals, name+" "+exact(t, dec))
		}
	}
	out := title + ", " + span(days) + unit + "."
	if len(order) > 0 {
		out += " Stacked from the bottom: " + strings.Join(order, ", ") + "."
	}
	if len(totals) > 0 {
		out += " Totals: " + strings.Join(totals, ", ") + "."
	}
	best, bestUp := -1, money.Amount(0)
	for i, d := range c.Days {
		if up, ok := dayTotal(d, len(c.Series)); ok && up > bestUp {
			best, bestUp = i, up
		}
	}
	if best >= 0 {
		out += " Highest day: " + day(c.Days[best].Day) + ", " + exact(bestUp, dec) + "."
	}
	return out
}

func itoa(n int) string { return num(float64(n)) }
