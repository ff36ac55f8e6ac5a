// Package committer is Coffer's only write path for changes of value. It
// batches requests per account, applies each batch's ledger operations in
// one store transaction, and answers the callers only after the commit.
// README.md states its invariants.
package committer

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// committer is one batching loop; Committer runs one or more of them side
// by side (committers.go). Requests queue; one goroutine takes everything
// queued (up to MaxBatch) and applies it in
// one store transaction: lock the touched accounts in id order, load their
// live state, run each request's ledger operation in arrival order, write
// every effect in bulk, commit, and only then answer the callers. Requests
// that arrive while a commit is in flight form the next batch, so a hot
// account costs one lock and one commit per batch rather than per debit.
type committer struct {
	store Store
	clock coffer.Clock
	ids   *coffer.IDs // shared by every committer and the service
	log   *slog.Logger
	max   int
	// depth is how many of its batches may be in flight at once
	// (Config.Depth); SetDepth changes it while the committer runs.
	depth atomic.Int32
	queue chan *Request
	// observe, if set, is told what each batch wrote, after the commit and
	// after the callers have their answers. It runs on the committer's
	// goroutine, so it must only hand the news on (to a channel, say) and
	// never block or write.
	observe func(*store.Writes)
	// meter, if set, is told of each batch and each answer (Config.Meter).
	meter Meter

	// closed refuses new requests once close began; enqueue reads it
	// under mu, so no request joins the queue after close has drained it.
	mu     sync.RWMutex
	closed bool
	stop   chan struct{}
	done   sync.WaitGroup
}

// conflictRetries bounds how often a batch is rerun after losing a race
// for a unique key to another process.
const conflictRetries = 3

// Request is one change of value for the committer: the account it
// touches, the keys the batch must look up for it, and the function that
// applies it.
type Request struct {
	AccountID   string
	Idempotency *store.Idempotency // nil without an Idempotency-Key
	DebitKey    *store.EventKey    // for debits: the usage event they settle
	HoldKey     *store.EventKey    // for holds: the event they reserve for
	// HoldID names the hold a capture or release finishes, so the batch
	// loads it with its account however many holds the account has.
	HoldID string
	// Kind names what the request is, for a Meter to count by: KindDebit,
	// KindHold, or empty for anything else.
	Kind Kind
	// Invoices says Run finalizes invoices: the batch locks the invoice
	// counter so that Run may number them (Batch.NextInvoiceNumber).
	Invoices bool
	// Run applies the request to its account's state and returns the API
	// answer. It runs inside the batch's store transaction and must not do
	// I/O of its own; it records its effects with Batch.Record.
	Run   func(b *Batch, st *ledger.State) (any, error)
	reply chan Reply
}

// Reply is a request's answer: Run's value, a Stored answer replayed for
// its Idempotency-Key, or the error that refused it.
type Reply struct {
	Val any
	Err error
}

func newCommitter(st Store, clock coffer.Clock, ids *coffer.IDs, log *slog.Logger, maxBatch, maxQueue, depth int) *committer {
	c := &committer{store: st, clock: clock, ids: ids, log: log, max: maxBatch,
		queue: make(chan *Request, maxQueue), stop: make(chan struct{})}
	c.depth.Store(clampDepth(depth))
	c.done.Add(1)
	go c.loop()
	return c
}

// errShuttingDown refuses a request that arrives once close began.
func errShuttingDown() error {
	return coffer.Errorf(coffer.EOverloaded, "the server is shutting down; retry")
}

// close refuses new requests, commits and answers every request already
// queued, then stops the loop. A queued request was accepted: its caller
// is waiting, and dropping it would turn a request that could commit
// into one its caller cannot tell from a crash. Each batch has its
// deadline, so the drain is bounded by the queue's length.
func (c *committer) close() {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if already {
		return
	}
	close(c.stop)
	c.done.Wait()
}

// submit queues a request and waits for its answer. A full queue is
// refused at once rather than left to hang.
func (c *committer) submit(ctx context.Context, r *Request) (any, error) {
	wait, err := c.enqueue(r)
	if err != nil {
		return nil, err
	}
	select {
	case rep := <-wait:
		return rep.Val, rep.Err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *committer) loop() {
	defer c.done.Done()
	p := newPipeline()
	for {
		var first *Request
		select {
		case <-c.stop:
			c.drain(p)
			return
		case first = <-c.queue:
		case f := <-p.landed:
			p.land(f)
			continue
		}
		c.launch(p, c.gather(append(make([]*Request, 0, 8), first)))
	}
}

// gather adds what is queued to the batch, up to the largest batch,
// without waiting.
func (c *committer) gather(batch []*Request) []*Request {
	for len(batch) < c.max {
		select {
		case r := <-c.queue:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// drain commits what is left in the queue once close has stopped new
// requests joining it, and waits for every batch in flight.
func (c *committer) drain(p *pipeline) {
	for {
		batch := c.gather(nil)
		if len(batch) == 0 {
			break
		}
		c.launch(p, batch)
	}
	for p.n > 0 {
		p.land(<-p.landed)
	}
}

// launch starts the batch's transaction beside those in flight, once it
// may: when fewer than the depth are in flight and none of them touches an
// account of the batch. A batch that must wait takes in what queued
// meanwhile, up to the largest batch. An account is thus in one flight at
// a time, and its requests run in arrival order, each batch after the
// last one that touched it has committed (or failed, split and all) and
// answered: a batch's accounts see every earlier batch's writes, through
// the database, as before.
//
// launch returns once the batch has loaded its state (or ended), so that
// the next batch gathers what arrives during this one's load instead of
// starting at once with a request or two: batch N+1 loads while batch N
// applies, writes and commits.
//
// Only a small batch flies beside others (smallBatch): one that found many
// requests queued waits until nothing is in flight, since when batches
// are large the database is busy already, and more transactions would
// only make each one smaller and dearer per request. Nor does a batch fly
// beside one that read nothing (pipeline.warm).
func (c *committer) launch(p *pipeline, batch []*Request) {
	accounts := accountsOf(batch)
	for p.waits(len(batch), accounts, int(c.depth.Load())) {
		p.land(<-p.landed)
		if n := len(batch); n < c.max {
			batch = c.gather(batch)
			for _, r := range batch[n:] {
				accounts[r.AccountID] = true
			}
		}
	}
	f := &flight{accounts: accounts, loaded: make(chan struct{})}
	p.take(f)
	go func() {
		c.commit(batch, f.markLoaded)
		f.markLoaded(false)
		p.landed <- f
	}()
	<-f.loaded
	p.noteLoad(f)
}

// commit applies one batch and answers every caller. A batch whose store
// transaction fails because of one request (a value the store refuses, a
// bug the core hits) is split in two and each half committed on its own,
// down to that one request, so it fails alone and every other request of
// the batch commits without it. An error of the store itself (it is down,
// the context ended) fails the whole batch: then nobody's request could
// commit, and nothing of it was written.
//
// loaded is called once the batch's state is loaded and its accounts
// locked, saying whether the load read nothing (perhaps more than once:
// the caller makes it idempotent).
func (c *committer) commit(batch []*Request, loaded func(warm bool)) {
	var start time.Time
	if c.meter != nil {
		start = time.Now() // busy time, on the machine's clock: not Coffer's
	}
	replies := make([]Reply, len(batch))
	var written []*store.Writes
	c.commitPart(batch, replies, &written, loaded)
	for i, r := range batch {
		r.reply <- replies[i]
	}
	if c.meter != nil {
		c.meter.Batch(len(batch), time.Since(start))
		for i, r := range batch {
			c.meter.Answered(r.Kind, replies[i].Err)
		}
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
func (c *committer) commitPart(part []*Request, replies []Reply, written *[]*store.Writes, loaded func(warm bool)) {
	w, err := c.tryCommit(part, replies, loaded)
	if err == nil {
		if w != nil {
			*written = append(*written, w)
		}
		return
	}
	if len(part) > 1 && requestFault(err) {
		mid := len(part) / 2
		c.commitPart(part[:mid], replies[:mid], written, loaded)
		c.commitPart(part[mid:], replies[mid:], written, loaded)
		return
	}
	c.log.Error("committer batch failed", "requests", len(part), "account", part[0].AccountID, "err", err)
	err = refusal(err)
	for i := range replies {
		replies[i] = Reply{Err: err}
	}
}

// batchTimeout bounds one batch's store transaction: far above any batch
// a healthy store commits (milliseconds), well below a caller's patience.
const batchTimeout = 30 * time.Second

// tryCommit runs one store transaction over the requests, rerunning it
// when it lost a race for a unique key.
func (c *committer) tryCommit(part []*Request, replies []Reply, loaded func(warm bool)) (*store.Writes, error) {
	var written *store.Writes
	var err error
	for attempt := 0; attempt < conflictRetries; attempt++ {
		// A deadline bounds a batch, so a stuck database fails it (every
		// caller hears so) rather than hang the committer and its Close.
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		err = c.store.Batch(ctx, func(b store.Batch) error {
			var aerr error
			written, aerr = c.apply(ctx, b, part, replies, loaded)
			return aerr
		})
		cancel()
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
		return coffer.Errorf(coffer.EInvalid, "the store refused a value in this request, one that no check before it knew of: the server's log names it; change the text or amounts it carries, and report the request so that the check can be added")
	}
	return err
}

// enqueue queues a request without waiting, for callers that submit many
// at once; the answer arrives on the returned channel.
func (c *committer) enqueue(r *Request) (<-chan Reply, error) {
	r.reply = make(chan Reply, 1)
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return nil, errShuttingDown()
	}
	select {
	case c.queue <- r:
		return r.reply, nil
	default:
		return nil, coffer.Errorf(coffer.EOverloaded, "too many requests are waiting to be committed; retry in a moment")
	}
}
