package chart

import (
	"strconv"
	"strings"
	"time"

	"github.com/cofferdev/coffer/money"
)

// Runway is how long a balance lasts at its burn rate, as the service's
// runway gives it, for the usage chart's marker and note.
type Runway struct {
	PerDay    money.Amount // the burn rate: the average usage per day
	Available money.Amount // what may still be spent: when it is none, the balance has run out
	Days      int64        // whole days the balance lasts; read when Reason is empty
	Until     time.Time    // when it runs out; zero leaves the date out
	Reason    string       // why there is no date (no usage, too far off), in the API's words
}

// Marker is the burn rate as a level across the usage bars, or nil when
// nothing burns.
func (r Runway) Marker(f Format) *Marker {
	if r.PerDay <= 0 {
		return nil
	}
	return &Marker{Value: r.PerDay, Label: "average " + rounded(r.PerDay, f.decimals()) + "/day"}
}

// Note is the runway in a sentence: "At 12.40 USD a day the balance
// lasts about 23 days, until 25 Mar 2026."
func (r Runway) Note(f Format) string {
	if r.Reason != "" {
		return sentence(r.Reason)
	}
	if r.Days < 1 && r.Available <= 0 {
		return "The balance has run out; usage averages " + withUnit(rounded(r.PerDay, f.decimals()), f) + " a day."
	}
	s := "At " + withUnit(rounded(r.PerDay, f.decimals()), f) + " a day the balance lasts "
	switch {
	case r.Days < 1:
		s += "less than a day"
	case r.Days == 1:
		s += "about 1 day"
	default:
		s += "about " + strconv.FormatInt(r.Days, 10) + " days"
	}
	if !r.Until.IsZero() {
		s += ", until " + day(r.Until)
	}
	return s + "."
}

// sentence starts s with a capital and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if c := s[0]; c >= 'a' && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
