package chart

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cofferdev/coffer/money"
)

// LineChart is a daily series drawn as a line over an area shaded down to
// zero: the balance at the end of each day. Days below zero (an account
// in debt) are shaded red under the zero line, and the line turns red
// there.
type LineChart struct {
	ID     string // unique on the page: it names the title and description; "balance" by default
	Title  string // what the chart shows: its accessible name and the table's caption
	Label  string // the figure's name in the table's header; "Amount" by default
	Format Format
	Points []Point // one a day, oldest first
	Height int     // pixels; 0 draws 240
}

// Line draws c.
func Line(c LineChart) Figure {
	days, lo, hi := pointDays(c.Points)
	fr := newFrame(c.ID, "balance", title(c.Title), c.Format, c.Height, false, 1, days, lo, hi)
	fr.desc = seriesDesc(fr.title, c.Points, c.Format) + debtDays(c.Points)
	var marks, extra strings.Builder
	if n := len(c.Points); n > 0 {
		zero := fr.yIn(0)
		vs := make([]vertex, n)
		for i, p := range c.Points {
			vs[i] = vertex{float64(i) + 0.5, fr.yIn(int64(p.Value))}
		}
		vs = withCrossings(vs, zero)
		marks.WriteString(`<path class="coffer-chart-area" d="` + area(vs, zero, math.Min) + `" fill="` + blue + `" fill-opacity="0.14"/>`)
		marks.WriteString(`<path class="coffer-chart-debt" d="` + area(vs, zero, math.Max) + `" fill="` + red + `" fill-opacity="0.16"/>`)
		marks.WriteString(`<path class="coffer-chart-line" d="` + line(vs) + `" fill="none" stroke="` + blue +
			`" stroke-width="2" stroke-linejoin="round" stroke-linecap="round" vector-effect="non-scaling-stroke"/>`)
		if d := below(vs, zero); d != "" {
			marks.WriteString(`<path class="coffer-chart-line-debt" d="` + d + `" fill="none" stroke="` + red +
				`" stroke-width="2" stroke-linejoin="round" stroke-linecap="round" vector-effect="non-scaling-stroke"/>`)
		}
		marks.WriteString(hoverBands(fr, c.Points, c.Format))
		last := c.Points[n-1].Value
		colour := blue
		if last < 0 {
			colour = red
		}
		extra.WriteString(`<circle cx="` + pct(fr.x(n-1)) + `" cy="` + num(fr.y(int64(last))) + `" r="4" fill="` + colour + `" stroke="#fff" stroke-width="1.5"/>`)
	}
	return Figure{id: fr.id, svg: fr.svg(marks.String(), extra.String()),
		table: table(fr.title, []string{"Day", headed(c.Label, "Amount", c.Format)}, days,
			func(i int) []string { return []string{exact(c.Points[i].Value, c.Format.decimals())} })}
}

// vertex is a point of the line in the plot: x in days, y in pixels.
type vertex struct{ x, y float64 }

// withCrossings adds a vertex wherever the line crosses the zero line,
// so the area above zero and the area below meet exactly on it.
func withCrossings(vs []vertex, zero float64) []vertex {
	out := []vertex{vs[0]}
	for i := 1; i < len(vs); i++ {
		a, b := vs[i-1], vs[i]
		if (a.y < zero && b.y > zero) || (a.y > zero && b.y < zero) {
			t := (zero - a.y) / (b.y - a.y)
			out = append(out, vertex{a.x + t*(b.x-a.x), zero})
		}
		out = append(out, b)
	}
	return out
}

// area is the region between the line and zero on one side of it: with
// math.Min the part above zero (smaller y), with math.Max the part
// below.
func area(vs []vertex, zero float64, side func(float64, float64) float64) string {
	var b strings.Builder
	b.WriteString("M" + num(vs[0].x) + " " + num(zero))
	for _, v := range vs {
		b.WriteString("L" + num(v.x) + " " + num(side(v.y, zero)))
	}
	b.WriteString("L" + num(vs[len(vs)-1].x) + " " + num(zero) + "Z")
	return b.String()
}

func line(vs []vertex) string {
	var b strings.Builder
	for i, v := range vs {
		if i == 0 {
			b.WriteString("M")
		} else {
			b.WriteString("L")
		}
		b.WriteString(num(v.x) + " " + num(v.y))
	}
	return b.String()
}

// below is the path of the line's segments under zero.
func below(vs []vertex, zero float64) string {
	var b strings.Builder
	for i := 1; i < len(vs); i++ {
		a, c := vs[i-1], vs[i]
		if a.y >= zero && c.y >= zero && (a.y > zero || c.y > zero) {
			b.WriteString("M" + num(a.x) + " " + num(a.y) + "L" + num(c.x) + " " + num(c.y))
		}
	}
	return b.String()
}

// hoverBands are a transparent band per day whose title a pointer shows.
func hoverBands(fr *frame, ps []Point, f Format) string {
	var b strings.Builder
	for i, p := range ps {
		b.WriteString(`<rect x="` + strconv.Itoa(i) + `" y="0" width="1" height="` + num(fr.plotH) + `" fill="transparent"><title>` +
			text(day(p.Day)+": "+withUnit(exact(p.Value, f.decimals()), f)) + `</title></rect>`)
	}
	return b.String()
}

// pointDays lists the points' days and their lowest and highest values.
func pointDays(ps []Point) (days []time.Time, lo, hi money.Amount) {
	for i, p := range ps {
		days = append(days, p.Day)
		if i == 0 || p.Value < lo {
			lo = p.Value
		}
		if i == 0 || p.Value > hi {
			hi = p.Value
		}
	}
	return days, lo, hi
}

func title(t string) string {
	if t == "" {
		return "Figures per day"
	}
	return t
}

// seriesDesc describes a daily series in words: its days, its highest,
// lowest and last figures.
func seriesDesc(title string, ps []Point, f Format) string {
	dec := f.decimals()
	unit := ""
	if f.Unit != "" {
		unit = ", in " + f.Unit
	}
	switch len(ps) {
	case 0:
		return title + ": no figures for these days."
	case 1:
		return title + " " + span([]time.Time{ps[0].Day}) + unit + ": " + exact(ps[0].Value, dec) + "."
	}
	hi, lo := 0, 0
	for i, p := range ps {
		if p.Value > ps[hi].Value {
			hi = i
		}
		if p.Value < ps[lo].Value {
			lo = i
		}
	}
	days := make([]time.Time, len(ps))
	for i, p := range ps {
		days[i] = p.Day
	}
	last := ps[len(ps)-1]
	return title + ", " + span(days) + unit + ": highest " + exact(ps[hi].Value, dec) + " on " + day(ps[hi].Day) +
		", lowest " + exact(ps[lo].Value, dec) + " on " + day(ps[lo].Day) + ", last " + exact(last.Value, dec) + " on " + day(last.Day) + "."
}

// debtDays says on how many days the series was below zero.
func debtDays(ps []Point) string {
	n := 0
	for _, p := range ps {
		if p.Value < 0 {
			n++
		}
	}
	switch n {
	case 0:
		return ""
	case 1:
		return " Below zero on 1 day."
	}
	return " Below zero on " + strconv.Itoa(n) + " days."
}
