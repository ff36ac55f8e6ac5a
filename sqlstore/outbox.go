package sqlstore

import (
	"context"

	"github.com/cofferdev/coffer/store"
)

// Outbox reads the outbox's backlog for metrics: two counts over the
// partial indexes on undispatched events and pending deliveries, read on
// the readers' pool so that a scrape never waits for the writer.
func (s *Store) Outbox(ctx context.Context) (store.Outbox, error) {
	var o store.Outbox
	var oldest *int64
	if _, err := queryRow(ctx, s.eng.pool(false), "SELECT COUNT(*), MIN(created_at) FROM events WHERE delivered_at IS NULL",
		nil, &o.Undispatched, &oldest); err != nil {
		return o, s.translate(err)
	}
	o.OldestUndispatched = fromNullMicros(oldest)
	oldest = nil
	if _, err := queryRow(ctx, s.eng.pool(false), "SELECT COUNT(*), MIN(created_at) FROM deliveries WHERE status = 'pending'",
		nil, &o.Pending, &oldest); err != nil {
		return o, s.translate(err)
	}
	o.OldestPending = fromNullMicros(oldest)
	return o, nil
}
