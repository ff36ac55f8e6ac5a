package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// Check on clean and corrupted stores, and the race for one balance.

// testCheckClean runs a bit of everything and expects no violation, and
// StateAt(now) to agree with the live state of every account.
func testCheckClean(t *testing.T, s store.Store) {
	checkClean(t, s) // an empty store
	f := newFixture(t, s)
	a := f.account(func(a *coffer.Account) { a.MinBalance = amt("-25") })
	b := f.account()
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("40"), ExpiresAt: t0.Add(time.Hour)}))
	f.mustApply(a.ID, grant(ledger.Grant{Kind: ledger.Units, Unit: "api_call", Amount: amt("1000")}))
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("500"), Category: ledger.Promotional, Application: ledger.TrueUp}))
	f.mustApply(a.ID, debit(ledger.Debit{Unit: "api_call", Quantity: amt("1200"), UnitPrice: amt("0.01")}))
	f.mustApply(a.ID, debit(ledger.Debit{Amount: amt("50")})) // into the negative floor
	_, err := f.apply(a.ID, debit(ledger.Debit{Amount: amt("20")}))
	wantCode(t, err, coffer.EInsufficientBalance)
	_, err = f.apply(b.ID, hold(ledger.HoldRequest{Amount: amt("0.000001"), TTL: time.Minute}))
	wantCode(t, err, coffer.EInsufficientBalance)
	f.tick(time.Minute)
	l := f.mustApply(b.ID, grant(ledger.Grant{Amount: amt("30"), ExpiresAt: f.now.Add(time.Hour)})).Lots[0]
	h := f.mustApply(b.ID, hold(ledger.HoldRequest{Amount: amt("25"), TTL: time.Hour})).Holds[0]
	f.mustApply(b.ID, func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) {
		return st.Capture(env, h.ID, amt("31"), "key_gw")
	})
	if got, _ := s.GetLot(f.ctx, l.ID); got.Status != ledger.LotDepleted {
		t.Fatalf("lot after an overdrawn capture: %+v", got)
	}
	l3 := f.mustApply(b.ID, grant(ledger.Grant{Amount: amt("3")})).Lots[0] // repays 1 of debt
	f.mustApply(b.ID, func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) {
		return st.Void(env, l3.ID, "test", "key_admin")
	})
	f.tick(2 * time.Hour)
	for _, id := range []string{a.ID, b.ID} {
		f.mustBatch([]string{id}, func(sts map[string]*ledger.State, w *writes) error {
			w.add(sts[id], sts[id].Expire(f.env())...)
			return nil
		})
	}
	checkClean(t, s)
	for _, id := range []string{a.ID, b.ID} {
		live, err := s.LoadState(f.ctx, id)
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		now, err := s.StateAt(f.ctx, id, f.now)
		if err != nil {
			t.Fatalf("state at: %v", err)
		}
		sortState(live)
		sortState(now)
		same(t, "state at now", now, live)
	}
}

// testCheckCorrupt corrupts rows behind the store's back, one account per
// kind of damage, and expects Check to name exactly what broke.
func testCheckCorrupt(t *testing.T, s store.Store) {
	ex, ok := s.(Execer)
	if !ok {
		t.Skip("the store under test does not let the suite run raw SQL")
	}
	f := newFixture(t, s)
	exec := func(q string, args ...any) {
		t.Helper()
		if err := ex.Exec(f.ctx, q, args...); err != nil {
			t.Fatalf("corrupt: %s: %v", q, err)
		}
	}
	type rs struct{ rule, subject string }
	var want []rs

	// A lot whose remaining no longer matches its postings; the cached
	// balance then disagrees with the lots too.
	a := f.account()
	la := f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("100")})).Lots[0]
	f.mustApply(a.ID, debit(ledger.Debit{Amount: amt("10")}))
	exec("UPDATE lots SET remaining = remaining - 1000000 WHERE id = $1", la.ID)
	want = append(want, rs{"lot_remaining", la.ID}, rs{"account_balance", a.ID}, rs{"account_lots", a.ID})

	// An unbalanced transaction.
	b := f.account()
	gb := f.mustApply(b.ID, grant(ledger.Grant{Amount: amt("50")}))
	// The grant's customer posting is its only one of +50.00.
	exec(`UPDATE txns SET postings = replace(postings, '"amount":50000000}', '"amount":50000001}') WHERE id = $1`, gb.Txn.ID)
	want = append(want, rs{"postings_balance", gb.Txn.ID}, rs{"lot_remaining", gb.Lots[0].ID},
		rs{"ledger_hours", b.ID + " " + gb.Lots[0].ID})

	// Debt that disagrees with the receivables.
	c := f.account()
	f.mustApply(c.ID, debit(ledger.Debit{Amount: amt("5"), AllowNegative: true}))
	exec("UPDATE accounts SET debt = 4000000, balance = -4000000 WHERE id = $1", c.ID)
	want = append(want, rs{"account_debt", c.ID})

	// A balance below the floor with no overdraft on record.
	d := f.account()
	f.mustApply(d.ID, grant(ledger.Grant{Amount: amt("10")}))
	exec("UPDATE accounts SET min_balance = 20000000 WHERE id = $1", d.ID)
	want = append(want, rs{"balance_floor", d.ID}, rs{"credit_limit", d.ID})

	// A credit limit above the floor.
	g := f.account()
	exec("UPDATE accounts SET credit_limit = 1 WHERE id = $1", g.ID)
	want = append(want, rs{"credit_limit", g.ID})

	// A finished lot that still holds value.
	e := f.account()
	le := f.mustApply(e.ID, grant(ledger.Grant{Amount: amt("10")})).Lots[0]
	exec("UPDATE lots SET status = 'expired' WHERE id = $1", le.ID)
	want = append(want, rs{"lot_final", le.ID}, rs{"account_balance", e.ID}, rs{"account_lots", e.ID})

	// Totals in the account row that are not its lots' and holds', and a
	// lot out of its place in the consumption order: a batch would load
	// the wrong lots first.
	k := f.account()
	lk := f.mustApply(k.ID, grant(ledger.Grant{Amount: amt("10")})).Lots[0]
	f.mustApply(k.ID, hold(ledger.HoldRequest{Amount: amt("1"), TTL: time.Hour}))
	exec("UPDATE accounts SET lots_promotional = lots_promotional + 1, holds_held = 0 WHERE id = $1", k.ID)
	exec("UPDATE lots SET consume_key = '0' || consume_key WHERE id = $1", lk.ID)
	want = append(want, rs{"account_lots", k.ID}, rs{"account_holds", k.ID}, rs{"consume_key", lk.ID})
	u := f.account()
	f.mustApply(u.ID, grant(ledger.Grant{Kind: ledger.Units, Unit: "sms", Amount: amt("10")}))
	exec(`UPDATE accounts SET lots_units = '{"sms":1}' WHERE id = $1`, u.ID)
	want = append(want, rs{"account_lots", u.ID})

	// A transaction whose account is not there: the journal has no
	// foreign key to stop it.
	h := f.account()
	gh := f.mustApply(h.ID, grant(ledger.Grant{Amount: amt("10")}))
	exec("UPDATE txns SET account_id = 'acct_missing' WHERE id = $1", gh.Txn.ID)
	// Its customer posting, which belongs to the transaction's account,
	// now names a grant of another account too.
	want = append(want, rs{"txn_account", gh.Txn.ID}, rs{"posting_lot", gh.Txn.ID},
		rs{"ledger_hours", h.ID + " " + gh.Lots[0].ID}, rs{"ledger_hours", "acct_missing " + gh.Lots[0].ID})

	// An hour's sums that are not its postings: a balance as of a later
	// instant, or a usage window, would add up the wrong figures.
	hh := f.account()
	lh := f.mustApply(hh.ID, grant(ledger.Grant{Amount: amt("10")})).Lots[0]
	f.mustApply(hh.ID, debit(ledger.Debit{Amount: amt("2"), AllowNegative: true}))
	exec("UPDATE ledger_hours SET usage = usage + 1 WHERE account_id = $1 AND lot_id = $2", hh.ID, lh.ID)
	want = append(want, rs{"ledger_hours", hh.ID + " " + lh.ID})

	// Healthy neighbours stay quiet: an overdraft on record is no violation.
	ok1 := f.account()
	f.mustApply(ok1.ID, debit(ledger.Debit{Amount: amt("5"), AllowNegative: true}))

	vs, err := s.Check(f.ctx)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	var got []rs
	for _, v := range vs {
		if v.Detail == "" {
			t.Errorf("violation %s on %s has no detail", v.Rule, v.Subject)
		}
		got = append(got, rs{v.Rule, v.Subject})
	}
	order := func(x, y rs) int {
		if x.rule != y.rule {
			return cmpStr(x.rule, y.rule)
		}
		return cmpStr(x.subject, y.subject)
	}
	slices.SortFunc(got, order)
	slices.SortFunc(want, order)
	if !slices.Equal(got, want) {
		for _, v := range vs {
			t.Logf("found %s on %s: %s", v.Rule, v.Subject, v.Detail)
		}
		t.Fatalf("violations:\n got %v\nwant %v", got, want)
	}
}

// testConcurrentDebits races strict debits for one balance: the floor
// holds, every accepted debit is in the ledger, and nothing else is.
func testConcurrentDebits(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	start := amt("100")
	f.mustApply(a.ID, grant(ledger.Grant{Amount: start}))

	const n = 50
	var (
		mu       sync.Mutex
		accepted money.Amount
		count    int
		wg       sync.WaitGroup
		ready    = make(chan struct{})
	)
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			x := money.FromInt(int64(1 + i%5)) // 50 debits asking 150 in all
			_, err := f.apply(a.ID, debit(ledger.Debit{EventID: fmt.Sprint("race-", i), Amount: x}))
			switch coffer.ErrorCode(err) {
			case "":
				mu.Lock()
				accepted += x
				count++
				mu.Unlock()
			case coffer.EInsufficientBalance:
			default:
				errs <- fmt.Errorf("debit %d: %w", i, err)
			}
		}()
	}
	close(ready)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}

	st, err := s.LoadState(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	bal := st.LedgerBalance()
	if bal < st.Account.MinBalance {
		t.Fatalf("balance %s is below the floor %s", bal, st.Account.MinBalance)
	}
	if bal != start-accepted {
		t.Fatalf("balance %s, but %s was accepted from %s", bal, accepted, start)
	}
	if accepted < start-money.FromInt(4) {
		t.Fatalf("only %s of %s was spent: debits were refused with money left", accepted, start)
	}
	debits, _, err := s.ListTxns(f.ctx, a.ID, store.TxnFilter{Page: store.Page{Limit: 1000}, Types: []ledger.TxnType{ledger.TxnDebit}})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var sum money.Amount
	for _, d := range debits {
		sum -= d.Amount
	}
	if len(debits) != count || sum != accepted {
		t.Fatalf("ledger holds %d debits for %s; %d were accepted for %s", len(debits), sum, count, accepted)
	}
	checkClean(t, s)
}

// testConcurrentMultiAccount has batches lock the same two accounts, named
// in either order: locking in id order means no deadlock, and no update is
// lost.
func testConcurrentMultiAccount(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a, b := f.account(), f.account()
	for _, x := range []string{a.ID, b.ID} {
		f.mustApply(x, grant(ledger.Grant{Amount: amt("100")}))
	}
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids := []string{a.ID, b.ID}
			if rand.IntN(2) == 0 {
				ids[0], ids[1] = ids[1], ids[0]
			}
			err := f.batch(ids, func(sts map[string]*ledger.State, w *writes) error {
				for _, id := range ids {
					e, err := debit(ledger.Debit{EventID: fmt.Sprint("pair-", i), Amount: amt("1")})(sts[id], f.env())
					if err != nil {
						return err
					}
					w.add(sts[id], e)
				}
				return nil
			})
			if err != nil {
				errs <- fmt.Errorf("batch %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, id := range []string{a.ID, b.ID} {
		st, err := s.LoadState(f.ctx, id)
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		if st.LedgerBalance() != amt("80") {
			t.Fatalf("account %s balance %s, want 80", id, st.LedgerBalance())
		}
	}
	checkClean(t, s)
}
