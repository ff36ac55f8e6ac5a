package service_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/store"
)

// consoleService is a service over a fresh SQLite store on a test clock,
// with cheap password hashes: these tests are about the rules, not the
// cost.
func consoleService(t *testing.T) (*service.Service, *coffer.TestClock) {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "coffer.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	clock := coffer.NewTestClock(time.Date(2030, 1, 15, 9, 0, 0, 0, time.UTC))
	cfg := service.DefaultConfig()
	cfg.Console.Passwords = service.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}
	svc := service.New(st, clock, slog.New(slog.DiscardHandler), cfg)
	t.Cleanup(func() { svc.Close(); st.Close() })
	return svc, clock
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := coffer.ErrorCode(err); got != code {
		t.Fatalf("got %v (code %q), want code %q", err, got, code)
	}
}

func wantParam(t *testing.T, err error, param string) {
	t.Helper()
	e, ok := err.(*coffer.Error)
	if !ok || e.Param != param {
		t.Fatalf("got %v, want an error naming %q", err, param)
	}
}

// A new user signs in with its temporary password, may do nothing but
// change it, and then acts as staff with the new one, in a fresh session.
func TestTemporaryPasswordMustBeChanged(t *testing.T) {
	svc, _ := consoleService(t)
	ctx := t.Context()
	temp, u, err := svc.CreateUser(ctx, "cli", service.UserCreate{Email: " Ada@Example.TEST ", Role: coffer.UserStaff})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ada@example.test" || !u.MustChangePassword || len(temp) < service.MinPasswordLength {
		t.Fatalf("created %+v with %q", u, temp)
	}
	in, err := svc.SignIn(ctx, service.SignIn{Email: "ADA@example.test", Password: temp, RemoteAddr: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Session.Call("", ""); coffer.ErrorCode(err) != coffer.EForbidden {
		t.Fatalf("a session with a temporary password may act: %v", err)
	}
	for _, tc := range []struct {
		in    service.PasswordChange
		param string
	}{
		{service.PasswordChange{New: "long enough password", Confirm: "long enough password"}, "current_password"},
		{service.PasswordChange{Current: temp, New: "short", Confirm: "short"}, "new_password"},
		{service.PasswordChange{Current: temp, New: temp, Confirm: temp}, "new_password"},
		{service.PasswordChange{Current: temp, New: "long enough password", Confirm: "long enough passwort"}, "confirm_password"},
		{service.PasswordChange{Current: "wrong-wrong-wrong", New: "long enough password", Confirm: "long enough password"}, "current_password"},
	} {
		_, err := svc.ChangePassword(ctx, in.Session, tc.in)
		wantParam(t, err, tc.param)
	}
	changed, err := svc.ChangePassword(ctx, in.Session, service.PasswordChange{Current: temp, New: "long enough password", Confirm: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SessionFor(ctx, in.Secret); coffer.ErrorCode(err) != coffer.EUnauthenticated {
		t.Fatalf("the session from before the change still works: %v", err)
	}
	cs, err := svc.SessionFor(ctx, changed.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if cs.CSRFToken == "" || cs.CSRFToken == in.Session.CSRFToken {
		t.Fatalf("the new session's form token %q must be its own", cs.CSRFToken)
	}
	call, err := cs.Call("", "")
	if err != nil {
		t.Fatal(err)
	}
	if call.Caller.Role != coffer.RoleAdmin || call.Caller.Actor() != u.ID {
		t.Fatalf("staff act as %+v", call.Caller)
	}
	if _, err := svc.SignIn(ctx, service.SignIn{Email: "ada@example.test", Password: temp}); coffer.ErrorCode(err) != coffer.EUnauthenticated {
		t.Fatalf("the temporary password still signs in: %v", err)
	}
	if _, err := svc.SignIn(ctx, service.SignIn{Email: "ada@example.test", Password: "long enough password"}); err != nil {
		t.Fatal(err)
	}
	trail, _, err := svc.AuditTrail(ctx, store.AuditFilter{Target: u.ID, Page: store.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); got != "user.sign_in_failed user.password_changed user.created" {
		t.Fatalf("the user's audit trail: %s", got)
	}
}

// An owner acts with an account key's rights, on its own account only: it
// reads its balance, may not grant, and is told another account does not
// exist. Staff act as admin, and their grants name the staff user as the
// transaction's actor.
func TestConsoleCallersHaveTheirRolesRights(t *testing.T) {
	svc, _ := consoleService(t)
	ctx := t.Context()
	admin := service.Call{Caller: &service.Caller{KeyID: "key_test", Role: coffer.RoleAdmin}}
	mine, err := svc.CreateAccount(ctx, admin, api.AccountCreate{Name: "Mine", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := svc.CreateAccount(ctx, admin, api.AccountCreate{Name: "Other", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	signIn := func(role coffer.UserRole, email, account string) service.Call {
		temp, _, err := svc.CreateUser(ctx, "cli", service.UserCreate{Email: email, Role: role, AccountID: account})
		if err != nil {
			t.Fatal(err)
		}
		in, err := svc.SignIn(ctx, service.SignIn{Email: email, Password: temp})
		if err != nil {
			t.Fatal(err)
		}
		in, err = svc.ChangePassword(ctx, in.Session, service.PasswordChange{Current: temp, New: "a new long password", Confirm: "a new long password"})
		if err != nil {
			t.Fatal(err)
		}
		call, err := in.Session.Call("", "")
		if err != nil {
			t.Fatal(err)
		}
		return call
	}
	owner := signIn(coffer.UserOwner, "owner@mine.test", mine.ID)
	staff := signIn(coffer.UserStaff, "staff@op.test", "")
	if _, err := svc.Balance(ctx, owner, mine.ID, nil); err != nil {
		t.Fatalf("an owner reads its balance: %v", err)
	}
	_, err = svc.Balance(ctx, owner, other.ID, nil)
	wantCode(t, err, coffer.ENotFound)
	_, err = svc.CreateGrant(ctx, owner, mine.ID, api.GrantCreate{Amount: money.MustParse("5")})
	wantCode(t, err, coffer.EForbidden)
	_, err = svc.SearchAccounts(ctx, owner, store.AccountFilter{})
	wantCode(t, err, coffer.EForbidden)
	g, err := svc.CreateGrant(ctx, staff, other.ID, api.GrantCreate{Amount: money.MustParse("5")})
	if err != nil {
		t.Fatal(err)
	}
	if g.Actor != staff.Caller.KeyID || !strings.HasPrefix(g.Actor, "usr_") {
		t.Fatalf("a staff grant's actor is %q, want the staff user", g.Actor)
	}
	_, _, err = svc.CreateUser(ctx, "cli", service.UserCreate{Email: "x@y.test", Role: coffer.UserOwner})
	wantParam(t, err, "account_id")
	unknown := (&coffer.IDs{}).New(coffer.PrefixAccount, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	_, _, err = svc.CreateUser(ctx, "cli", service.UserCreate{Email: "x@y.test", Role: coffer.UserOwner, AccountID: unknown})
	wantCode(t, err, coffer.ENotFound)
	_, _, err = svc.CreateUser(ctx, "cli", service.UserCreate{Email: "owner@mine.test", Role: coffer.UserStaff})
	wantCode(t, err, coffer.EConflict)
	_, _, err = svc.CreateUser(ctx, "cli", service.UserCreate{Email: "not an e-mail", Role: coffer.UserStaff})
	wantParam(t, err, "email")
}

// Five wrong passwords in a row lock the user for fifteen minutes on
// Coffer's clock; a right password is refused meanwhile, and works after.
func TestRepeatedFailuresLockTheUser(t *testing.T) {
	svc, clock := consoleService(t)
	ctx := t.Context()
	temp, u, err := svc.CreateUser(ctx, "cli", service.UserCreate{Email: "ada@example.test", Role: coffer.UserStaff})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		_, err := svc.SignIn(ctx, service.SignIn{Email: u.Email, Password: "wrong", RemoteAddr: "192.0.2.1"})
		if coffer.ErrorCode(err) != coffer.EUnauthenticated {
			t.Fatalf("wrong password %d: %v", i+1, err)
		}
	}
	_, err = svc.SignIn(ctx, service.SignIn{Email: u.Email, Password: "wrong"})
	if coffer.ErrorCode(err) != coffer.EForbidden || !strings.Contains(err.Error(), "locked until") {
		t.Fatalf("the fifth wrong password: %v", err)
	}
	_, err = svc.SignIn(ctx, service.SignIn{Email: u.Email, Password: temp})
	wantCode(t, err, coffer.EForbidden)
	clock.Set(clock.Now().Add(15*time.Minute - time.Second))
	_, err = svc.SignIn(ctx, service.SignIn{Email: u.Email, Password: temp})
	wantCode(t, err, coffer.EForbidden)
	clock.Set(clock.Now().Add(time.Second))
	if _, err := svc.SignIn(ctx, service.SignIn{Email: u.Email, Password: temp}); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// A reset lifts a lock too and gives a new temporary password.
	for range 5 {
		svc.SignIn(ctx, service.SignIn{Email: u.Email, Password: "wrong"})
	}
	temp2, reset, err := svc.ResetPassword(ctx, "cli", u.Email)
	if err != nil || reset.Locked || !reset.MustChangePassword || temp2 == temp {
		t.Fatalf("reset: %+v %v", reset, err)
	}
	if _, err := svc.SignIn(ctx, service.SignIn{Email: u.Email, Password: temp2}); err != nil {
		t.Fatalf("after a reset: %v", err)
	}
	trail, _, _ := svc.AuditTrail(ctx, store.AuditFilter{Target: u.ID, Page: store.Page{Limit: 100}})
	count := map[string]int{}
	for _, e := range trail {
		count[e.Action]++
	}
	if count[coffer.AuditSignInFailed] != 10 || count[coffer.AuditUserLocked] != 2 || count[coffer.AuditPasswordReset] != 1 {
		t.Fatalf("audit of failures: %v", count)
	}
}

// A session ends after an hour unused and twelve hours in all, on
// Coffer's clock; using it keeps it alive until the absolute end.
func TestSessionTimeouts(t *testing.T) {
	svc, clock := consoleService(t)
	ctx := t.Context()
	temp, _, err := svc.CreateUser(ctx, "cli", service.UserCreate{Email: "ada@example.test", Role: coffer.UserStaff})
	if err != nil {
		t.Fatal(err)
	}
	advance := func(d time.Duration) { clock.Set(clock.Now().Add(d)) }
	idle, err := svc.SignIn(ctx, service.SignIn{Email: "ada@example.test", Password: temp})
	if err != nil {
		t.Fatal(err)
	}
	used, err := svc.SignIn(ctx, service.SignIn{Email: "ada@example.test", Password: temp})
	if err != nil {
		t.Fatal(err)
	}
	advance(59 * time.Minute)
	if _, err := svc.SessionFor(ctx, used.Secret); err != nil {
		t.Fatalf("used after 59 minutes: %v", err)
	}
	advance(time.Minute)
	_, err = svc.SessionFor(ctx, idle.Secret)
	wantCode(t, err, coffer.EUnauthenticated)
	for elapsed := time.Hour; elapsed < 12*time.Hour; elapsed += 50 * time.Minute {
		if _, err := svc.SessionFor(ctx, used.Secret); err != nil {
			t.Fatalf("used every 50 minutes, at %s: %v", elapsed, err)
		}
		advance(50 * time.Minute)
	}
	_, err = svc.SessionFor(ctx, used.Secret)
	wantCode(t, err, coffer.EUnauthenticated)

	again, err := svc.SignIn(ctx, service.SignIn{Email: "ada@example.test", Password: temp})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SignOut(ctx, again.Secret); err != nil {
		t.Fatal(err)
	}
	_, err = svc.SessionFor(ctx, again.Secret)
	wantCode(t, err, coffer.EUnauthenticated)
	if err := svc.SignOut(ctx, again.Secret); err != nil {
		t.Fatalf("a second sign-out: %v", err)
	}
	// Disabling a user ends its sessions.
	last, err := svc.SignIn(ctx, service.SignIn{Email: "ada@example.test", Password: temp})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DisableUser(ctx, "cli", "ada@example.test"); err != nil {
		t.Fatal(err)
	}
	_, err = svc.SessionFor(ctx, last.Secret)
	wantCode(t, err, coffer.EUnauthenticated)
	_, err = svc.SignIn(ctx, service.SignIn{Email: "ada@example.test", Password: temp})
	wantCode(t, err, coffer.EForbidden)
}

// Sign-ins are rate-limited per e-mail, whoever is asked about, and per
// address, whichever e-mail they try; the buckets refill on Coffer's
// clock.
func TestSignInRateLimits(t *testing.T) {
	svc, clock := consoleService(t)
	ctx := context.Background()
	try := func(email, addr string) error {
		_, err := svc.SignIn(ctx, service.SignIn{Email: email, Password: "wrong", RemoteAddr: addr})
		return err
	}
	for i := range 10 {
		wantCode(t, try("nobody@example.test", fmt.Sprintf("192.0.2.%d", i)), coffer.EUnauthenticated)
	}
	wantCode(t, try("nobody@example.test", "192.0.2.99"), coffer.ERateLimited)
	for i := range 29 {
		wantCode(t, try(fmt.Sprintf("n%d@example.test", i), "198.51.100.7"), coffer.EUnauthenticated)
	}
	wantCode(t, try("fresh@example.test", "198.51.100.7"), coffer.EUnauthenticated) // the 30th from the address
	wantCode(t, try("another@example.test", "198.51.100.7"), coffer.ERateLimited)
	clock.Set(clock.Now().Add(10 * time.Second))
	wantCode(t, try("nobody@example.test", "192.0.2.100"), coffer.EUnauthenticated)
}

// The first start makes one staff user; later starts make none.
func TestEnsureStaffUser(t *testing.T) {
	svc, _ := consoleService(t)
	ctx := t.Context()
	email, temp, err := svc.EnsureStaffUser(ctx)
	if err != nil || email != service.FirstStaffEmail || temp == "" {
		t.Fatalf("first start: %q %q %v", email, temp, err)
	}
	if email, temp, err := svc.EnsureStaffUser(ctx); err != nil || email != "" || temp != "" {
		t.Fatalf("second start: %q %q %v", email, temp, err)
	}
	in, err := svc.SignIn(ctx, service.SignIn{Email: email, Password: temp})
	if err != nil || !in.Session.User.MustChangePassword || !in.Session.Staff() {
		t.Fatalf("the first staff user: %+v %v", in, err)
	}
}
