package sqlstore

import (
	"context"
	"fmt"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/program"
	"github.com/cofferdev/coffer/store"
)

// The program rules of `coffer check`, which tie enrollments to the
// ledger:
//   - program_gift: an enrollment's gift is a true_up grant of its
//     account, of the enrollment's amount;
//   - true_up_lot: a true-up credits from a true_up grant of its own
//     account;
//   - true_up_once: no gift is credited twice for one month;
//   - credit_last_applied: an enrollment records every month its gift
//     was credited for (credit_last_applied is at or after the last).
func (s *Store) checkPrograms(ctx context.Context, q querier) ([]store.Violation, error) {
	var out []store.Violation
	bad := func(rule, subject, format string, args ...any) {
		out = append(out, store.Violation{Rule: rule, Subject: subject, Detail: fmt.Sprintf(format, args...)})
	}
	lots := map[string]*ledger.Lot{}
	r, err := q.query(ctx, "SELECT "+lotCols+" FROM lots WHERE application = $1", string(ledger.TrueUp))
	if err != nil {
		return nil, err
	}
	for r.Next() {
		l, err := scanLot(r)
		if err != nil {
			r.Close()
			return nil, err
		}
		lots[l.ID] = l
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, err
	}

	lastMonth := map[string]string{} // by gift lot: the last month credited
	seen := map[[2]string]string{}   // {lot, month}: the transaction
	r, err = q.query(ctx, "SELECT id, account_id, lot_id, metadata FROM txns WHERE type = $1 ORDER BY seq", string(ledger.TxnTrueUp))
	if err != nil {
		return nil, err
	}
	for r.Next() {
		var id, account, lot, meta string
		if err := r.Scan(&id, &account, &lot, &meta); err != nil {
			r.Close()
			return nil, err
		}
		md, err := readStringMap(meta)
		if err != nil {
			r.Close()
			return nil, err
		}
		month := md["month"]
		if l := lots[lot]; l == nil || l.AccountID != account {
			bad("true_up_lot", id, "credits from %q, which is not a true_up grant of account %s", lot, account)
		}
		if first, dup := seen[[2]string{lot, month}]; dup {
			bad("true_up_once", id, "credits gift %s for %s again (first by %s)", lot, month, first)
		} else {
			seen[[2]string{lot, month}] = id
		}
		if month > lastMonth[lot] {
			lastMonth[lot] = month
		}
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, err
	}

	r, err = q.query(ctx, "SELECT data FROM enrollments ORDER BY id")
	if err != nil {
		return nil, err
	}
	es, _, err := scanData[program.Enrollment](r, noLimit)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.LotID == "" {
			continue // an enrolment still being made: the true-up job finishes it
		}
		l := lots[e.LotID]
		switch {
		case l == nil || l.AccountID != e.AccountID:
			bad("program_gift", e.ID, "names gift %q, which is not a true_up grant of account %s", e.LotID, e.AccountID)
			continue
		case l.Amount != e.Gift:
			bad("program_gift", e.ID, "gives %s, but its gift %s holds %s", e.Gift, l.ID, l.Amount)
		}
		if last := lastMonth[e.LotID]; last != "" && (e.CreditLastApplied.IsZero() || program.MonthName(e.CreditLastApplied) < last) {
			bad("credit_last_applied", e.ID, "records %q as the last month credited, but its gift was credited for %s", monthName(e), last)
		}
	}
	return out, nil
}

func monthName(e *program.Enrollment) string {
	if e.CreditLastApplied.IsZero() {
		return ""
	}
	return program.MonthName(e.CreditLastApplied)
}
