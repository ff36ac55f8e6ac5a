package sqlstore

import (
	"context"
	"fmt"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// The invoice rules of `coffer check`, which tie invoices to the ledger:
//   - invoice_numbers: numbers run 1..n with no gap, and the counter
//     stands at n;
//   - invoice_totals: every invoice's totals equal its lines, and a paid
//     invoice's amount paid equals its amount due (invoice.Check);
//   - invoice_credits: the credit lines an invoice shows are what its
//     invoice_credit transaction took from the lots;
//   - invoice_payment: a paid invoice with something due was paid by a
//     succeeded payment of that amount, credited to the ledger.
func (s *Store) checkInvoices(ctx context.Context, q querier) ([]store.Violation, error) {
	var out []store.Violation
	bad := func(rule, subject, format string, args ...any) {
		out = append(out, store.Violation{Rule: rule, Subject: subject, Detail: fmt.Sprintf(format, args...)})
	}
	var n, maxSeq, last int64
	r, err := q.query(ctx, `SELECT COUNT(*), COALESCE(MAX(seq), 0), (SELECT last FROM invoice_numbers WHERE id = 1) FROM invoices`)
	if err != nil {
		return nil, err
	}
	for r.Next() {
		if err := r.Scan(&n, &maxSeq, &last); err != nil {
			r.Close()
			return nil, err
		}
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, err
	}
	if n != maxSeq || last != maxSeq {
		bad("invoice_numbers", "invoice_numbers", "%d invoices, the highest numbered %d, the counter at %d: numbers must run 1..n with no gap", n, maxSeq, last)
	}

	// What each invoice's credit transaction took, by invoice.
	took := map[string]money.Amount{}
	r, err = q.query(ctx, "SELECT id, account_id, metadata, postings FROM txns WHERE type = $1", string(ledger.TxnInvoiceCredit))
	if err != nil {
		return nil, err
	}
	for r.Next() {
		var t ledger.Txn
		var meta, postings string
		if err := r.Scan(&t.ID, &t.AccountID, &meta, &postings); err != nil {
			r.Close()
			return nil, err
		}
		if t.Metadata, err = readStringMap(meta); err == nil {
			err = decodePostings(&t, postings)
		}
		if err != nil {
			r.Close()
			return nil, err
		}
		for _, p := range t.Postings {
			if p.Book == ledger.BookCustomer {
				took[t.Metadata["invoice_id"]] -= p.Amount
			}
		}
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, err
	}

	r, err = q.query(ctx, "SELECT "+invoiceCols+" FROM invoices ORDER BY id")
	if err != nil {
		return nil, err
	}
	var paid []*invoice.Invoice
	for r.Next() {
		inv, err := scanInvoice(r)
		if err != nil {
			r.Close()
			return nil, err
		}
		if msg := inv.Check(); msg != "" {
			bad("invoice_totals", inv.ID, "%s", msg)
		}
		var shares money.Amount
		for _, c := range inv.Credits {
			shares += c.Amount
		}
		if shares != took[inv.ID] {
			bad("invoice_credits", inv.ID, "applied %s of credit, but its invoice_credit transactions took %s from the lots", shares, took[inv.ID])
		}
		if inv.Status == invoice.Paid && inv.AmountDue > 0 {
			paid = append(paid, inv)
		}
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, err
	}
	for _, inv := range paid {
		p, err := one[coffer.Payment](ctx, q, "payment", inv.PaymentID, "SELECT data FROM payments WHERE id = $1", inv.PaymentID)
		if coffer.ErrorCode(err) == coffer.ENotFound {
			bad("invoice_payment", inv.ID, "paid, but its payment %q does not exist", inv.PaymentID)
			continue
		}
		if err != nil {
			return nil, err
		}
		if p.Status != coffer.PaymentSucceeded || p.Amount != inv.AmountDue || p.LotID == "" {
			bad("invoice_payment", inv.ID, "paid, but payment %s is %s for %s (grant %q), not a succeeded payment of the %s due",
				p.ID, p.Status, p.Amount, p.LotID, inv.AmountDue)
			continue
		}
		lot, err := getOne(ctx, q, scanLot, coffer.Errorf(coffer.ENotFound, "lot"), "SELECT "+lotCols+" FROM lots WHERE id = $1", p.LotID)
		if err != nil || lot.Amount != p.Amount {
			bad("invoice_payment", inv.ID, "paid, but payment %s was not credited to the ledger as a grant of %s", p.ID, p.Amount)
		}
	}
	return out, nil
}
