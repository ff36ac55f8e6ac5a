package sqlstore

import (
	"context"
	"math"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// Accounts, subaccounts, API keys and idempotency records.

// defaultLimit is the page size when a Page asks for none.
const defaultLimit = 10

func pageLimit(p store.Page) int {
	if p.Limit <= 0 {
		return defaultLimit
	}
	return p.Limit
}

// eventStmts inserts events into the outbox.
func eventStmts(events []ledger.Event) ([]stmt, error) {
	rows := make([][]any, 0, len(events))
	for i := range events {
		r, err := eventRow(&events[i])
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return eventInsert.of(rows), nil
}

// idemStmts records idempotent answers; a key already recorded is a
// conflict, since it means a concurrent request with the same key won.
func idemStmts(idems ...*store.Idempotency) []stmt {
	rows := make([][]any, 0, len(idems))
	for _, i := range idems {
		if i != nil {
			rows = append(rows, idemRow(i))
		}
	}
	return insertRows("idempotency", idemColumns, rows, "")
}

// CreateAccount inserts the account with its events and idempotent answer.
// Its ledger starts empty: no debt, a zero balance.
func (s *Store) CreateAccount(ctx context.Context, a *coffer.Account, events []ledger.Event, idem *store.Idempotency) error {
	evs, err := eventStmts(events)
	if err != nil {
		return err
	}
	stmts := append([]stmt{{
		sql:  "INSERT INTO accounts (" + accountCols + ") VALUES (" + placeholders(1, 14) + ")",
		args: accountArgs(a),
	}}, evs...)
	stmts = append(stmts, idemStmts(idem)...)
	return s.write(ctx, func(t tx) error { return t.pipeline(ctx, stmts) })
}

// GetAccount reads an account's record.
func (s *Store) GetAccount(ctx context.Context, id string) (*coffer.Account, error) {
	return getAccount(ctx, s.eng.pool(false), id, "")
}

func getAccount(ctx context.Context, q querier, id, suffix string) (*coffer.Account, error) {
	return getOne(ctx, q, scanAccount, coffer.Errorf(coffer.ENotFound, "account %s not found", id),
		"SELECT "+accountCols+" FROM accounts WHERE id = $1"+suffix, id)
}

// ListAccounts lists accounts in id (creation) order.
func (s *Store) ListAccounts(ctx context.Context, p store.Page) ([]*coffer.Account, bool, error) {
	limit := pageLimit(p)
	r, err := s.eng.pool(false).query(ctx,
		"SELECT "+accountCols+" FROM accounts WHERE id > $1 ORDER BY id LIMIT $2", p.StartingAfter, limit+1)
	if err != nil {
		return nil, false, err
	}
	return collect(r, limit, scanAccount)
}

// noLimit asks collect for every row.
const noLimit = math.MaxInt

// collect reads up to limit records and reports whether there were more.
func collect[T any](r rows, limit int, scan func(scanner) (T, error)) ([]T, bool, error) {
	defer r.Close()
	var out []T
	for r.Next() {
		v, err := scan(r)
		if err != nil {
			return nil, false, err
		}
		out = append(out, v)
	}
	if err := r.Err(); err != nil {
		return nil, false, err
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// getOne runs a query that names at most one row and scans it; notFound
// is the error when there is none.
func getOne[T any](ctx context.Context, q querier, scan func(scanner) (T, error), notFound error, query string, args ...any) (T, error) {
	var zero T
	r, err := q.query(ctx, query, args...)
	if err != nil {
		return zero, err
	}
	list, _, err := collect(r, 1, scan)
	if err != nil {
		return zero, err
	}
	if len(list) == 0 {
		return zero, notFound
	}
	return list[0], nil
}

// UpdateAccount locks the account, lets fn change it, and saves its
// profile fields and status. The id, the creation time and the ledger
// fields (debt, cached balance) are not fn's to change.
func (s *Store) UpdateAccount(ctx context.Context, id string, fn func(*coffer.Account) error, idem *store.Idempotency) (*coffer.Account, error) {
	var out *coffer.Account
	err := s.write(ctx, func(t tx) error {
		a, err := getAccount(ctx, t, id, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return err
		}
		a.ID = id
		stmts := append([]stmt{{
			sql: `UPDATE accounts SET name = $2, email = $3, notification_emails = $4, currency = $5, status = $6,
				billing_mode = $7, min_balance = $8, trust_tier = $9, metadata = $10, updated_at = $11,
				at_credit_limit = at_credit_limit AND credit_limit = $12, credit_limit = $12, postpaid_since = $13,
				version = version + 1
				WHERE id = $1`,
			// A changed credit limit re-arms its event.
			args: []any{id, a.Name, a.Email, mustJSON(a.NotificationEmails), string(a.Currency), string(a.Status),
				a.BillingMode, int64(a.MinBalance), a.TrustTier, mustJSON(a.Metadata), micros(a.UpdatedAt), int64(a.CreditLimit),
				nullMicros(a.PostpaidSince)},
		}}, idemStmts(idem)...)
		if err := t.pipeline(ctx, stmts); err != nil {
			return err
		}
		out = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateSubaccount inserts a subaccount under an existing account.
func (s *Store) CreateSubaccount(ctx context.Context, sub *coffer.Subaccount, idem *store.Idempotency) error {
	stmts := append([]stmt{{
		sql:  "INSERT INTO subaccounts (" + subaccountCols + ") VALUES (" + placeholders(1, 9) + ")",
		args: subaccountArgs(sub),
	}}, idemStmts(idem)...)
	err := s.write(ctx, func(t tx) error { return t.pipeline(ctx, stmts) })
	if coffer.ErrorCode(err) == coffer.ENotFound {
		return coffer.Errorf(coffer.ENotFound, "account %s not found", sub.AccountID)
	}
	return err
}

// GetSubaccount reads a subaccount, deleted ones included.
func (s *Store) GetSubaccount(ctx context.Context, id string) (*coffer.Subaccount, error) {
	return getSubaccount(ctx, s.eng.pool(false), "id", id, "")
}

// GetSubaccountByAuthID finds a subaccount by the public half of its
// credential, deleted ones included, so the caller can say why it is
// refused.
func (s *Store) GetSubaccountByAuthID(ctx context.Context, authID string) (*coffer.Subaccount, error) {
	return getSubaccount(ctx, s.eng.pool(false), "auth_id", authID, "")
}

func getSubaccount(ctx context.Context, q querier, col, val, suffix string) (*coffer.Subaccount, error) {
	notFound := coffer.Errorf(coffer.ENotFound, "subaccount %s not found", val)
	if col == "auth_id" {
		notFound = coffer.Errorf(coffer.ENotFound, "no subaccount has auth id %s", val)
	}
	return getOne(ctx, q, scanSubaccount, notFound,
		"SELECT "+subaccountCols+" FROM subaccounts WHERE "+col+" = $1"+suffix, val)
}

// ListSubaccounts lists an account's subaccounts in id order, leaving out
// deleted ones.
func (s *Store) ListSubaccounts(ctx context.Context, accountID string, p store.Page) ([]*coffer.Subaccount, bool, error) {
	limit := pageLimit(p)
	r, err := s.eng.pool(false).query(ctx, "SELECT "+subaccountCols+` FROM subaccounts
		WHERE account_id = $1 AND id > $2 AND NOT deleted ORDER BY id LIMIT $3`, accountID, p.StartingAfter, limit+1)
	if err != nil {
		return nil, false, err
	}
	return collect(r, limit, scanSubaccount)
}

// UpdateSubaccount locks the subaccount, lets fn change it, and saves it.
// Its id, account and creation time stay as they were.
func (s *Store) UpdateSubaccount(ctx context.Context, id string, fn func(*coffer.Subaccount) error, idem *store.Idempotency) (*coffer.Subaccount, error) {
	var out *coffer.Subaccount
	err := s.write(ctx, func(t tx) error {
		sub, err := getSubaccount(ctx, t, "id", id, s.d.forUpdate)
		if err != nil {
			return err
		}
		account, created := sub.AccountID, sub.CreatedAt
		if err := fn(sub); err != nil {
			return err
		}
		sub.ID, sub.AccountID, sub.CreatedAt = id, account, created
		stmts := append([]stmt{{
			sql: `UPDATE subaccounts SET name = $3, enabled = $4, deleted = $5, auth_id = $6, token_hash = $7,
				updated_at = $9 WHERE id = $1 AND account_id = $2 AND created_at = $8`,
			args: subaccountArgs(sub),
		}}, idemStmts(idem)...)
		if err := t.pipeline(ctx, stmts); err != nil {
			return err
		}
		out = sub
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetIdempotency reads a stored answer.
func (s *Store) GetIdempotency(ctx context.Context, scope, key string) (*store.Idempotency, error) {
	return getOne(ctx, s.eng.pool(false), scanIdem, coffer.Errorf(coffer.ENotFound, "idempotency key %s not found", key),
		"SELECT "+idemCols+" FROM idempotency WHERE scope = $1 AND key = $2", scope, key)
}

// SaveIdempotency records the answer to a request that changed nothing; a
// key already recorded keeps its first answer.
func (s *Store) SaveIdempotency(ctx context.Context, idem *store.Idempotency) error {
	return s.write(ctx, func(t tx) error {
		_, err := t.exec(ctx, "INSERT INTO idempotency ("+idemCols+") VALUES ("+placeholders(1, 6)+
			") ON CONFLICT (scope, key) DO NOTHING", idemRow(idem)...)
		return err
	})
}
