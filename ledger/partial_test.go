package ledger_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// The partial harness: in a partial run the book's State is what a store
// holds, and every operation runs instead on a partial State loaded from
// it as a store loads one (the first k lots of each consumption order, the
// lots every rule must see, the totals over the rest), whose effects are
// then written back as a store writes them. After every operation the
// partial state's figures must equal the stored state's.

// do runs an operation on the book's state, or in a partial run on a
// partial state loaded from it, and writes the effect back.
func (b *book) do(fn func(s *ledger.State) (*ledger.Effect, error)) (*ledger.Effect, error) {
	if b.partial < 0 {
		return fn(b.s)
	}
	v := b.view()
	e, err := fn(v)
	b.storeBack(v, e)
	return e, err
}

// doAll is do for operations of many effects (Expire).
func (b *book) doAll(fn func(s *ledger.State) []*ledger.Effect) []*ledger.Effect {
	if b.partial < 0 {
		return fn(b.s)
	}
	v := b.view()
	es := fn(v)
	b.storeBack(v, es...)
	return es
}

// active are the stored state's active lots.
func active(s *ledger.State) []*ledger.Lot {
	var out []*ledger.Lot
	for _, l := range s.Lots {
		if l.Status == ledger.LotActive {
			out = append(out, l)
		}
	}
	return out
}

// stream is the stored active realtime lots of one unit ("" for money)
// in consumption order, as the store's index gives them.
func stream(s *ledger.State, unit string) []*ledger.Lot {
	var out []*ledger.Lot
	for _, l := range active(s) {
		if l.Application == ledger.Realtime && ((unit == "" && l.Kind == ledger.Monetary) || (unit != "" && l.Kind == ledger.Units && l.Unit == unit)) {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, ledger.ConsumptionOrder)
	return out
}

func copyLots(ls []*ledger.Lot) []*ledger.Lot {
	out := make([]*ledger.Lot, len(ls))
	for i, l := range ls {
		c := *l
		out[i] = &c
	}
	return out
}

// view loads a partial state from the stored one at the book's now.
func (b *book) view() *ledger.State {
	full, k, now := b.s, b.partial, b.now
	l := ledger.Load{Account: full.Account, Alerts: full.Alerts, Totals: full.Totals(), At: now,
		Source: &testSource{s: full}}
	money := stream(full, "")
	l.Money, l.MoneyAll = copyLots(money[:min(k, len(money))]), len(money) <= k
	var units []*ledger.Lot
	for _, x := range active(full) {
		if x.Kind == ledger.Units {
			units = append(units, x)
		}
	}
	slices.SortFunc(units, func(a, c *ledger.Lot) int {
		if a.Unit != c.Unit {
			if a.Unit < c.Unit {
				return -1
			}
			return 1
		}
		return ledger.ConsumptionOrder(a, c)
	})
	l.Units, l.UnitsAll = copyLots(units[:min(k, len(units))]), len(units) <= k
	loaded := map[string]bool{}
	for _, x := range append(slices.Clone(l.Money), l.Units...) {
		loaded[x.ID] = true
	}
	for _, x := range active(full) {
		if x.Application == ledger.TrueUp || !x.Usable(now) {
			l.Others = append(l.Others, copyLots([]*ledger.Lot{x})...)
			loaded[x.ID] = true
		}
	}
	for _, x := range active(full) {
		if x.Kind == ledger.Monetary && x.Application == ledger.Realtime && x.Usable(now) &&
			!x.ExpiresAt.IsZero() && x.ExpiresAt.Sub(now) <= ledger.ExpiringSoonWindow {
			l.ExpiringSoon += x.Remaining
		}
	}
	for _, h := range full.Holds {
		if len(full.Holds) <= k || !h.Reserving(now) {
			c := *h
			l.Holds = append(l.Holds, &c)
		}
	}
	v, err := ledger.Partial(l)
	if err != nil {
		b.t.Fatalf("partial load: %v", err)
	}
	return v
}

// storeBack writes the effects into the stored state as a store does:
// the account's fields, every lot and hold an effect names, a finished
// hold leaving the live ones. Then it checks that the partial state's
// figures are the stored state's.
func (b *book) storeBack(v *ledger.State, es ...*ledger.Effect) {
	b.t.Helper()
	full := b.s
	full.Account = v.Account
	for _, e := range es {
		if e == nil {
			continue
		}
		for _, l := range e.Lots {
			if i := slices.IndexFunc(full.Lots, func(x *ledger.Lot) bool { return x.ID == l.ID }); i >= 0 {
				*full.Lots[i] = *l
			} else {
				c := *l
				full.Lots = append(full.Lots, &c)
			}
		}
		for _, h := range e.Holds {
			i := slices.IndexFunc(full.Holds, func(x *ledger.Hold) bool { return x.ID == h.ID })
			switch {
			case i >= 0 && h.Status != ledger.HoldActive:
				full.Holds = slices.Delete(full.Holds, i, i+1)
			case i >= 0:
				*full.Holds[i] = *h
			case h.Status == ledger.HoldActive:
				c := *h
				full.Holds = append(full.Holds, &c)
			}
		}
	}
	if got, want := v.Totals(), full.Totals(); !got.Equal(want) {
		b.t.Fatalf("partial state's totals %+v, the stored state's %+v", got, want)
	}
	if got, want := v.LedgerBalance(), full.LedgerBalance(); got != want {
		b.t.Fatalf("partial state's ledger balance %s, the stored state's %s", got, want)
	}
	if got, want := v.Balance(b.now), full.Balance(b.now); !reflect.DeepEqual(got, want) {
		b.t.Fatalf("partial state's balance\n %+v\nthe stored state's\n %+v", got, want)
	}
}

// testSource is the store behind a partial state: the stored state, read
// as the store's queries read it, returning copies.
type testSource struct {
	s     *ledger.State
	calls int
}

func (t *testSource) Lots(unit string, after *ledger.Lot, n int) ([]*ledger.Lot, error) {
	t.calls++
	var out []*ledger.Lot
	for _, l := range stream(t.s, unit) {
		if after == nil || ledger.ConsumptionOrder(l, after) > 0 {
			out = append(out, l)
		}
		if len(out) == n {
			break
		}
	}
	return copyLots(out), nil
}

func (t *testSource) Lot(id string) (*ledger.Lot, error) {
	for _, l := range t.s.Lots {
		if l.ID == id {
			return copyLots([]*ledger.Lot{l})[0], nil
		}
	}
	return nil, nil
}

func (t *testSource) Hold(id string) (*ledger.Hold, error) {
	for _, h := range t.s.Holds {
		if h.ID == id {
			c := *h
			return &c, nil
		}
	}
	return nil, nil
}

func (t *testSource) All() ([]*ledger.Lot, []*ledger.Hold, error) {
	var hs []*ledger.Hold
	for _, h := range t.s.Holds {
		c := *h
		hs = append(hs, &c)
	}
	return copyLots(active(t.s)), hs, nil
}

// TestPartialAsksForWhatItConsumes builds an account of 5,000 lots and
// 3,000 holds and checks that a debit, a grant and a hold on a partial
// state of it read only the few lots they need, and that the figures are
// the whole state's.
func TestPartialAsksForWhatItConsumes(t *testing.T) {
	b := newBook(t, "0")
	for i := range 5000 {
		b.grant("", ledger.Grant{Amount: amt("1.00"), Priority: 10 + i%7, ExpiresAt: t0.Add(time.Duration(100+i%50) * 24 * time.Hour),
			Category: []ledger.Category{ledger.Paid, ledger.Promotional}[i%2]})
	}
	for range 3000 {
		if _, err := b.hold("0.01", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	whole := b.s
	src := &testSource{s: whole}
	load := func() *ledger.State {
		m := stream(whole, "")
		v, err := ledger.Partial(ledger.Load{Account: whole.Account, Totals: whole.Totals(), At: b.now,
			Money: copyLots(m[:16]), Holds: nil, Source: src})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := load()
	if got, want := v.Balance(b.now), whole.Balance(b.now); !reflect.DeepEqual(got, want) {
		t.Fatalf("balance %+v, whole %+v", got, want)
	}
	e, err := v.Debit(b.env(), ledger.Debit{Amount: amt("20.50")})
	if err != nil {
		t.Fatal(err)
	}
	if src.calls != 1 || len(v.Lots) != 16+16 {
		t.Fatalf("a debit of 21 lots read the store %d times and loaded %d lots; want once, 32", src.calls, len(v.Lots))
	}
	if n := len(e.Txn.Postings); n != 22 {
		t.Fatalf("the debit has %d postings, want 21 lots and revenue", n)
	}
	// The same debit on the whole state takes the same lots.
	we, err := whole.Debit(b.env(), ledger.Debit{Amount: amt("20.50")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range e.Txn.Postings {
		if e.Txn.Postings[i].LotID != we.Txn.Postings[i].LotID || e.Txn.Postings[i].Amount != we.Txn.Postings[i].Amount {
			t.Fatalf("posting %d: partial %+v, whole %+v", i, e.Txn.Postings[i], we.Txn.Postings[i])
		}
	}
	v = load()
	src.calls = 0
	if _, err := v.Grant(b.env(), ledger.Grant{Kind: ledger.Monetary, Amount: amt("5"), Category: ledger.Paid, Priority: 50,
		Application: ledger.Realtime}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.PlaceHold(b.env(), ledger.HoldRequest{Amount: amt("1"), TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if src.calls != 0 || len(v.Lots) != 17 || len(v.Holds) != 1 {
		t.Fatalf("a grant and a hold read the store %d times, hold %d lots and %d holds; want none, 17, 1", src.calls, len(v.Lots), len(v.Holds))
	}
	want := whole.Totals()
	want.Paid += amt("5")
	want.Lots++
	want.Held += amt("1")
	want.Holds++
	if got := v.Totals(); !got.Equal(want) || got.Holds != 3001 || got.Held != money.MustParse("31.00") {
		t.Fatalf("totals %+v, want %+v", got, want)
	}
}
