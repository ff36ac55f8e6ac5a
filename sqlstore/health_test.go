package sqlstore_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// A migrated store answers and is current; one whose last migration is
// missing, or that was never migrated, is not; a closed one does not
// answer.
func TestReadiness(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("ping: %v", err)
		}
		if err := s.MigrationsCurrent(ctx); err != nil {
			t.Fatalf("a migrated store: %v", err)
		}
		if err := s.Exec(ctx, "DELETE FROM goose_db_version WHERE version_id = (SELECT MAX(version_id) FROM goose_db_version)"); err != nil {
			t.Fatal(err)
		}
		err := s.MigrationsCurrent(ctx)
		if err == nil || !strings.Contains(err.Error(), "pending") {
			t.Fatalf("the last migration undone: %v, want pending migrations", err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("ping with migrations pending: %v", err)
		}
	})
}

func TestReadinessUnmigrated(t *testing.T) {
	t.Parallel()
	for name, dsn := range map[string]string{
		"sqlite":   filepath.Join(t.TempDir(), "fresh.db"),
		"postgres": pgtest.TestPostgresDSN(t),
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, err := sqlstore.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Ping(ctx); err != nil {
				t.Fatalf("ping: %v", err)
			}
			if err := s.MigrationsCurrent(ctx); err == nil {
				t.Error("a store never migrated counts as current")
			}
			s.Close()
			if err := s.Ping(ctx); err == nil {
				t.Error("a closed store answers a ping")
			}
		})
	}
}
