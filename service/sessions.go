package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/cofferdev/coffer"
)

// ConsoleSession is a signed-in console user, as SessionFor found it.
type ConsoleSession struct {
	ID   string
	User ConsoleUser
	// CSRFToken is the token every form of this session carries. It is
	// an HMAC of the session's secret, so it needs no storage, differs per
	// session, and cannot be computed without the cookie.
	CSRFToken string
	ExpiresAt time.Time
	caller    *Caller
}

// Call is what the console passes to the service for this session's user:
// a Caller with the rights of the user's role (staff: an admin key's;
// owner: an account key's, bound to the owned account), so the console
// goes through exactly the authorization the API does. Until a temporary
// password is changed the session may do nothing else.
func (cs *ConsoleSession) Call(idempotencyKey, requestHash string) (Call, error) {
	if cs.User.MustChangePassword {
		return Call{}, coffer.Errorf(coffer.EForbidden, "change your temporary password first")
	}
	return Call{Caller: cs.caller, IdempotencyKey: idempotencyKey, RequestHash: requestHash}, nil
}

// Staff reports whether the session's user is the operator's staff.
func (cs *ConsoleSession) Staff() bool { return cs.User.Role == coffer.UserStaff }

// consoleCaller is the Caller a console user acts as.
func consoleCaller(u *coffer.User) *Caller {
	if u.Role == coffer.UserStaff {
		return &Caller{KeyID: u.ID, Role: coffer.RoleAdmin}
	}
	return &Caller{KeyID: u.ID, Role: coffer.RoleAccount, AccountID: u.AccountID}
}

// SignIn is what a person types to sign in, and where it came from.
type SignIn struct {
	Email, Password string
	RemoteAddr      string // the client's address, without the port
}

// SignedIn is a new session: Secret goes in the cookie and is never stored.
type SignedIn struct {
	Secret  string
	Session *ConsoleSession
}

// wrongCredentials is the one answer to an unknown e-mail and a wrong
// password, so the form does not tell which e-mails have users.
func wrongCredentials() error {
	return coffer.Errorf(coffer.EUnauthenticated, "the e-mail or the password is wrong")
}

// SignIn checks a user's password and starts a session. Attempts are
// rate-limited per e-mail and per address; MaxFailedSignIns wrong
// passwords in a row lock the user for LockFor. Every outcome but a
// refusal by the rate limit is recorded in the audit trail.
func (s *Service) SignIn(ctx context.Context, in SignIn) (*SignedIn, error) {
	email, err := normalEmail("email", in.Email)
	if err != nil {
		return nil, err
	}
	if in.Password == "" {
		return nil, coffer.Invalid("password", "is required")
	}
	if len(in.Password) > maxPasswordBytes {
		return nil, wrongCredentials()
	}
	now := s.now()
	if !s.signIns.allow(now, email, in.RemoteAddr) {
		return nil, coffer.Errorf(coffer.ERateLimited, "too many sign-in attempts: wait a minute and try again")
	}
	u, err := s.store.GetUserByEmail(ctx, email)
	if coffer.ErrorCode(err) == coffer.ENotFound {
		// Take as long as a real check, so timing does not tell either.
		verifyPassword(in.Password, s.dummyHash())
		return nil, wrongCredentials()
	} else if err != nil {
		return nil, err
	}
	if u.Locked(now) {
		return nil, lockedError(u)
	}
	if !verifyPassword(in.Password, u.PasswordHash) {
		return nil, s.failedSignIn(ctx, u, in.RemoteAddr)
	}
	if u.Disabled {
		return nil, coffer.Errorf(coffer.EForbidden, "this user is disabled: ask an administrator")
	}
	u, err = s.store.UpdateUser(ctx, u.ID, func(u *coffer.User) ([]*coffer.AuditEvent, error) {
		u.FailedAttempts, u.LockedUntil, u.LastSignInAt, u.UpdatedAt = 0, time.Time{}, now, now
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return s.startSession(ctx, u, s.auditEvent(u.ID, coffer.AuditSignedIn, u.ID, "from "+addrOrUnknown(in.RemoteAddr)))
}

// failedSignIn counts a wrong password and locks the user at the limit.
func (s *Service) failedSignIn(ctx context.Context, u *coffer.User, addr string) error {
	now := s.now()
	var lockedNow bool
	u, err := s.store.UpdateUser(ctx, u.ID, func(u *coffer.User) ([]*coffer.AuditEvent, error) {
		u.FailedAttempts++
		u.UpdatedAt = now
		events := []*coffer.AuditEvent{s.auditEvent(u.ID, coffer.AuditSignInFailed, u.ID, "wrong password from "+addrOrUnknown(addr))}
		if u.FailedAttempts >= s.cfg.Console.MaxFailedSignIns {
			// The count starts again once the lock ends.
			u.FailedAttempts, u.LockedUntil, lockedNow = 0, now.Add(s.cfg.Console.LockFor), true
			events = append(events, s.auditEvent(u.ID, coffer.AuditUserLocked, u.ID, "until "+u.LockedUntil.Format(time.RFC3339)))
		}
		return events, nil
	})
	if err != nil {
		return err
	}
	if lockedNow {
		return lockedError(u)
	}
	return wrongCredentials()
}

func lockedError(u *coffer.User) error {
	return coffer.Errorf(coffer.EForbidden, "too many wrong passwords: this user is locked until %s UTC; try again then or ask an administrator to reset the password",
		u.LockedUntil.UTC().Format("2006-01-02 15:04"))
}

func addrOrUnknown(addr string) string {
	if addr == "" {
		return "an unknown address"
	}
	return addr
}

// dummyHash is a hash of nothing, made once, that an unknown e-mail's
// password is checked against.
func (s *Service) dummyHash() string {
	s.signIns.dummyOnce.Do(func() { s.signIns.dummy = hashPassword("", s.cfg.Console.Passwords) })
	return s.signIns.dummy
}

// startSession makes a session for u and returns its secret.
func (s *Service) startSession(ctx context.Context, u *coffer.User, audit *coffer.AuditEvent) (*SignedIn, error) {
	now := s.now()
	secret := "cs_" + newSecret()
	se := &coffer.Session{ID: s.ids.New(coffer.PrefixSession, now), UserID: u.ID, Hash: hashSecret(secret), CreatedAt: now,
		LastSeenAt: now, IdleUntil: now.Add(s.cfg.Console.SessionIdle), EndsAt: now.Add(s.cfg.Console.SessionMax)}
	if audit != nil {
		audit.Target = se.ID
	}
	if err := s.store.CreateSession(ctx, se, audit); err != nil {
		return nil, err
	}
	return &SignedIn{Secret: secret, Session: s.consoleSession(u, se, secret)}, nil
}

func (s *Service) consoleSession(u *coffer.User, se *coffer.Session, secret string) *ConsoleSession {
	return &ConsoleSession{ID: se.ID, User: s.userView(u), CSRFToken: csrfToken(secret), ExpiresAt: se.ExpiresAt(), caller: consoleCaller(u)}
}

// csrfToken derives a session's form token from its secret.
func csrfToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("coffer console form token"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// touchEvery is how stale a session's last use may be before a request
// writes it again: a page view is not a write on every request.
const touchEvery = time.Minute

func sessionEnded() error {
	return coffer.Errorf(coffer.EUnauthenticated, "your session has ended: sign in again")
}

// SessionFor resolves a session cookie's secret. A session past its idle
// or absolute end is deleted and refused, as is one whose user was
// disabled.
func (s *Service) SessionFor(ctx context.Context, secret string) (*ConsoleSession, error) {
	if !strings.HasPrefix(secret, "cs_") {
		return nil, sessionEnded()
	}
	se, err := s.store.GetSessionByHash(ctx, hashSecret(secret))
	if coffer.ErrorCode(err) == coffer.ENotFound {
		return nil, sessionEnded()
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(se.ExpiresAt()) {
		if err := s.store.DeleteSession(ctx, se.ID); err != nil {
			return nil, err
		}
		return nil, sessionEnded()
	}
	u, err := s.store.GetUser(ctx, se.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		if err := s.store.DeleteSession(ctx, se.ID); err != nil {
			return nil, err
		}
		return nil, sessionEnded()
	}
	if now.Sub(se.LastSeenAt) >= touchEvery {
		se.LastSeenAt, se.IdleUntil = now, now.Add(s.cfg.Console.SessionIdle)
		if err := s.store.TouchSession(ctx, se.ID, se.LastSeenAt, se.IdleUntil); err != nil {
			return nil, err
		}
	}
	return s.consoleSession(u, se, secret), nil
}

// SignOut ends the session whose secret the cookie holds; one already
// ended is not an error.
func (s *Service) SignOut(ctx context.Context, secret string) error {
	if !strings.HasPrefix(secret, "cs_") {
		return nil
	}
	se, err := s.store.GetSessionByHash(ctx, hashSecret(secret))
	if coffer.ErrorCode(err) == coffer.ENotFound {
		return nil
	} else if err != nil {
		return err
	}
	return s.store.DeleteSession(ctx, se.ID, s.auditEvent(se.UserID, coffer.AuditSignedOut, se.ID, ""))
}

// PasswordChange is the change-password form.
type PasswordChange struct {
	Current, New, Confirm string
}

// ChangePassword sets a new password for the session's user. It ends every
// session of the user, this one too, and starts a fresh one, whose secret
// replaces the cookie: a session that began under the old password does
// not outlive it. Wrong current passwords count against the per-e-mail
// sign-in rate.
func (s *Service) ChangePassword(ctx context.Context, cs *ConsoleSession, in PasswordChange) (*SignedIn, error) {
	if in.Current == "" {
		return nil, coffer.Invalid("current_password", "is required")
	}
	if err := checkNewPassword("new_password", in.New, cs.User.Email); err != nil {
		return nil, err
	}
	if in.New == in.Current {
		return nil, coffer.Invalid("new_password", "must differ from the current password")
	}
	if in.Confirm != in.New {
		return nil, coffer.Invalid("confirm_password", "does not match the new password")
	}
	now := s.now()
	if !s.signIns.allow(now, cs.User.Email, "") {
		return nil, coffer.Errorf(coffer.ERateLimited, "too many attempts: wait a minute and try again")
	}
	// The hashes are checked and made outside the store's transaction:
	// on SQLite it would hold the one writer, and debits with it, for as
	// long as argon2 takes.
	u, err := s.store.GetUser(ctx, cs.User.ID)
	if err != nil {
		return nil, err
	}
	if !verifyPassword(in.Current, u.PasswordHash) {
		return nil, coffer.Invalid("current_password", "is wrong")
	}
	old, hash := u.PasswordHash, hashPassword(in.New, s.cfg.Console.Passwords)
	u, err = s.store.UpdateUser(ctx, cs.User.ID, func(u *coffer.User) ([]*coffer.AuditEvent, error) {
		if u.PasswordHash != old {
			return nil, coffer.Errorf(coffer.EConflict, "the password was changed meanwhile: sign in again")
		}
		u.PasswordHash, u.MustChangePassword, u.UpdatedAt = hash, false, now
		return []*coffer.AuditEvent{s.auditEvent(u.ID, coffer.AuditPasswordChanged, u.ID, "")}, nil
	})
	if err != nil {
		return nil, err
	}
	return s.startSession(ctx, u, nil)
}

// signInLimiter holds the sign-in token buckets per e-mail and per
// address, on Coffer's clock.
type signInLimiter struct {
	mu          sync.Mutex
	email, addr SignInRate
	buckets     map[string]*rate.Limiter
	dummyOnce   sync.Once
	dummy       string
}

// maxSignInBuckets bounds the buckets kept; past it they start over.
const maxSignInBuckets = 100_000

func newSignInLimiter(c ConsoleConfig) *signInLimiter {
	return &signInLimiter{email: c.SignInsPerEmail, addr: c.SignInsPerAddress, buckets: map[string]*rate.Limiter{}}
}

// allow takes one attempt from the e-mail's bucket and the address's (an
// empty address has none) and reports whether both had one.
func (l *signInLimiter) allow(now time.Time, email, addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buckets) >= maxSignInBuckets {
		clear(l.buckets)
	}
	ok := l.bucket("email "+email, l.email).AllowN(now, 1)
	if addr != "" {
		ok = l.bucket("addr "+addr, l.addr).AllowN(now, 1) && ok
	}
	return ok
}

func (l *signInLimiter) bucket(key string, r SignInRate) *rate.Limiter {
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Every(r.Every), r.Burst)
		l.buckets[key] = b
	}
	return b
}
