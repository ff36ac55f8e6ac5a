package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/store"
)

// Invoices: the columns are what queries filter, lock or keep unique on;
// the rest of the invoice is JSON in data (migrations/*/00007_invoices.sql).
// An invoice's number is its seq column, taken from invoice_numbers in the
// committer batch that finalizes it.

const invoiceCols = "seq, data"

func scanInvoice(r scanner) (*invoice.Invoice, error) {
	var seq int64
	var data string
	if err := r.Scan(&seq, &data); err != nil {
		return nil, err
	}
	inv := new(invoice.Invoice)
	if err := json.Unmarshal([]byte(data), inv); err != nil {
		return nil, fmt.Errorf("decode invoice: %w", err)
	}
	inv.Number = invoice.FormatNumber(seq)
	return inv, nil
}

// invoiceSeq reads the sequence number back out of an invoice's number.
func invoiceSeq(inv *invoice.Invoice) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(inv.Number, "INV-"), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invoice %s has no number (%q)", inv.ID, inv.Number)
	}
	return n, nil
}

// invoiceNumberStmt locks the invoice counter and reads the last number
// given into *last.
func (b *batch) invoiceNumberStmt(last *int64) stmt {
	return stmt{sql: "SELECT last FROM invoice_numbers WHERE id = 1" + b.s.d.forUpdate, scan: func(r rows) error {
		for r.Next() {
			if err := r.Scan(last); err != nil {
				return err
			}
		}
		return r.Err()
	}}
}

// invoiceWrites inserts a batch's new invoices, moves the counter to the
// last number they took, and saves the invoices it voided.
func invoiceWrites(w *store.Writes) ([]stmt, error) {
	var out []stmt
	for _, inv := range w.Invoices {
		seq, err := invoiceSeq(inv)
		if err != nil {
			return nil, err
		}
		data, err := encodeData(inv)
		if err != nil {
			return nil, err
		}
		out = append(out, stmt{sql: `INSERT INTO invoices (id, seq, account_id, period_start, period_end, status, next_attempt_at, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			args: []any{inv.ID, seq, inv.AccountID, micros(inv.PeriodStart), micros(inv.PeriodEnd), string(inv.Status), nullMicros(inv.NextAttemptAt), data}})
	}
	if len(w.Invoices) > 0 {
		out = append(out, stmt{sql: "UPDATE invoice_numbers SET last = $1 WHERE id = 1", args: []any{w.LastInvoiceNumber}})
	}
	for _, inv := range w.Voided {
		st, err := invoiceUpdateStmt(inv)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func invoiceUpdateStmt(inv *invoice.Invoice) (stmt, error) {
	data, err := encodeData(inv)
	if err != nil {
		return stmt{}, err
	}
	return stmt{sql: "UPDATE invoices SET status = $2, next_attempt_at = $3, data = $4 WHERE id = $1",
		args: []any{inv.ID, string(inv.Status), nullMicros(inv.NextAttemptAt), data}}, nil
}

// GetInvoice implements store.Invoices.
func (s *Store) GetInvoice(ctx context.Context, id string) (*invoice.Invoice, error) {
	return getOne(ctx, s.eng.pool(false), scanInvoice, coffer.Errorf(coffer.ENotFound, "invoice %s not found", id),
		"SELECT "+invoiceCols+" FROM invoices WHERE id = $1", id)
}

// ListInvoices implements store.Invoices.
func (s *Store) ListInvoices(ctx context.Context, f store.InvoiceFilter) ([]*invoice.Invoice, bool, error) {
	limit := pageLimit(f.Page)
	w := &where{}
	w.add("id > ", f.StartingAfter)
	if f.AccountID != "" {
		w.add("account_id = ", f.AccountID)
	}
	if f.Status != "" {
		w.add("status = ", string(f.Status))
	}
	if !f.Period.IsZero() {
		_, end := invoice.PeriodOf(f.Period)
		w.add("period_end > ", micros(f.Period))
		w.add("period_end <= ", micros(end))
	}
	r, err := s.eng.pool(false).query(ctx, fmt.Sprintf("SELECT "+invoiceCols+" FROM invoices"+w.sql()+" ORDER BY id LIMIT %d", limit+1), w.args...)
	if err != nil {
		return nil, false, err
	}
	return collect(r, limit, scanInvoice)
}

// UnpaidInvoices implements store.Invoices.
func (s *Store) UnpaidInvoices(ctx context.Context, accountID string) ([]*invoice.Invoice, error) {
	r, err := s.eng.pool(false).query(ctx, "SELECT "+invoiceCols+
		" FROM invoices WHERE account_id = $1 AND status IN ('finalized', 'payment_failed') ORDER BY id", accountID)
	if err != nil {
		return nil, err
	}
	out, _, err := collect(r, noLimit, scanInvoice)
	return out, err
}

// AccountsToClose implements store.Invoices.
func (s *Store) AccountsToClose(ctx context.Context, end time.Time, afterID string, limit int) ([]string, error) {
	r, err := s.eng.pool(false).query(ctx, fmt.Sprintf(`SELECT a.id FROM accounts a
		WHERE a.id > $1 AND a.created_at < $2
		  AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id AND i.period_end = $2)
		  AND (a.status <> 'closed' OR NOT EXISTS (
		      SELECT 1 FROM invoices j WHERE j.account_id = a.id AND j.period_end > a.updated_at))
		ORDER BY a.id LIMIT %d`, limit), afterID, micros(end))
	if err != nil {
		return nil, err
	}
	out, _, err := collect(r, noLimit, func(sc scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	})
	return out, err
}

// InvoicesDue implements store.Invoices.
func (s *Store) InvoicesDue(ctx context.Context, now time.Time, limit int) ([]*invoice.Invoice, error) {
	r, err := s.eng.pool(false).query(ctx, fmt.Sprintf("SELECT "+invoiceCols+` FROM invoices
		WHERE status IN ('finalized', 'payment_failed') AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT %d`, limit), micros(now))
	if err != nil {
		return nil, err
	}
	out, _, err := collect(r, noLimit, scanInvoice)
	return out, err
}

// UpdateInvoice implements store.Invoices: the account, then the invoice,
// locked in that order, as a committer batch locks them.
func (s *Store) UpdateInvoice(ctx context.Context, id string, fn func(*store.InvoiceChange) error) (*invoice.Invoice, error) {
	var out *invoice.Invoice
	err := s.write(ctx, func(t tx) error {
		inv, err := getOne(ctx, t, scanInvoice, coffer.Errorf(coffer.ENotFound, "invoice %s not found", id),
			"SELECT "+invoiceCols+" FROM invoices WHERE id = $1", id)
		if err != nil {
			return err
		}
		a, err := getAccount(ctx, t, inv.AccountID, s.d.forUpdate)
		if err != nil {
			return err
		}
		if inv, err = getOne(ctx, t, scanInvoice, coffer.Errorf(coffer.ENotFound, "invoice %s not found", id),
			"SELECT "+invoiceCols+" FROM invoices WHERE id = $1"+s.d.forUpdate, id); err != nil {
			return err
		}
		// A copy of what it bills that fn cannot reach: the slices too,
		// or a change fn makes in place would be saved.
		fixed := *inv
		fixed.Lines, fixed.Subaccounts, fixed.Credits = slices.Clone(inv.Lines), slices.Clone(inv.Subaccounts), slices.Clone(inv.Credits)
		status := a.Status
		ch := &store.InvoiceChange{Invoice: inv, Account: a}
		if err := fn(ch); err != nil {
			return err
		}
		// What the invoice bills is fixed at finalization.
		inv.ID, inv.Number, inv.AccountID, inv.Currency, inv.Mode = fixed.ID, fixed.Number, fixed.AccountID, fixed.Currency, fixed.Mode
		inv.PeriodStart, inv.PeriodEnd, inv.Lines, inv.Subaccounts, inv.Credits = fixed.PeriodStart, fixed.PeriodEnd, fixed.Lines, fixed.Subaccounts, fixed.Credits
		inv.Subtotal, inv.CreditsApplied, inv.AmountDue, inv.FinalizedAt = fixed.Subtotal, fixed.CreditsApplied, fixed.AmountDue, fixed.FinalizedAt
		up, err := invoiceUpdateStmt(inv)
		if err != nil {
			return err
		}
		stmts := []stmt{up}
		if a.Status != status {
			stmts = append(stmts, accountStatusStmt(a))
		}
		evs, err := eventStmts(ch.Events)
		if err != nil {
			return err
		}
		out = inv
		return t.pipeline(ctx, append(stmts, evs...))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
