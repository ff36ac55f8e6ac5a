package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The two engines are reached through different client libraries: pgx's
// native pool on PostgreSQL (for pipelined batches of statements, one round
// trip per batch) and database/sql on SQLite. The store's methods are
// written once, against the small querier interface below; this file is the
// only place that knows which library is underneath.

// rows is a result set being read. pgx.Rows satisfies it as is.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// stmt is one statement of a pipeline. scan, when set, reads the rows the
// statement returns; it is called exactly once and must read to the end.
// A stmt with bulk set is one statement applied to many rows instead.
type stmt struct {
	sql  string
	args []any
	scan func(rows) error
	bulk *bulk
	// tag, when set, checks the command tag of a statement that returns
	// no rows (PostgreSQL only).
	tag func(string) error
}

// bulk is one write applied to many rows, shaped for each engine. SQLite
// runs the single-row form, prepared once, per row: a function call
// in-process, and its driver binds parameters in time quadratic in their
// number, so small statements are much cheaper than one large one.
// PostgreSQL runs the arrays form for more than one row (and the
// single-row form for one): the same write taking one array
// parameter per column ($1 the first column of every row, …), as
// unnest($1::text[], …). Its text is the same for any number of rows, so
// the server plans it once per connection and reuses the plan, where a
// multi-row VALUES list of a new length would be a new statement to parse
// and plan; and k arrays bind faster than k·n parameters.
type bulk struct {
	one    string   // the statement for one row: parameters $1…$k
	arrays string   // the statement for the rows' columns: arrays $1…$k
	types  []string // the arrays' element types, one per column
	rows   [][]any
	// versioned says each row must be written (newVersionedUpdate): SQLite
	// fails the batch with errStale when one is not, and PostgreSQL runs
	// pgOne, its own one-row form, instead of one.
	versioned bool
	pgOne     string
	// copyTo, when set, names a plain append (no ON CONFLICT) that
	// PostgreSQL runs as COPY when there are enough rows: on a full
	// committer batch of debits COPY still beats the arrays form by
	// 15-20% (measured).
	copyTo *copyTarget
}

// copyTarget is the table and columns of a COPY.
type copyTarget struct {
	table string
	cols  []string
}

// copyMin is the fewest rows worth a COPY: it is a round trip of its own,
// outside the pipelined batch, so small batches are cheaper inline.
const copyMin = 64

// columns turns the rows into one typed slice per column, the arguments
// of the arrays form. Typed slices let pgx tell each parameter's type from
// its Go type.
func (b *bulk) columns() ([]any, error) {
	cols := make([]any, len(b.types))
	n := len(b.rows)
	for c, t := range b.types {
		var err error
		switch t {
		case "text":
			cols[c], err = columnOf[string](b.rows, c)
		case "boolean":
			cols[c], err = columnOf[bool](b.rows, c)
		case "bytea":
			cols[c], err = columnOf[[]byte](b.rows, c)
		case "bigint":
			col := make([]*int64, n) // nil is NULL
			for i, r := range b.rows {
				switch v := r[c].(type) {
				case nil:
				case int64:
					col[i] = &v
				case int:
					w := int64(v)
					col[i] = &w
				default:
					return nil, fmt.Errorf("bulk write: column %d holds %T, not an integer", c, v)
				}
			}
			cols[c] = col
		default:
			return nil, fmt.Errorf("bulk write: no array form for %s", t)
		}
		if err != nil {
			return nil, err
		}
	}
	return cols, nil
}

// columnOf collects column c of the rows as a []T.
func columnOf[T any](rows [][]any, c int) ([]T, error) {
	col := make([]T, len(rows))
	for i, r := range rows {
		v, ok := r[c].(T)
		if !ok {
			return nil, fmt.Errorf("bulk write: column %d holds %T, want %T", c, r[c], col[0])
		}
		col[i] = v
	}
	return col, nil
}

// arrayTypes names each column's type for the arrays form, from the
// first non-NULL value in it. A column that is NULL in every row is one
// of the schema's optional timestamps, which are all BIGINT (the only
// nullable columns the bulk writes have). A value of a type this does not
// know names its Go type, which columns then refuses.
func arrayTypes(rows [][]any) (types []string) {
	types = make([]string, len(rows[0]))
	for c := range types {
		types[c] = "bigint"
	rows:
		for _, r := range rows {
			switch r[c].(type) {
			case nil:
				continue
			case string:
				types[c] = "text"
			case int64, int:
				types[c] = "bigint"
			case bool:
				types[c] = "boolean"
			case []byte:
				types[c] = "bytea"
			default:
				types[c] = fmt.Sprintf("%T", r[c])
			}
			break rows
		}
	}
	return types
}

// unnest returns "unnest($1::text[], $2::bigint[], …)" for the element
// types.
func unnest(types []string) string {
	var b strings.Builder
	b.WriteString("unnest(")
	for i, t := range types {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i+1) + "::" + t + "[]")
	}
	b.WriteString(")")
	return b.String()
}

// querier runs statements: on a pool (each statement its own transaction)
// or inside an open transaction.
type querier interface {
	query(ctx context.Context, sql string, args ...any) (rows, error)
	exec(ctx context.Context, sql string, args ...any) (int64, error)
	// pipeline runs the statements in order, stopping at the first error.
	// PostgreSQL sends them all in one round trip.
	pipeline(ctx context.Context, stmts []stmt) error
}

// tx is an open transaction.
type tx interface {
	querier
	// commit runs the final statements, if any, and commits: in one round
	// trip on PostgreSQL. If it fails, the caller rolls back.
	commit(ctx context.Context, final []stmt) error
	rollback(ctx context.Context) error
}

// engine is one database behind the store.
type engine interface {
	// pool runs single statements outside a transaction; write selects the
	// writer on SQLite.
	pool(write bool) querier
	// begin opens a transaction: a write transaction (BEGIN IMMEDIATE on
	// SQLite's single writer; READ COMMITTED with row locks on PostgreSQL) or
	// a read-only snapshot.
	begin(ctx context.Context, write bool) (tx, error)
	// sqlDB is a database/sql handle for the migration tool.
	sqlDB() *sql.DB
	close() error
}

// queryRow runs a query expected to return at most one row and scans it. It
// reports false when there is no row.
func queryRow(ctx context.Context, q querier, query string, args []any, dest ...any) (bool, error) {
	r, err := q.query(ctx, query, args...)
	if err != nil {
		return false, err
	}
	defer r.Close()
	if !r.Next() {
		return false, r.Err()
	}
	if err := r.Scan(dest...); err != nil {
		return false, err
	}
	return true, r.Err()
}

// ---- database/sql (SQLite) ----

// sqlConn is what *sql.DB and *sql.Tx have in common.
type sqlConn interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// sqlQuerier runs statements on a database/sql handle. With cache set
// (the writer's transactions), statements are prepared once on the writer
// connection and reused by every transaction, instead of parsed anew on
// every call.
type sqlQuerier struct {
	c     sqlConn
	cache *stmtCache // only with c a writer's *sql.Tx
}

// stmtCache holds the writer connection's prepared statements by their
// text. The hot path's statements have one text whatever their batch's
// size (see dialect.in), so once warm a committer batch runs prepared
// statements only: on small batches, parsing them had been a large share
// of the batch's cost. A statement is prepared after the transaction that
// first ran it ends: the writer's one connection is busy until then. The
// cache is bounded; statements past the bound are prepared per use.
type stmtCache struct {
	db      *sql.DB // the writer; one connection
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool // to prepare once the connection is free
}

const stmtCacheSize = 256

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// stmt returns the transaction's form of the prepared statement for
// query, or nil if it is not prepared yet.
func (q sqlQuerier) stmt(ctx context.Context, query string) *sql.Stmt {
	tx, ok := q.c.(*sql.Tx)
	if q.cache == nil || !ok {
		return nil
	}
	c := q.cache
	c.mu.Lock()
	ps := c.m[query]
	if ps == nil && len(c.m)+len(c.pending) < stmtCacheSize {
		c.pending[query] = true
	}
	c.mu.Unlock()
	if ps == nil {
		return nil
	}
	// ps is prepared on the writer's one connection, the one the
	// transaction holds: StmtContext reuses it without preparing again.
	return tx.StmtContext(ctx, ps)
}

// preparePending prepares the statements noted since the last call. It
// must run when the calling goroutine holds no transaction on the writer.
//
// The lock is not held while preparing: preparing waits for the writer's
// connection, and a transaction holding it may be waiting for the lock.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	var queries []string
	for query := range c.pending {
		queries = append(queries, query)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, query := range queries {
		ps, err := c.db.PrepareContext(ctx, query)
		if err != nil {
			continue // it runs unprepared, and fails there if it is wrong
		}
		c.mu.Lock()
		if c.m == nil || c.m[query] != nil { // closed, or prepared meanwhile
			_ = ps.Close()
		} else {
			c.m[query] = ps
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ps := range c.m {
		_ = ps.Close()
	}
	c.m = nil
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

func (q sqlQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	query, order := rebind(query)
	var r *sql.Rows
	var err error
	if ps := q.stmt(ctx, query); ps != nil {
		r, err = ps.QueryContext(ctx, reorder(args, order)...)
	} else {
		r, err = q.c.QueryContext(ctx, query, reorder(args, order)...)
	}
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (q sqlQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	query, order := rebind(query)
	var res sql.Result
	var err error
	if ps := q.stmt(ctx, query); ps != nil {
		res, err = ps.ExecContext(ctx, reorder(args, order)...)
	} else {
		res, err = q.c.ExecContext(ctx, query, reorder(args, order)...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// rebind rewrites the $n parameters of a query as positional ? for
// SQLite, and returns which argument each ? takes. The driver binds a
// numbered parameter by scanning every argument and formatting each one's
// ordinal as text: quadratic in their number, with an allocation per step.
// A positional ? binds by a plain integer match.
func rebind(query string) (string, []int) {
	if !strings.Contains(query, "$") {
		return query, nil
	}
	var b strings.Builder
	b.Grow(len(query))
	var order []int
	quoted := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		if c == '\'' {
			quoted = !quoted
		}
		if c != '$' || quoted || i+1 == len(query) || query[i+1] < '0' || query[i+1] > '9' {
			b.WriteByte(c)
			continue
		}
		n := 0
		for i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9' {
			i++
			n = n*10 + int(query[i]-'0')
		}
		b.WriteByte('?')
		order = append(order, n-1)
	}
	return b.String(), order
}

// reorder returns the arguments in the order rebind gave; a query whose
// parameters already ran $1, $2, … in order keeps its slice.
func reorder(args []any, order []int) []any {
	inOrder := len(order) == len(args)
	for i, n := range order {
		if n != i {
			inOrder = false
			break
		}
	}
	if inOrder || order == nil {
		return args
	}
	out := make([]any, len(order))
	for i, n := range order {
		if n < 0 || n >= len(args) {
			return args // let the driver report the missing argument
		}
		out[i] = args[n]
	}
	return out
}

// pipeline on SQLite runs the statements one by one: they are function
// calls into the same process, so there is no round trip to save.
func (q sqlQuerier) pipeline(ctx context.Context, stmts []stmt) error {
	for _, s := range stmts {
		var err error
		if s.bulk != nil {
			err = q.runBulk(ctx, s.bulk)
		} else {
			err = runOne(ctx, q, s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// runBulk runs the single-row form of a bulk write once per row.
func (q sqlQuerier) runBulk(ctx context.Context, b *bulk) error {
	switch len(b.rows) {
	case 0:
		return nil
	case 1:
		n, err := q.exec(ctx, b.one, b.rows[0]...)
		if err == nil && b.versioned && n != 1 {
			return errStale
		}
		return err
	}
	query, order := rebind(b.one)
	ps := q.stmt(ctx, query)
	if ps == nil {
		var err error
		if ps, err = q.c.PrepareContext(ctx, query); err != nil {
			return err
		}
		defer ps.Close()
	}
	for _, r := range b.rows {
		res, err := ps.ExecContext(ctx, reorder(r, order)...)
		if err != nil {
			return err
		}
		if b.versioned {
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n != 1 {
				return errStale
			}
		}
	}
	return nil
}

type sqlTx struct {
	sqlQuerier
	tx *sql.Tx
}

func (t sqlTx) commit(ctx context.Context, final []stmt) error {
	if err := t.pipeline(ctx, final); err != nil {
		return err
	}
	err := t.tx.Commit()
	t.ended(ctx)
	return err
}

func (t sqlTx) rollback(ctx context.Context) error {
	err := t.tx.Rollback()
	t.ended(ctx)
	return err
}

// ended prepares the statements the transaction ran unprepared, now that
// the writer's connection is free.
func (t sqlTx) ended(ctx context.Context) {
	if t.cache != nil {
		t.cache.preparePending(context.WithoutCancel(ctx))
	}
}

// sqliteEngine has one writer connection and a pool of readers. WAL lets
// the readers see the last committed state while the writer works.
type sqliteEngine struct {
	writer, reader *sql.DB
	stmts          *stmtCache // the writer's
}

func (e *sqliteEngine) pool(write bool) querier {
	if write {
		return sqlQuerier{c: e.writer}
	}
	return sqlQuerier{c: e.reader}
}

func (e *sqliteEngine) begin(ctx context.Context, write bool) (tx, error) {
	db := e.reader
	if write {
		db = e.writer // opened with _txlock=immediate
	}
	t, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	q := sqlQuerier{c: t}
	if write {
		q.cache = e.stmts
	}
	return sqlTx{q, t}, nil
}

func (e *sqliteEngine) sqlDB() *sql.DB { return e.writer }

func (e *sqliteEngine) close() error {
	e.stmts.close()
	err := e.reader.Close()
	if werr := e.writer.Close(); err == nil {
		err = werr
	}
	return err
}

// ---- pgx (PostgreSQL) ----

// pgConn is what *pgxpool.Pool and pgx.Tx have in common.
type pgConn interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error)
}

type pgQuerier struct{ c pgConn }

func (q pgQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	return q.c.Query(ctx, query, args...)
}

func (q pgQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.c.Exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

// pipeline sends every statement in one batch: one network round trip
// however many statements there are. A bulk write goes in its arrays form
// where it has one.
//
// A large plain append goes as COPY instead, which still beats the arrays
// form by 15-20% on a full committer batch of debits (measured). COPY
// cannot join a batch, so the statements before it are sent first,
// keeping their order.
func (q pgQuerier) pipeline(ctx context.Context, stmts []stmt) error {
	var flat []stmt
	for _, s := range stmts {
		switch {
		case s.bulk != nil && s.bulk.copyTo != nil && len(s.bulk.rows) >= copyMin:
			if err := q.send(ctx, flat); err != nil {
				return err
			}
			flat = flat[:0]
			t := s.bulk.copyTo
			if _, err := q.c.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(s.bulk.rows)); err != nil {
				return err
			}
		case s.bulk != nil && len(s.bulk.rows) == 1:
			// One row binds its values: cheaper for the driver and the
			// server than one array a column (measured: 781 against 557
			// allocations a debit at 1 client, and 0.62-0.69× against
			// 0.75-0.81× of the naive design's debits).
			one := s.bulk.one
			if s.bulk.versioned {
				one = s.bulk.pgOne
			}
			flat = append(flat, stmt{sql: one, args: s.bulk.rows[0]})
		case s.bulk != nil:
			cols, err := s.bulk.columns()
			if err != nil {
				return err
			}
			flat = append(flat, stmt{sql: s.bulk.arrays, args: cols})
		default:
			flat = append(flat, s)
		}
	}
	return q.send(ctx, flat)
}

// send runs statements in one round trip.
func (q pgQuerier) send(ctx context.Context, stmts []stmt) error {
	switch len(stmts) {
	case 0:
		return nil
	case 1:
		if stmts[0].tag == nil {
			return runOne(ctx, q, stmts[0])
		}
	}
	b := &pgx.Batch{}
	for _, s := range stmts {
		qq := b.Queue(s.sql, s.args...)
		if s.scan != nil {
			scan := s.scan
			qq.Query(func(r pgx.Rows) error { return scan(r) })
		}
		if s.tag != nil {
			tag := s.tag
			qq.Exec(func(ct pgconn.CommandTag) error { return tag(ct.String()) })
		}
	}
	return q.c.SendBatch(ctx, b).Close()
}

// runOne runs a single statement through any querier.
func runOne(ctx context.Context, q querier, s stmt) error {
	if s.scan == nil {
		_, err := q.exec(ctx, s.sql, s.args...)
		return err
	}
	r, err := q.query(ctx, s.sql, s.args...)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := s.scan(r); err != nil {
		return err
	}
	return r.Err()
}

type pgTx struct {
	pgQuerier
	tx pgx.Tx
}

func (t pgTx) commit(ctx context.Context, final []stmt) error {
	if err := t.pipeline(ctx, final); err != nil {
		return err
	}
	return t.tx.Commit(ctx)
}

func (t pgTx) rollback(ctx context.Context) error { return t.tx.Rollback(ctx) }

// pgWriteTx is a write transaction on one pooled connection whose BEGIN
// and COMMIT travel with other statements instead of on their own: BEGIN
// goes ahead of the transaction's first pipeline, COMMIT after its final
// statements. A committer batch is then two round trips (lock, load and
// look up; write and commit) instead of four, which matters most when
// batches are small and the machine is busy, as each round trip waits to
// be scheduled on both sides.
type pgWriteTx struct {
	conn  *pgxpool.Conn // nil once released
	begun bool
	// keyed sends pgKeyedPlans after BEGIN (see keyedPlans).
	keyed bool
}

// pgKeyedPlans makes the transaction's statements run on generic plans
// that reach rows through their keys. Every statement of a committer
// batch finds its rows by key (ids, or account ids, as arrays); the
// planner would otherwise plan each of them anew on every execution
// (custom plans: their array parameters make the generic plan look worse
// to it), which on batches of a debit or two was a third of the server's
// time for the batch (0.07-0.14 ms a statement, measured). A generic plan
// made without statistics may scan or hash a whole table instead, and
// stays cached on the connection as the table grows; with scans and hash
// and merge joins priced out, every generic plan is index probes, which is
// what a batch over a few of many accounts wants whatever the
// statistics say. SET LOCAL ends with the transaction.
const pgKeyedPlans = "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)," +
	" set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true)," +
	" set_config('enable_mergejoin', 'off', true)"

// keyedPlans asks for pgKeyedPlans in the transaction; it must come
// before the first statement.
func (t *pgWriteTx) keyedPlans() { t.keyed = true }

// opening is what starts the transaction, ahead of its first statements.
func (t *pgWriteTx) opening() []stmt {
	if t.keyed {
		return []stmt{{sql: pgBeginWrite}, {sql: pgKeyedPlans}}
	}
	return []stmt{{sql: pgBeginWrite}}
}

// pgBeginWrite opens a write transaction: READ COMMITTED, with every
// ledger write locking its accounts' rows first, so each statement after
// the lock sees the latest committed data.
const pgBeginWrite = "BEGIN ISOLATION LEVEL READ COMMITTED"

// errCommitRolledBack is a COMMIT the server answered with ROLLBACK: the
// transaction had failed, so nothing of it was kept.
var errCommitRolledBack = errors.New("the transaction was rolled back instead of committed")

// start sends BEGIN on its own, for the rare write that opens with a
// single query or exec rather than a pipeline.
func (t *pgWriteTx) start(ctx context.Context) error {
	if t.begun {
		return nil
	}
	t.begun = true
	return pgQuerier{t.conn}.pipeline(ctx, t.opening())
}

func (t *pgWriteTx) query(ctx context.Context, query string, args ...any) (rows, error) {
	if err := t.start(ctx); err != nil {
		return nil, err
	}
	return pgQuerier{t.conn}.query(ctx, query, args...)
}

func (t *pgWriteTx) exec(ctx context.Context, query string, args ...any) (int64, error) {
	if err := t.start(ctx); err != nil {
		return 0, err
	}
	return pgQuerier{t.conn}.exec(ctx, query, args...)
}

func (t *pgWriteTx) pipeline(ctx context.Context, stmts []stmt) error {
	if !t.begun && len(stmts) > 0 {
		t.begun = true
		stmts = append(t.opening(), stmts...)
	}
	return pgQuerier{t.conn}.pipeline(ctx, stmts)
}

// commit sends the final statements and COMMIT together. If one of them
// fails, the server skips the rest of the pipeline, COMMIT included, and
// the caller's rollback ends the failed transaction.
func (t *pgWriteTx) commit(ctx context.Context, final []stmt) error {
	if !t.begun && len(final) == 0 {
		t.release()
		return nil
	}
	commit := stmt{sql: "COMMIT", tag: func(tag string) error {
		if tag != "COMMIT" {
			return errCommitRolledBack
		}
		return nil
	}}
	if err := t.pipeline(ctx, append(final, commit)); err != nil {
		return err
	}
	t.release()
	return nil
}

func (t *pgWriteTx) rollback(ctx context.Context) error {
	if t.conn == nil {
		return nil
	}
	var err error
	if t.begun {
		_, err = t.conn.Exec(ctx, "ROLLBACK")
	}
	// A connection left inside a transaction (the ROLLBACK failed) is
	// closed by the pool on release rather than reused.
	t.release()
	return err
}

func (t *pgWriteTx) release() {
	if t.conn != nil {
		t.conn.Release()
		t.conn = nil
	}
}

type pgEngine struct {
	p  *pgxpool.Pool
	db *sql.DB // lazily opened over the pool, for goose
}

func (e *pgEngine) pool(bool) querier { return pgQuerier{e.p} }

// Write transactions run at READ COMMITTED (pgBeginWrite), on a
// connection of their own whose BEGIN is sent with the first statements.
// Reads of several statements run in a REPEATABLE READ read-only
// snapshot, which never fails to serialize.
func (e *pgEngine) begin(ctx context.Context, write bool) (tx, error) {
	if write {
		c, err := e.p.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		return &pgWriteTx{conn: c}, nil
	}
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	t, err := e.p.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return pgTx{pgQuerier{t}, t}, nil
}

func (e *pgEngine) sqlDB() *sql.DB { return e.db }

func (e *pgEngine) close() error {
	var err error
	if e.db != nil {
		err = e.db.Close()
	}
	e.p.Close()
	if err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}
