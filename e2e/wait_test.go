package e2e

import (
	"testing"
	"time"
)

const (
	// pollEvery is how often waitFor asks again: short beside what the
	// tests wait for (a webhook, a recharge, a row), so a wait ends soon
	// after its condition holds.
	pollEvery = 10 * time.Millisecond
	// waitLimit is the longest waitFor waits when the test's deadline is
	// further off: several times what any condition takes on two busy
	// cores, so that only a condition that never comes fails.
	waitLimit = time.Minute
)

// waitFor polls cond until it holds. It fails the test, naming what it
// waited for, after waitLimit or shortly before the test binary's own
// deadline, whichever is sooner, so that a wait that never ends fails with
// a message rather than with the binary's panic.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	limit := waitLimit
	if at := giveUpAt(t); !at.IsZero() {
		limit = min(limit, time.Until(at))
	}
	giveUp := time.NewTimer(limit)
	defer giveUp.Stop()
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	for !cond() {
		select {
		case <-giveUp.C:
			t.Fatalf("timed out waiting for %s", what)
		case <-poll.C:
		}
	}
}

// giveUpAt is when a wait for the server to act fails the test: shortly
// before the test binary's own timeout. Zero means never.
func giveUpAt(t *testing.T) time.Time {
	d, ok := t.Deadline()
	if !ok {
		return time.Time{}
	}
	return d.Add(-10 * time.Second)
}
