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

// The second raw append writes, per debit, the journal row Coffer itself
// writes for one: a transaction with its postings in its postings column,
// into a copy of Coffer's txns table (same columns and indexes, and like
// it no foreign keys), with no reads and no logic. Set beside Coffer's own
// rate it shows what Coffer's logic, reads and state updates cost on top
// of the writes its journal needs anyway.

// ledgerRow is one debit's row as Coffer's journal holds it.
func ledgerRow(r *journalRow) []any {
	id := coffer.NewID(coffer.PrefixTxn, time.UnixMicro(r.when))
	lot := "grant_" + r.account[len("acct_"):]
	postings := fmt.Sprintf(`[{"book":"customer","lot":%q,"asset":"USD","amount":%d},{"book":"revenue","asset":"USD","amount":%d}]`,
		lot, r.amount, -r.amount)
	return []any{id, r.account, "debit", r.amount, r.balanceAfter, r.event, "key_bench", r.when, postings}
}

var rawTxnColumns = []string{"id", "account_id", "type", "amount", "balance_after", "event_id", "actor", "created_at", "postings"}

const rawTxnInsert = "INSERT INTO raw_txns (id, account_id, type, amount, balance_after, event_id, actor, created_at, postings)" +
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"

// ---- PostgreSQL ----

func (b *pgBaseline) createLedgerCopies(ctx context.Context) error {
	_, err := b.p.Exec(ctx, "CREATE TABLE raw_txns (LIKE txns INCLUDING ALL)")
	return err
}

// appendLedger copies the rows in with COPY, as Coffer's committer does
// with a large batch's transactions.
func (b *pgBaseline) appendLedger(ctx context.Context, rows []journalRow) error {
	txns := make([][]any, len(rows))
	for i := range rows {
		txns[i] = ledgerRow(&rows[i])
	}
	_, err := b.p.CopyFrom(ctx, pgx.Identifier{"raw_txns"}, rawTxnColumns, pgx.CopyFromRows(txns))
	return err
}

// ---- SQLite ----

// copyName renames Coffer's txns table and its indexes.
var copyName = regexp.MustCompile(`\b(txns)(_\w+)?\b`)

// createLedgerCopies recreates the txns table under a new name from the
// schema the store has, indexes included.
func (b *sqliteBaseline) createLedgerCopies(ctx context.Context) error {
	rows, err := b.db.QueryContext(ctx, "SELECT sql FROM sqlite_master WHERE tbl_name = 'txns'"+
		" AND sql IS NOT NULL ORDER BY type = 'index'")
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
		return fmt.Errorf("the store has no txns table to copy")
	}
	for _, s := range stmts {
		if _, err := b.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// appendLedger runs a prepared one-row INSERT per row, in one transaction.
func (b *sqliteBaseline) appendLedger(ctx context.Context, rows []journalRow) error {
	return b.inTx(ctx, func(tx *sql.Tx) error {
		ti, err := tx.PrepareContext(ctx, rawTxnInsert)
		if err != nil {
			return err
		}
		defer ti.Close()
		for i := range rows {
			if _, err := ti.ExecContext(ctx, ledgerRow(&rows[i])...); err != nil {
				return err
			}
		}
		return nil
	})
}
