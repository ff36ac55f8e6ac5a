package money

import (
	"strings"
	"testing"
)

// FuzzParse checks that every string either is refused or parses to an
// amount whose String re-parses to the same amount, and that a parsed
// amount's text never carries more than six decimals or a plus sign.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"0", "0.00", "25", "25.00", "-3.2", "0.0075", "0.000001", "-0.000001",
		"1.1234567", "1e5", "NaN", "+1", " 1", "1 ", "", "-", ".", "-0", "-0.0",
		"9223372036854.775807", "-9223372036854.775807", "9223372036854.775808",
		"99999999999999999999", "0000000000000000000001.5", "1.2.3", "１", "\x00",
		"922337203686", "9223372036854", "-922337203685.4775807",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("Parse(%q): empty error text", s)
			}
			return
		}
		out := a.String()
		b, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) = %d, but its String %q does not parse: %v", s, a, out, err)
		}
		if b != a {
			t.Fatalf("Parse(%q) = %d; Parse(String) = %d", s, a, b)
		}
		if out2 := b.String(); out2 != out {
			t.Fatalf("String not stable: %q then %q", out, out2)
		}
		whole, frac, _ := strings.Cut(strings.TrimPrefix(out, "-"), ".")
		if len(frac) < 2 || len(frac) > Scale || whole == "" || strings.ContainsAny(out, "+eE ") {
			t.Fatalf("String() = %q is not canonical", out)
		}
		// Text and amount agree on the sign.
		if (a < 0) != strings.HasPrefix(out, "-") {
			t.Fatalf("sign lost: %d formats as %q", a, out)
		}
	})
}
