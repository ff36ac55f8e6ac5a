package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// testLargeAccount loads an account of 200 lots and 60 holds the way a
// committer does, for one instant: only the first lots in consumption
// order, the lots and holds every rule must see, the holds the batch
// names, and the totals. It runs debits, a unit debit, a capture, a
// release and a void of lots and holds that were not loaded, and the
// expiry sweep, beside the same operations on the whole state read apart:
// every posting, total and figure must agree, the batch must write what
// the whole state holds, and coffer check must pass.
func testLargeAccount(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	var deep *ledger.Lot
	var holds []*ledger.Hold
	f.mustBatch([]string{a.ID}, func(sts map[string]*ledger.State, w *writes) error {
		st := sts[a.ID]
		add := func(o op) *ledger.Effect {
			e, err := o(st, f.env())
			if err != nil {
				t.Fatalf("seed: %v", err)
			}
			w.add(st, e)
			return e
		}
		for i := range 150 {
			cat := []ledger.Category{ledger.Paid, ledger.Promotional}[i%2]
			e := add(grant(ledger.Grant{Amount: amt("1.00"), Priority: 10 + i%5, Category: cat,
				ExpiresAt: f.now.Add(time.Duration(10+i%40) * 24 * time.Hour)}))
			if i == 140 {
				deep = e.Lots[0]
			}
		}
		for i := range 40 {
			add(grant(ledger.Grant{Kind: ledger.Units, Unit: []string{"gb", "sms"}[i%2], Amount: amt("1")}))
		}
		add(grant(ledger.Grant{Amount: amt("5"), EffectiveAt: f.now.Add(2 * time.Hour)}))                     // scheduled
		add(grant(ledger.Grant{Amount: amt("7"), Priority: 90, ExpiresAt: f.now.Add(time.Hour)}))             // lapses unswept
		add(grant(ledger.Grant{Amount: amt("9"), Category: ledger.Promotional, Priority: 1}))                 // the first to consume
		add(grant(ledger.Grant{Amount: amt("50"), Application: ledger.TrueUp, Category: ledger.Promotional})) // a gift
		for i := range 60 {
			ttl := 3 * time.Hour
			if i == 0 {
				ttl = 30 * time.Minute // lapses unswept
			}
			holds = append(holds, add(hold(ledger.HoldRequest{Amount: amt("0.01"), TTL: ttl, EventID: fmt.Sprint("h-", i)})).Holds[0])
		}
		return nil
	})
	f.tick(90 * time.Minute)

	whole, err := s.LoadState(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := s.LoadBalance(f.ctx, a.ID, f.now); err != nil || !reflect.DeepEqual(b, whole.Balance(f.now)) {
		t.Fatalf("LoadBalance: %+v, %v;\nthe whole state's balance: %+v", b, err, whole.Balance(f.now))
	}
	ops := []struct {
		name string
		o    op
	}{
		{"debit", debit(ledger.Debit{EventID: "big", Amount: amt("30.50")})},
		{"unit debit", debit(ledger.Debit{EventID: "sms", Unit: "sms", Quantity: amt("12"), UnitPrice: amt("0.10")})},
		{"capture", func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) {
			return st.Capture(env, holds[5].ID, amt("0.02"), "")
		}},
		{"release", func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) { return st.Release(env, holds[7].ID) }},
		{"void", func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) {
			return st.Void(env, deep.ID, "a lot far down the order", "")
		}},
		{"grant", grant(ledger.Grant{Amount: amt("3")})},
		{"hold", hold(ledger.HoldRequest{Amount: amt("2"), TTL: time.Hour})},
	}
	postings := func(e *ledger.Effect) []ledger.Posting {
		if e == nil || e.Txn == nil {
			return nil
		}
		return e.Txn.Postings
	}
	err = s.Batch(f.ctx, func(b store.Batch) error {
		l, err := b.Load(f.ctx, []string{a.ID}, store.Lookup{Now: f.now, HoldIDs: []string{holds[5].ID}})
		if err != nil {
			return err
		}
		st := l.States[a.ID]
		if !st.Partial() {
			return fmt.Errorf("an account of %d lots and %d holds was loaded whole", len(whole.Lots), len(whole.Holds))
		}
		// Two prefixes of 16 and the scheduled, lapsed and gift lots; the
		// lapsed hold and the one named: a bound, not the account.
		if len(st.Lots) > 16+16+3 || len(st.Holds) > 2 {
			return fmt.Errorf("a large account's batch loaded %d lots and %d holds", len(st.Lots), len(st.Holds))
		}
		if err := sameAsWhole("loaded", st, whole, f.now); err != nil {
			return err
		}
		w := &writes{}
		for _, o := range ops {
			pe, perr := o.o(st, namedEnv(f.now, o.name))
			we, werr := o.o(whole, namedEnv(f.now, o.name))
			if (perr == nil) != (werr == nil) {
				return fmt.Errorf("%s: partial state %v, whole state %v", o.name, perr, werr)
			}
			if perr != nil {
				return fmt.Errorf("%s: %v", o.name, perr)
			}
			same(t, o.name+" postings", postings(pe), postings(we))
			w.add(st, pe)
		}
		exp, wexp := st.Expire(namedEnv(f.now, "expire")), whole.Expire(namedEnv(f.now, "expire"))
		if len(exp) != 2 || len(wexp) != 2 {
			return fmt.Errorf("the sweep expired %d lots and holds, the whole state %d; want the lapsed lot and hold", len(exp), len(wexp))
		}
		w.add(st, exp...)
		same(t, "expired lot's postings", postings(exp[0]), postings(wexp[0]))
		if err := sameAsWhole("after the operations", st, whole, f.now); err != nil {
			return err
		}
		return b.Write(f.ctx, &w.Writes)
	})
	if err != nil {
		t.Fatal(err)
	}
	wantLoaded(t, f, whole)
	checkClean(t, s)
}

// testLargeAccountOfMoneyOnly loads an account of 100 lots of money and
// no gift, unit lot or hold, whose reads a store may leave out because
// the account row's totals say they find nothing: a debit that consumes
// far past the first lots loaded, and a unit debit the account has no
// units for, must come out as on the whole state.
func testLargeAccountOfMoneyOnly(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	f.mustBatch([]string{a.ID}, func(sts map[string]*ledger.State, w *writes) error {
		st := sts[a.ID]
		for i := range 100 {
			e, err := grant(ledger.Grant{Amount: amt("1.00"), Priority: 10 + i%7, ExpiresAt: f.now.Add(time.Duration(1+i) * time.Hour)})(st, f.env())
			if err != nil {
				return err
			}
			w.add(st, e)
		}
		return nil
	})
	whole, err := s.LoadState(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Batch(f.ctx, func(b store.Batch) error {
		l, err := b.Load(f.ctx, []string{a.ID}, store.Lookup{Now: f.now})
		if err != nil {
			return err
		}
		st := l.States[a.ID]
		if !st.Partial() || len(st.Lots) > 16 {
			return fmt.Errorf("an account of 100 lots was loaded with %d lots (partial: %v)", len(st.Lots), st.Partial())
		}
		w := &writes{}
		for _, d := range []ledger.Debit{
			{EventID: "sms", Unit: "sms", Quantity: amt("3"), UnitPrice: amt("0.10")}, // no unit lots: paid in money
			{EventID: "deep", Amount: amt("62.50")},                                   // past the first lots loaded
		} {
			pe, perr := debit(d)(st, namedEnv(f.now, d.EventID))
			we, werr := debit(d)(whole, namedEnv(f.now, d.EventID))
			if perr != nil || werr != nil {
				return fmt.Errorf("debit %s: partial state %v, whole state %v", d.EventID, perr, werr)
			}
			same(t, d.EventID+" postings", pe.Txn.Postings, we.Txn.Postings)
			w.add(st, pe)
		}
		if err := sameAsWhole("after the debits", st, whole, f.now); err != nil {
			return err
		}
		return b.Write(f.ctx, &w.Writes)
	})
	if err != nil {
		t.Fatal(err)
	}
	wantLoaded(t, f, whole)
	checkClean(t, s)
}

// sameAsWhole reports how a partial state's balance or totals differ from
// the whole state's, after what.
func sameAsWhole(what string, st, whole *ledger.State, at time.Time) error {
	if reflect.DeepEqual(st.Balance(at), whole.Balance(at)) && st.Totals().Equal(whole.Totals()) {
		return nil
	}
	return fmt.Errorf("%s, partial state: balance %+v, totals %+v;\nwhole state: balance %+v, totals %+v",
		what, st.Balance(at), st.Totals(), whole.Balance(at), whole.Totals())
}

// namedEnv numbers the ids it makes after name, so that a partial and a
// whole state running the same operation get the same ids and what the
// batch writes can be compared with the whole state.
func namedEnv(at time.Time, name string) ledger.Env {
	n := 0
	return ledger.Env{Now: at, NewID: func(p string) string { n++; return fmt.Sprintf("%s_zz%s%03d", p, name, n) }}
}
