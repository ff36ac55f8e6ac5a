package e2e

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/service"
)

// TestUsersCommands proves `coffer users` creates, lists, resets and
// disables console users, printing each temporary password once on
// stdout, and that the password it printed signs in.
func TestUsersCommands(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "coffer.db")
	temp, info, err := runCoffer(t, nil, "users", "create", "--db", db, "--email", "Ada@Example.test", "--role", "staff", "--name", "Ada")
	if err != nil {
		t.Fatalf("users create: %v\n%s", err, info)
	}
	temp = strings.TrimSpace(temp)
	if len(temp) < service.MinPasswordLength || strings.Contains(temp, " ") || !strings.Contains(info, "ada@example.test") {
		t.Fatalf("stdout should be the temporary password alone: %q; stderr %q", temp, info)
	}
	if _, _, err := runCoffer(t, nil, "users", "create", "--db", db, "--email", "o@example.test", "--role", "owner"); err == nil ||
		!strings.Contains(err.Error(), "account_id is required") {
		t.Fatalf("an owner without an account: %v", err)
	}
	if _, _, err := runCoffer(t, nil, "users", "create", "--db", db, "--email", "ada@example.test", "--role", "staff"); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Fatalf("a second user with one e-mail: %v", err)
	}
	signIn := func(password string) error {
		st, err := app.OpenStore(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		svc := service.New(st, coffer.SystemClock{}, slog.New(slog.DiscardHandler), service.DefaultConfig())
		defer svc.Close()
		_, err = svc.SignIn(context.Background(), service.SignIn{Email: "ada@example.test", Password: password})
		return err
	}
	if err := signIn(temp); err != nil {
		t.Fatalf("the printed password does not sign in: %v", err)
	}
	reset, _, err := runCoffer(t, nil, "users", "reset-password", "--db", db, "ada@example.test")
	if err != nil {
		t.Fatal(err)
	}
	reset = strings.TrimSpace(reset)
	if reset == temp || signIn(temp) == nil || signIn(reset) != nil {
		t.Fatalf("after a reset the new password %q must sign in and the old one %q not", reset, temp)
	}
	list, _, err := runCoffer(t, nil, "users", "list", "--db", db)
	if err != nil || !strings.Contains(list, "ada@example.test") || !strings.Contains(list, "temporary password") {
		t.Fatalf("users list: %v\n%s", err, list)
	}
	if out, _, err := runCoffer(t, nil, "users", "disable", "--db", db, "ada@example.test"); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("users disable: %v\n%s", err, out)
	}
	if coffer.ErrorCode(signIn(reset)) != coffer.EForbidden {
		t.Fatal("a disabled user signed in")
	}
	list, _, _ = runCoffer(t, nil, "users", "list", "--db", db)
	if !strings.Contains(list, "disabled") {
		t.Fatalf("users list after disable:\n%s", list)
	}
}
