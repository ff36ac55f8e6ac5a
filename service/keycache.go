package service

import (
	"sync"
	"time"
)

// keyCache remembers which API key a secret's hash names, so the hot path
// does not read the store on every request to authenticate. Keys cannot
// be revoked or changed yet, so an entry can only go stale by expiring;
// the TTL bounds how long a future revocation would take to bite.
// Subaccount credentials are never cached: disabling one takes effect at
// once.
type keyCache struct {
	mu      sync.Mutex
	now     func() time.Time // the monotonic wall clock; see get
	ttl     time.Duration
	max     int
	entries map[string]keyCacheEntry
}

type keyCacheEntry struct {
	caller  Caller
	expires time.Time
}

func newKeyCache(ttl time.Duration, max int, now func() time.Time) *keyCache {
	return &keyCache{now: now, ttl: ttl, max: max, entries: map[string]keyCacheEntry{}}
}

// get returns the cached caller for a hash, if fresh. It uses the wall
// clock it was given (Config.Wall), not the service's clock: a test clock moved a year ahead must not make
// credentials look stale, nor a frozen one keep them forever.
func (c *keyCache) get(hash []byte) (*Caller, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[string(hash)]
	if !ok || c.now().After(e.expires) {
		return nil, false
	}
	caller := e.caller
	return &caller, true
}

// put caches a caller. When full it drops everything: simpler than LRU,
// and a refill costs one read per live key.
func (c *keyCache) put(hash []byte, caller *Caller) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[string(hash)] = keyCacheEntry{caller: *caller, expires: c.now().Add(c.ttl)}
}
