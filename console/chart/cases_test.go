package chart

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// The charts the golden files and the XML test draw: every kind, full,
// with one point and empty, in debt, in a currency without decimals, and
// with hostile text.

var start = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func days(n int, value func(i int) money.Amount) []Point {
	out := make([]Point, n)
	for i := range out {
		out[i] = Point{Day: start.AddDate(0, 0, i), Value: value(i)}
	}
	return out
}

// balance90 runs a balance down from 500.00 with a top-up on day 40 and
// into debt over the last days.
func balance90(i int) money.Amount {
	v := int64(500_000_000) - int64(i)*9_370_000
	if i >= 40 {
		v += 250_000_000
	}
	return money.Amount(v)
}

// usage90 is a weekly rhythm of usage, quieter at weekends, none on
// some days.
func usage90(i int) money.Amount {
	if i%17 == 5 {
		return 0
	}
	base := int64(8_000_000 + (i*7919)%13*750_000)
	if i%7 >= 5 {
		base /= 3
	}
	return money.Amount(base + 7_500) // not a whole cent: the table shows it exactly
}

func credits(n int) []StackedDay {
	out := make([]StackedDay, n)
	for i := range out {
		paid := money.Amount(int64(4_000_000 + (i*3571)%6_000_000))
		promo := money.Amount(0)
		if i < n/2 {
			promo = money.Amount(int64(2_500_000 - i*50_000))
		}
		if i%11 == 3 {
			paid = 0
		}
		out[i] = StackedDay{Day: start.AddDate(0, 0, i), Values: []money.Amount{paid, promo}}
	}
	return out
}

type chartCase struct {
	name string
	draw func() Figure
}

func chartCases() []chartCase {
	usd, jpy := ForCurrency("USD"), ForCurrency("JPY")
	runway := Runway{PerDay: 12_403_333, Days: 23, Until: start.AddDate(0, 0, 112)}
	return []chartCase{
		{"balance", func() Figure {
			return Line(LineChart{ID: "balance", Title: "Balance at the end of each day", Label: "Balance", Format: usd, Points: days(90, balance90)})
		}},
		{"balance-positive", func() Figure {
			return Line(LineChart{Title: "Balance at the end of each day", Label: "Balance", Format: usd,
				Points: days(30, func(i int) money.Amount { return money.Amount(int64(1_200_000_000 - i*15_000_000)) })})
		}},
		{"balance-single", func() Figure {
			return Line(LineChart{Title: "Balance at the end of each day", Format: usd, Points: days(1, func(int) money.Amount { return 42_500_000 })})
		}},
		{"balance-empty", func() Figure {
			return Line(LineChart{Title: "Balance at the end of each day", Format: usd})
		}},
		{"balance-jpy", func() Figure {
			return Line(LineChart{Title: "Balance", Format: jpy, Height: 200,
				Points: days(14, func(i int) money.Amount { return money.Amount(int64(120_000-i*9_500) * 1_000_000) })})
		}},
		{"usage", func() Figure {
			return Bars(BarChart{Title: "Usage per day", Label: "Usage", Format: usd, Points: days(90, usage90),
				Marker: runway.Marker(usd), Note: runway.Note(usd)})
		}},
		{"usage-none", func() Figure {
			none := Runway{Reason: "no usage in the measured window: nothing burns the balance"}
			return Bars(BarChart{Title: "Usage per day", Format: usd, Points: days(30, func(int) money.Amount { return 0 }),
				Marker: none.Marker(usd), Note: none.Note(usd)})
		}},
		{"usage-single", func() Figure {
			return Bars(BarChart{Title: "Usage per day", Format: usd, Points: days(1, func(int) money.Amount { return 3_000_000 })})
		}},
		{"credits", func() Figure {
			return Stacked(StackedChart{Title: "Credit used per day", Format: usd, Series: []string{"Paid", "Promotional"}, Days: credits(30)})
		}},
		{"credits-empty", func() Figure {
			return Stacked(StackedChart{Title: "Credit used per day", Format: usd, Series: []string{"Paid", "Promotional"}})
		}},
		{"credits-given-back", func() Figure {
			d := credits(3)
			d[1].Values = []money.Amount{-2_000_000, 1_000_000}
			d[2].Values = []money.Amount{5_000_000} // promotional missing: zero
			return Stacked(StackedChart{Title: "Credit used per day", Format: ForUnit("sms"), Series: []string{"Paid", "Promotional"}, Days: d})
		}},
		{"hostile", func() Figure {
			return Bars(BarChart{ID: `x" onload="alert(1)`, Title: "<script>alert('t')</script> & \"q\"\x00\x1b",
				Label: "</td><td>", Format: Format{Unit: "<b>U</b>", Decimals: 9}, Note: "a < b & c > d",
				Marker: &Marker{Value: 1_000_000, Label: "<i>m</i>"},
				Points: days(3, func(i int) money.Amount { return money.Amount(int64(i) * 1_000_001) })})
		}},
	}
}
