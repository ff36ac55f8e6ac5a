package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// Payment methods, payments, auto-recharge settings and schedules. Each
// table keeps in columns what is filtered, locked or unique, and the rest
// of the record as JSON in data (see migrations/*/00003_payments.sql).

func encodeData(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode %T: %w", v, err)
	}
	return string(b), nil
}

// scanData reads rows of one data column into records.
func scanData[T any](r rows, limit int) ([]*T, bool, error) {
	return collect(r, limit, func(sc scanner) (*T, error) {
		var data string
		if err := sc.Scan(&data); err != nil {
			return nil, err
		}
		v := new(T)
		if err := json.Unmarshal([]byte(data), v); err != nil {
			return nil, fmt.Errorf("decode %T: %w", v, err)
		}
		return v, nil
	})
}

// one reads a single record by a query of its data column.
func one[T any](ctx context.Context, q querier, what, id, query string, args ...any) (*T, error) {
	r, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out, _, err := scanData[T](r, noLimit)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, coffer.Errorf(coffer.ENotFound, "%s %s not found", what, id)
	}
	return out[0], nil
}

// ---- payment methods ----

func methodStmt(m *coffer.PaymentMethod, insert bool) (stmt, error) {
	data, err := encodeData(m)
	if err != nil {
		return stmt{}, err
	}
	if insert {
		return stmt{sql: "INSERT INTO payment_methods (id, account_id, status, data, created_at) VALUES ($1, $2, $3, $4, $5)",
			args: []any{m.ID, m.AccountID, string(m.Status), data, micros(m.CreatedAt)}}, nil
	}
	return stmt{sql: "UPDATE payment_methods SET status = $2, data = $3 WHERE id = $1", args: []any{m.ID, string(m.Status), data}}, nil
}

// clearDefaults makes every other method of the account not the default.
func (s *Store) clearDefaults(ctx context.Context, t tx, m *coffer.PaymentMethod) ([]stmt, error) {
	if !m.Default {
		return nil, nil
	}
	r, err := t.query(ctx, "SELECT data FROM payment_methods WHERE account_id = $1 AND id <> $2 AND status <> 'removed'"+s.d.forUpdate, m.AccountID, m.ID)
	if err != nil {
		return nil, err
	}
	others, _, err := scanData[coffer.PaymentMethod](r, noLimit)
	if err != nil {
		return nil, err
	}
	var out []stmt
	for _, o := range others {
		if o.Default {
			o.Default = false
			st, err := methodStmt(o, false)
			if err != nil {
				return nil, err
			}
			out = append(out, st)
		}
	}
	return out, nil
}

// CreatePaymentMethod implements store.Payments.
func (s *Store) CreatePaymentMethod(ctx context.Context, m *coffer.PaymentMethod, idem *store.Idempotency) error {
	ins, err := methodStmt(m, true)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(t tx) error {
		if _, err := getAccount(ctx, t, m.AccountID, s.d.forUpdate); err != nil {
			return err
		}
		clear, err := s.clearDefaults(ctx, t, m)
		if err != nil {
			return err
		}
		return t.pipeline(ctx, append(append(clear, ins), idemStmts(idem)...))
	})
	return err
}

// GetPaymentMethod implements store.Payments.
func (s *Store) GetPaymentMethod(ctx context.Context, id string) (*coffer.PaymentMethod, error) {
	return one[coffer.PaymentMethod](ctx, s.eng.pool(false), "payment method", id, "SELECT data FROM payment_methods WHERE id = $1", id)
}

// ListPaymentMethods implements store.Payments.
func (s *Store) ListPaymentMethods(ctx context.Context, accountID string) ([]*coffer.PaymentMethod, error) {
	r, err := s.eng.pool(false).query(ctx, "SELECT data FROM payment_methods WHERE account_id = $1 AND status <> 'removed' ORDER BY id", accountID)
	if err != nil {
		return nil, err
	}
	out, _, err := scanData[coffer.PaymentMethod](r, noLimit)
	return out, err
}

// UpdatePaymentMethod implements store.Payments.
func (s *Store) UpdatePaymentMethod(ctx context.Context, id string, fn func(*coffer.PaymentMethod) error, idem *store.Idempotency) (*coffer.PaymentMethod, error) {
	var out *coffer.PaymentMethod
	err := s.write(ctx, func(t tx) error {
		m, err := one[coffer.PaymentMethod](ctx, t, "payment method", id, "SELECT data FROM payment_methods WHERE id = $1"+s.d.forUpdate, id)
		if err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
		m.ID = id
		up, err := methodStmt(m, false)
		if err != nil {
			return err
		}
		clear, err := s.clearDefaults(ctx, t, m)
		if err != nil {
			return err
		}
		out = m
		return t.pipeline(ctx, append(append(clear, up), idemStmts(idem)...))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ---- payments ----

func paymentStmt(p *coffer.Payment, insert bool) (stmt, error) {
	data, err := encodeData(p)
	if err != nil {
		return stmt{}, err
	}
	if insert {
		return stmt{sql: "INSERT INTO payments (id, account_id, source, idem_key, status, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			args: []any{p.ID, p.AccountID, string(p.Source), p.Key, string(p.Status), data, micros(p.CreatedAt)}}, nil
	}
	return stmt{sql: "UPDATE payments SET status = $2, data = $3 WHERE id = $1", args: []any{p.ID, string(p.Status), data}}, nil
}

// CreatePayment implements store.Payments. The account row is locked
// first, so two processes recording the same key queue on it and the
// second finds the first's row.
func (s *Store) CreatePayment(ctx context.Context, p *coffer.Payment) (*coffer.Payment, bool, error) {
	ins, err := paymentStmt(p, true)
	if err != nil {
		return nil, false, err
	}
	var out *coffer.Payment
	var created bool
	err = s.write(ctx, func(t tx) error {
		if _, err := getAccount(ctx, t, p.AccountID, s.d.forUpdate); err != nil {
			return err
		}
		prev, err := one[coffer.Payment](ctx, t, "payment", p.Key,
			"SELECT data FROM payments WHERE account_id = $1 AND idem_key = $2", p.AccountID, p.Key)
		if err == nil {
			out, created = prev, false
			return nil
		}
		if coffer.ErrorCode(err) != coffer.ENotFound {
			return err
		}
		out, created = p, true
		return runOne(ctx, t, ins)
	})
	if err != nil {
		return nil, false, err
	}
	return out, created, nil
}

// GetPayment implements store.Payments.
func (s *Store) GetPayment(ctx context.Context, id string) (*coffer.Payment, error) {
	return one[coffer.Payment](ctx, s.eng.pool(false), "payment", id, "SELECT data FROM payments WHERE id = $1", id)
}

// ListPayments implements store.Payments.
func (s *Store) ListPayments(ctx context.Context, accountID string, source coffer.PaymentSource, p store.Page) ([]*coffer.Payment, bool, error) {
	limit := pageLimit(p)
	q := "SELECT data FROM payments WHERE account_id = $1 AND id > $2"
	args := []any{accountID, p.StartingAfter}
	if source != "" {
		q += " AND source = $3"
		args = append(args, string(source))
	}
	q += fmt.Sprintf(" ORDER BY id LIMIT %d", limit+1)
	r, err := s.eng.pool(false).query(ctx, q, args...)
	if err != nil {
		return nil, false, err
	}
	return scanData[coffer.Payment](r, limit)
}

// OpenPayments implements store.Payments.
func (s *Store) OpenPayments(ctx context.Context, limit int) ([]*coffer.Payment, error) {
	r, err := s.eng.pool(false).query(ctx,
		fmt.Sprintf("SELECT data FROM payments WHERE status IN ('processing', 'pending') ORDER BY id LIMIT %d", limit))
	if err != nil {
		return nil, err
	}
	out, _, err := scanData[coffer.Payment](r, noLimit)
	return out, err
}

// FinishPayment implements store.Payments: account, then payment, then
// auto-recharge row, locked in that order (the order every payment write
// takes, so two processes cannot deadlock on them).
func (s *Store) FinishPayment(ctx context.Context, id string, fn func(*store.PaymentChange) error) (*coffer.Payment, error) {
	var out *coffer.Payment
	err := s.write(ctx, func(t tx) error {
		// Read through the transaction, never the pool: a transaction
		// waiting for a second connection while others wait for its
		// locks could starve the pool.
		p, err := one[coffer.Payment](ctx, t, "payment", id, "SELECT data FROM payments WHERE id = $1", id)
		if err != nil {
			return err
		}
		a, err := getAccount(ctx, t, p.AccountID, s.d.forUpdate)
		if err != nil {
			return err
		}
		if p, err = one[coffer.Payment](ctx, t, "payment", id, "SELECT data FROM payments WHERE id = $1"+s.d.forUpdate, id); err != nil {
			return err
		}
		ar, err := s.lockAutoRecharge(ctx, t, p.AccountID)
		if err != nil && coffer.ErrorCode(err) != coffer.ENotFound {
			return err
		}
		status := a.Status
		ch := &store.PaymentChange{Payment: p, Account: a, AutoRecharge: ar}
		if err := fn(ch); err != nil {
			return err
		}
		up, err := paymentStmt(p, false)
		if err != nil {
			return err
		}
		stmts := []stmt{up}
		if a.Status != status {
			stmts = append(stmts, accountStatusStmt(a))
		}
		if ar != nil {
			st, err := autoRechargeStmt(ar)
			if err != nil {
				return err
			}
			stmts = append(stmts, st)
		}
		evs, err := eventStmts(ch.Events)
		if err != nil {
			return err
		}
		out = p
		return t.pipeline(ctx, append(stmts, evs...))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func accountStatusStmt(a *coffer.Account) stmt {
	return stmt{sql: "UPDATE accounts SET status = $2, updated_at = $3, version = version + 1 WHERE id = $1",
		args: []any{a.ID, string(a.Status), micros(a.UpdatedAt)}}
}

// ---- auto-recharge ----

func (s *Store) lockAutoRecharge(ctx context.Context, q querier, accountID string) (*coffer.AutoRecharge, error) {
	return one[coffer.AutoRecharge](ctx, q, "auto-recharge of account", accountID,
		"SELECT data FROM auto_recharge WHERE account_id = $1"+s.d.forUpdate, accountID)
}

func autoRechargeStmt(ar *coffer.AutoRecharge) (stmt, error) {
	data, err := encodeData(ar)
	if err != nil {
		return stmt{}, err
	}
	enabled := 0
	if ar.Enabled {
		enabled = 1
	}
	return stmt{sql: "INSERT INTO auto_recharge (account_id, enabled, threshold, data) VALUES ($1, $2, $3, $4)" +
		" ON CONFLICT (account_id) DO UPDATE SET enabled = excluded.enabled, threshold = excluded.threshold, data = excluded.data",
		args: []any{ar.AccountID, enabled, int64(ar.Threshold), data}}, nil
}

// GetAutoRecharge implements store.Payments.
func (s *Store) GetAutoRecharge(ctx context.Context, accountID string) (*coffer.AutoRecharge, error) {
	return one[coffer.AutoRecharge](ctx, s.eng.pool(false), "auto-recharge of account", accountID,
		"SELECT data FROM auto_recharge WHERE account_id = $1", accountID)
}

// UpdateAutoRecharge implements store.Payments.
func (s *Store) UpdateAutoRecharge(ctx context.Context, accountID string, fn func(*coffer.AutoRecharge, *coffer.Account) ([]ledger.Event, error), idem *store.Idempotency) (*coffer.AutoRecharge, error) {
	var out *coffer.AutoRecharge
	err := s.write(ctx, func(t tx) error {
		a, err := getAccount(ctx, t, accountID, s.d.forUpdate)
		if err != nil {
			return err
		}
		ar, err := s.lockAutoRecharge(ctx, t, accountID)
		if coffer.ErrorCode(err) == coffer.ENotFound {
			ar, err = &coffer.AutoRecharge{AccountID: accountID}, nil
		}
		if err != nil {
			return err
		}
		status := a.Status
		events, err := fn(ar, a)
		if err != nil {
			return err
		}
		ar.AccountID = accountID
		st, err := autoRechargeStmt(ar)
		if err != nil {
			return err
		}
		stmts := []stmt{st}
		if a.Status != status {
			stmts = append(stmts, accountStatusStmt(a))
		}
		evs, err := eventStmts(events)
		if err != nil {
			return err
		}
		out = ar
		return t.pipeline(ctx, append(append(stmts, evs...), idemStmts(idem)...))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ClaimRecharge implements store.Payments with one conditional UPDATE: of
// two processes racing for the lease, the database lets one row change.
func (s *Store) ClaimRecharge(ctx context.Context, accountID, token string, now, until time.Time) (bool, error) {
	var n int64
	err := s.write(ctx, func(t tx) error {
		var err error
		n, err = t.exec(ctx, "UPDATE auto_recharge SET lease_token = $2, lease_until = $3"+
			" WHERE account_id = $1 AND (lease_token = '' OR lease_token = $2 OR lease_until < $4)",
			accountID, token, micros(until), micros(now))
		return err
	})
	return n == 1, err
}

// StartRecharge implements store.Payments: account, then auto-recharge
// row, locked in FinishPayment's order. On SQLite the write transaction
// is the lock; on PostgreSQL the rows are locked FOR UPDATE, so a claim
// of the lease, which updates the same row, waits for this to commit.
func (s *Store) StartRecharge(ctx context.Context, p *coffer.Payment, token string, now time.Time, fn func(*coffer.AutoRecharge) (bool, error)) (bool, error) {
	ins, err := paymentStmt(p, true)
	if err != nil {
		return false, err
	}
	var started bool
	err = s.write(ctx, func(t tx) error {
		started = false
		if _, err := getAccount(ctx, t, p.AccountID, s.d.forUpdate); err != nil {
			return err
		}
		r, err := t.query(ctx, "SELECT data, lease_token, lease_until FROM auto_recharge WHERE account_id = $1"+s.d.forUpdate, p.AccountID)
		if err != nil {
			return err
		}
		type leased struct {
			ar    *coffer.AutoRecharge
			token string
			until int64
		}
		got, _, err := collect(r, noLimit, func(sc scanner) (leased, error) {
			var data string
			var l leased
			if err := sc.Scan(&data, &l.token, &l.until); err != nil {
				return l, err
			}
			l.ar = new(coffer.AutoRecharge)
			if err := json.Unmarshal([]byte(data), l.ar); err != nil {
				return l, fmt.Errorf("decode %T: %w", l.ar, err)
			}
			return l, nil
		})
		if err != nil {
			return err
		}
		if len(got) == 0 {
			return coffer.Errorf(coffer.ENotFound, "auto-recharge of account %s not found", p.AccountID)
		}
		if got[0].token != token || got[0].until < micros(now) {
			return nil // the lease lapsed: another run may hold the account
		}
		ar := got[0].ar
		ok, err := fn(ar)
		if err != nil || !ok {
			return err
		}
		ar.AccountID = p.AccountID
		up, err := autoRechargeStmt(ar)
		if err != nil {
			return err
		}
		started = true
		return t.pipeline(ctx, []stmt{ins, up})
	})
	if err != nil {
		return false, err
	}
	return started, nil
}

// ReleaseRecharge implements store.Payments.
func (s *Store) ReleaseRecharge(ctx context.Context, accountID, token string) error {
	return s.write(ctx, func(t tx) error {
		_, err := t.exec(ctx, "UPDATE auto_recharge SET lease_token = '', lease_until = 0 WHERE account_id = $1 AND lease_token = $2",
			accountID, token)
		return err
	})
}

// RechargeCandidates implements store.Payments.
func (s *Store) RechargeCandidates(ctx context.Context, limit int) ([]string, error) {
	r, err := s.eng.pool(false).query(ctx, fmt.Sprintf(
		"SELECT r.account_id FROM auto_recharge r JOIN accounts a ON a.id = r.account_id"+
			" WHERE r.enabled = 1 AND a.balance < r.threshold AND a.status <> 'closed' ORDER BY r.account_id LIMIT %d", limit))
	if err != nil {
		return nil, err
	}
	ids, _, err := collect(r, noLimit, func(sc scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	})
	return ids, err
}

// ---- schedules ----

func scheduleStmt(sc *coffer.Schedule, insert bool) (stmt, error) {
	data, err := encodeData(sc)
	if err != nil {
		return stmt{}, err
	}
	if insert {
		return stmt{sql: "INSERT INTO payment_schedules (id, account_id, status, next_run_at, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
			args: []any{sc.ID, sc.AccountID, string(sc.Status), micros(sc.NextRunAt), data, micros(sc.CreatedAt)}}, nil
	}
	return stmt{sql: "UPDATE payment_schedules SET status = $2, next_run_at = $3, data = $4 WHERE id = $1",
		args: []any{sc.ID, string(sc.Status), micros(sc.NextRunAt), data}}, nil
}

// CreateSchedule implements store.Payments.
func (s *Store) CreateSchedule(ctx context.Context, sc *coffer.Schedule, idem *store.Idempotency) error {
	ins, err := scheduleStmt(sc, true)
	if err != nil {
		return err
	}
	return s.write(ctx, func(t tx) error { return t.pipeline(ctx, append([]stmt{ins}, idemStmts(idem)...)) })
}

// GetSchedule implements store.Payments.
func (s *Store) GetSchedule(ctx context.Context, id string) (*coffer.Schedule, error) {
	return one[coffer.Schedule](ctx, s.eng.pool(false), "payment schedule", id, "SELECT data FROM payment_schedules WHERE id = $1", id)
}

// ListSchedules implements store.Payments.
func (s *Store) ListSchedules(ctx context.Context, accountID string) ([]*coffer.Schedule, error) {
	r, err := s.eng.pool(false).query(ctx, "SELECT data FROM payment_schedules WHERE account_id = $1 ORDER BY id", accountID)
	if err != nil {
		return nil, err
	}
	out, _, err := scanData[coffer.Schedule](r, noLimit)
	return out, err
}

// UpdateSchedule implements store.Payments.
func (s *Store) UpdateSchedule(ctx context.Context, id string, fn func(*coffer.Schedule) error, idem *store.Idempotency) (*coffer.Schedule, error) {
	var out *coffer.Schedule
	err := s.write(ctx, func(t tx) error {
		sc, err := one[coffer.Schedule](ctx, t, "payment schedule", id, "SELECT data FROM payment_schedules WHERE id = $1"+s.d.forUpdate, id)
		if err != nil {
			return err
		}
		if err := fn(sc); err != nil {
			return err
		}
		sc.ID = id
		up, err := scheduleStmt(sc, false)
		if err != nil {
			return err
		}
		out = sc
		return t.pipeline(ctx, append([]stmt{up}, idemStmts(idem)...))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SchedulesDue implements store.Payments.
func (s *Store) SchedulesDue(ctx context.Context, now time.Time, limit int) ([]*coffer.Schedule, error) {
	r, err := s.eng.pool(false).query(ctx, fmt.Sprintf(
		"SELECT data FROM payment_schedules WHERE status = 'active' AND next_run_at <= $1 ORDER BY next_run_at, id LIMIT %d", limit), micros(now))
	if err != nil {
		return nil, err
	}
	out, _, err := scanData[coffer.Schedule](r, noLimit)
	return out, err
}
