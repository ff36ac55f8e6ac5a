package coffer

import (
	"sync"
	"time"
)

// Clock is the one source of time for every time-dependent rule: expiry,
// hold TTLs, alerts, retries, invoices. Nothing in Coffer calls time.Now
// directly, so a test clock can move all of them together.
type Clock interface {
	Now() time.Time
}

// SystemClock reads the machine's wall clock, in UTC, to the microsecond
// (the resolution the stores keep).
type SystemClock struct{}

// Now returns the current UTC time truncated to microseconds.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// TestClock is a clock that moves only when told to. Between moves it
// reads as frozen; the server's test mode advances it through the API.
type TestClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewTestClock returns a test clock set to start.
func NewTestClock(start time.Time) *TestClock {
	return &TestClock{now: start.UTC().Truncate(time.Microsecond)}
}

// Now returns the clock's current time.
func (c *TestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t. Moving it backwards is refused: work that fell
// due cannot be undone, so a clock that ran back would lie about it.
func (c *TestClock) Set(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	t = t.UTC().Truncate(time.Microsecond)
	if t.Before(c.now) {
		return Errorf(EInvalid, "the test clock cannot move backwards: it is at %s, asked for %s",
			c.now.Format(time.RFC3339Nano), t.Format(time.RFC3339Nano))
	}
	c.now = t
	return nil
}
