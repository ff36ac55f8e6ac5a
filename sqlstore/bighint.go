package sqlstore

import "sync"

// bigHint remembers which accounts the store's last batches found large
// (loaded in part), so that on PostgreSQL the next batch that holds one
// sends the large account's reads in its first round trip instead of a
// second. It is a hint and nothing more: those reads select only
// accounts whose locked row says they are large (pgBigStmts), so a stale
// entry costs one statement that finds nothing, and an account that grew
// large unremembered is read in the second round trip as before.
type bigHint struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

// bigHintMax bounds the memory the hint may hold; past it the hint starts
// again from nothing.
const bigHintMax = 4096

// among returns the ids the hint holds, in the order given.
func (h *bigHint) among(ids []string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, id := range ids {
		if _, ok := h.ids[id]; ok {
			out = append(out, id)
		}
	}
	return out
}

// learn records what a batch found: which of its accounts are large.
func (h *bigHint) learn(loads map[string]*loading) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, ld := range loads {
		if !ld.bigLots() && !ld.bigHolds() {
			delete(h.ids, id)
			continue
		}
		if h.ids == nil || len(h.ids) >= bigHintMax {
			h.ids = map[string]struct{}{}
		}
		h.ids[id] = struct{}{}
	}
}
