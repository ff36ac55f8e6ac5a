package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// committer is the only write path for changes of value. Requests queue;
// one goroutine takes everything queued (up to MaxBatch) and applies it in
// one store transaction: lock the touched accounts in id order, load their
// live state, run each request's ledger operation in arrival order, write
// every effect in bulk, commit, and only then answer the callers. Requests
// that arrive while a commit is in flight form the next batch, so a hot
// account costs one lock and one commit per batch rather than per debit.
type committer struct {
	store store.Ledger // the committer only writes through Batch
	clock coffer.Clock
	ids   *coffer.IDs // shared by every committer and the service
	log   *slog.Logger
	max   int
	queue chan *request
	// observe, if set, is told what each batch wrote, after the commit and
	// after the callers have their answers. It runs on the committer's
	// goroutine, so it must only hand the news on (to a channel, say) and
	// never block or write.
	observe func(*store.Writes)

	stop chan struct{}
	done sync.WaitGroup
}

// conflictRetries bounds how often a batch is rerun after losing a race
// for a unique key to another process.
const conflictRetries = 3

// request is one change of value waiting for the committer.
type request struct {
	accountID string
	idem      *store.Idempotency // nil without an Idempotency-Key
	debitKey  *store.EventKey    // for debits: the usage event they settle
	holdKey   *store.EventKey    // for holds: the event they reserve for
	// run applies the request to its account's state and returns the API
	// answer. It runs inside the batch's store transaction and must not do
	// I/O of its own.
	run   func(b *batchContext, st *ledger.State) (any, error)
	reply chan reply
}

type reply struct {
	val any
	err error
}

// batchContext is what a request's run may consult: the time and ids, and
// what the store and earlier requests of the same batch already recorded.
type batchContext struct {
	env    ledger.Env
	debits map[store.EventKey]*ledger.Txn
	holds  map[store.EventKey]*ledger.Hold
	// pending collects the effects of the request being run.
	pending []*ledger.Effect
}

func newCommitter(st store.Ledger, clock coffer.Clock, ids *coffer.IDs, log *slog.Logger, maxBatch, maxQueue int) *committer {
	c := &committer{store: st, clock: clock, ids: ids, log: log, max: maxBatch,
		queue: make(chan *request, maxQueue), stop: make(chan struct{})}
	c.done.Add(1)
	go c.loop()
	return c
}

// close stops the loop after the batch in flight; requests still queued
// are refused.
func (c *committer) close() {
	close(c.stop)
	c.done.Wait()
	for {
		select {
		case r := <-c.queue:
			r.reply <- reply{err: coffer.Errorf(coffer.EOverloaded, "the server is shutting down; retry")}
		default:
			return
		}
	}
}

// submit queues a request and waits for its answer. A full queue is
// refused at once rather than left to hang.
func (c *committer) submit(ctx context.Context, r *request) (any, error) {
	wait, err := c.enqueue(r)
	if err != nil {
		return nil, err
	}
	select {
	case rep := <-wait:
		return rep.val, rep.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *committer) loop() {
	defer c.done.Done()
	batch := make([]*request, 0, c.max)
	for {
		select {
		case <-c.stop:
			return
		case r := <-c.queue:
			batch = append(batch[:0], r)
		}
	gather:
		for len(batch) < c.max {
			select {
			case r := <-c.queue:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		c.commit(batch)
	}
}

// commit applies one batch and answers every caller. A batch whose store
// transaction fails because of one request (a value the store refuses, a
// bug the core hits) is split in two and each half committed on its own,
// down to that one request, so it fails alone and every other request of
// the batch commits without it. An error of the store itself (it is down,
// the context ended) fails the whole batch: then nobody's request could
// commit, and nothing of it was written.
func (c *committer) commit(batch []*request) {
	replies := make([]reply, len(batch))
	var written []*store.Writes
	c.commitPart(batch, replies, &written)
	for i, r := range batch {
		r.reply <- replies[i]
	}
	if c.observe != nil {
		for _, w := range written {
			c.observe(w)
		}
	}
}

// commitPart commits part of a batch, splitting it while a request of it
// makes the store transaction fail. A batch of n requests with one poison
// among them costs about 2·log2(n) extra transactions; with none, nothing.
func (c *committer) commitPart(part []*request, replies []reply, written *[]*store.Writes) {
	w, err := c.tryCommit(part, replies)
	if err == nil {
		if w != nil {
			*written = append(*written, w)
		}
		return
	}
	if len(part) > 1 && requestFault(err) {
		mid := len(part) / 2
		c.commitPart(part[:mid], replies[:mid], written)
		c.commitPart(part[mid:], replies[mid:], written)
		return
	}
	c.log.Error("committer batch failed", "requests", len(part), "account", part[0].accountID, "err", err)
	err = refusal(err)
	for i := range replies {
		replies[i] = reply{err: err}
	}
}

// tryCommit runs one store transaction over the requests, rerunning it
// when it lost a race for a unique key.
func (c *committer) tryCommit(part []*request, replies []reply) (*store.Writes, error) {
	var written *store.Writes
	var err error
	for attempt := 0; attempt < conflictRetries; attempt++ {
		err = c.store.Batch(context.Background(), func(b store.Batch) error {
			var aerr error
			written, aerr = c.apply(b, part, replies)
			return aerr
		})
		// A conflict at this level is a unique key (an event id or an
		// Idempotency-Key) that another process committed after this
		// batch looked it up. Running the batch again finds that row and
		// answers from it, as for any repeat.
		if coffer.ErrorCode(err) != coffer.EConflict {
			break
		}
	}
	return written, err
}

// errRequestFault marks an internal error the core raised while running
// one request: a bug, which that request alone must pay for.
var errRequestFault = errors.New("a request failed inside the batch")

// requestFault reports whether err was caused by one of the batch's
// requests rather than by the store, so that splitting the batch isolates
// it.
func requestFault(err error) bool {
	return errors.Is(err, store.ErrRefused) || errors.Is(err, errRequestFault)
}

// refusal is what the caller of a request that failed alone is told. A
// value the store refused is the request's fault: a 400, its detail in the
// log (edge validation names the field for every refusal it knows of; this
// is the net under it). Anything else stays an internal error.
func refusal(err error) error {
	if errors.Is(err, store.ErrRefused) {
		return coffer.Errorf(coffer.EInvalid, "the store refused a value in this request")
	}
	return err
}

// apply runs inside the store transaction. It may run more than once if
// the store retries the transaction, so it starts from nothing each time.
func (c *committer) apply(b store.Batch, batch []*request, replies []reply) (*store.Writes, error) {
	ctx := context.Background()
	now := c.clock.Now()
	bc := &batchContext{env: ledger.Env{Now: now, NewID: func(p string) string { return c.ids.New(p, now) }}}

	ids := make([]string, 0, len(batch))
	var debitKeys, holdKeys []store.EventKey
	var idemKeys []store.Idempotency
	for _, r := range batch {
		ids = append(ids, r.accountID)
		if r.debitKey != nil {
			debitKeys = append(debitKeys, *r.debitKey)
		}
		if r.holdKey != nil {
			holdKeys = append(holdKeys, *r.holdKey)
		}
		if r.idem != nil {
			idemKeys = append(idemKeys, *r.idem)
		}
	}
	ids = uniqueSorted(ids)
	loaded, err := b.Load(ctx, ids, store.Lookup{Debits: debitKeys, Holds: holdKeys, Idempotency: idemKeys})
	if err != nil {
		return nil, err
	}
	states, stored := loaded.States, loaded.Idempotency
	bc.debits, bc.holds = loaded.Debits, loaded.Holds

	w := &store.Writes{}
	touched := map[string]bool{}
	for i, r := range batch {
		if r.idem != nil {
			if prev := stored[[2]string{r.idem.Scope, r.idem.Key}]; prev != nil {
				replies[i] = replay(prev, r.idem)
				continue
			}
		}
		st := states[r.accountID]
		if st == nil {
			replies[i] = reply{err: coffer.Errorf(coffer.ENotFound, "account %s not found", r.accountID)}
			continue
		}
		val, effects, err := c.runOne(bc, r, st)
		replies[i] = reply{val: val, err: err}
		if err != nil && coffer.ErrorCode(err) == coffer.EInternal {
			// A bug or a broken store: fail this transaction and write
			// nothing; commitPart isolates the request.
			return nil, fmt.Errorf("%w: %w", errRequestFault, err)
		}
		if r.idem != nil {
			rec, err := answer(r.idem, val, err, now)
			if err != nil {
				return nil, err
			}
			w.Idempotency = append(w.Idempotency, rec)
			stored[[2]string{rec.Scope, rec.Key}] = &w.Idempotency[len(w.Idempotency)-1]
		}
		if len(effects) > 0 {
			w.Effects = append(w.Effects, effects...)
			if !touched[st.Account.ID] {
				touched[st.Account.ID] = true
				w.States = append(w.States, st)
			}
		}
	}
	if len(w.Effects) == 0 && len(w.Idempotency) == 0 {
		return nil, nil
	}
	return w, b.Write(ctx, w)
}

// runOne applies one request, collecting the effects it records. A failed
// operation leaves the state untouched (the ledger guarantees it), so the
// requests after it see the state as if it had never been sent; the one
// exception is a refusal that records its own effect (the credit limit's
// first refusal marks the account and raises an event), which is written.
func (c *committer) runOne(bc *batchContext, r *request, st *ledger.State) (val any, effects []*ledger.Effect, err error) {
	bc.pending = nil
	// The core panics rather than write a broken ledger (an unbalanced
	// transaction, a bound it relies on broken). That is a bug; the
	// request that hit it fails, the process and its batch do not.
	defer func() {
		if p := recover(); p != nil {
			val, effects, err = nil, nil, fmt.Errorf("panic running a request on account %s: %v", r.accountID, p)
		}
	}()
	val, err = r.run(bc, st)
	if err != nil {
		return nil, bc.pending, err
	}
	return val, bc.pending, nil
}

// record notes an effect to write, and remembers what later requests of the
// batch must see (a debit's event id, a hold's event id).
func (b *batchContext) record(e *ledger.Effect) {
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

// replay answers a request whose Idempotency-Key was seen before.
func replay(prev, now *store.Idempotency) reply {
	if prev.RequestHash != now.RequestHash {
		return reply{err: reusedKey(now.Key)}
	}
	return reply{val: storedAnswer{status: prev.Status, body: prev.Body}}
}

// storedAnswer is a replayed answer: the first answer's status and JSON.
// Service methods decode it into their result type (see decodeReplay).
type storedAnswer struct {
	status int
	body   []byte
}

// answer builds the idempotency row for a request's first answer: the
// result's JSON, or the refusal's code and message.
func answer(key *store.Idempotency, val any, err error, now time.Time) (store.Idempotency, error) {
	rec := *key
	rec.CreatedAt = now
	var body any = val
	rec.Status = http.StatusOK
	if err != nil {
		var ce *coffer.Error
		if !errors.As(err, &ce) {
			return rec, err
		}
		rec.Status = coffer.HTTPStatus(ce.Code)
		body = ce
	}
	b, jerr := json.Marshal(body)
	if jerr != nil {
		return rec, fmt.Errorf("encode idempotent answer: %w", jerr)
	}
	rec.Body = b
	return rec, nil
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

// enqueue queues a request without waiting, for callers that submit many
// at once; the answer arrives on the returned channel.
func (c *committer) enqueue(r *request) (chan reply, error) {
	r.reply = make(chan reply, 1)
	select {
	case c.queue <- r:
		return r.reply, nil
	default:
		return nil, coffer.Errorf(coffer.EOverloaded, "too many requests are waiting to be committed; retry in a moment")
	}
}
