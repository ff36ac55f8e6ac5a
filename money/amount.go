// Package money holds Coffer's exact fixed-point amount type.
//
// An Amount is a count of micro-units (one millionth of a currency unit or of
// a named usage unit) held in an int64. There are no floats anywhere in this
// package: text is parsed digit by digit and every arithmetic operation is
// checked for overflow, because a silently wrapped balance is worse than a
// refused request.
package money

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Scale is the number of fractional digits an Amount carries.
const Scale = 6

// unit is the number of micro-units in one whole unit.
const unit = 1_000_000

// Amount is an exact decimal with six fractional digits, stored as micro-units.
type Amount int64

// Zero is the zero amount.
const Zero Amount = 0

// Max is the largest representable amount (about 9.2 trillion).
const Max Amount = math.MaxInt64

// ErrOverflow reports an arithmetic result outside the range of Amount.
var ErrOverflow = errors.New("amount out of range")

// FromInt returns n whole units.
func FromInt(n int64) Amount { return Amount(n * unit) }

// FromMicros returns an amount of n micro-units.
func FromMicros(n int64) Amount { return Amount(n) }

// Micros returns the amount as a count of micro-units.
func (a Amount) Micros() int64 { return int64(a) }

// Sign returns -1, 0 or 1.
func (a Amount) Sign() int {
	switch {
	case a < 0:
		return -1
	case a > 0:
		return 1
	}
	return 0
}

// IsZero reports whether a is zero.
func (a Amount) IsZero() bool { return a == 0 }

// Neg returns -a. Negating the most negative value overflows, so it is
// clamped to the range by construction: Parse never produces it.
func (a Amount) Neg() Amount { return -a }

// Abs returns |a|.
func (a Amount) Abs() Amount {
	if a < 0 {
		return -a
	}
	return a
}

// Add returns a+b, or ErrOverflow.
func (a Amount) Add(b Amount) (Amount, error) {
	s := a + b
	if (s > a) != (b > 0) {
		return 0, ErrOverflow
	}
	return s, nil
}

// Sub returns a-b, or ErrOverflow.
func (a Amount) Sub(b Amount) (Amount, error) {
	s := a - b
	if (s < a) != (b > 0) {
		return 0, ErrOverflow
	}
	return s, nil
}

// Mul returns a*b rounded half away from zero to six decimals: quantity ×
// unit price. Both factors carry six decimals, so the exact product carries
// twelve; it is computed in 128 bits and rounded once.
func Mul(a, b Amount) (Amount, error) {
	neg := (a < 0) != (b < 0)
	ua, ub := uint64(a.Abs()), uint64(b.Abs())
	hi, lo := bits.Mul64(ua, ub)
	if hi >= unit {
		return 0, ErrOverflow
	}
	q, r := bits.Div64(hi, lo, unit)
	if r >= unit/2 {
		q++
	}
	if q > math.MaxInt64 {
		return 0, ErrOverflow
	}
	if neg {
		return -Amount(q), nil
	}
	return Amount(q), nil
}

// String formats the amount with at least two and at most six decimals,
// dropping trailing zeros past the second: "25.00", "0.0075", "-3.20".
func (a Amount) String() string {
	var buf [maxText]byte
	return string(a.appendText(buf[:0]))
}

// maxText is the longest text of an amount: a minus sign, the 13 whole
// digits of the int64 range, the point and six decimals.
const maxText = 1 + 13 + 1 + Scale

// appendText appends the amount's decimal string to b: at least two
// decimals and at most six, trailing zeros beyond two dropped ("25.00",
// "0.0075", "-3.20"). String and MarshalText share it so that each makes
// one allocation, the text itself: an answer carries several amounts.
func (a Amount) appendText(b []byte) []byte {
	u := uint64(a)
	if a < 0 {
		b = append(b, '-')
		u = uint64(-a) // correct for MinInt64 too, as unsigned
	}
	whole, frac := u/unit, u%unit
	b = strconv.AppendUint(b, whole, 10)
	b = append(b, '.')
	// Six digits with their leading zeros, then trailing zeros trimmed
	// down to two.
	var digits [Scale]byte
	for i := Scale - 1; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := Scale
	for n > 2 && digits[n-1] == '0' {
		n--
	}
	return append(b, digits[:n]...)
}

// Parse reads a decimal string such as "25", "25.00", "-3.2" or "0.0075".
// It accepts an optional leading minus sign, digits, and at most six
// fractional digits; anything else (exponents, spaces, "NaN", a plus sign,
// more than six decimals, a negative zero, a value out of range) is an error
// whose text says what is wrong, fit to show to the person who sent it.
func Parse(s string) (Amount, error) {
	if s == "" {
		return 0, errors.New("is empty; expected a decimal string such as \"25.00\"")
	}
	neg := false
	body := s
	if body[0] == '-' {
		neg, body = true, body[1:]
	}
	whole, frac, hasDot := strings.Cut(body, ".")
	if whole == "" || (hasDot && frac == "") {
		return 0, fmt.Errorf("%q is not a decimal number; expected digits such as \"25.00\"", s)
	}
	if len(frac) > Scale {
		return 0, fmt.Errorf("%q has more than %d decimal places", s, Scale)
	}
	var w uint64
	for _, c := range whole {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a decimal number; expected digits such as \"25.00\"", s)
		}
		if w > (math.MaxInt64/unit)/10+1 {
			return 0, fmt.Errorf("%q is out of range", s)
		}
		w = w*10 + uint64(c-'0')
	}
	var f uint64
	for i := 0; i < Scale; i++ {
		f *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("%q is not a decimal number; expected digits such as \"25.00\"", s)
			}
			f += uint64(c - '0')
		}
	}
	hi, lo := bits.Mul64(w, unit)
	lo, carry := bits.Add64(lo, f, 0)
	if hi != 0 || carry != 0 || lo > math.MaxInt64 {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	if neg {
		if lo == 0 {
			// A minus sign on zero is most likely a sign error upstream: refuse it
			// rather than guess.
			return 0, fmt.Errorf("%q is a negative zero; write \"0\" instead", s)
		}
		return -Amount(lo), nil
	}
	return Amount(lo), nil
}

// MustParse is Parse for constants in tests and defaults; it panics on error.
func MustParse(s string) Amount {
	a, err := Parse(s)
	if err != nil {
		panic("money.MustParse: " + err.Error())
	}
	return a
}

// MarshalText encodes the amount as its decimal string.
func (a Amount) MarshalText() ([]byte, error) {
	return a.appendText(make([]byte, 0, maxText)), nil
}

// UnmarshalText decodes a decimal string. JSON numbers are refused on purpose:
// amounts travel as strings so that no client rounds them through a float.
func (a *Amount) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
