package service

import (
	"testing"
	"time"
)

// fakeWall is a wall clock the test moves.
type fakeWall struct{ t time.Time }

func (w *fakeWall) now() time.Time          { return w.t }
func (w *fakeWall) add(d time.Duration)     { w.t = w.t.Add(d) }
func newFakeWall() *fakeWall                { return &fakeWall{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }
func hit(c *keyCache, hash string) bool     { return c.get([]byte(hash)).hit }
func trust(c *keyCache, rev int64) []string { return keysOf(c.revised(rev, true)) }

func keysOf(m map[string]time.Time) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestKeyCache(t *testing.T) {
	w := newFakeWall()
	c := newKeyCache(50*time.Millisecond, 2, w.now)
	if l := c.get([]byte("a")); l.hit || !l.poll {
		t.Fatalf("a cache that never read the revision: %+v, want a miss asking to poll", l)
	}
	trust(c, 1)
	c.put([]byte("a"), &Caller{KeyID: "key_a", Role: "admin"}, time.Time{}, c.generation())
	l := c.get([]byte("a"))
	if !l.hit || l.caller.KeyID != "key_a" || l.poll || l.noteUse {
		t.Fatalf("cached caller: %+v", l)
	}
	l.caller.Role = "usage" // a caller handed out must not alter the cache
	if again := c.get([]byte("a")); again.caller.Role != "admin" {
		t.Fatal("cache entry changed through a returned caller")
	}
	gen := c.generation()
	c.put([]byte("b"), &Caller{KeyID: "key_b"}, time.Time{}, gen)
	c.put([]byte("c"), &Caller{KeyID: "key_c"}, time.Time{}, gen) // full: starts over
	if hit(c, "a") {
		t.Fatal("a full cache should have been cleared")
	}
	w.add(60 * time.Millisecond)
	if hit(c, "c") {
		t.Fatal("an entry outlived its TTL")
	}
}

// The cache is trusted only while the revision was read within
// revisionTrust; one request a second is asked to read it; a moved
// revision, or a local revocation, drops every entry; and a key read from
// the store before that must not be cached after it.
func TestKeyCacheRevision(t *testing.T) {
	w := newFakeWall()
	c := newKeyCache(time.Minute, 100, w.now)
	trust(c, 7)
	c.put([]byte("a"), &Caller{KeyID: "key_a"}, time.Time{}, c.generation())

	w.add(revisionEvery)
	l := c.get([]byte("a"))
	if !l.hit || !l.poll {
		t.Fatalf("a second on: %+v, want a hit asking this request to poll", l)
	}
	if again := c.get([]byte("a")); !again.hit || again.poll {
		t.Fatalf("while one request polls: %+v, want a hit, no second poll", again)
	}
	trust(c, 7) // unchanged: kept
	if !hit(c, "a") {
		t.Fatal("an unchanged revision dropped the cache")
	}

	w.add(revisionTrust)
	if l := c.get([]byte("a")); l.hit || !l.poll {
		t.Fatalf("unread for revisionTrust: %+v, want a miss asking to poll", l)
	}
	c.revised(0, false) // the read failed: still untrusted
	if l := c.get([]byte("a")); l.hit || !l.poll {
		t.Fatalf("after a failed read: %+v, want a miss asking to poll again", l)
	}

	gen := c.generation() // a request reads key b from the store …
	trust(c, 8)           // … meanwhile a revocation is seen
	if hit(c, "a") {
		t.Fatal("a moved revision kept the cache")
	}
	c.put([]byte("b"), &Caller{KeyID: "key_b"}, time.Time{}, gen)
	if hit(c, "b") {
		t.Fatal("a key read before the revocation was seen was cached after it")
	}
	c.put([]byte("b"), &Caller{KeyID: "key_b"}, time.Time{}, c.generation())
	c.drop()
	if hit(c, "b") {
		t.Fatal("drop kept an entry")
	}
}

// A key's use is noted once per useEvery, and handed over at the next
// revision read.
func TestKeyCacheUses(t *testing.T) {
	w := newFakeWall()
	c := newKeyCache(time.Hour, 100, w.now)
	trust(c, 1)
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // Coffer's clock, whatever it reads
	c.put([]byte("a"), &Caller{KeyID: "key_a"}, time.Time{}, c.generation())
	c.noteUse("key_a", at)
	if got := trust(c, 1); len(got) != 1 || got[0] != "key_a" {
		t.Fatalf("uses handed over: %v, want key_a", got)
	}
	for range 10 {
		w.add(revisionEvery)
		if l := c.get([]byte("a")); l.noteUse {
			t.Fatal("use noted again within a minute")
		}
		if got := trust(c, 1); len(got) != 0 {
			t.Fatalf("uses handed over again: %v", got)
		}
	}
	w.add(useEvery)
	trust(c, 1)
	if l := c.get([]byte("a")); !l.noteUse {
		t.Fatal("use not noted a minute on")
	}
}
