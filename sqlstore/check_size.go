package sqlstore

import (
	"context"
	"fmt"
	"sort"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// The rules of `coffer check` over what lets a batch load part of a large
// account (load.go):
//   - account_lots: an account's stored totals of its active lots
//     (lots_paid, lots_promotional, lots_gifted, lots_units, lots_active)
//     are what its active lots hold;
//   - account_holds: its holds_held and holds_active are its active
//     holds' amount and number;
//   - consume_key: every lot's consume_key is its place in the
//     consumption order, which the batch reads lots in.
func (s *Store) checkAccountSize(ctx context.Context, q querier) ([]store.Violation, error) {
	var out []store.Violation
	bad := func(rule, subject, format string, args ...any) {
		out = append(out, store.Violation{Rule: rule, Subject: subject, Detail: fmt.Sprintf(format, args...)})
	}
	stored := map[string]ledger.Totals{}
	r, err := q.query(ctx, "SELECT "+ledgerAccountCols+", "+accountTotalsCols+" FROM accounts")
	if err != nil {
		return nil, err
	}
	for r.Next() {
		a, t, err := scanAccountTotals(r)
		if err != nil {
			r.Close()
			return nil, err
		}
		stored[a.ID] = t
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, err
	}
	actual := map[string]*ledger.Totals{}
	of := func(id string) *ledger.Totals {
		if actual[id] == nil {
			actual[id] = &ledger.Totals{}
		}
		return actual[id]
	}
	r, err = q.query(ctx, "SELECT "+lotCols+", consume_key FROM lots")
	if err != nil {
		return nil, err
	}
	for r.Next() {
		var key string
		l, err := scanLot(keyScanner{r, &key})
		if err != nil {
			r.Close()
			return nil, err
		}
		if want := consumeKey(l); key != want {
			bad("consume_key", l.ID, "consume_key is %q but the lot's place in the consumption order is %q", key, want)
		}
		if l.Status != ledger.LotActive {
			continue
		}
		t := of(l.AccountID)
		switch {
		case l.Application == ledger.TrueUp:
			t.Gifted += l.Remaining
		case l.Kind == ledger.Units:
			if t.Units == nil {
				t.Units = map[string]money.Amount{}
			}
			t.Units[l.Unit] += l.Remaining
		case l.Category == ledger.Promotional:
			t.Promotional += l.Remaining
		default:
			t.Paid += l.Remaining
		}
		t.Lots++
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, err
	}
	r, err = q.query(ctx, "SELECT account_id, amount FROM holds WHERE status = 'active'")
	if err != nil {
		return nil, err
	}
	for r.Next() {
		var id string
		var amount int64
		if err := r.Scan(&id, &amount); err != nil {
			r.Close()
			return nil, err
		}
		t := of(id)
		t.Held += money.Amount(amount)
		t.Holds++
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(stored))
	for id := range stored {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		got, want := stored[id], ledger.Totals{}
		if a := actual[id]; a != nil {
			want = *a
		}
		for u, v := range want.Units {
			if v == 0 {
				delete(want.Units, u)
			}
		}
		lotsOnly := func(t ledger.Totals) ledger.Totals { t.Held, t.Holds = 0, 0; return t }
		if g, w := lotsOnly(got), lotsOnly(want); !g.Equal(w) {
			bad("account_lots", id, "stored totals of active lots are paid %s, promotional %s, gifted %s, units %v, %d lots; "+
				"its active lots hold paid %s, promotional %s, gifted %s, units %v, %d lots",
				g.Paid, g.Promotional, g.Gifted, g.Units, g.Lots, w.Paid, w.Promotional, w.Gifted, w.Units, w.Lots)
		}
		if got.Held != want.Held || got.Holds != want.Holds {
			bad("account_holds", id, "stored totals of active holds are %s in %d holds; its active holds are %s in %d",
				got.Held, got.Holds, want.Held, want.Holds)
		}
	}
	return out, nil
}

// keyScanner scans a lot's columns and then its consume_key.
type keyScanner struct {
	r   scanner
	key *string
}

func (k keyScanner) Scan(dest ...any) error { return k.r.Scan(append(dest, k.key)...) }
