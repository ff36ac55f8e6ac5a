package chart

import (
	"strconv"
	"strings"
	"time"

	"github.com/cofferdev/coffer/money"
)

// The colours: calm, and each at least 3:1 against white for marks and
// 4.5:1 for text (WCAG 2.2 AA, 1.4.3 and 1.4.11). Presentation
// attributes, so a page's CSS may restyle them through the classes.
const (
	ink       = "#1f2933" // titles, the marker: 14.8:1
	muted     = "#52606d" // axis labels: 6.5:1
	gridColor = "#e4e7eb" // gridlines: decoration, not information
	zeroColor = "#7b8794" // the zero line: 3.7:1
	blue      = "#2f6fb0" // the series: 5.2:1
	red       = "#b83232" // below zero, debt: 5.9:1
)

// palette colours stacked series, bottom first: dark blue (8.3:1) and
// orange (3.2:1, and 2.6:1 against the blue, with a white gap between
// them), then green and purple.
func palette(i int) string {
	return [...]string{"#1f4e8c", "#d07a12", "#2e7d4f", "#7b4fa0"}[i%4]
}

// Layout in pixels. The SVG is as wide as its container and this tall;
// only the marks stretch with the width.
const (
	defaultHeight = 240
	minHeight     = 160
	topMargin     = 28 // room for the top tick's label
	legendRow     = 22 // the stacked chart's legend, above that
	bottomMargin  = 26 // the day labels
	intervals     = 4  // about this many gridline intervals
	maxDayLabels  = 5  // a label is about 40 px wide: five fit in 260 px
	minBars       = 7  // a bar chart's width holds at least a week
	font          = `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="12"`
)

// frame is what every chart shares: the image's size, its value axis,
// its days and its text.
type frame struct {
	id, title, desc string
	f               Format
	height          int
	top, plotH      float64
	days            []time.Time
	ax              axis
	// bands is how many days the width holds: at least the days, more
	// for a few bars, so one day's bar is not a slab across the page;
	// the days sit in the middle, off bands from the left.
	bands, off float64
}

func newFrame(id, fallbackID, title string, f Format, height int, legend bool, minBands int, days []time.Time, lo, hi money.Amount) *frame {
	if height == 0 {
		height = defaultHeight
	}
	height = max(height, minHeight)
	top := float64(topMargin)
	if legend {
		top += legendRow
	}
	bands := float64(max(len(days), minBands, 1))
	return &frame{id: safeID(id, fallbackID), title: title, f: f, height: height, top: top,
		plotH: float64(height) - top - bottomMargin, days: days, ax: niceAxis(lo, hi, f.decimals(), intervals),
		bands: bands, off: (bands - float64(len(days))) / 2}
}

// y is a value's height in the image.
func (fr *frame) y(v int64) float64 { return fr.ax.y(v, fr.top, fr.plotH) }

// yIn is a value's height inside the plot.
func (fr *frame) yIn(v int64) float64 { return fr.ax.y(v, 0, fr.plotH) }

// x is the middle of day i, as a share of the width.
func (fr *frame) x(i int) float64 { return fr.edge(float64(i) + 0.5) }

// edge is a place in the plot, in days from the first day's left edge,
// as a share of the width.
func (fr *frame) edge(d float64) float64 { return (fr.off + d) / fr.bands * 100 }

// svg draws the image: its name and description, the gridlines, then
// marks (inside a plot whose x unit is one day and whose y unit is one
// pixel), then over them the labels and extra (legend, marker).
func (fr *frame) svg(marks, extra string) string {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="coffer-chart-svg" width="100%" height="` + strconv.Itoa(fr.height) +
		`" role="img" aria-labelledby="` + fr.id + `-title" aria-describedby="` + fr.id + `-desc" ` + font + `>`)
	b.WriteString(`<title id="` + fr.id + `-title">` + text(fr.title) + `</title>`)
	b.WriteString(`<desc id="` + fr.id + `-desc">` + text(fr.desc) + `</desc>`)
	ticks := fr.ax.ticks()
	b.WriteString(`<g class="coffer-chart-grid">`)
	for _, t := range ticks {
		stroke := gridColor
		if t == 0 {
			stroke = zeroColor
		}
		y := num(fr.y(t))
		b.WriteString(`<line x1="0" x2="100%" y1="` + y + `" y2="` + y + `" stroke="` + stroke + `" stroke-width="1"/>`)
	}
	b.WriteString(`</g>`)
	b.WriteString(`<svg class="coffer-chart-plot" x="0" y="` + num(fr.top) + `" width="100%" height="` + num(fr.plotH) +
		`" viewBox="` + num(-fr.off) + ` 0 ` + num(fr.bands) + ` ` + num(fr.plotH) + `" preserveAspectRatio="none" overflow="visible">`)
	b.WriteString(marks)
	b.WriteString(`</svg>`)
	// Axis labels sit just above their gridline at the left, with a white
	// halo so a bar under one does not hide it.
	b.WriteString(`<g class="coffer-chart-axis" fill="` + muted + `" stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">`)
	for i, t := range ticks {
		label := rounded(money.Amount(t), fr.f.decimals())
		if i == len(ticks)-1 {
			label = withUnit(label, fr.f)
		}
		b.WriteString(`<text x="2" y="` + num(fr.y(t)-5) + `">` + text(label) + `</text>`)
	}
	b.WriteString(`</g>`)
	b.WriteString(fr.dayLabels())
	if len(fr.days) == 0 {
		b.WriteString(`<text x="50%" y="` + num(fr.top+fr.plotH/2) + `" text-anchor="middle" fill="` + muted + `">No figures for these days</text>`)
	}
	b.WriteString(extra)
	b.WriteString(`</svg>`)
	return b.String()
}

// dayLabels writes the days under the plot, counted back from the last
// so that the latest day is always named, with a short tick above each.
func (fr *frame) dayLabels() string {
	n := len(fr.days)
	if n == 0 {
		return ""
	}
	bottom := fr.top + fr.plotH
	var b strings.Builder
	b.WriteString(`<g class="coffer-chart-days" fill="` + muted + `">`)
	step := dayStep(n, maxDayLabels)
	for i := n - 1; i >= 0; i -= step {
		x := fr.x(i)
		b.WriteString(`<line x1="` + pct(x) + `" x2="` + pct(x) + `" y1="` + num(bottom) + `" y2="` + num(bottom+4) + `" stroke="` + zeroColor + `"/>`)
		// A label about 40 px wide, centred near an edge, would be cut:
		// there it starts at its day's left edge or ends at its right.
		anchor, at := "middle", pct(x)
		switch {
		case n > 1 && x < 8:
			anchor, at = "start", pct(fr.edge(float64(i)))
		case n > 1 && x > 92:
			anchor, at = "end", pct(fr.edge(float64(i+1)))
		}
		b.WriteString(`<text x="` + at + `" y="` + num(bottom+18) + `" text-anchor="` + anchor + `">` + text(shortDate(fr.days[i])) + `</text>`)
	}
	b.WriteString(`</g>`)
	return b.String()
}

// table writes the figures as a table in a <details> element: a row per
// day, headed by the day.
func table(caption string, head []string, days []time.Time, cells func(i int) []string) string {
	if len(days) == 0 {
		return `<p class="coffer-chart-data">` + text(caption) + `: no figures for these days.</p>`
	}
	var b strings.Builder
	b.WriteString(`<details class="coffer-chart-data"><summary>Show the figures as a table</summary><table><caption>` + text(caption) + `</caption><thead><tr>`)
	for _, h := range head {
		b.WriteString(`<th scope="col">` + text(h) + `</th>`)
	}
	b.WriteString(`</tr></thead><tbody>`)
	for i, d := range days {
		b.WriteString(`<tr><th scope="row">` + text(day(d)) + `</th>`)
		for _, c := range cells(i) {
			b.WriteString(`<td>` + text(c) + `</td>`)
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table></details>`)
	return b.String()
}

// span says which days a chart covers, for its description.
func span(days []time.Time) string {
	switch len(days) {
	case 0:
		return ""
	case 1:
		return "on " + day(days[0])
	}
	return strconv.Itoa(len(days)) + " days from " + day(days[0]) + " to " + day(days[len(days)-1])
}

// headed is the table's header for a figure: its name and unit.
func headed(label, fallback string, f Format) string {
	if label == "" {
		label = fallback
	}
	if f.Unit != "" {
		label += " (" + f.Unit + ")"
	}
	return label
}
