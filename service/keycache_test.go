package service

import (
	"testing"
	"time"
)

func TestKeyCache(t *testing.T) {
	c := newKeyCache(50*time.Millisecond, 2, time.Now)
	if _, ok := c.get([]byte("a")); ok {
		t.Fatal("empty cache answered")
	}
	c.put([]byte("a"), &Caller{KeyID: "key_a", Role: "admin"})
	got, ok := c.get([]byte("a"))
	if !ok || got.KeyID != "key_a" {
		t.Fatalf("cached caller: %v %v", got, ok)
	}
	got.Role = "usage" // a caller handed out must not alter the cache
	if again, _ := c.get([]byte("a")); again.Role != "admin" {
		t.Fatal("cache entry changed through a returned caller")
	}
	c.put([]byte("b"), &Caller{KeyID: "key_b"})
	c.put([]byte("c"), &Caller{KeyID: "key_c"}) // full: starts over
	if _, ok := c.get([]byte("a")); ok {
		t.Fatal("a full cache should have been cleared")
	}
	time.Sleep(60 * time.Millisecond)
	if _, ok := c.get([]byte("c")); ok {
		t.Fatal("an entry outlived its TTL")
	}
}
