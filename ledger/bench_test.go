package ledger_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// benchState is an account with n live lots of the given unit ("" for
// money), varied in priority, expiry and category so that ordering them is
// real work, each large enough that no benchmark run depletes it.
func benchState(b *testing.B, n int, unit string) (*ledger.State, ledger.Env) {
	b.Helper()
	s := &ledger.State{Account: ledger.Account{ID: "acct_1", Currency: "USD", Status: ledger.StatusActive, CreditLimit: ledger.NoCreditLimit}}
	seq := 0
	env := ledger.Env{Now: t0, NewID: func(prefix string) string {
		seq++
		return fmt.Sprintf("%s_%08d", prefix, seq)
	}}
	for i := range n {
		g := ledger.Grant{Kind: ledger.Monetary, Unit: unit, Amount: money.FromInt(1_000_000),
			Category: ledger.Paid, Priority: 10 + i%3*40, Application: ledger.Realtime}
		if unit != "" {
			g.Kind = ledger.Units
		}
		if i%2 == 1 {
			g.Category = ledger.Promotional
		}
		if i%4 != 0 {
			g.ExpiresAt = t0.Add(time.Duration(365-i) * 24 * time.Hour)
		}
		if _, err := s.Grant(env, g); err != nil {
			b.Fatal(err)
		}
	}
	// Ids are a constant from here on so that allocations counted are the
	// core's own, not the test's id formatting.
	env.NewID = func(prefix string) string { return prefix + "_bench" }
	return s, env
}

// BenchmarkDebit measures one strict monetary debit, the hot path's
// per-request cost in the pure core.
func BenchmarkDebit(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("lots=%d", n), func(b *testing.B) {
			s, env := benchState(b, n, "")
			d := ledger.Debit{EventID: "evt_1", Amount: money.MustParse("0.0075")}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Debit(env, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDebitUnits measures one strict unit debit met by unit credits,
// with as many monetary lots beside them that it must pass over.
func BenchmarkDebitUnits(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("lots=%d", n), func(b *testing.B) {
			s, env := benchState(b, n, "sms")
			m, _ := benchState(b, n, "")
			s.Lots = append(s.Lots, m.Lots...)
			d := ledger.Debit{EventID: "evt_1", Unit: "sms", Quantity: money.FromInt(1), UnitPrice: money.MustParse("0.0075")}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Debit(env, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
