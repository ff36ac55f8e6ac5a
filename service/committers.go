package service

import (
	"context"
	"hash/fnv"
	"log/slog"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/store"
)

// committers runs one or more committers side by side, each owning the
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
type committers []*committer

// batchParallelism is implemented by stores that tell how many batches
// they usefully run at once; a store without it runs one.
type batchParallelism interface{ BatchParallelism() int }

// committerCount is n, or if n is 0 what the store suggests.
func committerCount(n int, st store.Ledger) int {
	if n > 0 {
		return n
	}
	if p, ok := st.(batchParallelism); ok && p.BatchParallelism() > 0 {
		return p.BatchParallelism()
	}
	return 1
}

func newCommitters(n int, st store.Ledger, clock coffer.Clock, ids *coffer.IDs, log *slog.Logger, maxBatch, maxQueue int, observe func(*store.Writes)) committers {
	cs := make(committers, n)
	for i := range cs {
		// Each has its share of the queue, so the whole stays bounded by
		// maxQueue.
		cs[i] = newCommitter(st, clock, ids, log, maxBatch, max(1, maxQueue/n))
		cs[i].observe = observe
	}
	return cs
}

// of is the committer that owns the account.
func (cs committers) of(accountID string) *committer {
	if len(cs) == 1 {
		return cs[0]
	}
	h := fnv.New32a()
	h.Write([]byte(accountID))
	return cs[h.Sum32()%uint32(len(cs))]
}

func (cs committers) submit(ctx context.Context, r *request) (any, error) {
	return cs.of(r.accountID).submit(ctx, r)
}

func (cs committers) enqueue(r *request) (chan reply, error) {
	return cs.of(r.accountID).enqueue(r)
}

func (cs committers) close() {
	for _, c := range cs {
		c.close()
	}
}

// Committers is how many committers the service runs side by side.
func (s *Service) Committers() int { return len(s.committers) }
