package bench

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cofferdev/coffer"
)

// The second raw append writes, per debit, the journal rows Coffer itself
// writes for one: a transaction row and its two postings, into copies of
// Coffer's txns and postings tables (same columns and indexes, and like
// them no foreign keys), with no reads and no logic. Set beside Coffer's own rate it shows
// what Coffer's logic, reads and state updates cost on top of the writes
// its journal needs anyway.

// ledgerRows are one debit's rows as Coffer's journal holds them.
func ledgerRows(r *journalRow) (txn []any, postings [2][]any) {
	id := coffer.NewID(coffer.PrefixTxn, time.UnixMicro(r.when))
	lot := "grant_" + r.account[len("acct_"):]
	txn = []any{id, r.account, "debit", r.amount, r.balanceAfter, r.event, "key_bench", r.when}
	postings[0] = []any{id, 0, "customer", r.account, lot, "USD", r.amount, r.when}
	postings[1] = []any{id, 1, "revenue", "", "", "USD", -r.amount, r.when}
	return txn, postings
}

var (
	rawTxnColumns     = []string{"id", "account_id", "type", "amount", "balance_after", "event_id", "actor", "created_at"}
	rawPostingColumns = []string{"txn_id", "idx", "book", "account_id", "lot_id", "asset", "amount", "created_at"}
)

const (
	rawTxnInsert = "INSERT INTO raw_txns (id, account_id, type, amount, balance_after, event_id, actor, created_at)" +
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
	rawPostingInsert = "INSERT INTO raw_postings (txn_id, idx, book, account_id, lot_id, asset, amount, created_at)" +
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
)

// ---- PostgreSQL ----

func (b *pgBaseline) createLedgerCopies(ctx context.Context) error {
	for _, s := range []string{
		"CREATE TABLE raw_txns (LIKE txns INCLUDING ALL)",
		"CREATE TABLE raw_postings (LIKE postings INCLUDING ALL)",
	} {
		if _, err := b.p.Exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// appendLedger copies the rows in with COPY, both tables in one
// transaction.
func (b *pgBaseline) appendLedger(ctx context.Context, rows []journalRow) error {
	txns := make([][]any, len(rows))
	posts := make([][]any, 0, 2*len(rows))
	for i := range rows {
		t, p := ledgerRows(&rows[i])
		txns[i] = t
		posts = append(posts, p[0], p[1])
	}
	return pgx.BeginFunc(ctx, b.p, func(tx pgx.Tx) error {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"raw_txns"}, rawTxnColumns, pgx.CopyFromRows(txns)); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"raw_postings"}, rawPostingColumns, pgx.CopyFromRows(posts))
		return err
	})
}

// ---- SQLite ----

// copyName renames Coffer's txns and postings tables and their indexes.
var copyName = regexp.MustCompile(`\b(txns|postings)(_\w+)?\b`)

// createLedgerCopies recreates the txns and postings tables under new
// names from the schema the store has, indexes included.
func (b *sqliteBaseline) createLedgerCopies(ctx context.Context) error {
	rows, err := b.db.QueryContext(ctx, "SELECT sql FROM sqlite_master WHERE tbl_name IN ('txns', 'postings')"+
		" AND sql IS NOT NULL ORDER BY type = 'index', tbl_name = 'postings'")
	if err != nil {
		return err
	}
	var stmts []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		stmts = append(stmts, copyName.ReplaceAllString(s, "raw_$1$2"))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(stmts) == 0 {
		return fmt.Errorf("the store has no txns and postings tables to copy")
	}
	for _, s := range stmts {
		if _, err := b.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// appendLedger runs each table's prepared one-row INSERT per row, in one
// transaction.
func (b *sqliteBaseline) appendLedger(ctx context.Context, rows []journalRow) error {
	return b.inTx(ctx, func(tx *sql.Tx) error {
		ti, err := tx.PrepareContext(ctx, rawTxnInsert)
		if err != nil {
			return err
		}
		defer ti.Close()
		pi, err := tx.PrepareContext(ctx, rawPostingInsert)
		if err != nil {
			return err
		}
		defer pi.Close()
		for i := range rows {
			t, ps := ledgerRows(&rows[i])
			if _, err := ti.ExecContext(ctx, t...); err != nil {
				return err
			}
			for _, p := range ps {
				if _, err := pi.ExecContext(ctx, p...); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
