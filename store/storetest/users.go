package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// The console's users, sessions, audit trail and account search.
var userTests = []struct {
	name string
	fn   func(*testing.T, store.Store)
}{
	{"Users", testUsers},
	{"UserUpdateEndsSessions", testUserUpdateEndsSessions},
	{"Sessions", testSessions},
	{"AuditTrail", testAuditTrail},
	{"SearchAccounts", testSearchAccounts},
}

func (f *fixture) user(email string, role coffer.UserRole, accountID string) *coffer.User {
	f.t.Helper()
	u := &coffer.User{ID: f.ids.New(coffer.PrefixUser, f.now), Email: email, Name: "Ada", Role: role, AccountID: accountID,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", MustChangePassword: true, CreatedAt: f.now, UpdatedAt: f.now}
	if err := f.s.CreateUser(f.ctx, u, f.audit("cli", coffer.AuditUserCreated, u.ID)); err != nil {
		f.t.Fatalf("create user: %v", err)
	}
	return u
}

func (f *fixture) audit(actor, action, target string) *coffer.AuditEvent {
	return &coffer.AuditEvent{ID: f.ids.New(coffer.PrefixAudit, f.now), Actor: actor, Action: action, Target: target, At: f.now}
}

func (f *fixture) session(userID string, hash string) *coffer.Session {
	f.t.Helper()
	se := &coffer.Session{ID: f.ids.New(coffer.PrefixSession, f.now), UserID: userID, Hash: []byte(hash), CreatedAt: f.now,
		LastSeenAt: f.now, IdleUntil: f.now.Add(time.Hour), EndsAt: f.now.Add(12 * time.Hour)}
	if err := f.s.CreateSession(f.ctx, se); err != nil {
		f.t.Fatalf("create session: %v", err)
	}
	return se
}

func testUsers(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	if n, err := s.CountUsers(f.ctx); err != nil || n != 0 {
		t.Fatalf("count on a fresh store: %d, %v", n, err)
	}
	a := f.account()
	staff := f.user("ada@example.test", coffer.UserStaff, "")
	owner := f.user("owner@acme.test", coffer.UserOwner, a.ID)
	got, err := s.GetUser(f.ctx, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "user by id", got, owner)
	got, err = s.GetUserByEmail(f.ctx, "ada@example.test")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "user by e-mail", got, staff)
	_, err = s.GetUserByEmail(f.ctx, "nobody@example.test")
	wantCode(t, err, coffer.ENotFound)
	_, err = s.GetUser(f.ctx, "usr_nope")
	wantCode(t, err, coffer.ENotFound)
	dup := &coffer.User{ID: f.ids.New(coffer.PrefixUser, f.now), Email: staff.Email, Role: coffer.UserStaff, PasswordHash: "x",
		CreatedAt: f.now, UpdatedAt: f.now}
	err = s.CreateUser(f.ctx, dup)
	wantCode(t, err, coffer.EConflict)
	if !strings.Contains(err.Error(), "a user with this e-mail already exists") {
		t.Fatalf("the conflict does not say what is duplicated: %v", err)
	}
	if n, err := s.CountUsers(f.ctx); err != nil || n != 2 {
		t.Fatalf("count: %d, %v", n, err)
	}
	list, more, err := s.ListUsers(f.ctx, store.Page{Limit: 1})
	if err != nil || !more || len(list) != 1 || list[0].ID != staff.ID {
		t.Fatalf("first page of users: %v %v %v", list, more, err)
	}
	list, more, err = s.ListUsers(f.ctx, store.Page{Limit: 5, StartingAfter: staff.ID})
	if err != nil || more || len(list) != 1 || list[0].ID != owner.ID {
		t.Fatalf("second page of users: %v %v %v", list, more, err)
	}

	// A failed sign-in counts and locks; fn's audit is saved with it.
	locked := f.tick(time.Minute).Add(15 * time.Minute)
	up, err := s.UpdateUser(f.ctx, staff.ID, func(u *coffer.User) ([]*coffer.AuditEvent, error) {
		u.FailedAttempts, u.LockedUntil, u.UpdatedAt = 5, locked, f.now
		return []*coffer.AuditEvent{f.audit("usr_x", coffer.AuditUserLocked, u.ID)}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetUser(f.ctx, staff.ID)
	same(t, "updated user", got, up)
	if got.FailedAttempts != 5 || !got.LockedUntil.Equal(locked) || !got.Locked(f.now) {
		t.Fatalf("update not saved: %+v", got)
	}
	// fn's refusal changes nothing.
	_, err = s.UpdateUser(f.ctx, staff.ID, func(u *coffer.User) ([]*coffer.AuditEvent, error) {
		u.Name = "changed"
		return nil, coffer.Errorf(coffer.EConflict, "no")
	})
	wantCode(t, err, coffer.EConflict)
	if got, _ := s.GetUser(f.ctx, staff.ID); got.Name != "Ada" {
		t.Fatalf("a refused update was saved: %+v", got)
	}
	_, err = s.UpdateUser(f.ctx, "usr_nope", func(*coffer.User) ([]*coffer.AuditEvent, error) { return nil, nil })
	wantCode(t, err, coffer.ENotFound)
	trail, _, err := s.ListAudit(f.ctx, store.AuditFilter{Target: staff.ID})
	if err != nil || len(trail) != 2 || trail[0].Action != coffer.AuditUserLocked || trail[1].Action != coffer.AuditUserCreated {
		t.Fatalf("audit of the user: %v %v", show(trail), err)
	}
}

func testUserUpdateEndsSessions(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	u := f.user("ada@example.test", coffer.UserStaff, "")
	other := f.user("bob@example.test", coffer.UserStaff, "")
	f.session(u.ID, "one-0123456789abcdef0123456789ab")
	f.session(other.ID, "two-0123456789abcdef0123456789ab")
	alive := func(hash string) bool {
		t.Helper()
		_, err := s.GetSessionByHash(f.ctx, []byte(hash))
		if err != nil && coffer.ErrorCode(err) != coffer.ENotFound {
			t.Fatal(err)
		}
		return err == nil
	}
	// A change of anything else keeps the sessions.
	if _, err := s.UpdateUser(f.ctx, u.ID, func(u *coffer.User) ([]*coffer.AuditEvent, error) {
		u.FailedAttempts = 1
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	if !alive("one-0123456789abcdef0123456789ab") {
		t.Fatal("a session ended when neither the password nor the disabled flag changed")
	}
	if _, err := s.UpdateUser(f.ctx, u.ID, func(u *coffer.User) ([]*coffer.AuditEvent, error) {
		u.PasswordHash = "$argon2id$new"
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	if alive("one-0123456789abcdef0123456789ab") {
		t.Fatal("a new password left the user's session alive")
	}
	if !alive("two-0123456789abcdef0123456789ab") {
		t.Fatal("another user's session ended")
	}
	if _, err := s.UpdateUser(f.ctx, other.ID, func(u *coffer.User) ([]*coffer.AuditEvent, error) {
		u.Disabled = true
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	if alive("two-0123456789abcdef0123456789ab") {
		t.Fatal("disabling a user left its session alive")
	}
}

func testSessions(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	u := f.user("ada@example.test", coffer.UserStaff, "")
	old := f.session(u.ID, "old-0123456789abcdef0123456789ab")
	got, err := s.GetSessionByHash(f.ctx, old.Hash)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "session", got, old)
	_, err = s.GetSessionByHash(f.ctx, []byte("nope"))
	wantCode(t, err, coffer.ENotFound)

	seen := f.tick(10 * time.Minute)
	if err := s.TouchSession(f.ctx, old.ID, seen, seen.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// An earlier mark arriving late does not move it back.
	if err := s.TouchSession(f.ctx, old.ID, seen.Add(-time.Minute), seen); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetSessionByHash(f.ctx, old.Hash)
	if !got.LastSeenAt.Equal(seen) || !got.IdleUntil.Equal(seen.Add(time.Hour)) {
		t.Fatalf("touch: %+v", got)
	}

	// A session made after the old one's idle end clears it.
	f.tick(2 * time.Hour)
	fresh := f.session(u.ID, "new-0123456789abcdef0123456789ab")
	if _, err := s.GetSessionByHash(f.ctx, old.Hash); coffer.ErrorCode(err) != coffer.ENotFound {
		t.Fatalf("an expired session survived a new one: %v", err)
	}
	dup := &coffer.Session{ID: f.ids.New(coffer.PrefixSession, f.now), UserID: u.ID, Hash: fresh.Hash, CreatedAt: f.now,
		LastSeenAt: f.now, IdleUntil: f.now.Add(time.Hour), EndsAt: f.now.Add(time.Hour)}
	wantCode(t, s.CreateSession(f.ctx, dup), coffer.EConflict)

	if err := s.DeleteSession(f.ctx, fresh.ID, f.audit(u.ID, coffer.AuditSignedOut, fresh.ID)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(f.ctx, fresh.ID); err != nil {
		t.Fatalf("a second delete: %v", err)
	}
	if _, err := s.GetSessionByHash(f.ctx, fresh.Hash); coffer.ErrorCode(err) != coffer.ENotFound {
		t.Fatalf("a deleted session is still found: %v", err)
	}
	trail, _, err := s.ListAudit(f.ctx, store.AuditFilter{Target: fresh.ID})
	if err != nil || len(trail) != 1 || trail[0].Action != coffer.AuditSignedOut || trail[0].Actor != u.ID {
		t.Fatalf("sign-out audit: %v %v", show(trail), err)
	}
}

func testAuditTrail(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	var ids []string
	for i := range 3 {
		e := f.audit("cli", coffer.AuditPasswordReset, "usr_a")
		e.Detail = string(rune('a' + i))
		ids = append(ids, e.ID)
		if err := s.RecordAudit(f.ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordAudit(f.ctx); err != nil {
		t.Fatalf("recording nothing: %v", err)
	}
	if err := s.RecordAudit(f.ctx, f.audit("cli", coffer.AuditUserDisabled, "usr_b")); err != nil {
		t.Fatal(err)
	}
	page, more, err := s.ListAudit(f.ctx, store.AuditFilter{Page: store.Page{Limit: 2}, Target: "usr_a"})
	if err != nil || !more || len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[1] || page[0].Detail != "c" {
		t.Fatalf("first page, newest first: %v %v %v", show(page), more, err)
	}
	page, more, err = s.ListAudit(f.ctx, store.AuditFilter{Page: store.Page{Limit: 2, StartingAfter: ids[1]}, Target: "usr_a"})
	if err != nil || more || len(page) != 1 || page[0].ID != ids[0] {
		t.Fatalf("second page: %v %v %v", show(page), more, err)
	}
	all, _, err := s.ListAudit(f.ctx, store.AuditFilter{Page: store.Page{Limit: 10}})
	if err != nil || len(all) != 4 || all[0].Target != "usr_b" {
		t.Fatalf("the whole trail: %v %v", show(all), err)
	}
}

func testSearchAccounts(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	acme := f.account(func(a *coffer.Account) { a.Name, a.Email = "Acme Rockets", "billing@acme.test" })
	globex := f.account(func(a *coffer.Account) { a.Name, a.Email = "Globex", "ap@globex.test" })
	odd := f.account(func(a *coffer.Account) {
		a.Name, a.Email, a.Status = "100% Pure_Water", "water@pure.test", ledger.StatusSuspended
	})
	ids := func(list []*coffer.Account) []string {
		var out []string
		for _, a := range list {
			out = append(out, a.ID)
		}
		return out
	}
	for _, tc := range []struct {
		f    store.AccountFilter
		want []string
	}{
		{store.AccountFilter{}, []string{acme.ID, globex.ID, odd.ID}},
		{store.AccountFilter{Query: "ACME"}, []string{acme.ID}},
		{store.AccountFilter{Query: "globex.test"}, []string{globex.ID}},
		{store.AccountFilter{Query: " " + odd.ID + " "}, []string{odd.ID}},
		{store.AccountFilter{Query: "%"}, []string{odd.ID}},
		{store.AccountFilter{Query: "_"}, []string{odd.ID}},
		{store.AccountFilter{Query: "e_r"}, nil}, // "acme rockets" matches only if _ were a wildcard
		{store.AccountFilter{Query: "e%s"}, nil},
		{store.AccountFilter{Status: coffer.AccountSuspended}, []string{odd.ID}},
		{store.AccountFilter{Status: coffer.AccountActive, Query: "test"}, []string{acme.ID, globex.ID}},
		{store.AccountFilter{Status: coffer.AccountClosed}, nil},
	} {
		got, more, err := s.SearchAccounts(f.ctx, tc.f)
		if err != nil || more {
			t.Fatalf("%+v: %v %v", tc.f, more, err)
		}
		same(t, "search "+tc.f.Query+" "+string(tc.f.Status), ids(got), tc.want)
	}
	got, more, err := s.SearchAccounts(f.ctx, store.AccountFilter{Page: store.Page{Limit: 1, StartingAfter: acme.ID}, Query: "test"})
	if err != nil || !more || len(got) != 1 || got[0].ID != globex.ID {
		t.Fatalf("a page of a search: %v %v %v", ids(got), more, err)
	}
}
