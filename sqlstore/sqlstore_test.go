package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	moneypkg "github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
	"github.com/cofferdev/coffer/store"
	"github.com/cofferdev/coffer/store/storetest"
)

// open opens and migrates a store, closing it when the test ends.
func open(t testing.TB, dsn string) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

func openSQLite(t testing.TB) *sqlstore.Store {
	return open(t, filepath.Join(t.TempDir(), "coffer.db"))
}

func openPostgres(t testing.TB) *sqlstore.Store {
	return open(t, pgtest.TestPostgresDSN(t))
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return openSQLite(t) })
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return openPostgres(t) })
}

func money(s string) moneypkg.Amount { return moneypkg.MustParse(s) }
