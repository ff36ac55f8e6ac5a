package chart

import (
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cofferdev/coffer/money"
)

// exact writes a as the table shows it: grouped thousands, at least dec
// decimals and every further non-zero one, so no figure is rounded.
func exact(a money.Amount, dec int) string {
	whole, frac, neg := split(a)
	digits := strings.TrimRight(frac, "0")
	if len(digits) < dec {
		digits += strings.Repeat("0", dec-len(digits))
	}
	return join(neg, whole, digits)
}

// rounded writes a rounded half away from zero to dec decimals, for a
// label (an average, an axis tick); the table keeps the exact figure.
func rounded(a money.Amount, dec int) string {
	step := pow10(money.Scale - dec)
	r := int64(a) % step
	v := int64(a) - r
	if 2*absInt(r) >= step {
		if a < 0 {
			v -= step
		} else {
			v += step
		}
	}
	if (a < 0) != (v < 0) && v != 0 { // rounding past the range wrapped round
		v = int64(a) - r
	}
	whole, frac, neg := split(money.Amount(v))
	return join(neg, whole, frac[:dec])
}

// split cuts a into its whole part and six fractional digits.
func split(a money.Amount) (whole uint64, frac string, neg bool) {
	neg = a < 0
	u := uint64(a)
	if neg {
		u = -u // as unsigned, right for the most negative value too
	}
	f := strconv.FormatUint(u%1_000_000, 10)
	return u / 1_000_000, strings.Repeat("0", money.Scale-len(f)) + f, neg
}

func join(neg bool, whole uint64, frac string) string {
	s := group(whole)
	if frac != "" {
		s += "." + frac
	}
	if neg {
		return "-" + s
	}
	return s
}

// group writes n with a comma between thousands.
func group(n uint64) string {
	s := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func absInt(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// withUnit appends the format's unit to an amount's text.
func withUnit(s string, f Format) string {
	if f.Unit == "" {
		return s
	}
	return s + " " + f.Unit
}

// Day labels: short under the axis, whole in the description and table.
const (
	shortDay = "2 Jan"
	longDay  = "2 Jan 2006"
)

func day(t time.Time) string       { return t.UTC().Format(longDay) }
func shortDate(t time.Time) string { return t.UTC().Format(shortDay) }

// text makes a caller's string safe to place in the markup: valid UTF-8,
// no character XML 1.0 forbids, and &, <, >, ' and " escaped.
func text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20, r == 0xFFFE, r == 0xFFFF:
			return -1
		}
		return r
	}, s)
	return html.EscapeString(s)
}

// safeID keeps the letters, digits, '-' and '_' of id, so it can name
// elements and be referred to; an id that does not start with a letter
// gets the prefix "chart-".
func safeID(id, fallback string) string {
	if id == "" {
		id = fallback
	}
	var b strings.Builder
	for _, r := range id {
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		s = "chart-" + s
	}
	return s
}

// num writes a coordinate with at most two decimals and no trailing
// zeros: pixels and day bands, not money.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// pct writes a position across the chart's width, 0 to 100.
func pct(f float64) string {
	s := strconv.FormatFloat(f, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		s = "0"
	}
	return s + "%"
}
