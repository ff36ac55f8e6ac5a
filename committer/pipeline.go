package committer

import "sync"

// pipeline is one committer's batches in flight: their transactions run
// at once, each on its own connection, over disjoint accounts. Only the
// committer's loop goroutine touches it, but for landed, on which each
// flight reports its end.
//
// Several small transactions in flight keep the database busy where one
// would leave it idle while the committer applies a batch, answers its
// callers and gathers the next; and a database that commits several at
// once writes their WAL with one flush. On a hot account, or batches
// that share accounts, the flights wait for each other and the batches
// grow instead, as with one transaction at a time: the depth adapts to
// the load by itself.
//
// A batch whose states the store kept (store.Loaded.Kept) reads nothing:
// its transaction is one round trip, with no load for the next batch to
// overlap. Beside such a flight a new one would only split the queue into
// smaller batches, each paying for its own transaction, so a batch waits
// while one is in the air (measured in docs/performance.md: depth 1 did
// as well as 4 at 1 and 8 clients once states were kept, and better at
// 64 and in the open loop).
type pipeline struct {
	n      int             // flights in the air
	warm   int             // of them, those that read nothing
	busy   map[string]bool // the accounts they touch
	landed chan *flight    // a flight's end; buffered for every flight
}

// flight is one batch in flight.
type flight struct {
	accounts map[string]bool
	loaded   chan struct{} // closed once its state is loaded, or it ended
	once     sync.Once
	// warm says the batch's load read nothing (store.Loaded.Kept); set
	// before loaded is closed.
	warm bool
}

// markLoaded tells the loop that the flight's load is done, and whether
// it read nothing.
func (f *flight) markLoaded(warm bool) {
	f.once.Do(func() {
		f.warm = warm
		close(f.loaded)
	})
}

// smallBatch is the size from which a batch waits for the batches in
// flight to end rather than join them: at 8 clients a batch holds one to
// three requests, at 64 about sixteen (measured in docs/performance.md).
const smallBatch = 8

// maxDepth bounds a committer's depth, and so the flights that may
// report their end at once.
const maxDepth = 64

func newPipeline() *pipeline {
	return &pipeline{busy: map[string]bool{}, landed: make(chan *flight, maxDepth)}
}

// clampDepth is n within 1..maxDepth.
func clampDepth(n int) int32 { return int32(min(max(n, 1), maxDepth)) }

// waits reports whether a batch of n requests over accounts must wait for
// a flight to land before it flies, at the given depth (see launch).
func (p *pipeline) waits(n int, accounts map[string]bool, depth int) bool {
	return p.n > 0 && (p.n >= depth || n >= smallBatch || p.warm > 0 || p.overlaps(accounts))
}

// overlaps reports whether a flight in the air touches one of the
// accounts.
func (p *pipeline) overlaps(accounts map[string]bool) bool {
	if p.n == 0 {
		return false
	}
	for id := range accounts {
		if p.busy[id] {
			return true
		}
	}
	return false
}

// take puts a flight in the air.
func (p *pipeline) take(f *flight) {
	p.n++
	for id := range f.accounts {
		p.busy[id] = true
	}
}

// noteLoad counts a flight whose load has ended as warm or not.
func (p *pipeline) noteLoad(f *flight) {
	if f.warm {
		p.warm++
	}
}

// land takes a flight that ended out of the air.
func (p *pipeline) land(f *flight) {
	p.n--
	if f.warm {
		p.warm--
	}
	for id := range f.accounts {
		delete(p.busy, id)
	}
}

// accountsOf is the set of accounts the requests touch.
func accountsOf(batch []*Request) map[string]bool {
	out := make(map[string]bool, len(batch))
	for _, r := range batch {
		out[r.AccountID] = true
	}
	return out
}
