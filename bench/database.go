package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// database is the store the bench runs on: always its own, never one that
// holds data.
type database struct {
	engine string // "sqlite" or "postgres"
	dsn    string // what sqlstore.Open takes
	// where tells the reader which file or database was used.
	where string
	// drop removes what the bench created, when it should not stay.
	drop func() error
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openDatabase makes the bench's own database. For PostgreSQL it creates a
// fresh database named coffer_bench_<random> on the server the URL names,
// connecting to the URL's own database only to run CREATE DATABASE, and
// drops it afterwards. For SQLite it uses a new file in a temporary
// directory, removed afterwards; or the path given, which must not exist
// yet and is left in place.
func openDatabase(ctx context.Context, db string) (*database, error) {
	if isPostgres(db) {
		return createPostgres(ctx, db)
	}
	path := strings.TrimPrefix(db, "sqlite:")
	if path == "" {
		dir, err := os.MkdirTemp("", "coffer-bench-")
		if err != nil {
			return nil, err
		}
		path = filepath.Join(dir, "bench.db")
		return &database{engine: "sqlite", dsn: path, where: path + " (temporary, removed afterwards)",
			drop: func() error { return os.RemoveAll(dir) }}, nil
	}
	if strings.Contains(path, "?") {
		return nil, fmt.Errorf("--db %s: give a plain file path; the bench sets SQLite's options itself", path)
	}
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("--db %s already exists; the bench needs a file of its own (give a new path, or none for a temporary file)", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return &database{engine: "sqlite", dsn: path, where: path + " (kept)", drop: func() error { return nil }}, nil
}

func createPostgres(ctx context.Context, admin string) (*database, error) {
	u, err := url.Parse(admin)
	if err != nil {
		return nil, fmt.Errorf("--db: parse the postgres URL: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, admin)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", u.Redacted(), err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "coffer_bench_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(cctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	own := *u
	own.Path = "/" + name
	redacted := own.Redacted()
	return &database{engine: "postgres", dsn: own.String(), where: redacted + " (created for this run, dropped afterwards)",
		drop: func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c, err := pgx.Connect(ctx, admin)
			if err != nil {
				return fmt.Errorf("drop database %s: %w", name, err)
			}
			defer c.Close(context.Background())
			// FORCE ends connections still open (PostgreSQL 13+).
			if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
				return fmt.Errorf("drop database %s: %w", name, err)
			}
			return nil
		}}, nil
}
