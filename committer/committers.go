package committer

import (
	"context"
	"hash/fnv"
	"log/slog"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/store"
)

// Store is what the committer needs of the store: one transaction per
// batch, in which it loads, locks and writes.
type Store interface {
	Batch(ctx context.Context, fn func(store.Batch) error) error
}

// Config holds the committer's settings.
type Config struct {
	// IDs makes the ids of what the ledger records, shared with the rest
	// of the process so that ids sort in creation order; nil gives the
	// committer a generator of its own.
	IDs *coffer.IDs
	// MaxBatch bounds how many requests one transaction applies.
	MaxBatch int
	// MaxQueue bounds how many requests may wait; past it Submit and
	// Enqueue refuse with EOverloaded (HTTP 503 with Retry-After).
	MaxQueue int
	// Committers is how many committers run side by side, each owning a
	// share of the accounts; 0 lets the store choose (one on SQLite, whose
	// single writer gains nothing from more, two on PostgreSQL).
	Committers int
	// Depth is how many of one committer's batches may be in flight at
	// once, over disjoint accounts (pipeline.go); 0 lets the store choose
	// (one on SQLite, whose single writer takes one transaction at a
	// time, several on PostgreSQL).
	Depth int
	// Observe, if set, is told what each batch wrote, after the commit and
	// after the callers have their answers. It runs on the committer's
	// goroutine, so it must only hand the news on (to a channel, say) and
	// never block or write.
	Observe func(*store.Writes)
	// Meter, if set, is told of every batch and every answer, for
	// package metrics. Like Observe it runs on the committer's goroutine
	// and must not block.
	Meter Meter
}

// Kind names what a request is, for a Meter.
type Kind string

// The kinds of request a Meter counts apart.
const (
	KindDebit Kind = "debit"
	KindHold  Kind = "hold"
)

// Meter is told how the committers are doing; package metrics implements
// it. Its methods run on a committer's goroutine, after the batch's
// callers have their answers, and must be quick.
type Meter interface {
	// Batch is told how many requests a batch held and how long the
	// committer was busy with it, from taking it to answering the last.
	Batch(size int, busy time.Duration)
	// Answered is told each request's kind and the error that refused it
	// (nil when it was accepted).
	Answered(kind Kind, err error)
}

// DefaultConfig returns the settings used for zero fields.
func DefaultConfig() Config { return Config{MaxBatch: 512, MaxQueue: 16384} }

// Committer runs one or more committers side by side, each owning the
// accounts whose id hashes to it. Every request names one account, so all
// of an account's requests meet in one committer, in arrival order, and a
// hot account's batches keep their size; different accounts' batches may
// commit at the same time. On PostgreSQL that keeps a second backend busy
// while the first commits (one committer leaves the database idle while
// the Go side applies and encodes a batch, and the Go side idle while the
// database writes). Nothing here is needed for correctness: the committers
// lock disjoint accounts, and a unique key two of them race for (an
// Idempotency-Key reused across accounts) is settled as between two Coffer
// processes, by the rerun in commit.
//
// It is safe for concurrent use. See README.md for its invariants.
type Committer struct {
	cs []*committer
}

// New starts the committers on the store. Close stops them.
func New(st Store, clock coffer.Clock, log *slog.Logger, cfg Config) *Committer {
	def := DefaultConfig()
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = def.MaxBatch
	}
	if cfg.MaxQueue <= 0 {
		cfg.MaxQueue = def.MaxQueue
	}
	if cfg.IDs == nil {
		cfg.IDs = &coffer.IDs{}
	}
	n := committerCount(cfg.Committers, st)
	depth := batchDepth(cfg.Depth, st)
	cs := make([]*committer, n)
	for i := range cs {
		// Each has its share of the queue, so the whole stays bounded by
		// MaxQueue.
		cs[i] = newCommitter(st, clock, cfg.IDs, log, cfg.MaxBatch, max(1, cfg.MaxQueue/n), depth)
		cs[i].observe, cs[i].meter = cfg.Observe, cfg.Meter
	}
	return &Committer{cs: cs}
}

// batchParallelism is implemented by stores that tell how many batches
// they usefully run at once; a store without it runs one.
type batchParallelism interface{ BatchParallelism() int }

// committerCount is n, or if n is 0 what the store suggests.
func committerCount(n int, st Store) int {
	if n > 0 {
		return n
	}
	if p, ok := st.(batchParallelism); ok && p.BatchParallelism() > 0 {
		return p.BatchParallelism()
	}
	return 1
}

// batchDepthAdvice is implemented by stores that tell how many of a
// committer's batches they usefully run at once; a store without it runs
// one.
type batchDepthAdvice interface{ BatchDepth() int }

// batchDepth is n, or if n is 0 what the store suggests.
func batchDepth(n int, st Store) int {
	if n > 0 {
		return n
	}
	if p, ok := st.(batchDepthAdvice); ok && p.BatchDepth() > 0 {
		return p.BatchDepth()
	}
	return 1
}

// of is the committer that owns the account.
func (c *Committer) of(accountID string) *committer {
	if len(c.cs) == 1 {
		return c.cs[0]
	}
	h := fnv.New32a()
	h.Write([]byte(accountID))
	return c.cs[h.Sum32()%uint32(len(c.cs))]
}

// Submit queues a request and waits for its answer: Run's value, a Stored
// answer, or the refusal. A full queue is refused at once rather than left
// to hang; a ctx that ends stops the wait, not the request.
func (c *Committer) Submit(ctx context.Context, r *Request) (any, error) {
	return c.of(r.AccountID).submit(ctx, r)
}

// Enqueue queues a request without waiting, for callers that submit many
// at once; the answer arrives on the returned channel.
func (c *Committer) Enqueue(r *Request) (<-chan Reply, error) {
	return c.of(r.AccountID).enqueue(r)
}

// Close refuses new requests with EOverloaded, commits and answers every
// request already queued, and stops the committers.
func (c *Committer) Close() {
	for _, one := range c.cs {
		one.close()
	}
}

// Queued is how many requests wait for a committer, over all of them.
func (c *Committer) Queued() int {
	n := 0
	for _, one := range c.cs {
		n += len(one.queue)
	}
	return n
}

// SetDepth changes how many of each committer's batches may be in flight
// at once (Config.Depth), from its next batch on; n is kept within 1..64.
// It is for measuring one depth against another in one run.
func (c *Committer) SetDepth(n int) {
	for _, one := range c.cs {
		one.depth.Store(clampDepth(n))
	}
}

// Depth is how many of each committer's batches may be in flight at once.
func (c *Committer) Depth() int { return int(c.cs[0].depth.Load()) }

// Count is how many committers run side by side.
func (c *Committer) Count() int { return len(c.cs) }
