package service

import (
	"sync"
	"time"
)

// keyCache remembers which API key a secret's hash names, so the hot path
// does not read the store on every request to authenticate.
//
// A key can be revoked, or its expiry brought forward by a rotation, in
// any process. Each of those moves the store's API key revision, and the
// cache is trusted only while it has read that revision within the last
// revisionTrust: one request a second reads it (revisionEvery), and when
// it has moved the cache starts over. So a revoked key stops working on
// every process within about a second, for one primary-key read per
// process per second rather than one per request. Past revisionTrust
// without a successful read (no traffic, or the store failing) every
// request reads its key from the store until a read succeeds.
//
// The cache also notes when each key was used, at most once per useEvery
// per key, for the service to record off the hot path (last_used_at).
//
// Subaccount credentials are never cached: disabling one takes effect at
// once.
type keyCache struct {
	mu      sync.Mutex
	now     func() time.Time // the monotonic wall clock; see get
	ttl     time.Duration
	max     int
	entries map[string]keyCacheEntry

	rev     int64     // the store's revision the entries agree with
	gen     uint64    // moves whenever the entries are dropped; see put
	checked time.Time // when the revision was last read, on the wall clock
	polling bool      // a request is reading the revision

	used map[string]time.Time // key id → when it was used (Coffer's clock), to record
}

// How often the revision is read, how long the cache is trusted without a
// read, and how often a key's use is recorded.
const (
	revisionEvery = time.Second
	revisionTrust = 2 * time.Second
	useEvery      = time.Minute
)

type keyCacheEntry struct {
	caller    Caller
	expiresAt time.Time // the key's own expiry, on Coffer's clock; zero: never
	expires   time.Time // when the entry goes stale, on the wall clock
	usedAt    time.Time // when its use was last noted, on the wall clock
}

func newKeyCache(ttl time.Duration, max int, now func() time.Time) *keyCache {
	return &keyCache{now: now, ttl: ttl, max: max, entries: map[string]keyCacheEntry{}, used: map[string]time.Time{}}
}

// lookup is what get found.
type lookup struct {
	caller    Caller
	expiresAt time.Time
	hit       bool
	// poll: this request is to read the revision (readRevision) and look
	// again; no other request is asked to meanwhile.
	poll bool
	// noteUse: the key's use is due to be recorded (noteUse).
	noteUse bool
}

// get returns the cached caller for a hash, if fresh and trusted. It uses
// the wall clock it was given (Config.Wall), not the service's clock: a
// test clock moved a year ahead must not make credentials look stale, nor
// a frozen one keep them forever.
func (c *keyCache) get(hash []byte) lookup {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.now()
	var l lookup
	age := wall.Sub(c.checked)
	if age >= revisionEvery && !c.polling {
		c.polling, l.poll = true, true
	}
	if age >= revisionTrust {
		return l
	}
	e, ok := c.entries[string(hash)]
	if !ok || wall.After(e.expires) {
		return l
	}
	if wall.Sub(e.usedAt) >= useEvery {
		e.usedAt = wall
		c.entries[string(hash)] = e
		l.noteUse = true
	}
	l.caller, l.expiresAt, l.hit = e.caller, e.expiresAt, true
	return l
}

// generation is taken before a key is read from the store and handed to
// put, which keeps the key only if nothing was dropped meanwhile: a key
// read just before its revocation was seen must not outlive it here.
func (c *keyCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put caches a caller read at generation gen, its use just noted. When
// full it drops everything: simpler than LRU, and a refill costs one read
// per live key.
func (c *keyCache) put(hash []byte, caller *Caller, expiresAt time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	wall := c.now()
	c.entries[string(hash)] = keyCacheEntry{caller: *caller, expiresAt: expiresAt, expires: wall.Add(c.ttl), usedAt: wall}
}

// revised takes the result of reading the store's revision, which the
// request get asked to poll made: on success the cache is trusted for
// another revisionTrust, and starts over if the revision moved. It returns
// the uses noted since the last read, for the caller to record.
func (c *keyCache) revised(rev int64, ok bool) map[string]time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.polling = false
	if !ok {
		return nil
	}
	if rev != c.rev {
		c.dropLocked()
		c.rev = rev
	}
	c.checked = c.now()
	if len(c.used) == 0 {
		return nil
	}
	used := c.used
	c.used = map[string]time.Time{}
	return used
}

// drop forgets every cached key, as this process revoking one does.
func (c *keyCache) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked()
}

func (c *keyCache) dropLocked() {
	clear(c.entries)
	c.gen++
}

// noteUse records that a key was used at at, Coffer's time, for the next
// revision read to hand over. Bounded like the entries.
func (c *keyCache) noteUse(keyID string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.used) >= c.max {
		return
	}
	if prev, ok := c.used[keyID]; !ok || at.After(prev) {
		c.used[keyID] = at
	}
}

// takeUses hands over the uses not yet recorded.
func (c *keyCache) takeUses() map[string]time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	used := c.used
	c.used = map[string]time.Time{}
	return used
}
