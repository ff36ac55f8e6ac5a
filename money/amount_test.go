package money

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseString(t *testing.T) {
	tests := []struct {
		in     string
		micros int64
		out    string // String of the parsed amount
	}{
		{"0", 0, "0.00"},
		{"0.00", 0, "0.00"},
		{"000", 0, "0.00"},
		{"25", 25_000_000, "25.00"},
		{"25.00", 25_000_000, "25.00"},
		{"25.5", 25_500_000, "25.50"},
		{"0.0075", 7_500, "0.0075"},
		{"0.000001", 1, "0.000001"},
		{"-0.000001", -1, "-0.000001"},
		{"-3.2", -3_200_000, "-3.20"},
		{"-3.20", -3_200_000, "-3.20"},
		{"007.10", 7_100_000, "7.10"},
		{"1.123456", 1_123_456, "1.123456"},
		{"1.100000", 1_100_000, "1.10"},
		{"9223372036854.775807", math.MaxInt64, "9223372036854.775807"},
		{"-9223372036854.775807", -math.MaxInt64, "-9223372036854.775807"},
		{"0000000000000000000000001", 1_000_000, "1.00"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if a.Micros() != tt.micros {
				t.Fatalf("Parse(%q) = %d micros, want %d", tt.in, a.Micros(), tt.micros)
			}
			if got := a.String(); got != tt.out {
				t.Fatalf("String() = %q, want %q", got, tt.out)
			}
			b, err := Parse(a.String())
			if err != nil || b != a {
				t.Fatalf("Parse(String()) = %v, %v; want %v", b, err, a)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		in   string
		want string // a fragment of the error message
	}{
		{"", "empty"},
		{"1.1234567", "more than 6 decimal places"},
		{"0.0000001", "more than 6 decimal places"},
		{"1e5", "not a decimal number"},
		{"1E5", "not a decimal number"},
		{"1.5e2", "not a decimal number"},
		{"NaN", "not a decimal number"},
		{"nan", "not a decimal number"},
		{"Inf", "not a decimal number"},
		{"-Inf", "not a decimal number"},
		{"+1", "not a decimal number"},
		{" 1", "not a decimal number"},
		{"1 ", "not a decimal number"},
		{"1. 5", "not a decimal number"},
		{"1.5 ", "not a decimal number"},
		{"1 000", "not a decimal number"},
		{"1,000.00", "not a decimal number"},
		{"1_000", "not a decimal number"},
		{"0x10", "not a decimal number"},
		{".5", "not a decimal number"},
		{"5.", "not a decimal number"},
		{".", "not a decimal number"},
		{"-", "not a decimal number"},
		{"--1", "not a decimal number"},
		{"-.5", "not a decimal number"},
		{"1.2.3", "not a decimal number"},
		{"１", "not a decimal number"}, // a full-width digit is not a digit
		{"-0", "negative zero"},
		{"-0.00", "negative zero"},
		{"-0.000000", "negative zero"},
		{"9223372036854.775808", "out of range"},
		{"-9223372036854.775808", "out of range"},
		{"9223372036855", "out of range"},
		{"10000000000000", "out of range"},
		{"99999999999999999999999999", "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.in, a)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse(%q) error %q does not mention %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustParse(\"x\") did not panic")
		}
	}()
	MustParse("x")
}

func TestAddSub(t *testing.T) {
	const max, min = Amount(math.MaxInt64), Amount(math.MinInt64)
	tests := []struct {
		a, b    Amount
		sum     Amount
		sumErr  bool
		diff    Amount
		diffErr bool
	}{
		{MustParse("1.50"), MustParse("2.25"), MustParse("3.75"), false, MustParse("-0.75"), false},
		{0, 0, 0, false, 0, false},
		{max, 0, max, false, max, false},
		{max, 1, 0, true, max - 1, false},
		{max, -1, max - 1, false, 0, true},
		{min, -1, 0, true, min + 1, false},
		{min, 1, min + 1, false, 0, true},
		{0, min, min, false, 0, true},
		{-1, min, 0, true, max, false},
		{max, max, 0, true, 0, false},
		{max, min, -1, false, 0, true},
	}
	for _, tt := range tests {
		s, err := tt.a.Add(tt.b)
		if tt.sumErr {
			if !errors.Is(err, ErrOverflow) {
				t.Errorf("%d + %d = %d, %v; want ErrOverflow", tt.a, tt.b, s, err)
			}
		} else if err != nil || s != tt.sum {
			t.Errorf("%d + %d = %d, %v; want %d", tt.a, tt.b, s, err, tt.sum)
		}
		d, err := tt.a.Sub(tt.b)
		if tt.diffErr {
			if !errors.Is(err, ErrOverflow) {
				t.Errorf("%d - %d = %d, %v; want ErrOverflow", tt.a, tt.b, d, err)
			}
		} else if err != nil || d != tt.diff {
			t.Errorf("%d - %d = %d, %v; want %d", tt.a, tt.b, d, err, tt.diff)
		}
	}
}

func TestMul(t *testing.T) {
	tests := []struct {
		a, b string
		want string // "" means ErrOverflow
	}{
		{"3", "0.0075", "0.0225"},
		{"1000", "0.0075", "7.50"},
		{"2.5", "4", "10.00"},
		{"0", "123.456789", "0.00"},
		{"-2", "1.5", "-3.00"},
		{"-2", "-1.5", "3.00"},
		// 0.5 micro rounds away from zero, either sign.
		{"0.5", "0.000001", "0.000001"},
		{"-0.5", "0.000001", "-0.000001"},
		{"0.5", "-0.000001", "-0.000001"},
		// Just under half a micro rounds towards zero.
		{"0.499999", "0.000001", "0.00"},
		{"-0.499999", "0.000001", "0.00"},
		{"0.000001", "0.000001", "0.00"},
		{"1.234567", "0.5", "0.617284"},   // 0.6172835 → half up
		{"-1.234567", "0.5", "-0.617284"}, // half away from zero
		{"0.333333", "3", "0.999999"},
		{"9223372036854.775807", "1", "9223372036854.775807"},
		{"-9223372036854.775807", "1", "-9223372036854.775807"},
		{"9223372036854.775807", "1.000001", ""},
		{"3037000.499976", "3037000.499976", "9223372036854.473976"}, // just fits
		{"3037000.499977", "3037000.499977", ""},                     // just does not
		{"1000000", "10000000", ""},
		{"-1000000", "10000000", ""},
		{"9223372036854.775807", "9223372036854.775807", ""},
	}
	for _, tt := range tests {
		got, err := Mul(MustParse(tt.a), MustParse(tt.b))
		if tt.want == "" {
			if !errors.Is(err, ErrOverflow) {
				t.Errorf("Mul(%s, %s) = %s, %v; want ErrOverflow", tt.a, tt.b, got, err)
			}
			continue
		}
		if err != nil || got != MustParse(tt.want) {
			t.Errorf("Mul(%s, %s) = %s, %v; want %s", tt.a, tt.b, got, err, tt.want)
		}
	}
}

func TestHelpers(t *testing.T) {
	if FromInt(25) != MustParse("25") || FromMicros(7500) != MustParse("0.0075") {
		t.Fatal("FromInt/FromMicros disagree with Parse")
	}
	a := MustParse("-3.20")
	if a.Sign() != -1 || a.Neg().Sign() != 1 || Zero.Sign() != 0 || !Zero.IsZero() || a.IsZero() {
		t.Fatal("Sign/IsZero/Neg wrong")
	}
	if a.Abs() != MustParse("3.2") || a.Neg().Abs() != MustParse("3.2") {
		t.Fatal("Abs wrong")
	}
	if got := Amount(math.MinInt64).String(); got != "-9223372036854.775808" {
		t.Fatalf("String(MinInt64) = %q", got)
	}
}

func TestJSON(t *testing.T) {
	type body struct {
		Amount Amount  `json:"amount"`
		Opt    *Amount `json:"opt,omitempty"`
	}
	b, err := json.Marshal(body{Amount: MustParse("25")})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"amount":"25.00"}` {
		t.Fatalf("Marshal = %s", b)
	}
	b, _ = json.Marshal(map[string]Amount{"x": MustParse("-0.0075")})
	if string(b) != `{"x":"-0.0075"}` {
		t.Fatalf("Marshal = %s", b)
	}

	var got body
	if err := json.Unmarshal([]byte(`{"amount":"0.0075","opt":"1"}`), &got); err != nil {
		t.Fatal(err)
	}
	if got.Amount != MustParse("0.0075") || got.Opt == nil || *got.Opt != MustParse("1") {
		t.Fatalf("Unmarshal = %+v", got)
	}

	for _, in := range []string{
		`{"amount":25}`,
		`{"amount":25.5}`,
		`{"amount":1e3}`,
		`{"amount":"1e3"}`,
		`{"amount":"25.0000001"}`,
		`{"amount":"NaN"}`,
		`{"amount":""}`,
		`{"amount":" 1"}`,
		`{"amount":true}`,
	} {
		var v body
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("Unmarshal(%s) = %+v, want an error", in, v)
		}
	}
}
