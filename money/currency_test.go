package money

import "testing"

func TestParseCurrency(t *testing.T) {
	ok := map[string]Currency{"USD": "USD", "usd": "USD", "Eur": "EUR", " gbp ": "GBP", "JPY": "JPY"}
	for in, want := range ok {
		got, err := ParseCurrency(in)
		if err != nil || got != want {
			t.Errorf("ParseCurrency(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "US", "USDX", "XXX", "XAU", "US D", "$", "dollar"} {
		if got, err := ParseCurrency(in); err == nil {
			t.Errorf("ParseCurrency(%q) = %q, want an error", in, got)
		}
	}
}
