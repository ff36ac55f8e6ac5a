package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cofferdev/coffer/sqlstore"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, as sqlstore uses
)

// The baselines live in the bench's database beside Coffer's tables, in
// tables of their own. The naive design keeps one balance row per account
// and one journal row per debit, and does each debit in its own
// transaction that locks the account's row. The raw append writes journal
// rows of the same shape in batches, with no reads and no logic: the most
// the engine can append on this machine.
const (
	naiveAccountsTable = `CREATE TABLE naive_accounts (
    id      TEXT PRIMARY KEY,
    balance BIGINT NOT NULL
)`
	journalColumns = `(
    id            %s,
    account_id    TEXT NOT NULL%s,
    event_id      TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (account_id, event_id)
)`
	pgIdentity     = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
	sqliteIdentity = "INTEGER PRIMARY KEY" // the rowid: assigned in order
	naiveRef       = " REFERENCES naive_accounts (id)"

	naiveSelect = "SELECT balance FROM naive_accounts WHERE id = $1"
	naiveUpdate = "UPDATE naive_accounts SET balance = $2 WHERE id = $1"
	naiveInsert = "INSERT INTO naive_journal (account_id, event_id, amount, balance_after, created_at) VALUES ($1, $2, $3, $4, $5)"
	rawInsert   = "INSERT INTO raw_journal (account_id, event_id, amount, balance_after, created_at) VALUES ($1, $2, $3, $4, $5)"

	// naiveDrift counts accounts whose balance less their journal (whose
	// amounts are negative) does not come back to the opening balance: any
	// lost or doubled update.
	naiveDrift = `SELECT COUNT(*) FROM naive_accounts a WHERE a.balance - COALESCE(
    (SELECT SUM(amount) FROM naive_journal j WHERE j.account_id = a.id), 0) <> $1`
)

// errNaiveInsufficient is the naive design's refusal of a debit larger
// than the balance. The bench gives enough credit that it never happens.
var errNaiveInsufficient = errors.New("naive: insufficient balance")

// journalRow is one raw journal row.
type journalRow struct {
	account, event             string
	amount, balanceAfter, when int64
}

// baseline runs the naive design and the raw append on one engine.
type baseline interface {
	// settings describes the durability settings in force.
	settings(ctx context.Context) (string, error)
	// seed creates the tables and gives each account its opening balance.
	seed(ctx context.Context, accounts []string, balance int64) error
	// debit is one naive debit: one transaction that locks the account's
	// row, checks and updates its balance, and inserts a journal row.
	debit(ctx context.Context, account, event string, amount, when int64) error
	// appendRows appends the rows in one transaction, no questions asked.
	appendRows(ctx context.Context, rows []journalRow) error
	// createLedgerCopies makes an empty copy of Coffer's txns table, and
	// appendLedger appends the rows Coffer's journal would hold for the
	// debits to it (see rawledger.go).
	createLedgerCopies(ctx context.Context) error
	appendLedger(ctx context.Context, rows []journalRow) error
	// verify reports how many naive journal rows exist and how many
	// accounts' balances disagree with their journal.
	verify(ctx context.Context, opening int64) (rows, drift int64, err error)
	// count runs a query that returns one number.
	count(ctx context.Context, query string) (int64, error)
	// settle brings the store to the state a month of usage would have
	// left it in after a bulk load: the planner's statistics and the
	// visibility map up to date, as autovacuum would have them (and must,
	// on a server that runs without it), and the load's writes
	// checkpointed, so that what is measured next does not pay for them.
	settle(ctx context.Context) error
	close()
}

func openBaseline(ctx context.Context, engine, dsn string, clients int) (baseline, error) {
	if engine == "postgres" {
		cfg, err := pgxpool.ParseConfig(dsn)
		if err != nil {
			return nil, err
		}
		cfg.MaxConns = int32(clients)
		cfg.MinConns = int32(clients)
		p, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return &pgBaseline{p: p}, nil
	}
	// The same settings as sqlstore's writer: WAL, synchronous=FULL (an
	// fsync per commit), BEGIN IMMEDIATE, the page cache and checkpoint
	// interval, and one connection, so that the clients queue for it in the
	// pool as Coffer's writers do rather than spin on SQLITE_BUSY.
	db, err := sql.Open("sqlite", sqlstore.SQLiteWriterDSN(dsn))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	return &sqliteBaseline{db: db}, nil
}

// ---- PostgreSQL ----

type pgBaseline struct{ p *pgxpool.Pool }

func (b *pgBaseline) settings(ctx context.Context) (string, error) {
	var fsync, sync, level string
	err := b.p.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('synchronous_commit'),"+
		" current_setting('default_transaction_isolation')").Scan(&fsync, &sync, &level)
	return fmt.Sprintf("fsync=%s synchronous_commit=%s isolation=%s", fsync, sync, level), err
}

func (b *pgBaseline) seed(ctx context.Context, accounts []string, balance int64) error {
	for _, s := range []string{naiveAccountsTable,
		"CREATE TABLE naive_journal " + fmt.Sprintf(journalColumns, pgIdentity, naiveRef),
		"CREATE TABLE raw_journal " + fmt.Sprintf(journalColumns, pgIdentity, "")} {
		if _, err := b.p.Exec(ctx, s); err != nil {
			return err
		}
	}
	_, err := b.p.CopyFrom(ctx, pgx.Identifier{"naive_accounts"}, []string{"id", "balance"},
		pgx.CopyFromSlice(len(accounts), func(i int) ([]any, error) { return []any{accounts[i], balance}, nil }))
	return err
}

func (b *pgBaseline) debit(ctx context.Context, account, event string, amount, when int64) error {
	return pgx.BeginFunc(ctx, b.p, func(tx pgx.Tx) error {
		var bal int64
		if err := tx.QueryRow(ctx, naiveSelect+" FOR UPDATE", account).Scan(&bal); err != nil {
			return err
		}
		if bal < amount {
			return errNaiveInsufficient
		}
		if _, err := tx.Exec(ctx, naiveUpdate, account, bal-amount); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, naiveInsert, account, event, -amount, bal-amount, when)
		return err
	})
}

// appendRows uses COPY, PostgreSQL's fastest way in.
func (b *pgBaseline) appendRows(ctx context.Context, rows []journalRow) error {
	_, err := b.p.CopyFrom(ctx, pgx.Identifier{"raw_journal"},
		[]string{"account_id", "event_id", "amount", "balance_after", "created_at"},
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := &rows[i]
			return []any{r.account, r.event, r.amount, r.balanceAfter, r.when}, nil
		}))
	return err
}

func (b *pgBaseline) verify(ctx context.Context, opening int64) (rows, drift int64, err error) {
	if err = b.p.QueryRow(ctx, "SELECT COUNT(*) FROM naive_journal").Scan(&rows); err != nil {
		return
	}
	err = b.p.QueryRow(ctx, naiveDrift, opening).Scan(&drift)
	return
}

func (b *pgBaseline) count(ctx context.Context, query string) (n int64, err error) {
	err = b.p.QueryRow(ctx, query).Scan(&n)
	return
}

// settle runs VACUUM ANALYZE on the whole database, then CHECKPOINT if
// the role may (a superuser or pg_checkpoint).
func (b *pgBaseline) settle(ctx context.Context) error {
	if _, err := b.p.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return err
	}
	var pe *pgconn.PgError
	if _, err := b.p.Exec(ctx, "CHECKPOINT"); err != nil && !(errors.As(err, &pe) && pe.Code == "42501") {
		return err
	}
	return nil
}

func (b *pgBaseline) close() { b.p.Close() }

// ---- SQLite ----

type sqliteBaseline struct{ db *sql.DB }

func (b *sqliteBaseline) settings(ctx context.Context) (string, error) {
	var mode string
	var sync int
	if err := b.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return "", err
	}
	if err := b.db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return "", err
	}
	var ckpt, cache int
	if err := b.db.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&ckpt); err != nil {
		return "", err
	}
	if err := b.db.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
		return "", err
	}
	names := []string{"OFF", "NORMAL", "FULL", "EXTRA"}
	s := fmt.Sprint(sync)
	if sync >= 0 && sync < len(names) {
		s = names[sync]
	}
	return fmt.Sprintf("journal_mode=%s synchronous=%s wal_autocheckpoint=%d cache_size=%d (the same as the store's writer)",
		strings.ToUpper(mode), s, ckpt, cache), nil
}

func (b *sqliteBaseline) seed(ctx context.Context, accounts []string, balance int64) error {
	for _, s := range []string{naiveAccountsTable,
		"CREATE TABLE naive_journal " + fmt.Sprintf(journalColumns, sqliteIdentity, naiveRef),
		"CREATE TABLE raw_journal " + fmt.Sprintf(journalColumns, sqliteIdentity, "")} {
		if _, err := b.db.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return b.inTx(ctx, func(tx *sql.Tx) error {
		ps, err := tx.PrepareContext(ctx, "INSERT INTO naive_accounts (id, balance) VALUES ($1, $2)")
		if err != nil {
			return err
		}
		defer ps.Close()
		for _, a := range accounts {
			if _, err := ps.ExecContext(ctx, a, balance); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *sqliteBaseline) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := b.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: _txlock=immediate
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// debit on SQLite: BEGIN IMMEDIATE takes the write lock up front, which is
// what SELECT … FOR UPDATE does for the row on PostgreSQL.
func (b *sqliteBaseline) debit(ctx context.Context, account, event string, amount, when int64) error {
	return b.inTx(ctx, func(tx *sql.Tx) error {
		var bal int64
		if err := tx.QueryRowContext(ctx, naiveSelect, account).Scan(&bal); err != nil {
			return err
		}
		if bal < amount {
			return errNaiveInsufficient
		}
		if _, err := tx.ExecContext(ctx, naiveUpdate, account, bal-amount); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, naiveInsert, account, event, -amount, bal-amount, when)
		return err
	})
}

// appendRows prepares the one-row INSERT once and runs it per row: in
// process, with this driver, that beats one many-row statement.
func (b *sqliteBaseline) appendRows(ctx context.Context, rows []journalRow) error {
	return b.inTx(ctx, func(tx *sql.Tx) error {
		ps, err := tx.PrepareContext(ctx, rawInsert)
		if err != nil {
			return err
		}
		defer ps.Close()
		for i := range rows {
			r := &rows[i]
			if _, err := ps.ExecContext(ctx, r.account, r.event, r.amount, r.balanceAfter, r.when); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *sqliteBaseline) verify(ctx context.Context, opening int64) (rows, drift int64, err error) {
	if err = b.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM naive_journal").Scan(&rows); err != nil {
		return
	}
	err = b.db.QueryRowContext(ctx, naiveDrift, opening).Scan(&drift)
	return
}

func (b *sqliteBaseline) count(ctx context.Context, query string) (n int64, err error) {
	err = b.db.QueryRowContext(ctx, query).Scan(&n)
	return
}

// settle checkpoints the write-ahead log into the database file and
// empties it; Coffer's SQLite store plans without statistics.
func (b *sqliteBaseline) settle(ctx context.Context) error {
	_, err := b.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

func (b *sqliteBaseline) close() { _ = b.db.Close() }
