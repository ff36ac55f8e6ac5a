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
type pipeline struct {
	n      int             // flights in the air
	busy   map[string]bool // the accounts they touch
	landed chan *flight    // a flight's end; buffered for every flight
}

// flight is one batch in flight.
type flight struct {
	accounts map[string]bool
	loaded   chan struct{} // closed once its state is loaded, or it ended
	once     sync.Once
}

// markLoaded tells the loop that the flight's load is done.
func (f *flight) markLoaded() { f.once.Do(func() { close(f.loaded) }) }

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

// land takes a flight that ended out of the air.
func (p *pipeline) land(f *flight) {
	p.n--
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
