package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
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

// in returns a condition on a column, to follow it, that matches any of
// vals, with its args; from is the number of its first parameter. It is
// one parameter however many values there are, so the statement's text is
// the same for any number and its prepared form is reused (statements are
// prepared and cached on both engines, see openPostgres and stmtCache),
// where an IN list of a new length is a new statement to parse and plan.
// PostgreSQL gets "= ANY($1::text[])"; SQLite "IN (SELECT value FROM
// json_each($1))" with the values as a JSON array, which it plans as the
// same index probes as an IN list.
func (d dialect) in(from int, vals []string) (string, []any) {
	p := "$" + strconv.Itoa(from)
	if d.name == "postgres" {
		return "= ANY(" + p + "::text[])", []any{vals}
	}
	return "IN (SELECT value FROM json_each(" + p + "))", []any{jsonStrings(vals)}
}

// jsonStrings renders strings as a JSON array.
func jsonStrings(vals []string) string {
	b, _ := json.Marshal(vals) // strings always encode
	return string(b)
}

// SQLite connection settings. WAL lets readers run beside the writer;
// synchronous=FULL makes every commit durable at the cost of an fsync,
// which is right for money; busy_timeout waits out another process's
// write instead of failing at once; foreign keys are off by default in
// SQLite and on here.
//
// The writer also keeps a 64 MiB page cache (the default 2 MiB makes a
// batch over many accounts reread index pages it just wrote) and lets the
// WAL grow to 16,384 pages (64 MiB with 4 KiB pages) before folding it back
// into the database, instead of 1,000: a batch spread over many accounts
// dirties pages all over the indexes, and checkpointing every few batches
// wrote the same pages again and again (+17-20% debits/s spread over 1,000
// accounts, measured in docs/performance.md). Durability is unchanged: a
// commit is durable once its WAL frames are synced, whenever the
// checkpoint runs. The cost is disk: the WAL file may reach about 64 MiB.
const (
	sqliteCommon = "_busy_timeout=5000&_foreign_keys=1"
	sqliteWriter = sqliteCommon + "&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate" +
		"&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(16384)"
	sqliteReader = sqliteCommon + "&_query_only=1"
)

// SQLiteWriterDSN is the DSN the store's writer opens the SQLite file at
// path with, for tools that must write with the same settings (coffer
// bench's baselines).
func SQLiteWriterDSN(path string) string { return sqliteDSN(path, sqliteWriter) }

// sqliteDSN adds the connection settings to a path that may carry some.
func sqliteDSN(path, settings string) string {
	if strings.Contains(path, "?") {
		return path + "&" + settings
	}
	return path + "?" + settings
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: a database file path is required, got %q", path)
	}
	writer, err := sql.Open("sqlite", sqliteDSN(path, sqliteWriter))
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
	reader, err := sql.Open("sqlite", sqliteDSN(path, sqliteReader))
	if err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	return &Store{d: sqliteDialect, eng: &sqliteEngine{writer: writer, reader: reader,
		stmts: newStmtCache(writer)}, warm: newWarmStates()}, nil
}
