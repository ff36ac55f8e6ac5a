package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	moneypkg "github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
	"github.com/cofferdev/coffer/store"
)

// TestKeptStatesOfSeveralAccounts has two stores over one database, as
// two processes: what one writes makes the other's kept states stale,
// whether the stale batch writes those accounts (several rows in one
// update, on PostgreSQL the arrays form) or only reads them, and whether
// the change was a ledger batch or the account's alert thresholds.
func TestKeptStatesOfSeveralAccounts(t *testing.T) {
	pgtest.OnEachStore(t, func(t *testing.T, dsn string) {
		keptStatesOfSeveralAccounts(t, open(t, dsn), open(t, dsn))
	})
}

func keptStatesOfSeveralAccounts(t *testing.T, one, two *sqlstore.Store) {
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	env := ledger.Env{Now: now, NewID: func(p string) string { return coffer.NewID(p, now) }}
	x, y := newAccount(t, one, now), newAccount(t, one, now)

	// grant grants each of the accounts to write, in one batch over all of
	// ids, and returns what the batch's last run saw: the balances and the
	// alert thresholds, and how many runs it took.
	type seen struct {
		balance map[string]moneypkg.Amount
		alerts  map[string][]moneypkg.Amount
		runs    int
	}
	grant := func(s *sqlstore.Store, ids, write []string, amount string) seen {
		t.Helper()
		var got seen
		err := s.Batch(ctx, func(b store.Batch) error {
			got = seen{balance: map[string]moneypkg.Amount{}, alerts: map[string][]moneypkg.Amount{}, runs: got.runs + 1}
			l, err := b.Load(ctx, ids, store.Lookup{Now: now})
			if err != nil {
				return err
			}
			w := &store.Writes{}
			for _, id := range ids {
				st := l.States[id]
				got.balance[id], got.alerts[id] = st.LedgerBalance(), st.Alerts
				if !slices.Contains(write, id) {
					continue
				}
				e, err := st.Grant(env, ledger.Grant{Kind: ledger.Monetary, Amount: money(amount), Category: ledger.Paid,
					Priority: 50, Application: ledger.Realtime, Origin: ledger.OriginGrant})
				if err != nil {
					return err
				}
				w.States, w.Effects = append(w.States, st), append(w.Effects, e)
			}
			return b.Write(ctx, w)
		})
		if err != nil {
			t.Fatalf("batch: %v", err)
		}
		return got
	}
	want := func(got seen, runs int, balances ...string) {
		t.Helper()
		if got.runs != runs {
			t.Errorf("%d runs, want %d", got.runs, runs)
		}
		for i, id := range []string{x, y} {
			if balances[i] == "" { // not in the batch
				continue
			}
			if got.balance[id] != money(balances[i]) {
				t.Errorf("account %d seen at %s, want %s", i, got.balance[id], balances[i])
			}
		}
	}

	want(grant(one, []string{x, y}, []string{x, y}, "5"), 1, "0", "0")
	want(grant(one, []string{x, y}, []string{x, y}, "1"), 1, "5", "5") // kept by one
	want(grant(two, []string{x}, []string{x}, "7"), 1, "6", "")
	// one's kept x is stale: its update of both rows fails, and the batch
	// runs again reading.
	want(grant(one, []string{x, y}, []string{x, y}, "1"), 2, "13", "6")

	// two kept x too, before one's last batch.
	want(grant(two, []string{x}, []string{x}, "2"), 2, "14", "")
	// one's batch writes only y: its check of x fails it.
	want(grant(one, []string{x, y}, []string{y}, "1"), 2, "16", "7")

	th := []moneypkg.Amount{money("3")}
	if err := two.PutAlertSettings(ctx, &coffer.AlertSettings{AccountID: x, OwnerSet: true, Thresholds: th, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	got := grant(one, []string{x, y}, []string{y}, "1")
	want(got, 2, "16", "8")
	if !slices.Equal(got.alerts[x], th) {
		t.Errorf("x's thresholds %v after two set them, want %v", got.alerts[x], th)
	}
	// Nothing changed behind one's back since: one run.
	want(grant(one, []string{x, y}, nil, "1"), 1, "16", "9")
}

func newAccount(t *testing.T, s *sqlstore.Store, now time.Time) string {
	t.Helper()
	a := &coffer.Account{ID: coffer.NewID(coffer.PrefixAccount, now), Currency: "USD", Status: ledger.StatusActive,
		BillingMode: "prepaid", CreatedAt: now, UpdatedAt: now}
	if err := s.CreateAccount(context.Background(), a, nil, nil); err != nil {
		t.Fatalf("create: %v", err)
	}
	return a.ID
}
