// Package storetest is the store contract suite: every store.Store
// implementation runs it, so SQLite and PostgreSQL are held to the same
// behaviour. A store's own test calls Run with a function that opens a
// fresh, migrated, empty store for each test:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { … })
//	}
//
// The suite covers round trips of every record, not-found and conflict
// errors, pagination and filters, idempotency records, ledger batches
// (load, apply the pure ledger, write), event-id uniqueness, StateAt,
// AccountsDue, Check on a clean and on a deliberately corrupted store,
// concurrent strict debits racing for one balance, and invoices: their
// numbering in committer batches, reads and filters, the fields
// UpdateInvoice may not change, one invoice per period, and Check's
// invoice rules.
package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// Execer is implemented by stores whose tests let the suite run raw SQL.
// The suite uses it only to corrupt a row on purpose and prove Check
// notices; the tests that need it are skipped for a store without it.
type Execer interface {
	Exec(ctx context.Context, query string, args ...any) error
}

// Run runs the contract suite. open must return a fresh, migrated, empty
// store and arrange for it to be closed when the test ends; the suite's
// tests run in parallel, each on its own store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"Accounts", testAccounts},
		{"AccountsList", testAccountsList},
		{"UpdateAccount", testUpdateAccount},
		{"Subaccounts", testSubaccounts},
		{"APIKeys", testAPIKeys},
		{"Idempotency", testIdempotency},
		{"BatchRoundTrip", testBatchRoundTrip},
		{"BatchSameLotTwice", testBatchSameLotTwice},
		{"BatchRollback", testBatchRollback},
		{"BatchIdempotency", testBatchIdempotency},
		{"DebitEventUnique", testDebitEventUnique},
		{"HoldEventUnique", testHoldEventUnique},
		{"HoldLifecycle", testHoldLifecycle},
		{"VoidAndExpire", testVoidAndExpire},
		{"ListLots", testListLots},
		{"ListTxns", testListTxns},
		{"StateAt", testStateAt},
		{"AccountsDue", testAccountsDue},
		{"CheckClean", testCheckClean},
		{"CheckCorrupt", testCheckCorrupt},
		{"ConcurrentDebits", testConcurrentDebits},
		{"ConcurrentMultiAccount", testConcurrentMultiAccount},
		{"LargeAccount", testLargeAccount},
		{"LargeAccountOfMoneyOnly", testLargeAccountOfMoneyOnly},
	}
	tests = append(tests, paymentTests...)
	tests = append(tests, notifyTests...)
	tests = append(tests, invoiceTests...)
	tests = append(tests, reportTests...)
	tests = append(tests, userTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// t0 is when every test's clock starts: a fixed instant, whole seconds, so
// times survive the stores' microsecond precision unchanged.
var t0 = time.Date(2030, 1, 15, 9, 0, 0, 0, time.UTC)

// fixture is a store with a clock and shortcuts for common steps.
type fixture struct {
	t   *testing.T
	s   store.Store
	ctx context.Context
	now time.Time
	ids *coffer.IDs // as the service's: ids sort in the order the test makes them
}

func newFixture(t *testing.T, s store.Store) *fixture {
	return &fixture{t: t, s: s, ctx: t.Context(), now: t0, ids: &coffer.IDs{}}
}

// tick moves the clock forward.
func (f *fixture) tick(d time.Duration) time.Time {
	f.now = f.now.Add(d)
	return f.now
}

func (f *fixture) env() ledger.Env {
	now := f.now
	return ledger.Env{Now: now, NewID: func(p string) string { return f.ids.New(p, now) }}
}

// account creates an account, USD with a zero floor unless mod says
// otherwise.
func (f *fixture) account(mod ...func(*coffer.Account)) *coffer.Account {
	f.t.Helper()
	a := &coffer.Account{
		ID: f.ids.New(coffer.PrefixAccount, f.now), Name: "Acme", Email: "billing@acme.test",
		Currency: "USD", Status: ledger.StatusActive, BillingMode: "prepaid", CreditLimit: ledger.NoCreditLimit,
		CreatedAt: f.now, UpdatedAt: f.now,
	}
	for _, m := range mod {
		m(a)
	}
	if err := f.s.CreateAccount(f.ctx, a, nil, nil); err != nil {
		f.t.Fatalf("create account: %v", err)
	}
	return a
}

// writes collects a batch's writes, adding each state once.
type writes struct {
	store.Writes
	seen map[string]bool
}

func (w *writes) add(st *ledger.State, effects ...*ledger.Effect) {
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if !w.seen[st.Account.ID] {
		w.seen[st.Account.ID] = true
		w.States = append(w.States, st)
	}
	w.Effects = append(w.Effects, effects...)
}

// batch runs one store batch the way the committer does: lock and load
// the accounts for the fixture's now (a large account in part), let fn
// apply ledger operations, write what it collected.
func (f *fixture) batch(ids []string, fn func(sts map[string]*ledger.State, w *writes) error) error {
	return f.s.Batch(f.ctx, func(b store.Batch) error {
		l, err := b.Load(f.ctx, ids, store.Lookup{Now: f.now})
		if err != nil {
			return err
		}
		sts := l.States
		w := &writes{}
		if err := fn(sts, w); err != nil {
			return err
		}
		return b.Write(f.ctx, &w.Writes)
	})
}

func (f *fixture) mustBatch(ids []string, fn func(sts map[string]*ledger.State, w *writes) error) {
	f.t.Helper()
	if err := f.batch(ids, fn); err != nil {
		f.t.Fatalf("batch: %v", err)
	}
}

// op is a ledger operation on one state.
type op func(st *ledger.State, env ledger.Env) (*ledger.Effect, error)

// apply runs one operation on an account in its own batch and returns its
// effect.
func (f *fixture) apply(accountID string, o op) (*ledger.Effect, error) {
	var eff *ledger.Effect
	err := f.batch([]string{accountID}, func(sts map[string]*ledger.State, w *writes) error {
		st := sts[accountID]
		if st == nil {
			return fmt.Errorf("account %s not loaded", accountID)
		}
		var err error
		if eff, err = o(st, f.env()); err != nil {
			return err
		}
		w.add(st, eff)
		return nil
	})
	return eff, err
}

func (f *fixture) mustApply(accountID string, o op) *ledger.Effect {
	f.t.Helper()
	eff, err := f.apply(accountID, o)
	if err != nil {
		f.t.Fatalf("apply: %v", err)
	}
	return eff
}

// grant adds a lot; g's zero fields get sensible defaults.
func grant(g ledger.Grant) op {
	if g.Kind == "" {
		g.Kind = ledger.Monetary
	}
	if g.Category == "" {
		g.Category = ledger.Paid
	}
	if g.Priority == 0 {
		g.Priority = ledger.DefaultPriority
	}
	if g.Application == "" {
		g.Application = ledger.Realtime
	}
	if g.Origin == "" {
		g.Origin = ledger.OriginGrant
	}
	return func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) { return st.Grant(env, g) }
}

func debit(d ledger.Debit) op {
	return func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) { return st.Debit(env, d) }
}

func hold(r ledger.HoldRequest) op {
	return func(st *ledger.State, env ledger.Env) (*ledger.Effect, error) { return st.PlaceHold(env, r) }
}

// amt parses a decimal amount.
func amt(s string) money.Amount { return money.MustParse(s) }

// wantCode fails unless err carries the coffer error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := coffer.ErrorCode(err); got != code {
		t.Fatalf("got error %v (code %s), want code %s", err, got, code)
	}
}

// same fails unless got and want are deeply equal.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, show(got), show(want))
	}
}

// show dereferences pointers (one level, and in slices) for messages.
func show(v any) any {
	rv := reflect.ValueOf(v)
	switch {
	case rv.Kind() == reflect.Pointer && !rv.IsNil():
		return rv.Elem().Interface()
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Pointer:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = show(rv.Index(i).Interface())
		}
		return out
	}
	return v
}

// activeCopy returns the state as a store should load it: only active
// lots, sorted by id, and holds sorted by id.
func activeCopy(st *ledger.State) *ledger.State {
	out := &ledger.State{Account: st.Account}
	for _, l := range st.Lots {
		if l.Status == ledger.LotActive {
			c := *l
			out.Lots = append(out.Lots, &c)
		}
	}
	for _, h := range st.Holds {
		c := *h
		out.Holds = append(out.Holds, &c)
	}
	sortState(out)
	return out
}

func sortState(st *ledger.State) {
	slices.SortFunc(st.Lots, func(a, b *ledger.Lot) int { return cmpStr(a.ID, b.ID) })
	slices.SortFunc(st.Holds, func(a, b *ledger.Hold) int { return cmpStr(a.ID, b.ID) })
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkClean fails on any violation Check reports.
func checkClean(t *testing.T, s store.Store) {
	t.Helper()
	vs, err := s.Check(t.Context())
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	for _, v := range vs {
		t.Errorf("violation %s on %s: %s", v.Rule, v.Subject, v.Detail)
	}
	if len(vs) > 0 {
		t.FailNow()
	}
}
