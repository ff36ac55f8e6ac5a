package service

import (
	"testing"
	"time"

	"github.com/cofferdev/coffer/money"
)

// A settings read that began before a change must not cache the old
// settings after the change forgot them: the interleaving that once left
// auto-recharge looking "off" for seconds after it was turned on.
func TestSettingsReadRacingAChangeIsNotCached(t *testing.T) {
	p := &payer{wall: time.Now, queued: map[string]queuedCheck{}, wake: make(chan struct{}, 1), settings: map[string]cachedSettings{}}
	_, forgotten, ok := p.cached("acct_1")
	if ok {
		t.Fatal("empty cache answered")
	}
	// The worker reads "off" from the store; meanwhile the owner turns
	// auto-recharge on, which forgets the account's settings.
	stale := cachedSettings{enabled: false, at: time.Now()}
	p.enqueue("acct_1")
	p.remember("acct_1", stale, forgotten)
	if _, _, ok := p.cached("acct_1"); ok {
		t.Fatal("a read that raced a change was cached")
	}
	// A read with no change in between is cached.
	_, forgotten, _ = p.cached("acct_1")
	p.remember("acct_1", cachedSettings{enabled: true, threshold: money.FromInt(10), at: time.Now()}, forgotten)
	if c, _, ok := p.cached("acct_1"); !ok || !c.enabled {
		t.Fatalf("a clean read was not cached: %+v %v", c, ok)
	}
}
