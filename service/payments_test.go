package service

import (
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// The failure ladder, rung by rung: each failure waits for the first level
// (75, 50, 25, 0% of the threshold) below the balance it failed at; a
// failure at zero or below exhausts it and suspends an active account.
func TestClimb(t *testing.T) {
	m := money.MustParse
	for _, tc := range []struct {
		name      string
		balance   string
		retryAt   string
		exhausted bool
		suspended bool
	}{
		{"first fall", "90", "75", false, false},
		{"at the 75% rung", "75", "50", false, false},
		{"skipped rungs", "30", "25", false, false},
		{"just above zero", "0.01", "0", false, false},
		{"at zero", "0", "0", true, true},
		{"in debt", "-3.20", "0", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ar := &coffer.AutoRecharge{Threshold: m("100")}
			a := &coffer.Account{Status: ledger.StatusActive}
			var events []string
			climb(ar, a, m(tc.balance), time.Now(), map[string]any{}, func(typ string, _ map[string]any) { events = append(events, typ) })
			if ar.Failures != 1 || ar.Exhausted != tc.exhausted || (!tc.exhausted && ar.RetryAt != m(tc.retryAt)) {
				t.Fatalf("ladder %+v", ar)
			}
			if got := a.Status == ledger.StatusSuspended; got != tc.suspended || ar.Suspended != tc.suspended {
				t.Fatalf("suspended %v (marked %v), want %v", got, ar.Suspended, tc.suspended)
			}
			want := 1
			if tc.suspended {
				want = 2
			}
			if len(events) != want || events[0] != EventRechargeFailed {
				t.Fatalf("events %v", events)
			}
		})
	}
	// An account an operator suspended is not suspended again, nor marked
	// as the ladder's to lift.
	ar := &coffer.AutoRecharge{Threshold: m("100")}
	a := &coffer.Account{Status: ledger.StatusSuspended}
	climb(ar, a, m("0"), time.Now(), map[string]any{}, func(string, map[string]any) {})
	if ar.Suspended {
		t.Fatal("the ladder claimed an operator's suspension")
	}
}

func TestTierMax(t *testing.T) {
	c := PaymentsConfig{TierMax: map[int]money.Amount{1: money.MustParse("250"), 3: money.MustParse("5000")}}
	for tier, want := range map[int]string{0: "", 1: "250", 2: "250", 3: "5000", 9: "5000"} {
		got, ok := c.tierMax(tier)
		if ok != (want != "") || (ok && got != money.MustParse(want)) {
			t.Errorf("tier %d: %s %v, want %q", tier, got, ok, want)
		}
	}
}

func TestNextRun(t *testing.T) {
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	for _, tc := range []struct{ now, want string }{
		{"2026-03-02T09:00:00Z", "2026-03-10T00:00:00Z"},
		{"2026-03-10T00:00:00Z", "2026-04-10T00:00:00Z"},
		{"2026-03-10T00:00:01Z", "2026-04-10T00:00:00Z"},
		{"2026-12-20T00:00:00Z", "2027-01-10T00:00:00Z"},
	} {
		if got := nextRun(at(tc.now), 10); !got.Equal(at(tc.want)) {
			t.Errorf("nextRun(%s) = %s, want %s", tc.now, got, tc.want)
		}
	}
}
