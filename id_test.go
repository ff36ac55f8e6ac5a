package coffer

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// TestIDsIncreaseAtOneInstant makes ids on a clock that stands still: each
// must be well formed and sort after the one before, which fresh random
// bits per id (NewID) would give only by chance.
func TestIDsIncreaseAtOneInstant(t *testing.T) {
	var g IDs
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	prev := ""
	for i := range 10_000 {
		id := g.New(PrefixAccount, now)
		if err := CheckID("id", PrefixAccount, id); err != nil {
			t.Fatal(err)
		}
		if id <= prev {
			t.Fatalf("id %d, %s, does not sort after %s", i, id, prev)
		}
		prev = id
	}
	// Stamped with the instant: the first ten digits are its milliseconds.
	if got, want := prev[len("acct_"):][:10], NewID(PrefixAccount, now)[len("acct_"):][:10]; got != want {
		t.Errorf("ids at one instant carry time %s, want %s", got, want)
	}
}

// TestIDsIncreaseAcrossTime: a later instant sorts later, and an earlier
// one asked for after it still sorts later than every id before.
func TestIDsIncreaseAcrossTime(t *testing.T) {
	var g IDs
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	a := g.New(PrefixTxn, t0)
	b := g.New(PrefixTxn, t0.Add(time.Millisecond))
	c := g.New(PrefixTxn, t0)
	if !(a < b && b < c) {
		t.Errorf("ids out of order: %s, %s, %s", a, b, c)
	}
}

// TestIDsWrap: when the random bits of one millisecond run out, the next
// id moves to the next millisecond rather than wrapping to a smaller id.
func TestIDsWrap(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	g := IDs{ms: uint64(now.UnixMilli())}
	for i := range g.rand {
		g.rand[i] = 0xff
	}
	last := encodeID(PrefixTxn, g.ms, g.rand)
	if id := g.New(PrefixTxn, now); id <= last {
		t.Errorf("after the last random value %s came %s", last, id)
	}
}

// TestIDsConcurrent: ids made from many goroutines are all distinct.
func TestIDsConcurrent(t *testing.T) {
	var g IDs
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				id := g.New(PrefixEvent, now)
				mu.Lock()
				seen[id] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 8000 {
		t.Errorf("%d distinct ids of 8000", len(seen))
	}
}

// TestNewIDShape keeps the stateless NewID's form: prefix, underscore, 26
// Crockford digits.
func TestNewIDShape(t *testing.T) {
	id := NewID(PrefixHold, time.Now())
	if !strings.HasPrefix(id, "hold_") || CheckID("id", PrefixHold, id) != nil {
		t.Errorf("malformed id %s", id)
	}
}
