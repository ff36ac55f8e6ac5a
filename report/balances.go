package report

import (
	"sort"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// Balances accumulates one account's balance at a run of instants (the
// end of each day), as its balance at a past instant is defined: the
// store rebuilds the state at t from the postings up to t (a lot holds
// the sum of its customer postings, the debt is minus the sum of the
// receivables postings) and the ledger's State.Balance reads the balance
// off it. Balances sums the postings the same way, for every instant in
// one pass, and BalancesOf asks State.Balance too, so there is one
// definition.
//
// It keeps, per instant, the change of each lot the transactions before
// it touched: memory grows with the lots and the instants, never with
// the transactions.
type Balances struct {
	at      []time.Time // ascending
	changes []map[string]money.Amount
}

// NewBalances starts the balances at the instants at, which must be in
// ascending order. Each counts the transactions created at or before it.
func NewBalances(at []time.Time) *Balances {
	b := &Balances{at: at, changes: make([]map[string]money.Amount, len(at))}
	for i := range b.changes {
		b.changes[i] = map[string]money.Amount{}
	}
	return b
}

// Add counts one of the account's transactions, in any order; one after
// the last instant is ignored. The sums need no checks: one lot's
// postings never exceed its amount, and the debt stays within the
// ledger's bounds (ledger/README.md, "Bounds").
func (b *Balances) Add(t *ledger.Txn) {
	i := sort.Search(len(b.at), func(i int) bool { return !b.at[i].Before(t.CreatedAt) })
	if i == len(b.at) {
		return
	}
	for _, p := range t.Postings {
		switch p.Book {
		case ledger.BookCustomer:
			b.changes[i][p.LotID] += p.Amount
		case ledger.BookReceivables:
			b.changes[i][""] += p.Amount
		}
	}
}

// Balances returns the balance at each instant. lots are the account's
// lots of any status: their kind, category, application, effect and
// expiry are read from them; what each held at an instant comes from the
// postings.
func (b *Balances) Balances(lots []*ledger.Lot) []money.Amount {
	return BalancesOf(b.at, b.changes, lots)
}

// BalancesOf returns the account's balance at each instant of at
// (ascending) from what its postings changed: changes[i] is the sum of
// the postings created after at[i-1] and at or before at[i] into each lot,
// by id, and under "" into the receivables. lots are as Balances takes
// them. A running sum is what a lot held, or minus the debt, at an
// instant: within the ledger's bounds, so it needs no checks.
func BalancesOf(at []time.Time, changes []map[string]money.Amount, lots []*ledger.Lot) []money.Amount {
	held := map[string]money.Amount{}
	out := make([]money.Amount, len(at))
	for i, t := range at {
		for id, v := range changes[i] {
			held[id] += v
		}
		// The balance reads only lots and debt: the account's floor,
		// status and holds change other figures, not this one.
		st := &ledger.State{Account: ledger.Account{Debt: -held[""]}}
		for _, l := range lots {
			if v := held[l.ID]; v > 0 && !l.CreatedAt.After(t) {
				c := *l
				c.Remaining, c.Status = v, ledger.LotActive
				st.Lots = append(st.Lots, &c)
			}
		}
		out[i] = st.Balance(t).Balance
	}
	return out
}
