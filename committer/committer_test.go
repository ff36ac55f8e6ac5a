package committer_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// open starts a service on its own connection to the database, as a
// separate Coffer process would.
func open(t *testing.T, dsn string) (*service.Service, *sqlstore.Store) {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	svc := service.New(st, coffer.SystemClock{}, slog.New(slog.DiscardHandler), service.DefaultConfig())
	t.Cleanup(func() { svc.Close(); st.Close() })
	return svc, st
}

// TestCommittersRaceForTheSameEvents sends every usage event to two
// committers at once, as a gateway retrying against another node would.
// The account's row lock orders the two batches, and the second finds the
// first's debit: each event is debited once and both callers get it.
func TestCommittersRaceForTheSameEvents(t *testing.T) {
	dsn := pgtest.TestPostgresDSN(t)
	one, st := open(t, dsn)
	two, _ := open(t, dsn)
	ctx := context.Background()
	admin := service.Call{Caller: &service.Caller{KeyID: "key_test", Role: "admin"}}
	a, err := one.CreateAccount(ctx, admin, api.AccountCreate{Name: "Raced", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := one.CreateGrant(ctx, admin, a.ID, api.GrantCreate{Amount: money.MustParse("1000")}); err != nil {
		t.Fatal(err)
	}
	const events = 200
	var wg sync.WaitGroup
	txns := make([][2]string, events)
	for i := range events {
		for side, svc := range []*service.Service{one, two} {
			wg.Go(func() {
				amount := money.MustParse("0.25")
				d, err := svc.Debit(ctx, admin, api.DebitCreate{AccountID: a.ID, EventID: fmt.Sprint("evt-", i), Amount: &amount})
				if err != nil {
					t.Errorf("event %d on service %d: %v", i, side, err)
					return
				}
				txns[i][side] = d.Transaction.ID
			})
		}
	}
	wg.Wait()
	for i, pair := range txns {
		if pair[0] != pair[1] {
			t.Errorf("event %d debited twice: %s and %s", i, pair[0], pair[1])
		}
	}
	b, err := one.Balance(ctx, admin, a.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := money.MustParse("950"); b.Balance != want {
		t.Errorf("balance %s, want %s: each of %d events debited once", b.Balance, want, events)
	}
	vs, err := st.Check(ctx)
	if err != nil || len(vs) > 0 {
		t.Fatalf("check: %v %v", vs, err)
	}
}

// TestCommittersRaceForOneIdempotencyKey sends one Idempotency-Key with two
// different requests, on two accounts, to two committers at once. The
// batches lock different accounts, so both may miss the other's key and
// race to insert it; the loser's batch must rerun and answer
// idempotency_key_reused, never fail as a whole.
func TestCommittersRaceForOneIdempotencyKey(t *testing.T) {
	dsn := pgtest.TestPostgresDSN(t)
	one, st := open(t, dsn)
	two, _ := open(t, dsn)
	ctx := context.Background()
	admin := service.Call{Caller: &service.Caller{KeyID: "key_test", Role: "admin"}}
	var accts [2]string
	for i := range accts {
		a, err := one.CreateAccount(ctx, admin, api.AccountCreate{Name: fmt.Sprint("A", i), Currency: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		accts[i] = a.ID
	}
	for round := range 100 {
		var wg sync.WaitGroup
		var errs [2]error
		for side, svc := range []*service.Service{one, two} {
			wg.Go(func() {
				call := admin
				call.IdempotencyKey = fmt.Sprint("key-", round)
				call.RequestHash = fmt.Sprint("request-", side)
				_, errs[side] = svc.CreateGrant(ctx, call, accts[side], api.GrantCreate{Amount: money.MustParse("1")})
			})
		}
		wg.Wait()
		codes := [2]string{coffer.ErrorCode(errs[0]), coffer.ErrorCode(errs[1])}
		if !(codes[0] == "" && codes[1] == coffer.EIdempotencyReuse) && !(codes[1] == "" && codes[0] == coffer.EIdempotencyReuse) {
			t.Fatalf("round %d: want one grant and one idempotency_key_reused, got %v / %v", round, errs[0], errs[1])
		}
	}
	vs, err := st.Check(ctx)
	if err != nil || len(vs) > 0 {
		t.Fatalf("check: %v %v", vs, err)
	}
}
