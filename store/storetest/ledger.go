package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// Ledger batches and the records they write.

const unknownAccount = "acct_00000000000000000000000000"

// wantStored fails unless the store holds exactly these lots, holds and
// transactions.
func wantStored(t *testing.T, f *fixture, lots []*ledger.Lot, holds []*ledger.Hold, txns []*ledger.Txn) {
	t.Helper()
	for _, l := range lots {
		got, err := f.s.GetLot(f.ctx, l.ID)
		if err != nil {
			t.Fatalf("get lot %s: %v", l.ID, err)
		}
		same(t, "lot "+l.ID, got, l)
	}
	for _, h := range holds {
		got, err := f.s.GetHold(f.ctx, h.ID)
		if err != nil {
			t.Fatalf("get hold %s: %v", h.ID, err)
		}
		same(t, "hold "+h.ID, got, h)
	}
	for _, x := range txns {
		got, err := f.s.GetTxn(f.ctx, x.ID)
		if err != nil {
			t.Fatalf("get txn %s: %v", x.ID, err)
		}
		same(t, "txn "+x.ID, got, x)
	}
}

// wantLoaded fails unless LoadState returns st as a store should hold it.
func wantLoaded(t *testing.T, f *fixture, st *ledger.State) {
	t.Helper()
	got, err := f.s.LoadState(f.ctx, st.Account.ID)
	if err != nil {
		t.Fatalf("load state: %v", err)
	}
	sortState(got)
	same(t, "loaded state", got, activeCopy(st))
}

func testBatchRoundTrip(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	var st *ledger.State
	var effects []*ledger.Effect
	idem := store.Idempotency{Scope: "key_gw", Key: "debit-1", RequestHash: "h", Status: 200, Body: []byte(`{"ok":true}`), CreatedAt: f.now}
	f.mustBatch([]string{a.ID, unknownAccount, a.ID}, func(sts map[string]*ledger.State, w *writes) error {
		if len(sts) != 1 || sts[a.ID] == nil {
			return fmt.Errorf("LoadStates returned %d states, want only %s", len(sts), a.ID)
		}
		st = sts[a.ID]
		env := f.env()
		steps := []op{
			grant(ledger.Grant{Amount: amt("100"), Category: ledger.Promotional, ExpiresAt: t0.Add(30 * 24 * time.Hour),
				Reason: "welcome", Actor: "key_admin", Metadata: map[string]string{"campaign": "spring"}}),
			grant(ledger.Grant{Amount: amt("50"), Category: ledger.Paid, Priority: 10, Origin: ledger.OriginPurchase}),
			grant(ledger.Grant{Kind: ledger.Units, Unit: "sms", Amount: amt("10"), Category: ledger.Promotional}),
			debit(ledger.Debit{EventID: "ev-1", Unit: "sms", Quantity: amt("12"), UnitPrice: amt("0.5"),
				SubaccountID: "sub_01", Description: "12 SMS", Metadata: map[string]string{"to": "+33"}, Actor: "key_gw"}),
			debit(ledger.Debit{EventID: "ev-2", Amount: amt("0.0075")}),
			hold(ledger.HoldRequest{Amount: amt("20"), TTL: 15 * time.Minute, EventID: "call-1", SubaccountID: "sub_01",
				Description: "call"}),
		}
		for _, o := range steps {
			e, err := o(st, env)
			if err != nil {
				return err
			}
			effects = append(effects, e)
			w.add(st, e)
		}
		w.Idempotency = append(w.Idempotency, idem)
		return nil
	})

	var lots []*ledger.Lot
	var holds []*ledger.Hold
	var txns []*ledger.Txn
	for _, e := range effects {
		lots = append(lots, e.Lots...)
		holds = append(holds, e.Holds...)
		if e.Txn != nil {
			txns = append(txns, e.Txn)
		}
	}
	if st.Lots[2].Status != ledger.LotDepleted {
		t.Fatalf("the unit lot should be used up: %+v", st.Lots[2])
	}
	wantStored(t, f, lots, holds, txns)
	wantLoaded(t, f, st)
	got, err := s.GetIdempotency(f.ctx, idem.Scope, idem.Key)
	if err != nil {
		t.Fatalf("idempotency: %v", err)
	}
	same(t, "idempotency", got, &idem)
	acct, err := s.GetAccount(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("get account: %v", err)
	}
	same(t, "account profile after a batch", acct, a)

	_, err = s.GetLot(f.ctx, "grant_00000000000000000000000000")
	wantCode(t, err, coffer.ENotFound)
	_, err = s.GetHold(f.ctx, "hold_00000000000000000000000000")
	wantCode(t, err, coffer.ENotFound)
	_, err = s.GetTxn(f.ctx, "txn_00000000000000000000000000")
	wantCode(t, err, coffer.ENotFound)
	checkClean(t, s)
}

// The same lot (and hold) touched by several effects of one batch is
// written once, in its final state.
func testBatchSameLotTwice(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	var st *ledger.State
	var lot *ledger.Lot
	var h *ledger.Hold
	f.mustBatch([]string{a.ID}, func(sts map[string]*ledger.State, w *writes) error {
		st = sts[a.ID]
		env := f.env()
		e, err := grant(ledger.Grant{Amount: amt("10")})(st, env)
		if err != nil {
			return err
		}
		lot = e.Lots[0]
		w.add(st, e)
		for i, x := range []string{"3", "7"} {
			e, err := debit(ledger.Debit{EventID: fmt.Sprint("e", i), Amount: amt(x)})(st, env)
			if err != nil {
				return err
			}
			w.add(st, e)
		}
		e, err = hold(ledger.HoldRequest{Amount: amt("1"), TTL: time.Minute})(st, env)
		if err == nil {
			return errors.New("a hold on a zero balance was accepted")
		}
		return nil
	})
	if lot.Status != ledger.LotDepleted || lot.Remaining != 0 {
		t.Fatalf("lot in memory: %+v", lot)
	}
	wantStored(t, f, []*ledger.Lot{lot}, nil, nil)
	wantLoaded(t, f, st)

	// A hold placed and released in one batch.
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("5")}))
	f.mustBatch([]string{a.ID}, func(sts map[string]*ledger.State, w *writes) error {
		st = sts[a.ID]
		env := f.env()
		e, err := st.PlaceHold(env, ledger.HoldRequest{Amount: amt("2"), TTL: time.Minute, EventID: "h"})
		if err != nil {
			return err
		}
		h = e.Holds[0]
		w.add(st, e)
		e, err = st.Release(env, h.ID)
		if err != nil {
			return err
		}
		w.add(st, e)
		return nil
	})
	if h.Status != ledger.HoldReleased {
		t.Fatalf("hold in memory: %+v", h)
	}
	wantStored(t, f, nil, []*ledger.Hold{h}, nil)
	wantLoaded(t, f, st)
	checkClean(t, s)
}

// A batch whose fn fails writes nothing, even after Write.
func testBatchRollback(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	boom := errors.New("boom")
	err := s.Batch(f.ctx, func(b store.Batch) error {
		sts, err := b.LoadStates(f.ctx, []string{a.ID})
		if err != nil {
			return err
		}
		e, err := sts[a.ID].Grant(f.env(), ledger.Grant{Kind: ledger.Monetary, Amount: amt("5"), Category: ledger.Paid,
			Priority: 50, Application: ledger.Realtime, Origin: ledger.OriginGrant})
		if err != nil {
			return err
		}
		if err := b.Write(f.ctx, &store.Writes{States: []*ledger.State{sts[a.ID]}, Effects: []*ledger.Effect{e}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("batch: %v, want boom", err)
	}
	st, err := s.LoadState(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(st.Lots) != 0 || st.LedgerBalance() != 0 {
		t.Fatalf("a rolled-back batch left %d lots", len(st.Lots))
	}
	txns, _, err := s.ListTxns(f.ctx, a.ID, store.TxnFilter{})
	if err != nil || len(txns) != 0 {
		t.Fatalf("a rolled-back batch left %d transactions (%v)", len(txns), err)
	}
	checkClean(t, s)
}

func testBatchIdempotency(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	old := &store.Idempotency{Scope: "key_1", Key: "k-old", RequestHash: "h0", Status: 200, Body: []byte("{}"), CreatedAt: f.now}
	if err := s.SaveIdempotency(f.ctx, old); err != nil {
		t.Fatalf("save: %v", err)
	}
	fresh := store.Idempotency{Scope: "key_1", Key: "k-new", RequestHash: "h1", Status: 201, Body: []byte(`{"a":1}`), CreatedAt: f.now}
	err := s.Batch(f.ctx, func(b store.Batch) error {
		l, err := b.Load(f.ctx, nil, store.Lookup{Idempotency: []store.Idempotency{
			{Scope: "key_1", Key: "k-old"}, {Scope: "key_1", Key: "k-new"}, {Scope: "key_2", Key: "k-old"}}})
		if err != nil {
			return err
		}
		got := l.Idempotency
		if len(got) != 1 || got[[2]string{"key_1", "k-old"}] == nil {
			return fmt.Errorf("Idempotency found %v, want only key_1/k-old", got)
		}
		same(t, "stored answer", got[[2]string{"key_1", "k-old"}], old)
		return b.Write(f.ctx, &store.Writes{Idempotency: []store.Idempotency{fresh}})
	})
	if err != nil {
		t.Fatalf("batch: %v", err)
	}
	got, err := s.GetIdempotency(f.ctx, "key_1", "k-new")
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	same(t, "written answer", got, &fresh)

	// Writing a key already recorded is a conflict, and the batch is undone.
	a := f.account()
	err = f.batch([]string{a.ID}, func(sts map[string]*ledger.State, w *writes) error {
		e, err := grant(ledger.Grant{Amount: amt("1")})(sts[a.ID], f.env())
		if err != nil {
			return err
		}
		w.add(sts[a.ID], e)
		w.Idempotency = append(w.Idempotency, *old)
		return nil
	})
	wantCode(t, err, coffer.EConflict)
	if st, _ := s.LoadState(f.ctx, a.ID); len(st.Lots) != 0 {
		t.Fatalf("a batch refused for a duplicate key left lots behind")
	}
}

func testDebitEventUnique(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a, b := f.account(), f.account()
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("100")}))
	f.mustApply(b.ID, grant(ledger.Grant{Amount: amt("100")}))
	first := f.mustApply(a.ID, debit(ledger.Debit{EventID: "e1", Amount: amt("5")})).Txn

	err := s.Batch(f.ctx, func(bt store.Batch) error {
		// The lookup rides with the locking read of both accounts.
		l, err := bt.Load(f.ctx, []string{a.ID, b.ID}, store.Lookup{Debits: []store.EventKey{{AccountID: a.ID, EventID: "e1"},
			{AccountID: a.ID, EventID: "e2"}, {AccountID: b.ID, EventID: "e1"}}})
		if err != nil {
			return err
		}
		if len(l.Debits) != 1 || len(l.States) != 2 {
			return fmt.Errorf("Load found %d debits and %d accounts, want 1 and 2", len(l.Debits), len(l.States))
		}
		same(t, "recorded debit", l.Debits[store.EventKey{AccountID: a.ID, EventID: "e1"}], first)
		empty, err := bt.Load(f.ctx, nil, store.Lookup{})
		if err != nil || len(empty.Debits) != 0 || len(empty.States) != 0 {
			return fmt.Errorf("Load of nothing: %+v, %v", empty, err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("batch: %v", err)
	}

	// The store refuses a second debit for the event even if the caller
	// forgot to look.
	_, err = f.apply(a.ID, debit(ledger.Debit{EventID: "e1", Amount: amt("7")}))
	wantCode(t, err, coffer.EConflict)
	st, _ := s.LoadState(f.ctx, a.ID)
	if st.LedgerBalance() != amt("95") {
		t.Fatalf("balance after a refused duplicate: %s, want 95", st.LedgerBalance())
	}
	// The same event id is free on another account, and for a non-debit.
	f.mustApply(b.ID, debit(ledger.Debit{EventID: "e1", Amount: amt("1")}))
	f.mustApply(a.ID, hold(ledger.HoldRequest{Amount: amt("1"), TTL: time.Minute, EventID: "e1"}))
	// Debits without an event id never collide.
	f.mustApply(a.ID, debit(ledger.Debit{Amount: amt("1")}))
	f.mustApply(a.ID, debit(ledger.Debit{Amount: amt("1")}))
	checkClean(t, s)
}

func testHoldEventUnique(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("100")}))
	h := f.mustApply(a.ID, hold(ledger.HoldRequest{Amount: amt("5"), TTL: time.Hour, EventID: "call-1"})).Holds[0]
	err := s.Batch(f.ctx, func(b store.Batch) error {
		l, err := b.Load(f.ctx, nil, store.Lookup{Holds: []store.EventKey{{AccountID: a.ID, EventID: "call-1"}, {AccountID: a.ID, EventID: "call-2"}}})
		if err != nil {
			return err
		}
		got := l.Holds
		if len(got) != 1 {
			return fmt.Errorf("Load found %d holds, want 1", len(got))
		}
		same(t, "hold by event", got[store.EventKey{AccountID: a.ID, EventID: "call-1"}], h)
		return nil
	})
	if err != nil {
		t.Fatalf("batch: %v", err)
	}
	_, err = f.apply(a.ID, hold(ledger.HoldRequest{Amount: amt("5"), TTL: time.Hour, EventID: "call-1"}))
	wantCode(t, err, coffer.EConflict)
	f.mustApply(a.ID, hold(ledger.HoldRequest{Amount: amt("1"), TTL: time.Hour}))
	f.mustApply(a.ID, hold(ledger.HoldRequest{Amount: amt("1"), TTL: time.Hour}))
	st, _ := s.LoadState(f.ctx, a.ID)
	if len(st.Holds) != 3 {
		t.Fatalf("%d active holds, want 3", len(st.Holds))
	}
}

func testHoldLifecycle(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("50")}))
	hA := f.mustApply(a.ID, hold(ledger.HoldRequest{Amount: amt("20"), TTL: time.Hour, EventID: "A"})).Holds[0]
	hB := f.mustApply(a.ID, hold(ledger.HoldRequest{Amount: amt("10"), TTL: time.Hour, EventID: "B"})).Holds[0]
	hC := f.mustApply(a.ID, hold(ledger.HoldRequest{Amount: amt("5"), TTL: time.Minute, EventID: "C"})).Holds[0]

	f.tick(30 * time.Second)
	capA := f.mustApply(a.ID, func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) {
		return st.Capture(env, hA.ID, amt("30"), "key_gw")
	})
	relB := f.mustApply(a.ID, func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) {
		return st.Release(env, hB.ID)
	})
	f.tick(time.Minute)
	due, err := s.AccountsDue(f.ctx, f.now, 10)
	if err != nil || !slices.Equal(due, []string{a.ID}) {
		t.Fatalf("accounts due: %v, %v", due, err)
	}
	var expired []*ledger.Effect
	f.mustBatch([]string{a.ID}, func(sts map[string]*ledger.State, w *writes) error {
		expired = sts[a.ID].Expire(f.env())
		w.add(sts[a.ID], expired...)
		return nil
	})
	if len(expired) != 1 || expired[0].Holds[0].ID != hC.ID {
		t.Fatalf("expire: %d effects", len(expired))
	}
	wantStored(t, f, nil, []*ledger.Hold{capA.Holds[0], relB.Holds[0], expired[0].Holds[0]}, []*ledger.Txn{capA.Txn})
	for _, h := range []*ledger.Hold{capA.Holds[0], relB.Holds[0], expired[0].Holds[0]} {
		if h.Status == ledger.HoldActive || h.FinishedAt.IsZero() {
			t.Fatalf("hold %s should be finished: %+v", h.ID, h)
		}
	}
	if capA.Txn.Type != ledger.TxnCapture || capA.Txn.HoldID != hA.ID || capA.Holds[0].TxnID != capA.Txn.ID {
		t.Fatalf("capture: %+v", capA.Txn)
	}

	// A capture past the balance runs into debt; the next grant repays it.
	hD := f.mustApply(a.ID, hold(ledger.HoldRequest{Amount: amt("20"), TTL: time.Hour, EventID: "D"})).Holds[0]
	f.mustApply(a.ID, func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) {
		return st.Capture(env, hD.ID, amt("35"), "key_gw")
	})
	st, err := s.LoadState(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if st.Account.Debt != amt("15") || st.LedgerBalance() != amt("-15") || len(st.Holds) != 0 {
		t.Fatalf("after an overdrawn capture: debt %s, balance %s, %d holds", st.Account.Debt, st.LedgerBalance(), len(st.Holds))
	}
	checkClean(t, s)
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("10")}))
	st, _ = s.LoadState(f.ctx, a.ID)
	if st.Account.Debt != amt("5") {
		t.Fatalf("debt after a repaying grant: %s, want 5", st.Account.Debt)
	}
	checkClean(t, s)
}

func testVoidAndExpire(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	l1 := f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("10"), ExpiresAt: t0.Add(time.Hour)})).Lots[0]
	l2 := f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("20")})).Lots[0]
	f.mustApply(a.ID, debit(ledger.Debit{Amount: amt("4")})) // from l1: it expires first
	void := f.mustApply(a.ID, func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) {
		return st.Void(env, l2.ID, "granted by mistake", "key_admin")
	})
	if due, _ := s.AccountsDue(f.ctx, f.now, 10); len(due) != 0 {
		t.Fatalf("due before expiry: %v", due)
	}
	f.tick(2 * time.Hour)
	if due, _ := s.AccountsDue(f.ctx, f.now, 10); !slices.Equal(due, []string{a.ID}) {
		t.Fatalf("due after expiry: %v", due)
	}
	var exp []*ledger.Effect
	f.mustBatch([]string{a.ID}, func(sts map[string]*ledger.State, w *writes) error {
		exp = sts[a.ID].Expire(f.env())
		w.add(sts[a.ID], exp...)
		return nil
	})
	if len(exp) != 1 {
		t.Fatalf("%d expiries, want 1", len(exp))
	}
	wantStored(t, f, []*ledger.Lot{void.Lots[0], exp[0].Lots[0]}, nil, []*ledger.Txn{void.Txn, exp[0].Txn})
	got1, _ := s.GetLot(f.ctx, l1.ID)
	got2, _ := s.GetLot(f.ctx, l2.ID)
	if got1.Status != ledger.LotExpired || got1.Remaining != 0 || got2.Status != ledger.LotVoided || got2.Remaining != 0 {
		t.Fatalf("lots after void and expiry: %+v / %+v", got1, got2)
	}
	if due, _ := s.AccountsDue(f.ctx, f.now, 10); len(due) != 0 {
		t.Fatalf("due after the sweep: %v", due)
	}
	st, _ := s.LoadState(f.ctx, a.ID)
	if len(st.Lots) != 0 || st.LedgerBalance() != 0 {
		t.Fatalf("state after void and expiry: %+v", st)
	}
	checkClean(t, s)
}
