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
// one pass, and asks State.Balance too, so there is one definition.
//
// It keeps, per instant, the change of each lot the transactions before
// it touched: memory grows with the lots and the instants, never with
// the transactions.
type Balances struct {
	at    []time.Time // ascending
	lots  []map[string]money.Amount
	debts []money.Amount
}

// NewBalances starts the balances at the instants at, which must be in
// ascending order. Each counts the transactions created at or before it.
func NewBalances(at []time.Time) *Balances {
	b := &Balances{at: at, lots: make([]map[string]money.Amount, len(at)), debts: make([]money.Amount, len(at))}
	for i := range b.lots {
		b.lots[i] = map[string]money.Amount{}
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
			b.lots[i][p.LotID] += p.Amount
		case ledger.BookReceivables:
			b.debts[i] -= p.Amount
		}
	}
}

// Balances returns the balance at each instant. lots are the account's
// lots of any status: their kind, category, application, effect and
// expiry are read from them; what each held at an instant comes from the
// postings.
func (b *Balances) Balances(lots []*ledger.Lot) []money.Amount {
	held := map[string]money.Amount{}
	var debt money.Amount
	out := make([]money.Amount, len(b.at))
	for i, at := range b.at {
		for id, v := range b.lots[i] {
			held[id] += v
		}
		debt += b.debts[i]
		// The balance reads only lots and debt: the account's floor,
		// status and holds change other figures, not this one.
		st := &ledger.State{Account: ledger.Account{Debt: debt}}
		for _, l := range lots {
			if v := held[l.ID]; v > 0 && !l.CreatedAt.After(at) {
				c := *l
				c.Remaining, c.Status = v, ledger.LotActive
				st.Lots = append(st.Lots, &c)
			}
		}
		out[i] = st.Balance(at).Balance
	}
	return out
}
