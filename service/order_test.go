package service_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
	"github.com/cofferdev/coffer/store"
)

// TestCreationOrderOnAStillClock opens accounts on a test clock that never
// moves, so every id carries the same millisecond: lists must still come
// back in creation order (accounts oldest first, page by page) and events
// newest first, which ids drawn with fresh random bits each would give
// only by chance. An account's transactions, all at that one instant,
// must list newest first, page by page, none skipped at a page's edge.
func TestCreationOrderOnAStillClock(t *testing.T) {
	for _, eng := range []struct{ name, dsn string }{
		{"sqlite", filepath.Join(t.TempDir(), "coffer.db")},
		{"postgres", pgtest.TestPostgresDSN(t)},
	} {
		t.Run(eng.name, func(t *testing.T) {
			st, err := sqlstore.Open(t.Context(), eng.dsn)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			clock := coffer.NewTestClock(time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC))
			svc := service.New(st, clock, slog.New(slog.DiscardHandler), service.DefaultConfig())
			t.Cleanup(func() { svc.Close(); st.Close() })
			ctx := context.Background()
			admin := service.Call{Caller: &service.Caller{KeyID: "key_test", Role: coffer.RoleAdmin}}

			const n = 40
			var made []string
			for i := range n {
				a, err := svc.CreateAccount(ctx, admin, api.AccountCreate{Name: fmt.Sprint("Still ", i), Currency: "USD"})
				if err != nil {
					t.Fatal(err)
				}
				made = append(made, a.ID)
			}

			listed := pageIDs(t, func(after string) ([]string, bool, error) {
				page, err := svc.ListAccounts(ctx, admin, store.Page{Limit: 7, StartingAfter: after})
				if err != nil {
					return nil, false, err
				}
				var ids []string
				for _, a := range page.Data {
					ids = append(ids, a.ID)
				}
				return ids, page.HasMore, nil
			})
			if !slices.Equal(listed, made) {
				t.Errorf("accounts listed\n%v\nwant creation order\n%v", listed, made)
			}

			evs, err := svc.ListEvents(ctx, admin, store.EventFilter{Page: store.Page{Limit: 100}, Types: []string{service.EventAccountCreated}})
			if err != nil {
				t.Fatal(err)
			}
			var of []string
			for _, ev := range evs.Data {
				of = append(of, ev.AccountID)
			}
			newestFirst := slices.Clone(made)
			slices.Reverse(newestFirst)
			if !slices.Equal(of, newestFirst) {
				t.Errorf("account.created events are of\n%v\nwant newest first\n%v", of, newestFirst)
			}

			acct := made[0]
			if _, err := svc.CreateGrant(ctx, admin, acct, api.GrantCreate{Amount: 1000}); err != nil {
				t.Fatal(err)
			}
			var txns []string
			one := money.Amount(1)
			for i := range 20 {
				d, err := svc.Debit(ctx, admin, api.DebitCreate{AccountID: acct, EventID: fmt.Sprint("still-", i), Amount: &one})
				if err != nil {
					t.Fatal(err)
				}
				txns = append(txns, d.Transaction.ID)
			}
			slices.Reverse(txns)
			journal := pageIDs(t, func(after string) ([]string, bool, error) {
				page, err := svc.Transactions(ctx, admin, acct, store.TxnFilter{Page: store.Page{Limit: 6, StartingAfter: after}})
				if err != nil {
					return nil, false, err
				}
				var ids []string
				for _, tx := range page.Data {
					ids = append(ids, tx.ID)
				}
				return ids, page.HasMore, nil
			})
			if len(journal) != len(txns)+1 || !slices.Equal(journal[:len(txns)], txns) {
				t.Errorf("transactions listed\n%v\nwant the debits newest first, then the grant\n%v", journal, txns)
			}
		})
	}
}

// pageIDs follows a list from its first page, each page starting after the
// last id of the one before, and returns every id in the order listed.
func pageIDs(t *testing.T, list func(after string) (ids []string, more bool, err error)) []string {
	t.Helper()
	var all []string
	after := ""
	for {
		ids, more, err := list(after)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ids...)
		if !more || len(ids) == 0 {
			return all
		}
		after = ids[len(ids)-1]
	}
}
