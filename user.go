package coffer

import "time"

// UserRole is what a console user may do.
type UserRole string

// Console user roles.
const (
	// UserStaff is the operator's staff: the console acts for them with
	// an admin key's rights.
	UserStaff UserRole = "staff"
	// UserOwner is an account's owner: the console acts for them with an
	// account key's rights over that one account.
	UserOwner UserRole = "owner"
)

// User is a person who signs in to the web console. The password is kept
// only as an argon2id hash in PHC string form, so its parameters travel
// with it and can be raised without invalidating older hashes.
type User struct {
	ID           string
	Email        string // lower case; unique
	Name         string
	Role         UserRole
	AccountID    string // for UserOwner: the account the user owns
	PasswordHash string // "$argon2id$v=19$m=…,t=…,p=…$salt$hash"
	// MustChangePassword is set by temporary credentials (a new user, a
	// reset): the console lets the user do nothing but change it.
	MustChangePassword bool
	Disabled           bool
	// FailedAttempts counts sign-ins with a wrong password since the last
	// good one; at the limit the user is locked until LockedUntil.
	FailedAttempts int
	LockedUntil    time.Time // zero: not locked
	LastSignInAt   time.Time // zero: never signed in
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Locked reports whether the user may not sign in at now because of
// repeated failures.
func (u *User) Locked(now time.Time) bool {
	return !u.LockedUntil.IsZero() && now.Before(u.LockedUntil)
}

// Session is a signed-in console user. Only the SHA-256 of the session's
// secret (the cookie) is kept, so a copy of the database signs nobody in.
type Session struct {
	ID        string
	UserID    string
	Hash      []byte
	CreatedAt time.Time
	// LastSeenAt is when the session last served a request, kept to
	// about a minute; IdleUntil is when it ends if unused, EndsAt when it
	// ends regardless (the absolute timeout).
	LastSeenAt time.Time
	IdleUntil  time.Time
	EndsAt     time.Time
}

// ExpiresAt is when the session ends if nothing else happens: the idle
// timeout or the absolute one, whichever comes first.
func (s *Session) ExpiresAt() time.Time {
	if s.EndsAt.Before(s.IdleUntil) {
		return s.EndsAt
	}
	return s.IdleUntil
}

// AuditEvent records one console or CLI mutation that the ledger does not
// already record with its actor: sign-ins, password changes, user
// administration. Grants and voids made from the console carry the
// console user as their transaction's actor instead.
type AuditEvent struct {
	ID     string
	Actor  string // a user id, or "cli" for the admin commands
	Action string // as "user.created", "session.signed_in"
	Target string // the record acted on: a user or session id
	Detail string // what a person reading the trail needs, never a secret
	At     time.Time
}

// Audit actions.
const (
	AuditUserCreated         = "user.created"
	AuditUserDisabled        = "user.disabled"
	AuditPasswordReset       = "user.password_reset"
	AuditPasswordChanged     = "user.password_changed"
	AuditSignInFailed        = "user.sign_in_failed"
	AuditUserLocked          = "user.locked"
	AuditSignedIn            = "session.signed_in"
	AuditSignedOut           = "session.signed_out"
	AuditActorCLI            = "cli"
	AuditActorServerFirstRun = "server"
)
