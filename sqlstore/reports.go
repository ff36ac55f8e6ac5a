package sqlstore

import (
	"context"
	"strings"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// Reads for reports. Each scan is one statement without ORDER BY: the
// accumulators take rows in any order, and a sort of the whole journal is
// what would cost memory or temporary disk. An account's scan reads
// txns_account_time (account_id, created_at); a scan of every account reads
// the table in its stored order. No index serves a date range across
// accounts on purpose: every debit would pay for it, and the credit report
// needs the history before its range anyway (its opening figures).

// ctxEvery is how many rows a scan reads between looks at its context, so
// a cancelled report stops promptly even while the driver has rows
// buffered.
const ctxEvery = 1024

// ScanTxns calls fn with each transaction the scan matches.
func (s *Store) ScanTxns(ctx context.Context, sc store.TxnScan, fn func(*ledger.Txn) error) error {
	var w where
	if sc.AccountID != "" {
		w.add("account_id = ", sc.AccountID)
	}
	if len(sc.Types) > 0 {
		ph := make([]string, len(sc.Types))
		for i, t := range sc.Types {
			ph[i] = w.arg(string(t))
		}
		w.conds = append(w.conds, "type IN ("+strings.Join(ph, ", ")+")")
	}
	if !sc.From.IsZero() {
		w.add("created_at >= ", micros(sc.From))
	}
	if !sc.To.IsZero() {
		w.add("created_at < ", micros(sc.To))
	}
	return s.scan(ctx, "SELECT "+txnCols+" FROM txns"+w.sql(), w.args, func(r scanner) error {
		t, err := scanTxn(r)
		if err != nil {
			return err
		}
		return fn(t)
	})
}

// ScanLots calls fn with each lot the scan matches.
func (s *Store) ScanLots(ctx context.Context, sc store.LotScan, fn func(*ledger.Lot) error) error {
	var w where
	if sc.AccountID != "" {
		w.add("account_id = ", sc.AccountID)
	}
	if !sc.CreatedBy.IsZero() {
		w.add("created_at <= ", micros(sc.CreatedBy))
	}
	if sc.Active {
		w.conds = append(w.conds, "status = 'active' AND remaining > 0")
	}
	return s.scan(ctx, "SELECT "+lotCols+" FROM lots"+w.sql(), w.args, func(r scanner) error {
		l, err := scanLot(r)
		if err != nil {
			return err
		}
		return fn(l)
	})
}

// scan runs one query on a reader and calls each for every row as it
// arrives, stopping at the first error or when ctx ends.
func (s *Store) scan(ctx context.Context, query string, args []any, each func(scanner) error) error {
	r, err := s.eng.pool(false).query(ctx, query, args...)
	if err != nil {
		return s.translate(err)
	}
	defer r.Close()
	for n := 1; r.Next(); n++ {
		if n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := each(r); err != nil {
			return s.translate(err)
		}
	}
	if err := r.Err(); err != nil {
		return s.translate(err)
	}
	return ctx.Err()
}
