package sqlstore

import (
	"slices"
	"sync"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// warmStates are the accounts whose state this process committed last,
// kept with their row versions so that a batch over them reads nothing
// (docs/storage.md, "No reads on the hot path"). Memory is only a guess:
// a batch that uses a kept state locks its row and checks that the
// version is still the one kept, in the same transaction, and runs again
// reading the account afresh if another writer (another process, an
// update of the account's settings) has been there since.
//
// A batch takes the states it uses out, so that no two batches ever hold
// one state, and the store puts back a copy once the batch has committed
// (ledger.State.ActiveCopy): what the batch handed to its callers is never
// changed afterwards. A batch that fails puts nothing back, so its
// accounts are read afresh next time.
type warmStates struct {
	mu sync.Mutex
	m  map[string]warmState
	// rows counts the kept lots and holds, one more for each account,
	// against maxWarmRows.
	rows int
}

type warmState struct {
	st      *ledger.State
	version int64
}

// maxWarmRows bounds what the store keeps: about 60 MB of states at a few
// hundred bytes a lot or hold. An account of more than smallLots lots or
// smallHolds holds is loaded in part and never kept. Past the bound, kept
// accounts are dropped at random (Go's map order): a dropped account
// costs its next batch one read.
const maxWarmRows = 1 << 18

func newWarmStates() *warmStates { return &warmStates{m: map[string]warmState{}} }

func rowsOf(st *ledger.State) int { return 1 + len(st.Lots) + len(st.Holds) }

// take removes the account's kept state and returns it.
func (w *warmStates) take(id string) (warmState, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ws, ok := w.m[id]
	if ok {
		delete(w.m, id)
		w.rows -= rowsOf(ws.st)
	}
	return ws, ok
}

// put keeps a copy of a committed whole state at the row's version.
func (w *warmStates) put(id string, st *ledger.State, version int64) {
	c, ok := st.ActiveCopy()
	if !ok || len(c.Lots) > smallLots || len(c.Holds) > smallHolds {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if old, ok := w.m[id]; ok {
		w.rows -= rowsOf(old.st)
	}
	w.m[id] = warmState{st: c, version: version}
	w.rows += rowsOf(c)
	for k, ws := range w.m {
		if w.rows <= maxWarmRows {
			break
		}
		if k != id {
			delete(w.m, k)
			w.rows -= rowsOf(ws.st)
		}
	}
}

// loadWarm serves the batch's accounts from their kept states, if every
// one of them is kept and the batch is the committer's, at an instant,
// with no invoice number to read. It then reads nothing: the writes fail
// the batch unless the accounts' versions are still the kept ones (the
// account rows' versioned update, and freshStmt for those it does not
// write). Nor does it look up the debits and answers already recorded for
// its events and Idempotency-Keys: their unique indexes refuse a repeat,
// and the committer runs the batch again, reading, to answer it. The
// active holds placed for its events are among the kept holds.
//
// Whatever it serves or not, the batch's accounts are no longer kept:
// this batch now holds their state.
func (b *batch) loadWarm(ids []string, l store.Lookup, out *store.Loaded) bool {
	kept := make([]warmState, 0, len(ids))
	for _, id := range ids {
		if ws, ok := b.s.warm.take(id); ok {
			kept = append(kept, ws)
		}
	}
	if b.cold || len(kept) == 0 || len(kept) < len(ids) || l.Now.IsZero() || l.InvoiceNumbers {
		return false
	}
	for i, id := range ids {
		st := kept[i].st
		out.States[id], b.keep[id] = st, st
		b.versions[id] = kept[i].version
		for _, x := range st.Lots {
			b.loaded[x.ID] = true
		}
		for _, h := range st.Holds {
			if k := (store.EventKey{AccountID: id, EventID: h.EventID}); h.EventID != "" && slices.Contains(l.Holds, k) {
				out.Holds[k] = h
			}
		}
	}
	b.kept = ids
	out.Kept = true
	return true
}

// final is what the batch sends with its commit: its writes, after the
// check of the kept accounts it did not write (freshStmt; those it wrote
// are checked by their versioned update).
func (b *batch) final() []stmt {
	var ids []string
	var versions []int64
	for _, id := range b.kept {
		if !b.written[id] {
			ids = append(ids, id)
			versions = append(versions, b.versions[id])
		}
	}
	if len(ids) == 0 {
		return b.pending
	}
	return append([]stmt{b.freshStmt(ids, versions)}, b.pending...)
}

// freshStmt locks the accounts, in id order, and fails the batch with
// errStale unless each row's version is the one given.
func (b *batch) freshStmt(ids []string, versions []int64) stmt {
	if b.s.d.name == "postgres" {
		return stmt{sql: "SELECT coffer_lock_fresh($1::text[], $2::bigint[])", args: []any{ids, versions}}
	}
	// SQLite: the batch's transaction holds the one writer's lock already.
	want := make(map[string]int64, len(ids))
	for i, id := range ids {
		want[id] = versions[i]
	}
	in, args := b.s.d.in(1, ids)
	return stmt{sql: "SELECT id, version FROM accounts WHERE id " + in, args: args, scan: func(r rows) error {
		fresh := 0
		for r.Next() {
			var id string
			var v int64
			if err := r.Scan(&id, &v); err != nil {
				return err
			}
			if want[id] == v {
				fresh++
			}
		}
		if err := r.Err(); err != nil {
			return err
		}
		if fresh != len(ids) {
			return errStale
		}
		return nil
	}}
}
