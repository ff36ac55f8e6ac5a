package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// paymentTests are the payments part of the contract suite.
var paymentTests = []struct {
	name string
	fn   func(*testing.T, store.Store)
}{
	{"PaymentMethods", testPaymentMethods},
	{"PaymentsByKey", testPaymentsByKey},
	{"FinishPaymentSuspends", testFinishPayment},
	{"RechargeLease", testRechargeLease},
	{"StartRecharge", testStartRecharge},
	{"Schedules", testSchedules},
}

func testPaymentMethods(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	m1 := &coffer.PaymentMethod{ID: f.ids.New(coffer.PrefixPaymentMethod, f.now), AccountID: a.ID, Type: "card", Status: coffer.MethodActive,
		Default: true, Token: "tok1", Last4: "4242", CreatedAt: f.now, UpdatedAt: f.now}
	if err := s.CreatePaymentMethod(f.ctx, m1, nil); err != nil {
		t.Fatal(err)
	}
	f.tick(time.Millisecond)
	m2 := &coffer.PaymentMethod{ID: f.ids.New(coffer.PrefixPaymentMethod, f.now), AccountID: a.ID, Type: "card", Status: coffer.MethodActive,
		Default: true, Token: "tok2", CreatedAt: f.now, UpdatedAt: f.now}
	if err := s.CreatePaymentMethod(f.ctx, m2, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListPaymentMethods(f.ctx, a.ID)
	if err != nil || len(got) != 2 {
		t.Fatalf("list: %v %d", err, len(got))
	}
	if got[0].Default || !got[1].Default || got[0].Last4 != "4242" {
		t.Fatalf("a new default must clear the old one: %+v %+v", got[0], got[1])
	}
	if _, err := s.UpdatePaymentMethod(f.ctx, m1.ID, func(m *coffer.PaymentMethod) error { m.Default = true; return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.GetPaymentMethod(f.ctx, m2.ID); g.Default {
		t.Fatal("setting m1 default left m2 default")
	}
	if _, err := s.UpdatePaymentMethod(f.ctx, m2.ID, func(m *coffer.PaymentMethod) error { m.Status = coffer.MethodRemoved; return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ListPaymentMethods(f.ctx, a.ID); len(got) != 1 {
		t.Fatalf("removed method still listed: %d", len(got))
	}
	if _, err := s.GetPaymentMethod(f.ctx, "pm_missing"); coffer.ErrorCode(err) != coffer.ENotFound {
		t.Fatalf("missing method: %v", err)
	}
}

func testPaymentsByKey(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	mk := func() *coffer.Payment {
		return &coffer.Payment{ID: f.ids.New(coffer.PrefixPayment, f.now), AccountID: a.ID, Source: coffer.SourcePurchase, Key: "k1",
			Status: coffer.PaymentProcessing, Amount: money.MustParse("25"), Currency: "USD", CreatedAt: f.now}
	}
	// Concurrent creations with one key record one payment.
	var wg sync.WaitGroup
	ids := make([]string, 8)
	news := make([]bool, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, created, err := s.CreatePayment(f.ctx, mk())
			if err != nil {
				t.Error(err)
				return
			}
			ids[i], news[i] = p.ID, created
		}()
	}
	wg.Wait()
	created := 0
	for i := range ids {
		if ids[i] != ids[0] {
			t.Fatalf("two payments for one key: %s %s", ids[0], ids[i])
		}
		if news[i] {
			created++
		}
	}
	if created != 1 {
		t.Fatalf("%d creations reported new, want 1", created)
	}
	open, err := s.OpenPayments(f.ctx, 10)
	if err != nil || len(open) != 1 {
		t.Fatalf("open: %v %d", err, len(open))
	}
	list, more, err := s.ListPayments(f.ctx, a.ID, coffer.SourceAutoRecharge, store.Page{})
	if err != nil || len(list) != 0 || more {
		t.Fatalf("source filter: %v %d", err, len(list))
	}
}

func testFinishPayment(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	if _, err := s.UpdateAutoRecharge(f.ctx, a.ID, func(ar *coffer.AutoRecharge, _ *coffer.Account) ([]ledger.Event, error) {
		ar.Enabled, ar.Threshold, ar.Amount = true, money.MustParse("100"), money.MustParse("20")
		return nil, nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	p, _, err := s.CreatePayment(f.ctx, &coffer.Payment{ID: f.ids.New(coffer.PrefixPayment, f.now), AccountID: a.ID, Source: coffer.SourceAutoRecharge,
		Key: "r1", Status: coffer.PaymentProcessing, Amount: money.MustParse("20"), CreatedAt: f.now})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.FinishPayment(f.ctx, p.ID, func(ch *store.PaymentChange) error {
		ch.Payment.Status = coffer.PaymentFailed
		ch.Account.Status = ledger.StatusSuspended
		ch.AutoRecharge.Failures, ch.AutoRecharge.Suspended = 5, true
		ch.Events = append(ch.Events, ledger.Event{ID: f.ids.New(coffer.PrefixEvent, f.now), Type: "account.suspended",
			AccountID: a.ID, CreatedAt: f.now, Data: map[string]any{}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetAccount(f.ctx, a.ID); got.Status != ledger.StatusSuspended {
		t.Fatalf("account %s, want suspended", got.Status)
	}
	if got, _ := s.GetPayment(f.ctx, p.ID); got.Status != coffer.PaymentFailed {
		t.Fatalf("payment %s", got.Status)
	}
	if ar, _ := s.GetAutoRecharge(f.ctx, a.ID); ar.Failures != 5 || !ar.Suspended || ar.Threshold != money.MustParse("100") {
		t.Fatalf("auto-recharge %+v", ar)
	}
	// The suspension is visible to the ledger's own load.
	st, err := s.LoadState(f.ctx, a.ID)
	if err != nil || st.Account.Status != ledger.StatusSuspended {
		t.Fatalf("ledger state %v %v", err, st)
	}
}

func testRechargeLease(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	b := f.account()
	for _, id := range []string{a.ID, b.ID} {
		if _, err := s.UpdateAutoRecharge(f.ctx, id, func(ar *coffer.AutoRecharge, _ *coffer.Account) ([]ledger.Event, error) {
			ar.Enabled, ar.Threshold, ar.Amount = true, money.MustParse("10"), money.MustParse("20")
			return nil, nil
		}, nil); err != nil {
			t.Fatal(err)
		}
	}
	now := f.now // the fixture's instant: leases are on Coffer's clock
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimRecharge(f.ctx, a.ID, f.ids.New(coffer.PrefixRun, now)+string(rune('a'+i)), now, now.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d holders of one lease", won)
	}
	if ok, _ := s.ClaimRecharge(f.ctx, a.ID, "late", now.Add(2*time.Minute), now.Add(3*time.Minute)); !ok {
		t.Fatal("an expired lease was not taken over")
	}
	if err := s.ReleaseRecharge(f.ctx, a.ID, "late"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.ClaimRecharge(f.ctx, a.ID, "next", now, now.Add(time.Minute)); !ok {
		t.Fatal("a released lease was not free")
	}
	// Both accounts have a zero balance, below their threshold of 10.
	ids, err := s.RechargeCandidates(f.ctx, 10)
	if err != nil || len(ids) != 2 {
		t.Fatalf("candidates %v %v", ids, err)
	}
}

// StartRecharge records a payment only for the lease's holder and only if
// fn agrees, and saves fn's change to the settings with it.
func testStartRecharge(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	if _, err := s.UpdateAutoRecharge(f.ctx, a.ID, func(ar *coffer.AutoRecharge, _ *coffer.Account) ([]ledger.Event, error) {
		ar.Enabled, ar.Threshold, ar.Amount = true, money.MustParse("100"), money.MustParse("20")
		return nil, nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	pay := func(key string) *coffer.Payment {
		return &coffer.Payment{ID: f.ids.New(coffer.PrefixPayment, f.now), AccountID: a.ID, Source: coffer.SourceAutoRecharge,
			Key: key, Status: coffer.PaymentProcessing, Amount: money.MustParse("20"), CapDay: "2030-01-01", CreatedAt: f.now}
	}
	count := func(ar *coffer.AutoRecharge) (bool, error) {
		ar.Day, ar.Spent = "2030-01-01", ar.Spent+money.MustParse("20")
		return true, nil
	}
	spent := func(want string) {
		t.Helper()
		if ar, err := s.GetAutoRecharge(f.ctx, a.ID); err != nil || ar.Spent != money.MustParse(want) || ar.Threshold != money.MustParse("100") {
			t.Fatalf("auto-recharge %+v %v, want %s spent", ar, err, want)
		}
	}
	recorded := func(p *coffer.Payment, want bool) {
		t.Helper()
		_, err := s.GetPayment(f.ctx, p.ID)
		if got := err == nil; got != want {
			t.Fatalf("payment %s recorded %v, want %v (%v)", p.Key, got, want, err)
		}
	}
	now := f.now
	if ok, err := s.ClaimRecharge(f.ctx, a.ID, "first", now, now.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("claim %v %v", ok, err)
	}
	p1 := pay("r1")
	if ok, err := s.StartRecharge(f.ctx, p1, "first", now, count); err != nil || !ok {
		t.Fatalf("the holder's start %v %v", ok, err)
	}
	recorded(p1, true)
	spent("20")
	// fn says no: nothing is recorded nor changed.
	p2 := pay("r2")
	if ok, err := s.StartRecharge(f.ctx, p2, "first", now, func(ar *coffer.AutoRecharge) (bool, error) {
		ar.Spent = money.MustParse("999")
		return false, nil
	}); err != nil || ok {
		t.Fatalf("a refused start %v %v", ok, err)
	}
	recorded(p2, false)
	spent("20")
	// Nor at an instant past the lease, though no other run claimed it.
	p2b := pay("r2b")
	if ok, err := s.StartRecharge(f.ctx, p2b, "first", now.Add(time.Minute+time.Microsecond), count); err != nil || ok {
		t.Fatalf("a start past the lease %v %v", ok, err)
	}
	recorded(p2b, false)
	// Past the lease another run takes the account over: the first run
	// may start nothing more, the second may.
	if ok, err := s.ClaimRecharge(f.ctx, a.ID, "second", now.Add(2*time.Minute), now.Add(3*time.Minute)); err != nil || !ok {
		t.Fatalf("take-over %v %v", ok, err)
	}
	p3 := pay("r3")
	if ok, err := s.StartRecharge(f.ctx, p3, "first", now, count); err != nil || ok {
		t.Fatalf("a start by a run that lost the lease %v %v", ok, err)
	}
	recorded(p3, false)
	p4 := pay("r4")
	if ok, err := s.StartRecharge(f.ctx, p4, "second", now.Add(2*time.Minute), count); err != nil || !ok {
		t.Fatalf("the new holder's start %v %v", ok, err)
	}
	recorded(p4, true)
	spent("40")
	// Once given back, no run holds it, and none may start a charge.
	if err := s.ReleaseRecharge(f.ctx, a.ID, "second"); err != nil {
		t.Fatal(err)
	}
	p5 := pay("r5")
	if ok, err := s.StartRecharge(f.ctx, p5, "second", now.Add(2*time.Minute), count); err != nil || ok {
		t.Fatalf("a start after the release %v %v", ok, err)
	}
	recorded(p5, false)
}

func testSchedules(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	sc := &coffer.Schedule{ID: f.ids.New(coffer.PrefixSchedule, f.now), AccountID: a.ID, MethodID: "pm_x", DayOfMonth: 5,
		Amount: money.MustParse("50"), Status: "active", NextRunAt: f.now.Add(24 * time.Hour), CreatedAt: f.now}
	if err := s.CreateSchedule(f.ctx, sc, nil); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.SchedulesDue(f.ctx, f.now, 10); len(due) != 0 {
		t.Fatalf("not yet due: %d", len(due))
	}
	due, err := s.SchedulesDue(f.ctx, f.now.Add(24*time.Hour), 10)
	if err != nil || len(due) != 1 || due[0].Amount != money.MustParse("50") {
		t.Fatalf("due: %v %v", err, due)
	}
	if _, err := s.UpdateSchedule(f.ctx, sc.ID, func(x *coffer.Schedule) error { x.Status = "canceled"; return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.SchedulesDue(f.ctx, f.now.Add(48*time.Hour), 10); len(due) != 0 {
		t.Fatal("a canceled schedule is due")
	}
	if l, _ := s.ListSchedules(f.ctx, a.ID); len(l) != 1 || l[0].Status != "canceled" {
		t.Fatalf("list %v", l)
	}
}
