package money

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// textBefore is how String spelled an amount before it appended digits
// itself; the text must stay the same byte for byte, since stored answers
// and clients compare it.
func textBefore(a Amount) string {
	neg := a < 0
	u := uint64(a)
	if neg {
		u = uint64(-a)
	}
	whole, frac := u/unit, u%unit
	fs := strings.TrimRight(fmt.Sprintf("%06d", frac), "0")
	for len(fs) < 2 {
		fs += "0"
	}
	s := fmt.Sprintf("%d.%s", whole, fs)
	if neg {
		return "-" + s
	}
	return s
}

func TestAmountTextUnchanged(t *testing.T) {
	check := func(a Amount) {
		t.Helper()
		want := textBefore(a)
		if got := a.String(); got != want {
			t.Fatalf("String(%d) = %q, want %q", int64(a), got, want)
		}
		if b, _ := a.MarshalText(); string(b) != want {
			t.Fatalf("MarshalText(%d) = %q, want %q", int64(a), b, want)
		}
		if b := a.appendText([]byte("x")); string(b) != "x"+want {
			t.Fatalf("appendText(%d) = %q, want %q", int64(a), b, "x"+want)
		}
	}
	for _, a := range []Amount{0, 1, -1, 10, 100_000, 500_000, 999_999, 1_000_000, -1_000_000, 7_500,
		1_234_560, 1_000_001, Max, -Max, math.MinInt64, math.MaxInt64} {
		check(a)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		check(Amount(r.Int64() >> r.IntN(63)))
		check(-Amount(r.Int64N(10_000_000_000)))
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = Amount(-1_234_567).MarshalText() }); n > 1 {
		t.Errorf("MarshalText allocates %v times, want at most 1", n)
	}
}
