package sqlstore

import (
	"context"
	"fmt"
)

// Ping runs a trivial query on the pool the API reads from, so that it
// proves a connection can be had and the database answers, not only that
// a socket is open.
func (s *Store) Ping(ctx context.Context) error {
	var one int64
	if _, err := queryRow(ctx, s.eng.pool(false), "SELECT 1", nil, &one); err != nil {
		return fmt.Errorf("ping %s: %w", s.d.name, err)
	}
	return nil
}

// MigrationsCurrent reports an error unless every migration embedded in
// the binary has been applied to the database. It takes no lock, so it
// neither waits for nor holds up a process migrating at the same time.
// A database migrated further by a newer binary counts as current: the
// migrations only add to the schema, and a rolling upgrade runs old and
// new processes side by side.
func (s *Store) MigrationsCurrent(ctx context.Context) error {
	p, err := s.migrations()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if pending {
		current, target, err := p.GetVersions(ctx)
		if err != nil {
			return fmt.Errorf("migrations are pending: %w", err)
		}
		return fmt.Errorf("migrations are pending: the schema is at version %d, this binary needs %d (run coffer migrate)", current, target)
	}
	return nil
}
