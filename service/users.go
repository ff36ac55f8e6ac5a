package service

import (
	"context"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/store"
)

// ConsoleConfig configures the web console's users and sessions.
type ConsoleConfig struct {
	// Passwords are the argon2id parameters of new password hashes.
	Passwords PasswordParams
	// SessionIdle ends a session unused this long; SessionMax ends it
	// this long after sign-in however much it is used. Both run on
	// Coffer's clock.
	SessionIdle, SessionMax time.Duration
	// MaxFailedSignIns wrong passwords in a row lock a user for LockFor.
	MaxFailedSignIns int
	LockFor          time.Duration
	// SignInsPerEmail and SignInsPerAddress bound sign-in attempts: a
	// burst, refilled at one attempt per the interval, on Coffer's clock.
	SignInsPerEmail, SignInsPerAddress SignInRate
}

// SignInRate is a token bucket of sign-in attempts.
type SignInRate struct {
	Burst int
	Every time.Duration // one more attempt each Every
}

// DefaultConsoleConfig returns the console's settings when nothing is
// configured: sessions end after an hour unused or twelve hours in all;
// five wrong passwords in a row lock the user for fifteen minutes; an
// e-mail gets ten attempts and then one every ten seconds, an address
// thirty and then one a second.
func DefaultConsoleConfig() ConsoleConfig {
	return ConsoleConfig{
		Passwords:   DefaultPasswordParams(),
		SessionIdle: time.Hour, SessionMax: 12 * time.Hour,
		MaxFailedSignIns: 5, LockFor: 15 * time.Minute,
		SignInsPerEmail:   SignInRate{Burst: 10, Every: 10 * time.Second},
		SignInsPerAddress: SignInRate{Burst: 30, Every: time.Second},
	}
}

func (c ConsoleConfig) withDefaults() ConsoleConfig {
	d := DefaultConsoleConfig()
	if c.Passwords.Time == 0 || c.Passwords.MemoryKiB == 0 || c.Passwords.Threads == 0 {
		c.Passwords = d.Passwords
	}
	if c.SessionIdle <= 0 {
		c.SessionIdle = d.SessionIdle
	}
	if c.SessionMax <= 0 {
		c.SessionMax = d.SessionMax
	}
	if c.MaxFailedSignIns <= 0 {
		c.MaxFailedSignIns = d.MaxFailedSignIns
	}
	if c.LockFor <= 0 {
		c.LockFor = d.LockFor
	}
	if c.SignInsPerEmail.Burst <= 0 || c.SignInsPerEmail.Every <= 0 {
		c.SignInsPerEmail = d.SignInsPerEmail
	}
	if c.SignInsPerAddress.Burst <= 0 || c.SignInsPerAddress.Every <= 0 {
		c.SignInsPerAddress = d.SignInsPerAddress
	}
	return c
}

// ConsoleUser is a console user as the console and the CLI see it: never
// its password hash.
type ConsoleUser struct {
	ID                 string
	Email              string
	Name               string
	Role               coffer.UserRole
	AccountID          string
	MustChangePassword bool
	Disabled           bool
	Locked             bool
	LastSignInAt       time.Time
	CreatedAt          time.Time
}

func (s *Service) userView(u *coffer.User) ConsoleUser {
	return ConsoleUser{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, AccountID: u.AccountID,
		MustChangePassword: u.MustChangePassword, Disabled: u.Disabled, Locked: u.Locked(s.now()),
		LastSignInAt: u.LastSignInAt, CreatedAt: u.CreatedAt}
}

// UserCreate describes a new console user.
type UserCreate struct {
	Email     string
	Name      string
	Role      coffer.UserRole
	AccountID string // for an owner: the account it owns
}

// FirstStaffEmail is the sign-in of the staff user a fresh deployment
// makes (EnsureStaffUser).
const FirstStaffEmail = "admin@localhost"

// CreateUser makes a console user with a one-time temporary password,
// which it returns and never stores: the user must change it at first
// sign-in. This is the operator's bootstrap path (`coffer users create`);
// actor names who made it in the audit trail.
func (s *Service) CreateUser(ctx context.Context, actor string, in UserCreate) (string, *ConsoleUser, error) {
	email, err := normalEmail("email", in.Email)
	if err != nil {
		return "", nil, err
	}
	name := strings.TrimSpace(in.Name)
	if err := checkText("name", name, maxName); err != nil {
		return "", nil, err
	}
	switch in.Role {
	case coffer.UserStaff:
		if in.AccountID != "" {
			return "", nil, coffer.Invalid("account_id", "applies only to owners; staff act on every account")
		}
	case coffer.UserOwner:
		if in.AccountID == "" {
			return "", nil, coffer.Invalid("account_id", "is required for an owner: the account the user owns (acct_…)")
		}
		if err := coffer.CheckID("account_id", coffer.PrefixAccount, in.AccountID); err != nil {
			return "", nil, err
		}
		if _, err := s.store.GetAccount(ctx, in.AccountID); err != nil {
			return "", nil, err
		}
	default:
		return "", nil, coffer.Invalid("role", "must be staff or owner, got %q", in.Role)
	}
	temp := newTempPassword()
	now := s.now()
	u := &coffer.User{ID: s.ids.New(coffer.PrefixUser, now), Email: email, Name: name, Role: in.Role, AccountID: in.AccountID,
		PasswordHash: hashPassword(temp, s.cfg.Console.Passwords), MustChangePassword: true, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateUser(ctx, u, s.auditEvent(actor, coffer.AuditUserCreated, u.ID, string(u.Role)+" "+u.Email)); err != nil {
		return "", nil, err
	}
	v := s.userView(u)
	return temp, &v, nil
}

// EnsureStaffUser makes the first staff user, FirstStaffEmail, when the
// store has no console user at all, so a new deployment can sign in at
// once. It returns the e-mail and temporary password, or "" for both when
// users already exist.
func (s *Service) EnsureStaffUser(ctx context.Context) (email, password string, err error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", "", err
	}
	temp, u, err := s.CreateUser(ctx, coffer.AuditActorServerFirstRun, UserCreate{Email: FirstStaffEmail, Name: "Administrator", Role: coffer.UserStaff})
	if err != nil {
		return "", "", err
	}
	return u.Email, temp, nil
}

// ListUsers lists console users, oldest first.
func (s *Service) ListUsers(ctx context.Context, p store.Page) ([]ConsoleUser, bool, error) {
	p, err := page(p, coffer.PrefixUser)
	if err != nil {
		return nil, false, err
	}
	users, more, err := s.store.ListUsers(ctx, p)
	if err != nil {
		return nil, false, err
	}
	out := make([]ConsoleUser, len(users))
	for i, u := range users {
		out[i] = s.userView(u)
	}
	return out, more, nil
}

// DisableUser stops a user from signing in and ends its sessions. ref is
// the user's id or e-mail.
func (s *Service) DisableUser(ctx context.Context, actor, ref string) (*ConsoleUser, error) {
	return s.changeUser(ctx, ref, func(u *coffer.User) (*coffer.AuditEvent, error) {
		if u.Disabled {
			return nil, coffer.Errorf(coffer.EConflict, "user %s is already disabled", u.Email)
		}
		u.Disabled = true
		return s.auditEvent(actor, coffer.AuditUserDisabled, u.ID, u.Email), nil
	})
}

// ResetPassword gives a user new one-time temporary credentials, which it
// returns: it ends the user's sessions, lifts a lock, and the user must
// change the password at the next sign-in. A disabled user stays
// disabled.
func (s *Service) ResetPassword(ctx context.Context, actor, ref string) (string, *ConsoleUser, error) {
	temp := newTempPassword()
	hash := hashPassword(temp, s.cfg.Console.Passwords)
	u, err := s.changeUser(ctx, ref, func(u *coffer.User) (*coffer.AuditEvent, error) {
		u.PasswordHash, u.MustChangePassword = hash, true
		u.FailedAttempts, u.LockedUntil = 0, time.Time{}
		return s.auditEvent(actor, coffer.AuditPasswordReset, u.ID, u.Email), nil
	})
	if err != nil {
		return "", nil, err
	}
	return temp, u, nil
}

// changeUser finds a user by id or e-mail and applies fn, recording the
// audit event it returns.
func (s *Service) changeUser(ctx context.Context, ref string, fn func(*coffer.User) (*coffer.AuditEvent, error)) (*ConsoleUser, error) {
	u, err := s.findUser(ctx, ref)
	if err != nil {
		return nil, err
	}
	now := s.now()
	changed, err := s.store.UpdateUser(ctx, u.ID, func(u *coffer.User) ([]*coffer.AuditEvent, error) {
		e, err := fn(u)
		u.UpdatedAt = now
		return []*coffer.AuditEvent{e}, err
	})
	if err != nil {
		return nil, err
	}
	v := s.userView(changed)
	return &v, nil
}

// findUser reads a user by id (usr_…) or e-mail.
func (s *Service) findUser(ctx context.Context, ref string) (*coffer.User, error) {
	ref = strings.TrimSpace(ref)
	if strings.HasPrefix(ref, coffer.PrefixUser+"_") {
		return s.store.GetUser(ctx, ref)
	}
	email, err := normalEmail("user", ref)
	if err != nil {
		return nil, err
	}
	return s.store.GetUserByEmail(ctx, email)
}

// auditEvent makes an audit event on Coffer's clock.
func (s *Service) auditEvent(actor, action, target, detail string) *coffer.AuditEvent {
	now := s.now()
	return &coffer.AuditEvent{ID: s.ids.New(coffer.PrefixAudit, now), Actor: actor, Action: action, Target: target, Detail: detail, At: now}
}

// AuditTrail lists the audit trail newest first, of one target if named.
func (s *Service) AuditTrail(ctx context.Context, f store.AuditFilter) ([]*coffer.AuditEvent, bool, error) {
	var err error
	if f.Page, err = page(f.Page, coffer.PrefixAudit); err != nil {
		return nil, false, err
	}
	return s.store.ListAudit(ctx, f)
}

// normalEmail trims and lowers an e-mail address and checks its shape:
// one @ with something on each side, no spaces. Whether mail reaches it
// is not the console's business; it is a sign-in name.
func normalEmail(param, v string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(v))
	local, domain, ok := strings.Cut(e, "@")
	switch {
	case e == "":
		return "", coffer.Invalid(param, "is required: an e-mail address such as ada@example.com")
	case !ok || local == "" || domain == "" || strings.Contains(domain, "@") || strings.ContainsAny(e, " \t\r\n"):
		return "", coffer.Invalid(param, "must be an e-mail address such as ada@example.com, got %q", v)
	case len(e) > 254:
		return "", coffer.Invalid(param, "is %d characters long; an e-mail address has at most 254", len(e))
	}
	return e, nil
}
