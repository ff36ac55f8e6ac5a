package report_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/report"
)

// The balance at the end of each day, from the postings, is the balance
// the ledger's own state had then: through grants that expire (before
// and after the sweep), grants that take effect later, voids and debits
// into debt. The reference is the live state's balance, taken as the
// history passes each day's end.
func TestBalancesAreTheLedgersBalance(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		h := newHistory()
		day0 := time.Date(t0.Year(), t0.Month(), t0.Day(), 0, 0, 0, 0, time.UTC)
		const days = 12
		var ends []time.Time
		for i := range days {
			ends = append(ends, day0.AddDate(0, 0, i+1).Add(-time.Microsecond))
		}
		want := make([]money.Amount, days)
		next := 0
		pass := func(to time.Time) { // read each day's end the history moves past
			for next < days && ends[next].Before(to) {
				want[next] = h.st.Balance(ends[next]).Balance
				next++
			}
		}
		for range rapid.IntRange(1, 50).Draw(rt, "steps") {
			to := h.now.Add(time.Duration(rapid.IntRange(0, 20).Draw(rt, "hours")) * time.Hour)
			pass(to)
			h.now = to
			n := money.FromMicros(rapid.Int64Range(1, 40_000_000).Draw(rt, "amount"))
			switch rapid.IntRange(0, 5).Draw(rt, "op") {
			case 0:
				g := ledger.Grant{Kind: ledger.Monetary, Amount: n, Category: ledger.Paid, Priority: ledger.DefaultPriority,
					Application: ledger.Realtime, Origin: ledger.OriginGrant}
				if rapid.Bool().Draw(rt, "promo") {
					g.Category = ledger.Promotional
				}
				if rapid.Bool().Draw(rt, "expires") {
					g.ExpiresAt = h.now.Add(time.Duration(rapid.IntRange(1, 60).Draw(rt, "ttl")) * time.Hour)
				}
				if rapid.Bool().Draw(rt, "later") {
					g.EffectiveAt = h.now.Add(time.Duration(rapid.IntRange(1, 60).Draw(rt, "delay")) * time.Hour)
				}
				if e, err := h.st.Grant(h.env(), g); err == nil {
					h.keep(e)
				}
			case 1:
				g := ledger.Grant{Kind: ledger.Units, Unit: "sms", Amount: n, Category: ledger.Paid, Priority: ledger.DefaultPriority,
					Application: ledger.Realtime, Origin: ledger.OriginGrant}
				if e, err := h.st.Grant(h.env(), g); err == nil {
					h.keep(e)
				}
			case 2, 3:
				if e, err := h.st.Debit(h.env(), ledger.Debit{Amount: n, AllowNegative: rapid.Bool().Draw(rt, "served")}); err == nil {
					h.keep(e)
				}
			case 4:
				h.keep(h.st.Expire(h.env())...)
			case 5:
				if len(h.st.Lots) > 0 {
					l := rapid.SampledFrom(h.st.Lots).Draw(rt, "lot")
					if e, err := h.st.Void(h.env(), l.ID, "test", "admin"); err == nil {
						h.keep(e)
					}
				}
			}
		}
		pass(ends[days-1].Add(time.Hour))

		b := report.NewBalances(ends)
		order := rand.New(rand.NewPCG(uint64(len(h.txns)), 7)).Perm(len(h.txns)) // the store does not sort: neither may the sum care
		for _, i := range order {
			b.Add(h.txns[i])
		}
		var lots []*ledger.Lot
		for _, l := range h.lots {
			lots = append(lots, l)
		}
		got := b.Balances(lots)
		for i := range days {
			if got[i] != want[i] {
				rt.Fatalf("day %d (%s): balance %s from the postings, the ledger had %s", i, ends[i].Format(time.RFC3339), got[i], want[i])
			}
		}
	})
}

// A transaction on a day's last microsecond counts that day; one a
// microsecond later counts the next.
func TestBalancesDayEdges(t *testing.T) {
	h := newHistory()
	end := time.Date(2030, 1, 16, 0, 0, 0, 0, time.UTC).Add(-time.Microsecond)
	h.now = end
	h.grant(t, ledger.Grant{Amount: amt("10")})
	h.now = end.Add(time.Microsecond)
	h.debit(t, ledger.Debit{Amount: amt("4")})
	b := report.NewBalances([]time.Time{end.Add(-time.Microsecond), end, end.Add(24 * time.Hour)})
	for _, x := range h.txns {
		b.Add(x)
	}
	var lots []*ledger.Lot
	for _, l := range h.lots {
		lots = append(lots, l)
	}
	got := b.Balances(lots)
	if got[0] != 0 || got[1] != amt("10") || got[2] != amt("6") {
		t.Fatalf("balances %v, want [0 10 6]", got)
	}
}
