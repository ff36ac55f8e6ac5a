package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/store"
)

// The web console's users, sessions and audit trail, and the account
// search its accounts list runs.

const userCols = "id, email, name, role, account_id, password_hash, must_change_password, disabled, failed_attempts, locked_until, last_sign_in_at, created_at, updated_at"

func scanUser(r scanner) (*coffer.User, error) {
	var u coffer.User
	var role string
	var locked, signedIn *int64
	var created, updated int64
	if err := r.Scan(&u.ID, &u.Email, &u.Name, &role, &u.AccountID, &u.PasswordHash, &u.MustChangePassword, &u.Disabled,
		&u.FailedAttempts, &locked, &signedIn, &created, &updated); err != nil {
		return nil, err
	}
	u.Role = coffer.UserRole(role)
	u.LockedUntil, u.LastSignInAt = fromNullMicros(locked), fromNullMicros(signedIn)
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &u, nil
}

func userArgs(u *coffer.User) []any {
	return []any{u.ID, u.Email, u.Name, string(u.Role), u.AccountID, u.PasswordHash, u.MustChangePassword, u.Disabled,
		u.FailedAttempts, nullMicros(u.LockedUntil), nullMicros(u.LastSignInAt), micros(u.CreatedAt), micros(u.UpdatedAt)}
}

const auditCols = "id, actor, action, target, detail, at"

func scanAudit(r scanner) (*coffer.AuditEvent, error) {
	var a coffer.AuditEvent
	var at int64
	if err := r.Scan(&a.ID, &a.Actor, &a.Action, &a.Target, &a.Detail, &at); err != nil {
		return nil, err
	}
	a.At = fromMicros(at)
	return &a, nil
}

func auditStmts(events []*coffer.AuditEvent) []stmt {
	out := make([]stmt, 0, len(events))
	for _, a := range events {
		if a == nil {
			continue
		}
		out = append(out, stmt{sql: "INSERT INTO audit_events (" + auditCols + ") VALUES (" + placeholders(1, 6) + ")",
			args: []any{a.ID, a.Actor, a.Action, a.Target, a.Detail, micros(a.At)}})
	}
	return out
}

// CreateUser inserts a user with the audit events that made it.
func (s *Store) CreateUser(ctx context.Context, u *coffer.User, audit ...*coffer.AuditEvent) error {
	stmts := append([]stmt{{sql: "INSERT INTO users (" + userCols + ") VALUES (" + placeholders(1, 13) + ")", args: userArgs(u)}},
		auditStmts(audit)...)
	return s.write(ctx, func(t tx) error { return t.pipeline(ctx, stmts) })
}

// GetUser reads a user by id.
func (s *Store) GetUser(ctx context.Context, id string) (*coffer.User, error) {
	return getOne(ctx, s.eng.pool(false), scanUser, coffer.Errorf(coffer.ENotFound, "user %s not found", id),
		"SELECT "+userCols+" FROM users WHERE id = $1", id)
}

// GetUserByEmail reads a user by (lower-case) e-mail.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (*coffer.User, error) {
	u, err := getOne(ctx, s.eng.pool(false), scanUser, coffer.Errorf(coffer.ENotFound, "no user with e-mail %s", email),
		"SELECT "+userCols+" FROM users WHERE email = $1", email)
	return u, s.translate(err)
}

// ListUsers lists users oldest first.
func (s *Store) ListUsers(ctx context.Context, p store.Page) ([]*coffer.User, bool, error) {
	limit := pageLimit(p)
	r, err := s.eng.pool(false).query(ctx,
		"SELECT "+userCols+" FROM users WHERE id > $1 ORDER BY id LIMIT $2", p.StartingAfter, limit+1)
	if err != nil {
		return nil, false, s.translate(err)
	}
	list, more, err := collect(r, limit, scanUser)
	return list, more, s.translate(err)
}

// CountUsers counts the console's users (none means a fresh install).
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int64
	if _, err := queryRow(ctx, s.eng.pool(false), "SELECT COUNT(*) FROM users", nil, &n); err != nil {
		return 0, fmt.Errorf("count users: %w", s.translate(err))
	}
	return int(n), nil
}

// UpdateUser locks the user, applies fn and saves the user with fn's audit
// events; a new password or a disabled user deletes the user's sessions.
func (s *Store) UpdateUser(ctx context.Context, id string, fn func(*coffer.User) ([]*coffer.AuditEvent, error)) (*coffer.User, error) {
	var out *coffer.User
	err := s.write(ctx, func(t tx) error {
		u, err := getOne(ctx, t, scanUser, coffer.Errorf(coffer.ENotFound, "user %s not found", id),
			"SELECT "+userCols+" FROM users WHERE id = $1"+s.d.forUpdate, id)
		if err != nil {
			return err
		}
		before := *u
		audit, err := fn(u)
		if err != nil {
			return err
		}
		u.ID = id // the id is the row's; fn may not move it
		stmts := []stmt{{sql: "UPDATE users SET email = $2, name = $3, role = $4, account_id = $5, password_hash = $6, must_change_password = $7, " +
			"disabled = $8, failed_attempts = $9, locked_until = $10, last_sign_in_at = $11, created_at = $12, updated_at = $13 WHERE id = $1",
			args: userArgs(u)}}
		if u.PasswordHash != before.PasswordHash || (u.Disabled && !before.Disabled) {
			stmts = append(stmts, stmt{sql: "DELETE FROM sessions WHERE user_id = $1", args: []any{id}})
		}
		out = u
		return t.pipeline(ctx, append(stmts, auditStmts(audit)...))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const sessionCols = "id, user_id, hash, created_at, last_seen_at, idle_until, ends_at"

func scanSession(r scanner) (*coffer.Session, error) {
	var se coffer.Session
	var created, seen, idle, ends int64
	if err := r.Scan(&se.ID, &se.UserID, &se.Hash, &created, &seen, &idle, &ends); err != nil {
		return nil, err
	}
	se.CreatedAt, se.LastSeenAt, se.IdleUntil, se.EndsAt = fromMicros(created), fromMicros(seen), fromMicros(idle), fromMicros(ends)
	return &se, nil
}

// CreateSession stores a session and clears the user's expired ones.
func (s *Store) CreateSession(ctx context.Context, se *coffer.Session, audit ...*coffer.AuditEvent) error {
	now := micros(se.CreatedAt)
	stmts := []stmt{
		{sql: "DELETE FROM sessions WHERE user_id = $1 AND (idle_until <= $2 OR ends_at <= $2)", args: []any{se.UserID, now}},
		{sql: "INSERT INTO sessions (" + sessionCols + ") VALUES (" + placeholders(1, 7) + ")",
			args: []any{se.ID, se.UserID, nonNil(se.Hash), now, micros(se.LastSeenAt), micros(se.IdleUntil), micros(se.EndsAt)}},
	}
	return s.write(ctx, func(t tx) error { return t.pipeline(ctx, append(stmts, auditStmts(audit)...)) })
}

// GetSessionByHash finds the session whose secret hashes to hash.
func (s *Store) GetSessionByHash(ctx context.Context, hash []byte) (*coffer.Session, error) {
	se, err := getOne(ctx, s.eng.pool(false), scanSession, coffer.Errorf(coffer.ENotFound, "session not found"),
		"SELECT "+sessionCols+" FROM sessions WHERE hash = $1", nonNil(hash))
	return se, s.translate(err)
}

// TouchSession moves a session's last use and idle end forward; a mark
// already later stays.
func (s *Store) TouchSession(ctx context.Context, id string, seen, idleUntil time.Time) error {
	return s.write(ctx, func(t tx) error {
		_, err := t.exec(ctx, "UPDATE sessions SET last_seen_at = $2, idle_until = $3 WHERE id = $1 AND last_seen_at < $2",
			id, micros(seen), micros(idleUntil))
		return err
	})
}

// DeleteSession deletes a session with the audit events of its end.
func (s *Store) DeleteSession(ctx context.Context, id string, audit ...*coffer.AuditEvent) error {
	stmts := append([]stmt{{sql: "DELETE FROM sessions WHERE id = $1", args: []any{id}}}, auditStmts(audit)...)
	return s.write(ctx, func(t tx) error { return t.pipeline(ctx, stmts) })
}

// RecordAudit appends to the audit trail.
func (s *Store) RecordAudit(ctx context.Context, events ...*coffer.AuditEvent) error {
	stmts := auditStmts(events)
	if len(stmts) == 0 {
		return nil
	}
	return s.write(ctx, func(t tx) error { return t.pipeline(ctx, stmts) })
}

// ListAudit lists the audit trail newest first.
func (s *Store) ListAudit(ctx context.Context, f store.AuditFilter) ([]*coffer.AuditEvent, bool, error) {
	limit := pageLimit(f.Page)
	q := "SELECT " + auditCols + " FROM audit_events WHERE ($1 = '' OR id < $1) AND ($2 = '' OR target = $2) ORDER BY id DESC LIMIT $3"
	r, err := s.eng.pool(false).query(ctx, q, f.StartingAfter, f.Target, limit+1)
	if err != nil {
		return nil, false, s.translate(err)
	}
	list, more, err := collect(r, limit, scanAudit)
	return list, more, s.translate(err)
}

// SearchAccounts lists the accounts f matches, in id order. The console's
// search reads every account row when a query is given; an operator's
// account count is small next to its ledger, and the hot path never
// searches.
func (s *Store) SearchAccounts(ctx context.Context, f store.AccountFilter) ([]*coffer.Account, bool, error) {
	limit := pageLimit(f.Page)
	query := strings.ToLower(strings.TrimSpace(f.Query))
	like := "%" + likeEscaper.Replace(query) + "%"
	q := "SELECT " + accountCols + " FROM accounts WHERE id > $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR id = $3 OR " +
		"LOWER(name) LIKE $4 ESCAPE '\\' OR LOWER(email) LIKE $4 ESCAPE '\\') ORDER BY id LIMIT $5"
	r, err := s.eng.pool(false).query(ctx, q, f.StartingAfter, string(f.Status), query, like, limit+1)
	if err != nil {
		return nil, false, s.translate(err)
	}
	list, more, err := collect(r, limit, scanAccount)
	return list, more, s.translate(err)
}

// likeEscaper makes a search term match itself in LIKE: its % and _ are
// not wildcards.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
