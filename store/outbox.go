package store

import "time"

// Outbox is how far event delivery is behind: events not yet dispatched
// into deliveries, deliveries still pending (waiting for a first attempt
// or a retry), and the creation time of the oldest of each (zero when
// there is none). Metrics read it at scrape time.
type Outbox struct {
	Undispatched       int64
	OldestUndispatched time.Time
	Pending            int64
	OldestPending      time.Time
}
