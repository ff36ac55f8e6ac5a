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

// ---- webhook endpoints ----

const endpointCols = "id, url, description, event_types, enabled, secret, failing_since, created_at, updated_at"

func scanEndpoint(r scanner) (*coffer.WebhookEndpoint, error) {
	var e coffer.WebhookEndpoint
	var types string
	var failing *int64
	var created, updated int64
	if err := r.Scan(&e.ID, &e.URL, &e.Description, &types, &e.Enabled, &e.Secret, &failing, &created, &updated); err != nil {
		return nil, err
	}
	var err error
	if e.EventTypes, err = readStrings(types); err != nil {
		return nil, err
	}
	e.FailingSince, e.CreatedAt, e.UpdatedAt = fromNullMicros(failing), fromMicros(created), fromMicros(updated)
	return &e, nil
}

func endpointArgs(e *coffer.WebhookEndpoint) []any {
	return []any{e.ID, e.URL, e.Description, mustJSON(e.EventTypes), e.Enabled, e.Secret,
		nullMicros(e.FailingSince), micros(e.CreatedAt), micros(e.UpdatedAt)}
}

// CreateWebhookEndpoint inserts an endpoint.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e *coffer.WebhookEndpoint, idem *store.Idempotency) error {
	stmts := append([]stmt{{sql: "INSERT INTO webhook_endpoints (" + endpointCols + ") VALUES (" + placeholders(1, 9) + ")",
		args: endpointArgs(e)}}, idemStmts(idem)...)
	return s.write(ctx, func(t tx) error { return t.pipeline(ctx, stmts) })
}

func getEndpoint(ctx context.Context, q querier, id, suffix string) (*coffer.WebhookEndpoint, error) {
	return getOne(ctx, q, scanEndpoint, coffer.Errorf(coffer.ENotFound, "webhook endpoint %s not found", id),
		"SELECT "+endpointCols+" FROM webhook_endpoints WHERE id = $1"+suffix, id)
}

// GetWebhookEndpoint reads an endpoint.
func (s *Store) GetWebhookEndpoint(ctx context.Context, id string) (*coffer.WebhookEndpoint, error) {
	e, err := getEndpoint(ctx, s.eng.pool(false), id, "")
	return e, s.translate(err)
}

// ListWebhookEndpoints lists endpoints oldest first.
func (s *Store) ListWebhookEndpoints(ctx context.Context, p store.Page) ([]*coffer.WebhookEndpoint, bool, error) {
	limit := pageLimit(p)
	r, err := s.eng.pool(false).query(ctx,
		"SELECT "+endpointCols+" FROM webhook_endpoints WHERE id > $1 ORDER BY id LIMIT $2", p.StartingAfter, limit+1)
	if err != nil {
		return nil, false, s.translate(err)
	}
	list, more, err := collect(r, limit, scanEndpoint)
	return list, more, s.translate(err)
}

// UpdateWebhookEndpoint locks the endpoint, lets fn change it and saves it.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, id string, fn func(*coffer.WebhookEndpoint) error, idem *store.Idempotency) (*coffer.WebhookEndpoint, error) {
	var out *coffer.WebhookEndpoint
	err := s.write(ctx, func(t tx) error {
		e, err := getEndpoint(ctx, t, id, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
		e.ID = id
		stmts := append([]stmt{{sql: `UPDATE webhook_endpoints SET url = $2, description = $3, event_types = $4, enabled = $5,
			secret = $6, failing_since = $7, created_at = $8, updated_at = $9 WHERE id = $1`, args: endpointArgs(e)}},
			idemStmts(idem)...)
		out = e
		return t.pipeline(ctx, stmts)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteWebhookEndpoint removes the endpoint and cancels what it had
// pending; its past deliveries and attempts stay on record.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, id string, now time.Time) error {
	return s.write(ctx, func(t tx) error {
		n, err := t.exec(ctx, "DELETE FROM webhook_endpoints WHERE id = $1", id)
		if err != nil {
			return err
		}
		if n == 0 {
			return coffer.Errorf(coffer.ENotFound, "webhook endpoint %s not found", id)
		}
		_, err = t.exec(ctx, `UPDATE deliveries SET status = 'canceled', next_attempt_at = NULL, updated_at = $2
			WHERE endpoint_id = $1 AND status = 'pending'`, id, micros(now))
		return err
	})
}

// ---- events ----

const eventCols = "id, type, account_id, data, created_at"

func scanEvent(r scanner) (*ledger.Event, error) {
	var e ledger.Event
	var data string
	var created int64
	if err := r.Scan(&e.ID, &e.Type, &e.AccountID, &data, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
		return nil, fmt.Errorf("decode event %s: %w", e.ID, err)
	}
	e.CreatedAt = fromMicros(created)
	return &e, nil
}

// GetEvent reads one outbox event.
func (s *Store) GetEvent(ctx context.Context, id string) (*ledger.Event, error) {
	e, err := getOne(ctx, s.eng.pool(false), scanEvent, coffer.Errorf(coffer.ENotFound, "event %s not found", id),
		"SELECT "+eventCols+" FROM events WHERE id = $1", id)
	return e, s.translate(err)
}

// ListEvents lists events newest first by id (ids sort by creation time).
func (s *Store) ListEvents(ctx context.Context, f store.EventFilter) ([]*ledger.Event, bool, error) {
	limit := pageLimit(f.Page)
	q := "SELECT " + eventCols + " FROM events WHERE 1 = 1"
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.StartingAfter != "" {
		q += " AND id < " + arg(f.StartingAfter)
	}
	if f.AccountID != "" {
		q += " AND account_id = " + arg(f.AccountID)
	}
	if len(f.Types) > 0 {
		in, targs := s.d.in(len(args)+1, f.Types)
		args = append(args, targs...)
		q += " AND type " + in
	}
	if !f.From.IsZero() {
		q += " AND created_at >= " + arg(micros(f.From))
	}
	if !f.To.IsZero() {
		q += " AND created_at < " + arg(micros(f.To))
	}
	q += " ORDER BY id DESC LIMIT " + arg(limit+1)
	r, err := s.eng.pool(false).query(ctx, q, args...)
	if err != nil {
		return nil, false, s.translate(err)
	}
	list, more, err := collect(r, limit, scanEvent)
	return list, more, s.translate(err)
}

// ---- deliveries ----

const deliveryCols = "id, event_id, channel, endpoint_id, status, attempts, next_attempt_at, last_error, created_at, updated_at"

var deliveryColumns = []string{"id", "event_id", "channel", "endpoint_id", "status", "attempts", "next_attempt_at",
	"last_error", "created_at", "updated_at"}

func scanDelivery(r scanner) (*coffer.Delivery, error) {
	var d coffer.Delivery
	var channel, status string
	var next *int64
	var created, updated int64
	if err := r.Scan(&d.ID, &d.EventID, &channel, &d.EndpointID, &status, &d.Attempts, &next, &d.LastError,
		&created, &updated); err != nil {
		return nil, err
	}
	d.Channel, d.Status = coffer.Channel(channel), coffer.DeliveryStatus(status)
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = fromNullMicros(next), fromMicros(created), fromMicros(updated)
	return &d, nil
}

func deliveryRow(d *coffer.Delivery) []any {
	return []any{d.ID, d.EventID, string(d.Channel), d.EndpointID, string(d.Status), d.Attempts, nullMicros(d.NextAttemptAt),
		d.LastError, micros(d.CreatedAt), micros(d.UpdatedAt)}
}

// dispatchChunk bounds one dispatch transaction.
const dispatchChunk = 500

// DispatchEvents fans undispatched outbox events out into deliveries. Two
// processes dispatching at once cannot double a delivery: the unique
// (event, channel, endpoint) index keeps the first.
func (s *Store) DispatchEvents(ctx context.Context, now time.Time, limit int, route store.Router) (int, error) {
	limit = min(max(limit, 1), dispatchChunk)
	// Look before taking the writer: an idle poll must not hold the write
	// lock (on SQLite it is the whole database's).
	if ok, err := s.exists(ctx, "SELECT 1 FROM events WHERE delivered_at IS NULL LIMIT 1"); err != nil || !ok {
		return 0, err
	}
	n := 0
	err := s.write(ctx, func(t tx) error {
		n = 0
		r, err := t.query(ctx, "SELECT "+eventCols+" FROM events WHERE delivered_at IS NULL ORDER BY id LIMIT $1", limit)
		if err != nil {
			return err
		}
		evs, _, err := collect(r, noLimit, scanEvent)
		if err != nil || len(evs) == 0 {
			return err
		}
		r, err = t.query(ctx, "SELECT "+endpointCols+" FROM webhook_endpoints WHERE enabled ORDER BY id")
		if err != nil {
			return err
		}
		eps, _, err := collect(r, noLimit, scanEndpoint)
		if err != nil {
			return err
		}
		var rows [][]any
		ids := make([]string, len(evs))
		for i, ev := range evs {
			ids[i] = ev.ID
			for _, d := range route(ev, eps) {
				rows = append(rows, deliveryRow(d))
			}
		}
		in, args := s.d.in(2, ids)
		stmts := insertRows("deliveries", deliveryColumns, rows, " ON CONFLICT (event_id, channel, endpoint_id) DO NOTHING")
		stmts = append(stmts, stmt{sql: "UPDATE events SET delivered_at = $1 WHERE id " + in,
			args: append([]any{micros(now)}, args...)})
		n = len(evs)
		return t.pipeline(ctx, stmts)
	})
	return n, err
}

// ScheduleDeliveries creates deliveries, or sets the existing ones for the
// same event and target pending again, keeping their id and attempts.
func (s *Store) ScheduleDeliveries(ctx context.Context, ds []*coffer.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	rows := make([][]any, len(ds))
	for i, d := range ds {
		rows[i] = deliveryRow(d)
	}
	stmts := insertRows("deliveries", deliveryColumns, rows, ` ON CONFLICT (event_id, channel, endpoint_id) DO UPDATE
		SET status = 'pending', next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at`)
	return s.write(ctx, func(t tx) error { return t.pipeline(ctx, stmts) })
}

// ClaimDeliveries leases due deliveries. On PostgreSQL SKIP LOCKED lets
// several processes claim side by side; SQLite has one writer anyway.
func (s *Store) ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*coffer.Delivery, error) {
	var out []*coffer.Delivery
	lock := ""
	if s.d.name == "postgres" {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	if ok, err := s.exists(ctx, "SELECT 1 FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1 LIMIT 1",
		micros(now)); err != nil || !ok {
		return nil, err
	}
	err := s.write(ctx, func(t tx) error {
		r, err := t.query(ctx, "SELECT "+deliveryCols+` FROM deliveries
			WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2`+lock,
			micros(now), limit)
		if err != nil {
			return err
		}
		if out, _, err = collect(r, noLimit, scanDelivery); err != nil || len(out) == 0 {
			return err
		}
		ids := make([]string, len(out))
		for i, d := range out {
			ids[i] = d.ID
			d.LeaseUntil = leaseUntil
		}
		in, args := s.d.in(2, ids)
		_, err = t.exec(ctx, "UPDATE deliveries SET next_attempt_at = $1 WHERE id "+in,
			append([]any{micros(leaseUntil)}, args...)...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RecordAttempt saves one attempt (if a is not nil) with the delivery's
// new state, and marks or clears the endpoint's failing flag. The attempt
// is numbered after the last one on record, and always counted. The
// delivery's status and next attempt change only while it is still under
// the lease this worker claimed it with: a replay scheduled during the
// attempt stands.
func (s *Store) RecordAttempt(ctx context.Context, a *coffer.Attempt, d *coffer.Delivery, failing *bool) error {
	var stmts []stmt
	if a != nil {
		stmts = append(stmts,
			stmt{sql: `INSERT INTO delivery_attempts (delivery_id, n, status_code, latency_us, response, succeeded, attempted_at)
				VALUES ($1, (SELECT COALESCE(MAX(n), 0) + 1 FROM delivery_attempts WHERE delivery_id = $1), $2, $3, $4, $5, $6)`,
				args: []any{d.ID, a.StatusCode, a.Latency.Microseconds(), a.Response, a.Succeeded, micros(a.AttemptedAt)}},
			stmt{sql: "UPDATE deliveries SET attempts = attempts + 1 WHERE id = $1", args: []any{d.ID}})
	}
	stmts = append(stmts, stmt{sql: `UPDATE deliveries SET status = $2, next_attempt_at = $3, last_error = $4, updated_at = $5
		WHERE id = $1 AND next_attempt_at = $6`,
		args: []any{d.ID, string(d.Status), nullMicros(d.NextAttemptAt), d.LastError, micros(d.UpdatedAt), micros(d.LeaseUntil)}})
	if failing != nil && d.EndpointID != "" {
		var since any
		if *failing {
			since = micros(d.UpdatedAt)
		}
		stmts = append(stmts, stmt{sql: "UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1",
			args: []any{d.EndpointID, since}})
	}
	return s.write(ctx, func(t tx) error { return t.pipeline(ctx, stmts) })
}

// ListDeliveries returns an event's deliveries, oldest first, and each
// one's attempts in order.
func (s *Store) ListDeliveries(ctx context.Context, eventID string) ([]*coffer.Delivery, map[string][]*coffer.Attempt, error) {
	var ds []*coffer.Delivery
	atts := map[string][]*coffer.Attempt{}
	err := s.read(ctx, func(q querier) error {
		r, err := q.query(ctx, "SELECT "+deliveryCols+" FROM deliveries WHERE event_id = $1 ORDER BY id", eventID)
		if err != nil {
			return err
		}
		if ds, _, err = collect(r, noLimit, scanDelivery); err != nil {
			return err
		}
		r, err = q.query(ctx, `SELECT a.delivery_id, a.n, a.status_code, a.latency_us, a.response, a.succeeded, a.attempted_at
			FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
			WHERE d.event_id = $1 ORDER BY a.delivery_id, a.n`, eventID)
		if err != nil {
			return err
		}
		list, _, err := collect(r, noLimit, func(r scanner) (*coffer.Attempt, error) {
			var a coffer.Attempt
			var lat, at int64
			if err := r.Scan(&a.DeliveryID, &a.N, &a.StatusCode, &lat, &a.Response, &a.Succeeded, &at); err != nil {
				return nil, err
			}
			a.Latency, a.AttemptedAt = time.Duration(lat)*time.Microsecond, fromMicros(at)
			return &a, nil
		})
		for _, a := range list {
			atts[a.DeliveryID] = append(atts[a.DeliveryID], a)
		}
		return err
	})
	return ds, atts, err
}

// exists reports whether a query returns a row, read outside any write
// transaction.
func (s *Store) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	ok, err := queryRow(ctx, s.eng.pool(false), query, args, &one)
	return ok, s.translate(err)
}
