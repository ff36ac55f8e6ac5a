// Package sqlstore implements store.Store on SQLite (the embedded default)
// and PostgreSQL (production), with one set of SQL for both.
//
// The schema is the same in both engines (see migrations/): amounts are
// BIGINT micro-units, timestamps BIGINT unix microseconds UTC, metadata and
// event data JSON text. The few places where the engines' SQL differs are
// in dialect.go and the two migration folders.
//
// Concurrency: on SQLite one writer connection takes every write
// transaction with BEGIN IMMEDIATE, so writes are serialised by the file
// lock, and readers use a separate pool over WAL. On PostgreSQL, ledger
// writes lock the touched accounts' rows in id order with SELECT … FOR
// UPDATE, so several Coffer processes may share one database. Deadlocks,
// serialization failures and SQLITE_BUSY are retried a few times.
package sqlstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/cofferdev/coffer/store"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Store is a store.Store on SQLite or PostgreSQL. It is safe for
// concurrent use.
type Store struct {
	d   dialect
	eng engine
	big bigHint
	// warm are the states of the accounts this process committed last.
	warm *warmStates
}

var _ store.Store = (*Store)(nil)

// Open connects to the database the DSN names: a postgres:// or
// postgresql:// URL selects PostgreSQL; anything else is a SQLite file path,
// optionally prefixed "sqlite:". Open does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse postgres url: %w", err)
	}
	// Statements are prepared once per connection and their plans reused
	// (pgx's statement cache). The hot path's statements have one text
	// whatever their batch's size (arrays instead of IN and VALUES lists,
	// see dialect.in and bulk.arrays), so a committer batch is executed,
	// never parsed or planned: on small batches planning was most of the
	// server's work (measured in docs/performance.md). A DSN may still
	// choose another default_query_exec_mode.
	if !strings.Contains(dsn, "default_query_exec_mode") {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement
	}
	// Each committer keeps up to BatchDepth transactions in flight, each
	// on a connection of its own; pgx's default pool (four connections,
	// or one per CPU) would make them queue for connections, and leave
	// none for reads. Connections open only as they are needed.
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = max(cfg.MaxConns, pgPoolConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &Store{d: postgresDialect, eng: &pgEngine{p: pool, db: stdlib.OpenDBFromPool(pool)}, warm: newWarmStates()}, nil
}

// Engine returns "sqlite" or "postgres".
func (s *Store) Engine() string { return s.d.name }

// BatchParallelism is how many committer batches the engine usefully runs
// at once. SQLite takes one write transaction at a time. PostgreSQL takes
// many; two keep one backend writing while the next batch is applied and
// encoded, and more only shrink each batch (measured in docs/performance.md).
func (s *Store) BatchParallelism() int {
	if s.d.name == "postgres" {
		return 2
	}
	return 1
}

// BatchDepth is how many of one committer's batches the engine usefully
// runs at once, over disjoint accounts. SQLite's one writer takes one
// transaction at a time. On PostgreSQL a small batch spends most of its
// time waiting for round trips and the WAL flush, and several in flight
// fill that time and share their flushes (measured in
// docs/performance.md).
func (s *Store) BatchDepth() int {
	if s.d.name == "postgres" {
		return pgBatchDepth
	}
	return 1
}

// pgBatchDepth is BatchDepth on PostgreSQL.
const pgBatchDepth = 4

// pgPoolConns is the PostgreSQL pool's size unless the URL sets
// pool_max_conns: the two committers' batches in flight, and as many
// again for reads and the other writers.
const pgPoolConns = 2 * 2 * pgBatchDepth

// Close releases the store's connections.
func (s *Store) Close() error { return s.eng.close() }

// Migrate brings the schema up to date with the migrations embedded in the
// binary. On PostgreSQL an advisory lock lets several processes start at
// once; only one migrates.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.migrations()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// migrations is the migration tool over the engine's embedded migrations.
func (s *Store) migrations() (*goose.Provider, error) {
	dir, err := fs.Sub(migrations, "migrations/"+s.d.name)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	dialect := goose.DialectSQLite3
	if s.d.name == "postgres" {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.eng.sqlDB(), dir, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return p, nil
}

// maxAttempts bounds how often a transaction that lost a race (deadlock,
// serialization failure, busy database) is run again.
const maxAttempts = 6

// write runs fn in a write transaction and commits it, retrying the whole
// transaction when the engine reports a transient conflict. fn must not
// keep anything from a failed attempt.
func (s *Store) write(ctx context.Context, fn func(tx) error) error {
	return s.writeThen(ctx, func(t tx) ([]stmt, error) { return nil, fn(t) })
}

// writeThen is write for a fn that returns statements to run last, with
// the commit: one round trip on PostgreSQL.
func (s *Store) writeThen(ctx context.Context, fn func(tx) ([]stmt, error)) error {
	for attempt := 1; ; attempt++ {
		err := s.tryWrite(ctx, fn)
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return s.translate(err)
		}
		// Jittered exponential backoff: 1-2ms, 2-4ms, 4-8ms, …
		base := time.Millisecond << (attempt - 1)
		t := time.NewTimer(base + rand.N(base))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (s *Store) tryWrite(ctx context.Context, fn func(tx) ([]stmt, error)) error {
	t, err := s.eng.begin(ctx, true)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	final, err := fn(t)
	if err != nil {
		_ = t.rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := t.commit(ctx, final); err != nil {
		_ = t.rollback(context.WithoutCancel(ctx))
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// read runs fn in a read-only snapshot, for reads of more than one
// statement that must agree with each other.
func (s *Store) read(ctx context.Context, fn func(querier) error) error {
	return s.readTx(ctx, func(t tx) error { return fn(t) })
}

// readTx is read for a fn that needs the snapshot as a tx (a batch's
// loading, which LoadBalance runs in one).
func (s *Store) readTx(ctx context.Context, fn func(tx) error) error {
	t, err := s.eng.begin(ctx, false)
	if err != nil {
		return s.translate(fmt.Errorf("begin: %w", err))
	}
	defer func() { _ = t.rollback(context.WithoutCancel(ctx)) }()
	return s.translate(fn(t))
}

// Batch runs fn in one write transaction and commits if it returns nil. A
// deadlock, serialization failure or busy database runs fn again from the
// start, so fn must load everything it uses through the Batch.
//
// The batch's writes are sent with the commit (see batch.Write), so an
// error in them, a conflict say, is returned here rather than by Write.
//
// A batch that used states this process kept (warm.go) and found that
// another writer had changed one of them since, or whose fn asks for it
// (store.ErrReadAgain), runs again at once, reading its accounts afresh.
// Once a batch commits, the states it loaded are kept for the next.
func (s *Store) Batch(ctx context.Context, fn func(store.Batch) error) error {
	var last *batch
	err := s.batch(ctx, fn, &last, false)
	if errors.Is(err, errStale) || errors.Is(err, store.ErrReadAgain) {
		err = s.batch(ctx, fn, &last, true)
	}
	if err == nil {
		last.keepStates()
	}
	return err
}

// batch runs fn in one write transaction; cold reads every account, kept
// or not.
func (s *Store) batch(ctx context.Context, fn func(store.Batch) error, last **batch, cold bool) error {
	return s.writeThen(ctx, func(t tx) ([]stmt, error) {
		// Every statement of a batch finds its rows by key: on PostgreSQL
		// it runs on cached generic plans of index probes (pgKeyedPlans).
		if k, ok := t.(interface{ keyedPlans() }); ok {
			k.keyedPlans()
		}
		b := newBatch(s, t)
		b.cold = cold
		*last = b
		if err := fn(b); err != nil {
			return nil, err
		}
		return b.final(), nil
	})
}

// errNoRows is returned by helpers when a lookup finds nothing; callers
// turn it into a not-found error naming the thing.
var errNoRows = errors.New("no rows")
