// Package pgtest gives tests a fresh database on the real PostgreSQL
// server, so every package can run its tests against PostgreSQL as well as
// SQLite, in parallel, without sharing state.
//
// The server is named by COFFER_TEST_POSTGRES (a postgres:// URL whose
// user may create databases), by default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable. When it is
// not reachable the test is skipped with a loud message, or fails when the
// environment variable CI is "true": in CI a missing database is a broken
// build, not a reason to pass.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultDSN is the server used when COFFER_TEST_POSTGRES is not set.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// AdminDSN returns the URL of the server tests create databases on.
func AdminDSN() string {
	if dsn := os.Getenv("COFFER_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return DefaultDSN
}

// TestPostgresDSN creates a fresh, empty database for the test, drops it
// when the test ends, and returns its postgres:// URL. The database is not
// migrated: open it with sqlstore.Open and call Migrate.
func TestPostgresDSN(t testing.TB) string {
	t.Helper()
	admin := AdminDSN()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		unreachable(t, admin, err)
	}
	defer conn.Close(context.Background())

	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "coffer_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		// FORCE ends connections a test left open (PostgreSQL 13+).
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})

	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("pgtest: parse %s: %v", redact(admin), err)
	}
	u.Path = "/" + name
	return u.String()
}

// unreachable skips the test, or fails it in CI.
func unreachable(t testing.TB, dsn string, err error) {
	t.Helper()
	msg := fmt.Sprintf("PostgreSQL not reachable at %s (%v): PostgreSQL store tests NOT RUN. "+
		"Start it, or point COFFER_TEST_POSTGRES at a server.", redact(dsn), err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// redact hides a password in a URL.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// OnEachStore runs fn as two parallel subtests, "sqlite" on a new file in
// the test's temporary directory and "postgres" on a fresh database
// (TestPostgresDSN), each given its store's DSN, unmigrated.
func OnEachStore(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			dsn := filepath.Join(t.TempDir(), "coffer.db")
			if engine == "postgres" {
				dsn = TestPostgresDSN(t)
			}
			fn(t, dsn)
		})
	}
}
