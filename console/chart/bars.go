package chart

import (
	"math"
	"strconv"
	"strings"

	"github.com/cofferdev/coffer/money"
)

// BarChart is a daily series drawn as a bar a day, with an optional
// dashed marker across the bars and a note under them: usage per day,
// its average, and how long the balance lasts at that rate.
type BarChart struct {
	ID     string // unique on the page; "usage" by default
	Title  string // what the chart shows: its accessible name and the table's caption
	Label  string // the figure's name in the table's header; "Amount" by default
	Format Format
	Points []Point // one a day, oldest first
	Marker *Marker // a level across the bars, such as the average per day
	Note   string  // a sentence under the chart, read with it, such as the runway
	Height int     // pixels; 0 draws 240
}

// Marker is a level drawn across a bar chart.
type Marker struct {
	Value money.Amount
	Label string // the words beside it; by default the value, rounded to the format's decimals
}

// Bars draws c.
func Bars(c BarChart) Figure {
	days, lo, hi := pointDays(c.Points)
	if c.Marker != nil {
		lo, hi = min(lo, c.Marker.Value), max(hi, c.Marker.Value)
	}
	fr := newFrame(c.ID, "usage", title(c.Title), c.Format, c.Height, c.Marker != nil, minBars, days, lo, hi)
	dec := c.Format.decimals()
	var marks, extra strings.Builder
	for i, p := range c.Points {
		if p.Value == 0 {
			continue
		}
		marks.WriteString(bar(fr, i, 0, int64(p.Value), blue, day(p.Day)+": "+withUnit(exact(p.Value, dec), c.Format)))
	}
	desc := []string{barsDesc(fr.title, c.Points, c.Format)}
	if m := c.Marker; m != nil {
		label := m.Label
		if label == "" {
			label = withUnit(rounded(m.Value, dec), c.Format)
		}
		// The level across the bars, and its key in the legend row
		// above them, where no bar can cover its words.
		y := num(fr.y(int64(m.Value)))
		extra.WriteString(`<g class="coffer-chart-marker" stroke="` + ink + `" stroke-width="1.5" stroke-dasharray="6 4">` +
			`<line x1="0" x2="100%" y1="` + y + `" y2="` + y + `"/><line x1="0" x2="24" y1="11" y2="11"/></g>`)
		extra.WriteString(`<g class="coffer-chart-legend" fill="` + ink + `"><text x="30" y="15">` + text(label) + `</text></g>`)
		desc = append(desc, "A dashed line marks "+label+".")
	}
	if c.Note != "" {
		desc = append(desc, c.Note)
	}
	fr.desc = strings.Join(desc, " ")
	note := ""
	if c.Note != "" {
		note = text(c.Note)
	}
	return Figure{id: fr.id, svg: fr.svg(marks.String(), extra.String()), note: note,
		table: table(fr.title, []string{"Day", headed(c.Label, "Amount", c.Format)}, days,
			func(i int) []string { return []string{exact(c.Points[i].Value, dec)} })}
}

// bar is day i's bar from value from to value to (either side of zero),
// at least a pixel tall so a small figure still shows, with its words as
// the title a pointer shows.
func bar(fr *frame, i int, from, to int64, fill, words string) string {
	y0, y1 := math.Round(fr.yIn(from)), math.Round(fr.yIn(to)) // whole pixels: crisp edges
	top, h := min(y0, y1), max(y0, y1)-min(y0, y1)
	if h < 1 {
		if to < from {
			top = y0
		} else {
			top = y0 - 1
		}
		h = 1
	}
	return `<rect x="` + num(float64(i)+0.15) + `" y="` + num(top) + `" width="0.7" height="` + num(h) + `" fill="` + fill + `"><title>` +
		text(words) + `</title></rect>`
}

// barsDesc describes a daily series of bars: its days, total, highest
// day and the days with none.
func barsDesc(title string, ps []Point, f Format) string {
	if len(ps) < 2 {
		return seriesDesc(title, ps, f)
	}
	dec := f.decimals()
	days, _, _ := pointDays(ps)
	var total money.Amount
	hi, none := 0, 0
	overflow := false
	for i, p := range ps {
		s, err := total.Add(p.Value)
		if err != nil {
			overflow = true
		}
		total = s
		if p.Value > ps[hi].Value {
			hi = i
		}
		if p.Value == 0 {
			none++
		}
	}
	unit := ""
	if f.Unit != "" {
		unit = ", in " + f.Unit
	}
	out := title + ", " + span(days) + unit + ": "
	if !overflow {
		out += "total " + exact(total, dec) + ", "
	}
	out += "highest " + exact(ps[hi].Value, dec) + " on " + day(ps[hi].Day)
	switch none {
	case 0:
	case 1:
		out += ", none on 1 day"
	default:
		out += ", none on " + strconv.Itoa(none) + " days"
	}
	return out + "."
}
