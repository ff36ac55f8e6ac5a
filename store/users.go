package store

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
)

// Users keeps the web console's users, their sessions and the audit trail
// of console and CLI mutations that the ledger does not record itself.
// Every write that changes a user takes the audit events that explain it,
// in the same transaction, so the trail cannot miss a change.
type Users interface {
	// CreateUser stores a new user; an e-mail already taken is a
	// conflict.
	CreateUser(ctx context.Context, u *coffer.User, audit ...*coffer.AuditEvent) error
	GetUser(ctx context.Context, id string) (*coffer.User, error)
	// GetUserByEmail finds a user by e-mail, which is stored in lower
	// case: callers pass it lowered.
	GetUserByEmail(ctx context.Context, email string) (*coffer.User, error)
	ListUsers(ctx context.Context, p Page) ([]*coffer.User, bool, error)
	CountUsers(ctx context.Context) (int, error)
	// UpdateUser locks the user, lets fn change it and name the audit
	// events the change makes, and saves both. A user whose password hash
	// changed or who became disabled loses every session: whoever held
	// one must sign in again.
	UpdateUser(ctx context.Context, id string, fn func(*coffer.User) ([]*coffer.AuditEvent, error)) (*coffer.User, error)

	// CreateSession stores a session and deletes the user's sessions
	// already expired at its creation, so abandoned ones do not pile up.
	CreateSession(ctx context.Context, s *coffer.Session, audit ...*coffer.AuditEvent) error
	GetSessionByHash(ctx context.Context, hash []byte) (*coffer.Session, error)
	// TouchSession records that the session served a request at seen and
	// moves its idle end to idleUntil.
	TouchSession(ctx context.Context, id string, seen, idleUntil time.Time) error
	// DeleteSession ends a session; one already gone is not an error.
	DeleteSession(ctx context.Context, id string, audit ...*coffer.AuditEvent) error

	// RecordAudit appends events to the audit trail.
	RecordAudit(ctx context.Context, events ...*coffer.AuditEvent) error
	// ListAudit lists the trail newest first, of one target if f names it.
	ListAudit(ctx context.Context, f AuditFilter) ([]*coffer.AuditEvent, bool, error)
}

// AuditFilter narrows the audit trail. Its Page's StartingAfter is the
// last id of the previous page, which is newer than the next page's.
type AuditFilter struct {
	Page
	Target string
}

// AccountFilter narrows a list of accounts, for the console's search.
type AccountFilter struct {
	Page
	Status coffer.AccountStatus // "" for any
	// Query matches an account id exactly, or its name or e-mail in part,
	// ignoring case.
	Query string
}
