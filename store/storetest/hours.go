package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// Reads over the hourly sums: what each lot held at an instant, and an
// account's postings split into periods, against the same sums taken
// from the journal, at bounds on, inside and a microsecond either side of
// hour boundaries, several inside one hour.

// hoursHistory is two accounts' grants, debits (one into debt), units and
// a void, spread over four hours at odd minutes and on the hour.
func hoursHistory(f *fixture) (a, b string) {
	a, b = f.account().ID, f.account(func(x *coffer.Account) { x.Currency = "EUR" }).ID
	f.now = t0.Add(-7 * time.Minute) // 08:53
	l := f.mustApply(a, grant(ledger.Grant{Amount: amt("100")})).Lots[0]
	f.mustApply(a, grant(ledger.Grant{Kind: ledger.Units, Unit: "sms", Amount: amt("40")}))
	f.mustApply(b, grant(ledger.Grant{Amount: amt("50"), Category: ledger.Promotional}))
	for i, step := range []time.Duration{7 * time.Minute, 0, 11 * time.Minute, 49 * time.Minute, time.Microsecond, 95 * time.Minute} {
		f.tick(step) // 09:00 twice, 09:11, 10:00, 10:00.000001, 11:35
		f.mustApply(a, debit(ledger.Debit{Amount: amt("3.5")}))
		f.mustApply(a, debit(ledger.Debit{Unit: "sms", Quantity: amt("2"), UnitPrice: amt("0.1")}))
		f.mustApply(b, debit(ledger.Debit{Amount: amt("12"), AllowNegative: i >= 4})) // into debt from 10:00.000001
	}
	f.tick(20 * time.Minute) // 11:55
	f.mustApply(a, func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) {
		return st.Void(env, l.ID, "test", "admin")
	})
	return a, b
}

// journalSums is what the postings of [from, to) put in each lot (and
// under "" the receivables) and the money debits and captures used, from
// the journal.
func journalSums(t *testing.T, s store.Store, accountID string, from, to time.Time) store.PeriodSums {
	t.Helper()
	out := store.PeriodSums{Lots: map[string]money.Amount{}}
	err := s.ScanTxns(t.Context(), store.TxnScan{AccountID: accountID, From: from, To: to}, func(x *ledger.Txn) error {
		for _, p := range x.Postings {
			if p.Book != ledger.BookCustomer && p.Book != ledger.BookReceivables {
				continue
			}
			if accountID == "" && p.Book == ledger.BookReceivables {
				continue
			}
			out.Lots[p.LotID] += p.Amount
			if (x.Type == ledger.TxnDebit || x.Type == ledger.TxnCapture) && !strings.HasPrefix(p.Asset, "unit:") {
				out.Usage -= p.Amount
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testLotSumsAt(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a, _ := hoursHistory(f)
	for _, at := range hourBounds() {
		for _, id := range []string{a, ""} {
			got, err := s.LotSumsAt(f.ctx, id, at)
			if err != nil {
				t.Fatal(err)
			}
			want := journalSums(t, s, id, time.Time{}, at.Add(time.Microsecond)).Lots
			delete(want, "")
			same(t, "lot sums of "+id+" at "+at.Format(time.RFC3339Nano), got, want)
		}
	}
	if got, err := s.LotSumsAt(f.ctx, "acct_unknown", t0); err != nil || len(got) != 0 {
		t.Fatalf("an unknown account's lots: %v, %v", got, err)
	}
}

func testSumPeriods(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a, b := hoursHistory(f)
	bounds := hourBounds()
	for _, id := range []string{a, b} {
		for _, from := range []time.Time{{}, bounds[0], bounds[1], bounds[3], bounds[4]} {
			var ends []time.Time
			for _, e := range bounds {
				if from.IsZero() || e.After(from) {
					ends = append(ends, e)
				}
			}
			got, err := s.SumPeriods(f.ctx, id, from, ends)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]store.PeriodSums, len(ends))
			for i := range ends {
				start := from
				if i > 0 {
					start = ends[i-1]
				}
				want[i] = journalSums(t, s, id, start, ends[i])
			}
			same(t, "periods of "+id+" from "+from.Format(time.RFC3339Nano), got, want)
		}
	}
	if _, err := s.SumPeriods(f.ctx, a, time.Time{}, []time.Time{t0, t0}); err == nil {
		t.Error("ends that do not ascend were taken")
	}
}

// hourBounds are instants around hoursHistory's postings: before them,
// on the hour, a microsecond either side of it, several inside one hour
// and after them all.
func hourBounds() []time.Time {
	h := t0 // 09:00
	return []time.Time{h.Add(-time.Hour), h.Add(-time.Microsecond), h, h.Add(time.Microsecond), h.Add(5 * time.Minute),
		h.Add(11 * time.Minute), h.Add(11*time.Minute + time.Microsecond), h.Add(40 * time.Minute), h.Add(time.Hour),
		h.Add(time.Hour + time.Microsecond), h.Add(2 * time.Hour), h.Add(2*time.Hour + 35*time.Minute),
		h.Add(2*time.Hour + 55*time.Minute), h.Add(2*time.Hour + 56*time.Minute), h.Add(5 * time.Hour)}
}
