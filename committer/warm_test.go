package committer_test

import (
	"context"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// TestKeptStatesSeeOtherProcesses runs two Coffer processes over one
// database, each keeping the state of the accounts it committed last, and
// has each change the account behind the other's back: every answer must
// be the one a fresh read of the account would give, refusals included
// (a refused debit writes nothing, so only the batch's version check can
// tell its kept state is stale).
func TestKeptStatesSeeOtherProcesses(t *testing.T) {
	pgtest.OnEachStore(t, keptStatesSeeOtherProcesses)
}

func keptStatesSeeOtherProcesses(t *testing.T, dsn string) {
	one, st := open(t, dsn)
	two, _ := open(t, dsn)
	ctx := context.Background()
	admin := service.Call{Caller: &service.Caller{KeyID: "key_test", Role: "admin"}}
	a, err := one.CreateAccount(ctx, admin, api.AccountCreate{Name: "Shared", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	debit := func(svc *service.Service, event, amount string) (*api.Debit, error) {
		x := money.MustParse(amount)
		return svc.Debit(ctx, admin, api.DebitCreate{AccountID: a.ID, EventID: event, Amount: &x})
	}
	must := func(d *api.Debit, err error) *api.Debit {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	refused := func(code string, _ *api.Debit, err error) {
		t.Helper()
		if coffer.ErrorCode(err) != code {
			t.Fatalf("got %v, want %s", err, code)
		}
	}
	if _, err := one.CreateGrant(ctx, admin, a.ID, api.GrantCreate{Amount: money.MustParse("10")}); err != nil {
		t.Fatal(err)
	}
	must(debit(one, "e1", "1")) // one keeps the account at 9
	if d := must(debit(two, "e2", "9")); d.Balance != 0 {
		t.Fatalf("balance %s after two's debit, want 0", d.Balance)
	}
	// one's kept state still says 9: it must not lend what is gone.
	d, err := debit(one, "e3", "1")
	refused(coffer.EInsufficientBalance, d, err)

	if _, err := two.CreateGrant(ctx, admin, a.ID, api.GrantCreate{Amount: money.MustParse("5")}); err != nil {
		t.Fatal(err)
	}
	// one's state, read afresh by the refusal above, says 0; two granted 5.
	if d := must(debit(one, "e4", "5")); d.Balance != 0 {
		t.Fatalf("balance %s after one's debit of two's grant, want 0", d.Balance)
	}

	// A repeat of an event one debited, on one's kept state: the debit is
	// found, not made again.
	if _, err := two.CreateGrant(ctx, admin, a.ID, api.GrantCreate{Amount: money.MustParse("3")}); err != nil {
		t.Fatal(err)
	}
	first := must(debit(one, "e5", "1"))
	again := must(debit(one, "e5", "1"))
	if !again.Replayed || again.Transaction.ID != first.Transaction.ID {
		t.Fatalf("the repeat of e5 answered %+v, want the replay of %s", again, first.Transaction.ID)
	}

	// A repeat the balance could no longer pay for is still the repeat:
	// its debit is found, not refused.
	drained := must(debit(one, "e7", "2"))
	if again := must(debit(one, "e7", "2")); !again.Replayed || again.Transaction.ID != drained.Transaction.ID {
		t.Fatalf("the repeat of e7 answered %+v, want the replay of %s", again, drained.Transaction.ID)
	}

	// A setting changed by the other process applies at once.
	suspended := "suspended"
	if _, err := two.UpdateAccount(ctx, admin, a.ID, api.AccountUpdate{Status: &suspended}); err != nil {
		t.Fatal(err)
	}
	d, err = debit(one, "e6", "1")
	refused(coffer.EAccountSuspended, d, err)

	b, err := two.Balance(ctx, admin, a.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := money.MustParse("0"); b.Balance != want {
		t.Errorf("balance %s, want %s", b.Balance, want)
	}
	vs, err := st.Check(ctx)
	if err != nil || len(vs) > 0 {
		t.Fatalf("check: %v %v", vs, err)
	}
}
