package committer

import (
	"context"
	"fmt"
	"sort"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// Batch is what a request's Run may consult: the time and ids, and what the
// store and earlier requests of the same batch already recorded.
type Batch struct {
	// Env is the batch's time and id source for the ledger core.
	Env    ledger.Env
	debits map[store.EventKey]*ledger.Txn
	holds  map[store.EventKey]*ledger.Hold
	// pending collects the effects of the request being run, and
	// invoices and voided what it made or voided.
	pending  []*ledger.Effect
	invoices []*invoice.Invoice
	voided   []*invoice.Invoice
	// number is the last invoice number given (the store's, then this
	// batch's); numbered says the counter was locked.
	number   int64
	numbered bool
}

// Debit is the debit already recorded for a usage event, by the store or by
// an earlier request of this batch, or nil. Only the events of the batch's
// requests' DebitKeys are known.
func (b *Batch) Debit(key store.EventKey) *ledger.Txn { return b.debits[key] }

// Hold is the active hold already placed for an event, by the store or by
// an earlier request of this batch, or nil. Only the events of the batch's
// requests' HoldKeys are known.
func (b *Batch) Hold(key store.EventKey) *ledger.Hold { return b.holds[key] }

// Record notes an effect to write, and remembers what later requests of the
// batch must see (a debit's event id, a hold's event id).
func (b *Batch) Record(e *ledger.Effect) {
	b.pending = append(b.pending, e)
	if t := e.Txn; t != nil && t.Type == ledger.TxnDebit && t.EventID != "" {
		b.debits[store.EventKey{AccountID: t.AccountID, EventID: t.EventID}] = t
	}
	for _, h := range e.Holds {
		if h.EventID != "" && h.Status == ledger.HoldActive {
			b.holds[store.EventKey{AccountID: h.AccountID, EventID: h.EventID}] = h
		}
	}
}

// RecordInvoice notes a new invoice to write with the request's effects;
// the store gives it the next number in the same transaction.
func (b *Batch) RecordInvoice(inv *invoice.Invoice) { b.invoices = append(b.invoices, inv) }

// NextInvoiceNumber gives the next invoice number, gap-free: a request
// that fails gives back the numbers it took. Only a request with Invoices
// set may call it.
func (b *Batch) NextInvoiceNumber() (int64, error) {
	if !b.numbered {
		return 0, fmt.Errorf("committer: a request without Invoices asked for an invoice number")
	}
	b.number++
	return b.number, nil
}

// RecordVoided notes an invoice the request voided, to save with its
// effects.
func (b *Batch) RecordVoided(inv *invoice.Invoice) { b.voided = append(b.voided, inv) }

// apply runs inside the store transaction. It may run more than once if
// the store retries the transaction, so it starts from nothing each time.
func (c *committer) apply(ctx context.Context, b store.Batch, batch []*Request, replies []Reply, loadDone func(warm bool)) (*store.Writes, error) {
	now := c.clock.Now()
	bc := &Batch{Env: ledger.Env{Now: now, NewID: func(p string) string { return c.ids.New(p, now) }}}

	ids := make([]string, 0, len(batch))
	var debitKeys, holdKeys []store.EventKey
	var holdIDs []string
	var idemKeys []store.Idempotency
	numbers := false
	for _, r := range batch {
		ids = append(ids, r.AccountID)
		numbers = numbers || r.Invoices
		if r.DebitKey != nil {
			debitKeys = append(debitKeys, *r.DebitKey)
		}
		if r.HoldKey != nil {
			holdKeys = append(holdKeys, *r.HoldKey)
		}
		if r.HoldID != "" {
			holdIDs = append(holdIDs, r.HoldID)
		}
		if r.Idempotency != nil {
			idemKeys = append(idemKeys, *r.Idempotency)
		}
	}
	ids = uniqueSorted(ids)
	// The requests run at now, so the store may load a large account in
	// part, for that instant (ledger.Partial).
	loaded, err := b.Load(ctx, ids, store.Lookup{Debits: debitKeys, Holds: holdKeys, Idempotency: idemKeys, InvoiceNumbers: numbers,
		Now: now, HoldIDs: holdIDs})
	if err != nil {
		return nil, err
	}
	loadDone(loaded.Kept)
	bc.number, bc.numbered = loaded.LastInvoiceNumber, numbers
	states, stored := loaded.States, loaded.Idempotency
	bc.debits, bc.holds = loaded.Debits, loaded.Holds

	w := &store.Writes{}
	touched := map[string]bool{}
	for i, r := range batch {
		if r.Idempotency != nil {
			if prev := stored[[2]string{r.Idempotency.Scope, r.Idempotency.Key}]; prev != nil {
				replies[i] = replay(prev, r.Idempotency)
				continue
			}
		}
		st := states[r.AccountID]
		if st == nil {
			replies[i] = Reply{Err: coffer.Errorf(coffer.ENotFound, "account %s not found", r.AccountID)}
			continue
		}
		number := bc.number
		val, effects, err := c.runOne(bc, r, st)
		replies[i] = Reply{Val: val, Err: err}
		if err != nil {
			bc.number = number // a refused request gives its numbers back
		}
		if err != nil && coffer.ErrorCode(err) == coffer.EInternal {
			// A bug or a broken store: fail this transaction and write
			// nothing; commitPart isolates the request.
			return nil, fmt.Errorf("%w: %w", errRequestFault, err)
		}
		if r.Idempotency != nil {
			rec, err := Answer(r.Idempotency, val, err, now)
			if err != nil {
				return nil, err
			}
			w.Idempotency = append(w.Idempotency, rec)
			stored[[2]string{rec.Scope, rec.Key}] = &w.Idempotency[len(w.Idempotency)-1]
		}
		if err == nil {
			w.Invoices = append(w.Invoices, bc.invoices...)
			w.Voided = append(w.Voided, bc.voided...)
		}
		if len(effects) > 0 || (err == nil && len(bc.invoices)+len(bc.voided) > 0) {
			w.Effects = append(w.Effects, effects...)
			if !touched[st.Account.ID] {
				touched[st.Account.ID] = true
				w.States = append(w.States, st)
			}
		}
	}
	if loaded.Kept && refusedRepeatable(batch, replies) {
		return nil, store.ErrReadAgain
	}
	if len(w.Effects) == 0 && len(w.Idempotency) == 0 && len(w.Invoices) == 0 && len(w.Voided) == 0 {
		return nil, nil
	}
	w.LastInvoiceNumber = bc.number
	return w, b.Write(ctx, w)
}

// refusedRepeatable reports whether a request for a usage event was
// refused: on states the store kept, the debits and holds already
// recorded for the batch's events were not looked up, and a refused
// repeat of one must be answered with what was recorded, not refused
// (store.Loaded.Kept).
func refusedRepeatable(batch []*Request, replies []Reply) bool {
	for i, r := range batch {
		if replies[i].Err != nil && (r.DebitKey != nil || r.HoldKey != nil) {
			return true
		}
	}
	return false
}

// runOne applies one request, collecting the effects it records. A failed
// operation leaves the state untouched (the ledger guarantees it), so the
// requests after it see the state as if it had never been sent; the one
// exception is a refusal that records its own effect (the credit limit's
// first refusal marks the account and raises an event), which is written.
func (c *committer) runOne(bc *Batch, r *Request, st *ledger.State) (val any, effects []*ledger.Effect, err error) {
	bc.pending, bc.invoices, bc.voided = nil, nil, nil
	// The core panics rather than write a broken ledger (an unbalanced
	// transaction, a bound it relies on broken). That is a bug; the
	// request that hit it fails, the process and its batch do not.
	defer func() {
		if p := recover(); p != nil {
			val, effects, err = nil, nil, fmt.Errorf("panic running a request on account %s: %v", r.AccountID, p)
		}
	}()
	val, err = r.Run(bc, st)
	if err != nil {
		return nil, bc.pending, err
	}
	return val, bc.pending, nil
}

func uniqueSorted(ids []string) []string {
	sort.Strings(ids)
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}
