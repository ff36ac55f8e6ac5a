package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// batch is the committer's view of one open write transaction: the hot
// path. Every method is a constant number of statements however many
// accounts and effects the batch carries, and on PostgreSQL each method's
// statements travel in one round trip.
type batch struct {
	s *Store
	q tx
	// loaded are the lots LoadStates read: rows that exist, so Write
	// updates the two columns a lot changes in instead of upserting it.
	loaded map[string]bool
	// pending are Write's statements, not yet sent: they go with the
	// commit, or ahead of a later Load.
	pending []stmt
	// read is a batch's loading in a read-only snapshot (LoadBalance):
	// it locks nothing.
	read bool
	// versions are the row versions of the accounts the batch loaded or
	// took warm; Write sets a written account's to one more, and marks it
	// in written.
	versions map[string]int64
	written  map[string]bool
	// keep are the whole states the batch loaded at an instant, kept warm
	// once it commits (keepStates).
	keep map[string]*ledger.State
	// cold reads every account, kept or not: the batch runs again because
	// a kept state was stale.
	cold bool
	// kept are the accounts loadWarm served from their kept states.
	kept []string
}

func newBatch(s *Store, q tx) *batch {
	return &batch{s: s, q: q, loaded: map[string]bool{}, versions: map[string]int64{}, written: map[string]bool{},
		keep: map[string]*ledger.State{}}
}

// keepStates keeps the batch's states warm at their versions once it has
// committed.
func (b *batch) keepStates() {
	for id, st := range b.keep {
		v := b.versions[id]
		if b.written[id] {
			v++
		}
		b.s.warm.put(id, st, v)
	}
}

// LoadStates locks the accounts in id order and loads their live state.
func (b *batch) LoadStates(ctx context.Context, accountIDs []string) (map[string]*ledger.State, error) {
	l, err := b.Load(ctx, accountIDs, store.Lookup{})
	if err != nil {
		return nil, err
	}
	return l.States, nil
}

// Load locks and loads the accounts, then looks up the debits, holds and
// answers already recorded. The lookups ride in the same pipeline after
// the locking read, so on PostgreSQL they start once the locks are held
// and see everything committed before: all in one round trip. Every
// statement takes its set of ids as one array, so an empty set is valid
// SQL that finds nothing.
func (b *batch) Load(ctx context.Context, accountIDs []string, l store.Lookup) (*store.Loaded, error) {
	out := &store.Loaded{Debits: map[store.EventKey]*ledger.Txn{}, Holds: map[store.EventKey]*ledger.Hold{},
		Idempotency: map[[2]string]*store.Idempotency{}}
	out.States = map[string]*ledger.State{}
	ids := slices.Clone(accountIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if !b.read {
		if b.loadWarm(ids, l, out) {
			return out, nil
		}
	}
	loads := map[string]*loading{}
	// Writes the batch already made go first, so that Load sees them.
	stmts := append(b.pending, b.loadStmts(ids, l.Now, l.HoldIDs, loads)...)
	b.pending = nil
	if b.s.d.name != "postgres" {
		// SQLite, in-process: the account rows first, then the lots and
		// holds of the accounts they say are small.
		if err := b.q.pipeline(ctx, stmts); err != nil {
			return nil, err
		}
		stmts = b.sqliteSmallStmts(loads, l.Now.IsZero())
	}
	// On PostgreSQL the accounts last found large have their further reads
	// in this round trip already (bigHint).
	var early []string
	if b.s.d.name == "postgres" && !l.Now.IsZero() {
		if early = b.s.big.among(ids); len(early) > 0 {
			stmts = append(stmts, b.moreStmts(early, l.Now, loads)...)
		}
	}
	stmts = append(stmts, alertStmt(b.s.d, ids, func(id string) *ledger.State {
		if ld := loads[id]; ld != nil {
			return ld.st
		}
		return nil
	}))
	if len(l.Debits) > 0 {
		stmts = append(stmts, b.debitsStmt(l.Debits, out.Debits))
	}
	if len(l.Holds) > 0 {
		stmts = append(stmts, b.holdsStmt(l.Holds, out.Holds))
	}
	if len(l.Idempotency) > 0 {
		stmts = append(stmts, b.idemStmt(l.Idempotency, out.Idempotency))
	}
	if l.InvoiceNumbers {
		stmts = append(stmts, b.invoiceNumberStmt(&out.LastInvoiceNumber))
	}
	if err := b.q.pipeline(ctx, stmts); err != nil {
		return nil, err
	}
	if big := bigIDs(loads); !l.Now.IsZero() && len(big) > 0 {
		big = slices.DeleteFunc(big, func(id string) bool { return slices.Contains(early, id) })
		// The large accounts' further reads, now that the batch knows
		// which they are: one more round trip on PostgreSQL, for
		// batches that hold a large account not read early.
		if len(big) > 0 {
			if err := b.q.pipeline(ctx, b.moreStmts(big, l.Now, loads)); err != nil {
				return nil, err
			}
		}
	}
	if b.s.d.name == "postgres" && !l.Now.IsZero() {
		b.s.big.learn(loads)
	}
	for id, ld := range loads {
		st, err := b.state(ctx, ld, l.Now)
		if err != nil {
			return nil, err
		}
		out.States[id] = st
		b.versions[id] = ld.version
		if !b.read && !l.Now.IsZero() && !st.Partial() {
			b.keep[id] = st
		}
		for _, group := range [][]*ledger.Lot{st.Lots, ld.money, ld.units} {
			for _, x := range group {
				b.loaded[x.ID] = true
			}
		}
	}
	return out, nil
}

// selectPairs returns a query for the rows of table whose columns (a, b)
// match one of the pairs, and its args. where, if not empty, is a further
// condition. On SQLite a row-value IN list probes the (a, b) index once per
// pair. On PostgreSQL the same IN list may, when the planner's statistics
// lag the table's growth, scan every row instead (measured: 70 ms against
// 2 ms for 500 keys over 200,000 debits); joining the pairs laterally, each
// with LIMIT 1 so the join is not flattened, makes every pair one index
// probe whatever the statistics say. The pairs arrive as one or two
// parameters (two arrays unnested side by side on PostgreSQL, a JSON array
// on SQLite), so the statement's text is the same for any number of pairs
// and its prepared form is reused.
func (b *batch) selectPairs(cols, table, a, bcol, where string, pairs [][2]string) (string, []any) {
	if where != "" {
		where += " AND "
	}
	if b.s.d.name == "postgres" {
		as, bs := make([]string, len(pairs)), make([]string, len(pairs))
		for i, p := range pairs {
			as[i], bs[i] = p[0], p[1]
		}
		return fmt.Sprintf("SELECT t.* FROM unnest($1::text[], $2::text[]) AS k (ka, kb)"+
			" CROSS JOIN LATERAL (SELECT %s FROM %s WHERE %s%s = k.ka AND %s = k.kb LIMIT 1) AS t",
			cols, table, where, a, bcol), []any{as, bs}
	}
	// SQLite probes the (a, b) index once per pair of the JSON array.
	list, _ := json.Marshal(pairs) // strings always encode
	return fmt.Sprintf("SELECT %s FROM %s WHERE %s(%s, %s) IN"+
		" (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each($1))",
		cols, table, where, a, bcol), []any{string(list)}
}

// eventPairs turns event keys into (account_id, event_id) pairs.
func eventPairs(keys []store.EventKey) [][2]string {
	pairs := make([][2]string, len(keys))
	for i, k := range keys {
		pairs[i] = [2]string{k.AccountID, k.EventID}
	}
	return pairs
}

// debitsStmt reads the debits recorded for the events into out.
func (b *batch) debitsStmt(keys []store.EventKey, out map[store.EventKey]*ledger.Txn) stmt {
	want := make(map[store.EventKey]bool, len(keys))
	for _, k := range keys {
		want[k] = true
	}
	// event_id <> '' repeats the partial unique index's predicate so the
	// planner may use it.
	q, args := b.selectPairs(txnCols, "txns", "account_id", "event_id", "type = 'debit' AND event_id <> ''", eventPairs(keys))
	return stmt{sql: q, args: args, scan: func(r rows) error {
		for r.Next() {
			t, err := scanTxn(r)
			if err != nil {
				return err
			}
			if k := (store.EventKey{AccountID: t.AccountID, EventID: t.EventID}); want[k] {
				out[k] = t
			}
		}
		return r.Err()
	}}
}

// holdsStmt reads the holds placed for the events into out.
func (b *batch) holdsStmt(keys []store.EventKey, out map[store.EventKey]*ledger.Hold) stmt {
	want := make(map[store.EventKey]bool, len(keys))
	for _, k := range keys {
		want[k] = true
	}
	q, args := b.selectPairs(holdCols, "holds", "account_id", "event_id", "event_id <> ''", eventPairs(keys))
	return stmt{sql: q, args: args, scan: func(r rows) error {
		for r.Next() {
			h, err := scanHold(r)
			if err != nil {
				return err
			}
			if k := (store.EventKey{AccountID: h.AccountID, EventID: h.EventID}); want[k] {
				out[k] = h
			}
		}
		return r.Err()
	}}
}

// idemStmt reads the stored answers for the scope+key pairs into out.
func (b *batch) idemStmt(keys []store.Idempotency, out map[[2]string]*store.Idempotency) stmt {
	want := make(map[[2]string]bool, len(keys))
	pairs := make([][2]string, len(keys))
	for i, k := range keys {
		pairs[i] = [2]string{k.Scope, k.Key}
		want[pairs[i]] = true
	}
	q, args := b.selectPairs(idemCols, "idempotency", "scope", "key", "", pairs)
	return stmt{sql: q, args: args, scan: func(r rows) error {
		for r.Next() {
			i, err := scanIdem(r)
			if err != nil {
				return err
			}
			if k := [2]string{i.Scope, i.Key}; want[k] {
				out[k] = i
			}
		}
		return r.Err()
	}}
}

// Write persists the batch: each account's ledger fields, every
// transaction with its postings, the final state of every lot and hold an
// effect touched (once each, however many effects touched it), the
// outbox events and the idempotent answers. It is one multi-row statement
// per table. Write only prepares them: they are sent with the commit, in
// one round trip on PostgreSQL, and their errors (a key another process
// recorded first, say) come back from Store.Batch.
func (b *batch) Write(ctx context.Context, w *store.Writes) error {
	stmts, err := b.accountUpdates(w.States)
	if err != nil {
		return err
	}

	var (
		lots    []*ledger.Lot
		lotAt   = map[string]int{}
		holds   []*ledger.Hold
		holdAt  = map[string]int{}
		txnRows [][]any
		events  []ledger.Event
		hours   hourSums
	)
	for _, e := range w.Effects {
		// The same lot or hold may appear in several effects of a batch;
		// the last pointer seen holds its final state.
		for _, l := range e.Lots {
			if i, ok := lotAt[l.ID]; ok {
				lots[i] = l
			} else {
				lotAt[l.ID] = len(lots)
				lots = append(lots, l)
			}
		}
		for _, h := range e.Holds {
			if i, ok := holdAt[h.ID]; ok {
				holds[i] = h
			} else {
				holdAt[h.ID] = len(holds)
				holds = append(holds, h)
			}
		}
		if t := e.Txn; t != nil {
			row, err := txnRow(t)
			if err != nil {
				return err
			}
			txnRows = append(txnRows, row)
			hours.add(t)
		}
		events = append(events, e.Events...)
	}

	// A lot changes only in remaining and status after it is created.
	// Lots this batch loaded exist, and an UPDATE of those two columns
	// costs the database far less than an upsert of the whole row; new
	// lots, and any the batch did not load, are upserted.
	var lotRows, changedLots [][]any
	for _, l := range lots {
		if b.loaded[l.ID] {
			changedLots = append(changedLots, []any{l.ID, int64(l.Remaining), string(l.Status)})
		} else {
			lotRows = append(lotRows, lotRow(l))
		}
	}
	stmts = append(stmts, insertRows("lots", lotInsertColumns, lotRows,
		" ON CONFLICT (id) DO UPDATE SET remaining = excluded.remaining, status = excluded.status")...)
	stmts = append(stmts, lotChanges.of(changedLots)...)
	holdRows := make([][]any, len(holds))
	for i, h := range holds {
		holdRows[i] = holdRow(h)
	}
	stmts = append(stmts, insertRows("holds", holdColumns, holdRows,
		" ON CONFLICT (id) DO UPDATE SET captured = excluded.captured, status = excluded.status,"+
			" txn_id = excluded.txn_id, finished_at = excluded.finished_at")...)
	stmts = append(stmts, txnAppend.of(txnRows)...)
	stmts = append(stmts, hours.stmts()...)
	evs, err := eventStmts(events)
	if err != nil {
		return err
	}
	stmts = append(stmts, evs...)
	idems := make([]*store.Idempotency, len(w.Idempotency))
	for i := range w.Idempotency {
		idems[i] = &w.Idempotency[i]
	}
	stmts = append(stmts, idemStmts(idems...)...)
	invs, err := invoiceWrites(w)
	if err != nil {
		return err
	}
	stmts = append(stmts, invs...)
	b.pending = append(b.pending, stmts...)
	return nil
}

// The committer's updates of rows it loaded: a lot's remaining value and
// status, and an account's ledger fields, totals and version.
var (
	lotChanges     = newRowUpdate("lots", []column{{"id", "text"}, {"remaining", "bigint"}, {"status", "text"}})
	accountChanges = newVersionedUpdate("accounts", []column{{"id", "text"}, {"debt", "bigint"}, {"balance", "bigint"}, {"status", "text"}, {"at_credit_limit", "boolean"},
		{"postpaid_since", "bigint"}, {"billing_mode", "text"},
		{"lots_paid", "bigint"}, {"lots_promotional", "bigint"}, {"lots_gifted", "bigint"}, {"lots_units", "text"},
		{"lots_active", "bigint"}, {"holds_held", "bigint"}, {"holds_active", "bigint"}, {"version", "bigint"}})
)

// column is a column an update sets (or, the first, finds rows by), with
// its SQL type.
type column struct{ name, sqlType string }

// rowUpdate is the text of an update of rows of a table found by the
// first column's value, setting the other columns: on PostgreSQL one
// statement joining the unnested column arrays, so a batch over many cold
// accounts costs what one over a hot account does; on SQLite the one-row
// form, prepared once and run per row (see bulk). It is built once, not
// per batch: on a batch of one debit the building cost more CPU than
// binding the row (measured: about 5% of the process's CPU at 8 clients).
type rowUpdate struct {
	one, pgOne, arrays string
	types              []string
	versioned          bool
}

func newRowUpdate(table string, cols []column) rowUpdate {
	key := cols[0].name
	names, types := columnNames(cols), columnTypes(cols)
	var set, setV []string
	for i, c := range cols[1:] {
		set = append(set, c.name+" = $"+strconv.Itoa(i+2))
		setV = append(setV, c.name+" = v."+c.name)
	}
	return rowUpdate{
		arrays: "UPDATE " + table + " SET " + strings.Join(setV, ", ") + " FROM " + unnest(types) +
			" AS v (" + strings.Join(names, ", ") + ") WHERE " + table + "." + key + " = v." + key,
		types: types,
		one:   "UPDATE " + table + " SET " + strings.Join(set, ", ") + " WHERE " + key + " = $1",
	}
}

// newVersionedUpdate is newRowUpdate for rows whose last column is their
// version after the write: each row is written only over the version
// before it, and the batch fails with errStale otherwise (warm.go). On
// PostgreSQL the version's new value is coffer_stale() for a row at
// another version, which fails the transaction in the server: COMMIT
// travels in the same round trip, so a count of the rows written, checked
// when the answers come back, would come after the commit. On SQLite,
// whose statements run one by one before COMMIT, the one-row form finds
// no row at another version, and runBulk fails the batch when a row was
// not written.
func newVersionedUpdate(table string, cols []column) rowUpdate {
	u := newRowUpdate(table, cols)
	v := cols[len(cols)-1].name
	n := "$" + strconv.Itoa(len(cols))
	u.arrays = strings.Replace(u.arrays, v+" = v."+v,
		v+" = CASE WHEN "+table+"."+v+" = v."+v+" - 1 THEN v."+v+" ELSE coffer_stale() END", 1)
	u.pgOne = strings.Replace(u.one, v+" = "+n, v+" = CASE WHEN "+v+" = "+n+" - 1 THEN "+n+" ELSE coffer_stale() END", 1)
	u.one += " AND " + v + " = " + n + " - 1"
	u.versioned = true
	return u
}

// of is the update of rows.
func (u rowUpdate) of(rows [][]any) []stmt {
	if len(rows) == 0 {
		return nil
	}
	return []stmt{{bulk: &bulk{one: u.one, pgOne: u.pgOne, arrays: u.arrays, types: u.types, versioned: u.versioned, rows: rows}}}
}

// accountUpdates writes each state's ledger fields (debt, cached balance,
// status, whether the credit limit has refused usage, since when it is
// postpaid) and its totals over its active lots and holds, which the next
// batch loads instead of the lots and holds themselves, and sets its row's
// version to one more than the batch loaded or kept (warm.go).
func (b *batch) accountUpdates(states []*ledger.State) ([]stmt, error) {
	at := map[string]int{}
	var rows [][]any
	for _, st := range states {
		version, ok := b.versions[st.Account.ID]
		if !ok {
			return nil, fmt.Errorf("sqlstore: account %s was written by a batch that did not load it", st.Account.ID)
		}
		b.written[st.Account.ID] = true
		// The billing mode is the label of postpaid_since, which a close
		// that switches the account to prepaid clears.
		mode := "prepaid"
		if !st.Account.PostpaidSince.IsZero() {
			mode = "postpaid"
		}
		t := st.Totals()
		row := []any{st.Account.ID, int64(st.Account.Debt), int64(st.LedgerBalance()), string(st.Account.Status), st.Account.AtCreditLimit,
			nullMicros(st.Account.PostpaidSince), mode,
			int64(t.Paid), int64(t.Promotional), int64(t.Gifted), unitsJSON(t.Units), int64(t.Lots), int64(t.Held), int64(t.Holds), version + 1}
		if i, ok := at[st.Account.ID]; ok {
			rows[i] = row // the last state given for an account wins
			continue
		}
		at[st.Account.ID] = len(rows)
		rows = append(rows, row)
	}
	return accountChanges.of(rows), nil
}
