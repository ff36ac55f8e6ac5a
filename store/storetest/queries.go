package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// Reads of the ledger: lists with filters and pages, StateAt, AccountsDue.

func testListLots(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a, other := f.account(), f.account()
	f.mustApply(other.ID, grant(ledger.Grant{Amount: amt("1")}))
	var all, units, sms, promo []string
	add := func(g ledger.Grant) *ledger.Lot {
		l := f.mustApply(a.ID, grant(g)).Lots[0]
		all = append(all, l.ID)
		if l.Kind == ledger.Units {
			units = append(units, l.ID)
		}
		if l.Unit == "sms" {
			sms = append(sms, l.ID)
		}
		if l.Category == ledger.Promotional {
			promo = append(promo, l.ID)
		}
		f.tick(time.Millisecond)
		return l
	}
	first := add(ledger.Grant{Amount: amt("1"), Priority: 1})
	for range 2 {
		add(ledger.Grant{Amount: amt("10")})
	}
	for range 2 {
		add(ledger.Grant{Amount: amt("5"), Category: ledger.Promotional})
	}
	for range 2 {
		add(ledger.Grant{Kind: ledger.Units, Unit: "sms", Amount: amt("100")})
	}
	gb := add(ledger.Grant{Kind: ledger.Units, Unit: "gb", Amount: amt("2"), Category: ledger.Promotional})
	f.mustApply(a.ID, debit(ledger.Debit{Amount: amt("1")})) // uses up `first` (priority 1)
	for _, l := range [][]string{all, units, sms, promo} {
		slices.Sort(l)
	}

	list := func(fl store.LotFilter) []string {
		t.Helper()
		var ids []string
		for {
			page, more, err := s.ListLots(f.ctx, a.ID, fl)
			if err != nil {
				t.Fatalf("list lots: %v", err)
			}
			if fl.Limit > 0 && len(page) > fl.Limit {
				t.Fatalf("page of %d, limit %d", len(page), fl.Limit)
			}
			for _, l := range page {
				if l.AccountID != a.ID {
					t.Fatalf("lot %s of another account listed", l.ID)
				}
				ids = append(ids, l.ID)
			}
			if !more {
				return ids
			}
			fl.StartingAfter = page[len(page)-1].ID
		}
	}
	same(t, "all lots", list(store.LotFilter{Page: store.Page{Limit: 3}}), all)
	same(t, "unit lots", list(store.LotFilter{Page: store.Page{Limit: 2}, Kind: ledger.Units}), units)
	same(t, "sms lots", list(store.LotFilter{Page: store.Page{Limit: 1}, Unit: "sms"}), sms)
	same(t, "promotional lots", list(store.LotFilter{Page: store.Page{Limit: 10}, Category: ledger.Promotional}), promo)
	same(t, "depleted lots", list(store.LotFilter{Page: store.Page{Limit: 10}, Status: ledger.LotDepleted}), []string{first.ID})
	same(t, "active promotional gb units", list(store.LotFilter{Page: store.Page{Limit: 10}, Kind: ledger.Units,
		Category: ledger.Promotional, Unit: "gb", Status: ledger.LotActive}), []string{gb.ID})
	var none []string
	same(t, "promotional sms", list(store.LotFilter{Page: store.Page{Limit: 10}, Category: ledger.Promotional, Unit: "sms"}), none)
	if got := list(store.LotFilter{}); len(got) != len(all) {
		t.Fatalf("default page size: listed %d of %d", len(got), len(all))
	}
}

func testListTxns(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a, other := f.account(), f.account()
	f.mustApply(other.ID, grant(ledger.Grant{Amount: amt("100")}))
	var recorded []*ledger.Txn // in the order written
	g := f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("100")})).Txn
	recorded = append(recorded, g)
	subs := []string{"sub_A", "sub_B"}
	for i := range 5 {
		f.tick(time.Minute)
		recorded = append(recorded, f.mustApply(a.ID, debit(ledger.Debit{Amount: amt("1"), SubaccountID: subs[i%2],
			EventID: fmt.Sprint("ev", i)})).Txn)
	}
	// Two debits in one batch share a timestamp; they list in write order.
	f.tick(time.Minute)
	f.mustBatch([]string{a.ID}, func(sts map[string]*ledger.State, w *writes) error {
		for i := range 2 {
			e, err := debit(ledger.Debit{Amount: amt("2"), SubaccountID: "sub_A", EventID: fmt.Sprint("same-", i)})(sts[a.ID], f.env())
			if err != nil {
				return err
			}
			w.add(sts[a.ID], e)
			recorded = append(recorded, e.Txn)
		}
		return nil
	})
	newestFirst := slices.Clone(recorded)
	slices.Reverse(newestFirst)

	list := func(fl store.TxnFilter) []*ledger.Txn {
		t.Helper()
		var out []*ledger.Txn
		for {
			page, more, err := s.ListTxns(f.ctx, a.ID, fl)
			if err != nil {
				t.Fatalf("list txns: %v", err)
			}
			out = append(out, page...)
			if !more {
				return out
			}
			if len(page) != fl.Limit {
				t.Fatalf("short page of %d with more to come", len(page))
			}
			fl.StartingAfter = page[len(page)-1].ID
		}
	}
	pick := func(keep func(*ledger.Txn) bool) []*ledger.Txn {
		var out []*ledger.Txn
		for _, x := range newestFirst {
			if keep(x) {
				out = append(out, x)
			}
		}
		return out
	}
	same(t, "history, newest first, with postings", list(store.TxnFilter{Page: store.Page{Limit: 3}}), newestFirst)
	same(t, "debits", list(store.TxnFilter{Page: store.Page{Limit: 2}, Types: []ledger.TxnType{ledger.TxnDebit}}),
		pick(func(x *ledger.Txn) bool { return x.Type == ledger.TxnDebit }))
	same(t, "grants and captures", list(store.TxnFilter{Page: store.Page{Limit: 2},
		Types: []ledger.TxnType{ledger.TxnGrant, ledger.TxnCapture}}),
		pick(func(x *ledger.Txn) bool { return x.Type == ledger.TxnGrant }))
	from, to := t0.Add(2*time.Minute), t0.Add(4*time.Minute)
	same(t, "from..to", list(store.TxnFilter{Page: store.Page{Limit: 10}, From: from, To: to}),
		pick(func(x *ledger.Txn) bool { return !x.CreatedAt.Before(from) && x.CreatedAt.Before(to) }))
	same(t, "since", list(store.TxnFilter{Page: store.Page{Limit: 10}, From: from}),
		pick(func(x *ledger.Txn) bool { return !x.CreatedAt.Before(from) }))
	same(t, "by subaccount", list(store.TxnFilter{Page: store.Page{Limit: 2}, SubaccountID: "sub_A"}),
		pick(func(x *ledger.Txn) bool { return x.SubaccountID == "sub_A" }))
	if got, more, err := s.ListTxns(f.ctx, unknownAccount, store.TxnFilter{}); err != nil || len(got) != 0 || more {
		t.Fatalf("history of an unknown account: %d, %v, %v", len(got), more, err)
	}
}

func testStateAt(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	at := func(when time.Time) *ledger.State {
		t.Helper()
		st, err := s.StateAt(f.ctx, a.ID, when)
		if err != nil {
			t.Fatalf("state at %s: %v", when, err)
		}
		return st
	}
	balance := func(when time.Time) string { return at(when).Balance(when).Balance.String() }

	t1 := f.tick(time.Hour)
	l1 := f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("100")})).Lots[0]
	t2 := f.tick(time.Hour)
	f.mustApply(a.ID, debit(ledger.Debit{Amount: amt("30")}))
	t3 := f.tick(time.Hour)
	h := f.mustApply(a.ID, hold(ledger.HoldRequest{Amount: amt("20"), TTL: 3 * time.Hour, EventID: "call"})).Holds[0]
	heldAtT3 := *h
	t4 := f.tick(time.Hour)
	f.mustApply(a.ID, debit(ledger.Debit{Amount: amt("100"), AllowNegative: true}))
	t5 := f.tick(time.Hour)
	f.mustApply(a.ID, func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) { return st.Release(env, h.ID) })
	l2 := f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("50"), Category: ledger.Promotional})).Lots[0]
	f.tick(time.Hour)

	if st := at(t0); len(st.Lots) != 0 || len(st.Holds) != 0 || st.Account.Debt != 0 || balance(t0) != "0.00" {
		t.Fatalf("at t0: %+v", st)
	}
	wantL1 := func(remaining string) []*ledger.Lot {
		l := *l1
		l.Remaining, l.Status = amt(remaining), ledger.LotActive
		return []*ledger.Lot{&l}
	}
	same(t, "lots at t1", at(t1).Lots, wantL1("100"))
	same(t, "lots just before t2", at(t2.Add(-time.Microsecond)).Lots, wantL1("100"))
	same(t, "lots at t2", at(t2).Lots, wantL1("70"))
	st3 := at(t3)
	same(t, "lots at t3", st3.Lots, wantL1("70"))
	same(t, "holds at t3", st3.Holds, []*ledger.Hold{&heldAtT3})
	if b := st3.Balance(t3); b.Held != amt("20") || b.Available != amt("50") {
		t.Fatalf("balance at t3: %+v", b)
	}
	st4 := at(t4)
	if len(st4.Lots) != 0 || st4.Account.Debt != amt("30") || len(st4.Holds) != 1 || balance(t4) != "-30.00" {
		t.Fatalf("at t4: %+v", st4)
	}
	st5 := at(t5)
	wantL2 := *l2
	wantL2.Remaining = amt("20")
	same(t, "lots at t5", st5.Lots, []*ledger.Lot{&wantL2})
	if st5.Account.Debt != 0 || len(st5.Holds) != 0 || balance(t5) != "20.00" {
		t.Fatalf("at t5: %+v", st5)
	}
	// Now, rebuilt from postings, equals the live state.
	live, err := s.LoadState(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	now := at(f.now)
	sortState(live)
	sortState(now)
	same(t, "state at now", now, live)

	_, err = s.StateAt(f.ctx, unknownAccount, f.now)
	wantCode(t, err, coffer.ENotFound)
}

func testAccountsDue(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	var ids []string
	for range 3 {
		ids = append(ids, f.account().ID)
		f.tick(time.Millisecond)
	}
	slices.Sort(ids)
	lotAcct, holdAcct, calm := ids[0], ids[1], ids[2]
	start := f.now
	f.mustApply(lotAcct, grant(ledger.Grant{Amount: amt("10"), ExpiresAt: start.Add(2 * time.Hour)}))
	f.mustApply(holdAcct, grant(ledger.Grant{Amount: amt("10")}))
	f.mustApply(holdAcct, hold(ledger.HoldRequest{Amount: amt("1"), TTL: time.Hour}))
	f.mustApply(calm, grant(ledger.Grant{Amount: amt("10"), ExpiresAt: start.Add(24 * time.Hour)}))
	f.mustApply(calm, hold(ledger.HoldRequest{Amount: amt("1"), TTL: 10 * time.Hour}))

	due := func(when time.Time, limit int) []string {
		t.Helper()
		got, err := s.AccountsDue(f.ctx, when, limit)
		if err != nil {
			t.Fatalf("accounts due: %v", err)
		}
		return got
	}
	if got := due(start.Add(30*time.Minute), 10); len(got) != 0 {
		t.Fatalf("due too early: %v", got)
	}
	same(t, "due at the hold's TTL", due(start.Add(time.Hour), 10), []string{holdAcct})
	same(t, "due at the lot's expiry", due(start.Add(2*time.Hour), 10), []string{lotAcct, holdAcct})
	same(t, "limited", due(start.Add(2*time.Hour), 1), []string{lotAcct})
	if got := due(start.Add(2*time.Hour), 0); len(got) != 0 {
		t.Fatalf("limit 0: %v", got)
	}

	f.now = start.Add(2 * time.Hour)
	for _, id := range []string{lotAcct, holdAcct} {
		f.mustBatch([]string{id}, func(sts map[string]*ledger.State, w *writes) error {
			w.add(sts[id], sts[id].Expire(f.env())...)
			return nil
		})
	}
	if got := due(f.now, 10); len(got) != 0 {
		t.Fatalf("due after the sweep: %v", got)
	}
	checkClean(t, s)
}
