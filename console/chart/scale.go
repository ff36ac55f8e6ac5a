package chart

import "github.com/cofferdev/coffer/money"

// axisLimit bounds, in micro-units, the figures an axis spans: four
// trillion units, twice the deepest balance the ledger allows
// (ledger/README.md, "Bounds"). Inside it every tick and every sum of
// ticks fits an int64; a figure past it is drawn at the edge and the
// table still gives it exactly.
const axisLimit = 4_000_000_000_000_000_000

// axis is a value axis: ticks from lo to hi, step apart, in micro-units.
type axis struct {
	lo, hi, step int64
}

// niceAxis covers lo, hi and zero with ticks 1, 2 or 5 × 10^k micro-units
// apart, never finer than the currency's smallest unit (so every tick
// label is exact with dec decimals), and about intervals intervals. A
// range with nothing in it (all zero) is drawn from 0 to one whole unit.
func niceAxis(lo, hi money.Amount, dec, intervals int) axis {
	l, h := clamp(min(int64(lo), 0)), clamp(max(int64(hi), 0))
	if l == h {
		h = 1_000_000
	}
	span := uint64(h - l) // at most 2·axisLimit: fits
	rough := (span + uint64(intervals) - 1) / uint64(max(intervals, 1))
	step := int64(5_000_000_000_000_000_000)
search:
	for p := pow10(money.Scale - dec); p <= 1_000_000_000_000_000_000; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if uint64(m*p) >= rough {
				step = m * p
				break search
			}
		}
	}
	return axis{lo: floorTo(l, step), hi: ceilTo(h, step), step: step}
}

// ticks lists the axis's tick values, lowest first.
func (a axis) ticks() []int64 {
	var out []int64
	for v := a.lo; v <= a.hi; v += a.step {
		out = append(out, v)
		if a.hi-v < a.step { // the next would pass hi (or wrap)
			break
		}
	}
	return out
}

// y places v on a vertical span of height pixels starting at top: hi at
// the top, lo at the bottom. Floats, because this is drawing.
func (a axis) y(v int64, top, height float64) float64 {
	v = min(max(clamp(v), a.lo), a.hi)
	return top + (float64(a.hi)-float64(v))/(float64(a.hi)-float64(a.lo))*height
}

func clamp(v int64) int64 { return min(max(v, -axisLimit), axisLimit) }

// floorTo rounds v down to a multiple of step; ceilTo rounds up. With
// |v| ≤ axisLimit and step ≤ 5·10^18 neither leaves the int64 range.
func floorTo(v, step int64) int64 {
	q := v / step
	if v%step != 0 && v < 0 {
		q--
	}
	return q * step
}

func ceilTo(v, step int64) int64 {
	q := v / step
	if v%step != 0 && v > 0 {
		q++
	}
	return q * step
}

// dayStep is how many days apart the labels under the axis are, so that
// n days get at most maxLabels of them: a label every 1, 2 or 3 days, or
// every 1, 2, 4, 8 or 13 weeks.
func dayStep(n, maxLabels int) int {
	for _, s := range []int{1, 2, 3, 7, 14, 28, 56, 91} {
		if (n+s-1)/s <= maxLabels {
			return s
		}
	}
	return (n + maxLabels - 1) / maxLabels
}
