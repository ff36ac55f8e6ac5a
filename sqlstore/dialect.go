package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// dialect holds what differs between the engines' SQL at run time; the
// schema differences live in migrations/sqlite and migrations/postgres.
// Everything else is SQL both accept: $n parameters, INSERT … ON CONFLICT,
// partial indexes, CAST(… AS BIGINT).
type dialect struct {
	name string // "sqlite" or "postgres"
	// forUpdate ends a SELECT that must lock the rows it reads until the
	// transaction ends. SQLite needs nothing: its one writer already
	// excludes every other writer.
	forUpdate string
}

var (
	sqliteDialect   = dialect{name: "sqlite", forUpdate: ""}
	postgresDialect = dialect{name: "postgres", forUpdate: " FOR UPDATE"}
)

// SQLite connection settings. WAL lets readers run beside the writer;
// synchronous=FULL makes every commit durable at the cost of an fsync,
// which is right for money; busy_timeout waits out another process's
// write instead of failing at once; foreign keys are off by default in
// SQLite and on here.
const (
	sqliteCommon = "_busy_timeout=5000&_foreign_keys=1"
	sqliteWriter = sqliteCommon + "&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate"
	sqliteReader = sqliteCommon + "&_query_only=1"
)

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: a database file path is required, got %q", path)
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	writer, err := sql.Open("sqlite", path+sep+sqliteWriter)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// One writer connection: SQLite takes one write transaction at a time
	// anyway, and queueing for it in the pool is cheaper than spinning on
	// SQLITE_BUSY.
	writer.SetMaxOpenConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	// Connect now, so the file exists in WAL mode before a reader opens it.
	if err := writer.PingContext(ctx); err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", path+sep+sqliteReader)
	if err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	return &Store{d: sqliteDialect, eng: &sqliteEngine{writer: writer, reader: reader}}, nil
}
