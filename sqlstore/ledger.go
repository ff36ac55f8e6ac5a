package sqlstore

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// Reads of the ledger: lots, holds, transactions, live state, balances.

// GetLot reads a lot (a grant, in the API's words).
func (s *Store) GetLot(ctx context.Context, id string) (*ledger.Lot, error) {
	return getOne(ctx, s.eng.pool(false), scanLot, coffer.Errorf(coffer.ENotFound, "grant %s not found", id),
		"SELECT "+lotCols+" FROM lots WHERE id = $1", id)
}

// ListLots lists an account's lots in id (creation) order.
func (s *Store) ListLots(ctx context.Context, accountID string, f store.LotFilter) ([]*ledger.Lot, bool, error) {
	limit := pageLimit(f.Page)
	var w where
	w.add("account_id = ", accountID)
	w.add("id > ", f.StartingAfter)
	if f.Kind != "" {
		w.add("kind = ", string(f.Kind))
	}
	if f.Category != "" {
		w.add("category = ", string(f.Category))
	}
	if f.Status != "" {
		w.add("status = ", string(f.Status))
	}
	if f.Unit != "" {
		w.add("unit = ", f.Unit)
	}
	r, err := s.eng.pool(false).query(ctx, "SELECT "+lotCols+" FROM lots"+w.sql()+
		" ORDER BY id LIMIT "+w.arg(limit+1), w.args...)
	if err != nil {
		return nil, false, err
	}
	return collect(r, limit, scanLot)
}

// where builds a WHERE clause of ANDed conditions with numbered parameters.
type where struct {
	conds []string
	args  []any
}

// arg adds a parameter and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// add adds "cond $n" with v as the parameter.
func (w *where) add(cond string, v any) { w.conds = append(w.conds, cond+w.arg(v)) }

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// GetHold reads a hold.
func (s *Store) GetHold(ctx context.Context, id string) (*ledger.Hold, error) {
	return getOne(ctx, s.eng.pool(false), scanHold, coffer.Errorf(coffer.ENotFound, "hold %s not found", id),
		"SELECT "+holdCols+" FROM holds WHERE id = $1", id)
}

// GetTxn reads a transaction with its postings.
func (s *Store) GetTxn(ctx context.Context, id string) (*ledger.Txn, error) {
	return getOne(ctx, s.eng.pool(false), scanTxn, coffer.Errorf(coffer.ENotFound, "transaction %s not found", id),
		"SELECT "+txnCols+" FROM txns WHERE id = $1", id)
}

// ListTxns lists an account's transactions with their postings, newest
// first: by time, and within one instant in the reverse of the order they
// were recorded (seq), which for one account is the order they were
// committed. StartingAfter pages to older ones. txns_account_time
// (account_id, created_at, seq) serves both the order and the cursor.
func (s *Store) ListTxns(ctx context.Context, accountID string, f store.TxnFilter) ([]*ledger.Txn, bool, error) {
	limit := pageLimit(f.Page)
	var w where
	w.add("account_id = ", accountID)
	if f.StartingAfter != "" {
		w.conds = append(w.conds, "(created_at, seq) < (SELECT created_at, seq FROM txns WHERE id = "+w.arg(f.StartingAfter)+")")
	}
	if len(f.Types) > 0 {
		ph := make([]string, len(f.Types))
		for i, t := range f.Types {
			ph[i] = w.arg(string(t))
		}
		w.conds = append(w.conds, "type IN ("+strings.Join(ph, ", ")+")")
	}
	if !f.From.IsZero() {
		w.add("created_at >= ", micros(f.From))
	}
	if !f.To.IsZero() {
		w.add("created_at < ", micros(f.To))
	}
	if f.SubaccountID != "" {
		w.add("subaccount_id = ", f.SubaccountID)
	}
	r, err := s.eng.pool(false).query(ctx, "SELECT "+txnCols+" FROM txns"+w.sql()+" ORDER BY created_at DESC, seq DESC LIMIT "+w.arg(limit+1), w.args...)
	if err != nil {
		return nil, false, err
	}
	return collect(r, limit, scanTxn)
}

// LoadState reads an account's live ledger state without locking it.
func (s *Store) LoadState(ctx context.Context, accountID string) (*ledger.State, error) {
	states := map[string]*ledger.State{}
	err := s.read(ctx, func(q querier) error {
		return q.pipeline(ctx, stateReads(s.d, []string{accountID}, false, states))
	})
	if err != nil {
		return nil, err
	}
	st := states[accountID]
	if st == nil {
		return nil, coffer.Errorf(coffer.ENotFound, "account %s not found", accountID)
	}
	return st, nil
}

// LoadBalance reads the account's balance at at, the present, as a
// committer batch loads the account but in a read-only snapshot: a large
// account's first lots in consumption order, the lots and holds every
// rule must see, and its totals, so that the read costs the same however
// many lots and holds the account has. The state never leaves the
// snapshot: should the balance need more of the account (at is not an
// instant it can answer for from what it loaded), it reads it there.
func (s *Store) LoadBalance(ctx context.Context, accountID string, at time.Time) (ledger.Balance, error) {
	var b ledger.Balance
	err := s.readTx(ctx, func(t tx) error {
		bt := newBatch(s, t)
		bt.read = true
		l, err := bt.Load(ctx, []string{accountID}, store.Lookup{Now: at})
		if err != nil {
			return err
		}
		st := l.States[accountID]
		if st == nil {
			return coffer.Errorf(coffer.ENotFound, "account %s not found", accountID)
		}
		b = st.Balance(at)
		return nil
	})
	return b, err
}

// stateReads returns the reads of the accounts' live state into out:
// the accounts (locked in id order if lock), their active lots and their
// active holds. Sent in one pipeline they are one round trip on
// PostgreSQL, and more reads of the same accounts may follow them there,
// their scans filling out's states.
func stateReads(d dialect, ids []string, lock bool, out map[string]*ledger.State) []stmt {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	in, args := d.in(1, ids)
	forUpdate := ""
	if lock {
		forUpdate = d.forUpdate
	}
	return []stmt{
		{sql: "SELECT " + ledgerAccountCols + " FROM accounts WHERE id " + in + " ORDER BY id" + forUpdate, args: args,
			scan: func(r rows) error {
				for r.Next() {
					a, err := scanLedgerAccount(r)
					if err != nil {
						return err
					}
					out[a.ID] = &ledger.State{Account: *a}
				}
				return r.Err()
			}},
		{sql: "SELECT " + lotCols + " FROM lots WHERE account_id " + in + " AND status = 'active' ORDER BY id", args: args,
			scan: func(r rows) error {
				for r.Next() {
					l, err := scanLot(r)
					if err != nil {
						return err
					}
					if st := out[l.AccountID]; st != nil {
						st.Lots = append(st.Lots, l)
					}
				}
				return r.Err()
			}},
		{sql: "SELECT " + holdCols + " FROM holds WHERE account_id " + in + " AND status = 'active' ORDER BY id", args: args,
			scan: func(r rows) error {
				for r.Next() {
					h, err := scanHold(r)
					if err != nil {
						return err
					}
					if st := out[h.AccountID]; st != nil {
						st.Holds = append(st.Holds, h)
					}
				}
				return r.Err()
			}},
	}
}

// StateAt rebuilds the account's ledger state as of t, in one snapshot:
// the lots created at or before t that still held value at t (remaining =
// their customer postings up to t; status active), the debt at t (minus
// the receivables postings up to t) and the holds active at t (created by
// t and not finished by t, shown as they were then). Lots that held
// nothing at t are left out, as LoadState leaves out finished lots, so
// StateAt(now) equals LoadState. The account's currency, floor and status
// are today's: their history is not kept. The postings up to t are the
// whole hours before t's hour, summed in ledger_hours, and the account's
// transactions from that hour's start to t: however long the history,
// the read costs its hours of activity and at most an hour of journal.
func (s *Store) StateAt(ctx context.Context, accountID string, t time.Time) (*ledger.State, error) {
	var st *ledger.State
	var lots []*ledger.Lot
	sums := map[string]money.Amount{} // by lot; "" the receivables
	at := micros(t)
	err := s.read(ctx, func(q querier) error {
		return q.pipeline(ctx, []stmt{
			{sql: "SELECT " + ledgerAccountCols + " FROM accounts WHERE id = $1", args: []any{accountID},
				scan: func(r rows) error {
					if r.Next() {
						a, err := scanLedgerAccount(r)
						if err != nil {
							return err
						}
						st = &ledger.State{Account: *a}
					}
					return r.Err()
				}},
			{sql: "SELECT " + lotCols + " FROM lots WHERE account_id = $1 AND created_at <= $2 ORDER BY id",
				args: []any{accountID, at},
				scan: func(r rows) error {
					for r.Next() {
						l, err := scanLot(r)
						if err != nil {
							return err
						}
						lots = append(lots, l)
					}
					return r.Err()
				}},
			hoursBefore(accountID, hourOf(at), sums),
			ownPostings("= $3", []any{accountID}, hourOf(at), at+1, func(_ *ledger.Txn, p ledger.Posting) error {
				sums[p.LotID] += p.Amount
				return nil
			}),
			{sql: "SELECT " + holdCols + ` FROM holds WHERE account_id = $1 AND created_at <= $2
				AND (finished_at IS NULL OR finished_at > $2) ORDER BY id`, args: []any{accountID, at},
				scan: func(r rows) error {
					for r.Next() {
						h, err := scanHold(r)
						if err != nil {
							return err
						}
						if st != nil {
							h.Status, h.Captured, h.TxnID, h.FinishedAt = ledger.HoldActive, 0, "", time.Time{}
							st.Holds = append(st.Holds, h)
						}
					}
					return r.Err()
				}},
		})
	})
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, coffer.Errorf(coffer.ENotFound, "account %s not found", accountID)
	}
	for _, l := range lots {
		if remaining := sums[l.ID]; remaining > 0 {
			l.Remaining, l.Status = remaining, ledger.LotActive
			st.Lots = append(st.Lots, l)
		}
	}
	st.Account.Debt = -sums[""]
	return st, nil
}

// AccountsDue lists, in id order, accounts with an active lot at or past
// its expiry or an active hold at or past its TTL.
func (s *Store) AccountsDue(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	r, err := s.eng.pool(false).query(ctx, `
		SELECT account_id FROM lots WHERE status = 'active' AND expires_at <= $1
		UNION
		SELECT account_id FROM holds WHERE status = 'active' AND expires_at <= $1
		ORDER BY account_id LIMIT $2`, micros(now), limit)
	if err != nil {
		return nil, err
	}
	ids, _, err := collect(r, limit, func(r scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	return ids, err
}
