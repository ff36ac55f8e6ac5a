package console_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
)

// A new deployment's staff user signs in with the temporary password the
// first start printed, is held on the password page until it chooses its
// own (a mismatch told beside the field), and then reaches the accounts;
// signing out ends the session, and the new password signs in again.
func TestSignInAndChangeTheTemporaryPassword(t *testing.T) {
	t.Parallel()
	s := startSite(t, "sqlite")
	b := openTab(t, s)
	b.visit("/")
	if p := b.path(); p != "/sign-in" {
		t.Fatalf("/ without a session led to %s", p)
	}
	b.shoot("sign-in")
	b.fill(map[string]string{"#sign-in-email": s.srv.StaffEmail, "#sign-in-password": "not the password"})
	if st := b.submit("form[action='/sign-in'] button[type=submit]"); st != http.StatusUnauthorized {
		t.Fatalf("a wrong password answered %d", st)
	}
	if msg := b.text(".alert"); !strings.Contains(msg, "wrong") {
		t.Fatalf("a wrong password said %q", msg)
	}
	b.signIn(s.srv.StaffEmail, s.srv.StaffPassword)
	if p := b.path(); p != "/password" {
		t.Fatalf("temporary credentials led to %s, not the password page", p)
	}
	if st := b.visit("/accounts"); st != 200 || b.path() != "/password" {
		t.Fatalf("before the change /accounts led to %s (%d)", b.path(), st)
	}
	b.shoot("change-password")
	b.fill(map[string]string{"#password-current_password": s.srv.StaffPassword,
		"#password-new_password": "my own password", "#password-confirm_password": "my own passwort"})
	if st := b.submit("form[action='/password'] button[type=submit]"); st != http.StatusBadRequest {
		t.Fatalf("a mismatched confirmation answered %d", st)
	}
	if msg := b.text("#password-confirm_password-error"); !strings.Contains(msg, "does not match") {
		t.Fatalf("the confirmation's error says %q", msg)
	}
	b.fill(map[string]string{"#password-current_password": s.srv.StaffPassword,
		"#password-new_password": "my own password", "#password-confirm_password": "my own password"})
	b.submit("form[action='/password'] button[type=submit]")
	if p := b.path(); p != "/accounts" || !strings.Contains(b.text(".notice"), "password has been changed") {
		t.Fatalf("after the change: %s, %q", p, b.text("main"))
	}
	b.submit("form[action='/sign-out'] button")
	if p := b.path(); p != "/sign-in" {
		t.Fatalf("sign-out led to %s", p)
	}
	if b.visit("/accounts"); !strings.HasPrefix(b.path(), "/sign-in") {
		t.Fatalf("after sign-out /accounts led to %s", b.path())
	}
	b.signIn(s.srv.StaffEmail, "my own password")
	if p := b.path(); p != "/accounts" {
		t.Fatalf("the new password led to %s", p)
	}
}

// Staff grant credits from the credits tab and see the balance change on
// the overview; a bad amount is told beside the amount; a void with a
// reason takes the credit back. On both stores.
func TestGrantAndVoidCredits(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			s := startSite(t, engine)
			a := s.account("Acme Rockets")
			s.account("Globex Corporation")
			b := openTab(t, s)
			b.firstSignIn(s.srv.StaffEmail, s.srv.StaffPassword)
			b.visit("/accounts?q=acme")
			if rows := b.text("tbody"); !strings.Contains(rows, "Acme Rockets") || strings.Contains(rows, "Globex") {
				t.Fatalf("a search for acme lists %q", rows)
			}
			if engine == "sqlite" {
				b.visit("/accounts")
				b.shoot("accounts")
			}
			b.visit("/accounts/" + a.ID + "/credits")
			b.fill(map[string]string{"#grant-amount": "twelve"})
			if st := b.submit("form[action$='/grants'] button[type=submit]"); st != http.StatusBadRequest {
				t.Fatalf("a bad amount answered %d", st)
			}
			if msg := b.text("#grant-amount-error"); !strings.Contains(msg, "amount") {
				t.Fatalf("the amount's error says %q", msg)
			}
			b.fill(map[string]string{"#grant-amount": "25.00", "#grant-reason": "Welcome credit", "#grant-expires_at": "2099-12-31"})
			b.submit("form[action$='/grants'] button[type=submit]")
			if n := b.text(".notice"); !strings.Contains(n, "Granted 25.00") {
				t.Fatalf("after the grant: %q", n)
			}
			if engine == "sqlite" {
				b.shoot("credits")
			}
			if row := b.text("#grants-title + .table-wrap tbody"); !strings.Contains(row, "Dec 31, 2099") {
				t.Fatalf("the grant's row does not show the expiry chosen: %q", row)
			}
			if h := b.text("#history-title + form + .table-wrap tbody"); !strings.Contains(h, "Grant") || !strings.Contains(h, "Welcome credit") {
				t.Fatalf("the history shows %q", h)
			}
			b.visit("/accounts/" + a.ID)
			if got := b.text(".stat-main .figure"); got != "$25.00" {
				t.Fatalf("the balance after the grant reads %q", got)
			}
			if engine == "sqlite" {
				b.shoot("overview")
			}
			bal, err := s.srv.Service().Balance(t.Context(), s.admin, a.ID, nil)
			if err != nil || bal.Balance != money.MustParse("25") {
				t.Fatalf("the service's balance: %v %v", bal, err)
			}

			b.visit("/accounts/" + a.ID + "/credits")
			if st := b.submit("form[action$='/void'] button[type=submit]"); st != http.StatusBadRequest {
				t.Fatalf("a void without a reason answered %d", st)
			}
			if msg := b.text("form[action$='/void'] .error"); !strings.Contains(msg, "reason is required") {
				t.Fatalf("the void's error says %q", msg)
			}
			b.fill(map[string]string{"form[action$='/void'] input[name=reason]": "Granted by mistake"})
			b.submit("form[action$='/void'] button[type=submit]")
			if n := b.text(".notice"); !strings.Contains(n, "Voided") {
				t.Fatalf("after the void: %q", n)
			}
			b.visit("/accounts/" + a.ID)
			if got := b.text(".stat-main .figure"); got != "$0.00" {
				t.Fatalf("the balance after the void reads %q", got)
			}
		})
	}
}

// An owner sees its own account's billing overview; another account's
// page is not found (404), a staff page not allowed (403), and a grant
// posted by hand refused.
func TestOwnerIsKeptToItsAccount(t *testing.T) {
	t.Parallel()
	s := startSite(t, "sqlite")
	mine, theirs := s.account("Mine Ltd"), s.account("Theirs Inc")
	temp := s.user("owner@mine.test", coffer.UserOwner, mine.ID)
	b := openTab(t, s)
	b.firstSignIn("owner@mine.test", temp)
	if p := b.path(); p != "/accounts/"+mine.ID {
		t.Fatalf("an owner lands on %s, not its account", p)
	}
	if h := b.text("h1"); !strings.Contains(h, "Mine Ltd") {
		t.Fatalf("the owner's overview is headed %q", h)
	}
	if st := b.visit("/accounts/" + theirs.ID); st != http.StatusNotFound || !strings.Contains(b.title(), "not found") {
		t.Fatalf("another account's page answered %d, %q", st, b.title())
	}
	if st := b.visit("/accounts/" + theirs.ID + "/credits"); st != http.StatusNotFound {
		t.Fatalf("another account's credits answered %d", st)
	}
	if st := b.visit("/accounts"); st != http.StatusForbidden {
		t.Fatalf("the staff's accounts list answered %d", st)
	}
	if st := b.visit("/accounts/" + mine.ID + "/credits"); st != 200 {
		t.Fatalf("the owner's own credits answered %d", st)
	}
	if n, err := b.count("form[action$='/grants']"); err != nil || n != 0 {
		t.Fatalf("an owner is offered the grant form (%d, %v)", n, err)
	}
}

// A form posted to the console from another origin is refused by the
// cross-origin check, even with the session's token in it, and changes
// nothing.
func TestFormFromAnotherOriginIsRefused(t *testing.T) {
	t.Parallel()
	s := startSite(t, "sqlite")
	a := s.account("Acme Rockets")
	b := openTab(t, s)
	b.firstSignIn(s.srv.StaffEmail, s.srv.StaffPassword)
	b.visit("/accounts/" + a.ID + "/credits")
	token, err := b.value("form[action$='/grants'] input[name=csrf_token]")
	if err != nil {
		t.Fatal(err)
	}
	// Another origin (another port: same site, so the Lax cookie goes
	// along) serves a page that posts a grant to the console.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>Win a prize</title></head><body><main>
<form method="post" action="%s/accounts/%s/grants"><input type="hidden" name="csrf_token" value="%s">
<input type="hidden" name="amount" value="1000"><input type="hidden" name="kind" value="monetary">
<button type="submit">Claim</button></form></main></body></html>`, s.srv.URL(), a.ID, token)
	}))
	t.Cleanup(evil.Close)
	if _, err := b.navigateTo(evil.URL); err != nil {
		t.Fatal(err)
	}
	if st := b.submit("button"); st != http.StatusForbidden {
		t.Fatalf("a cross-origin form answered %d", st)
	}
	if msg := b.text("main"); !strings.Contains(msg, "another site") {
		t.Fatalf("the refusal says %q", msg)
	}
	bal, err := s.srv.Service().Balance(t.Context(), s.admin, a.ID, nil)
	if err != nil || bal.Balance != 0 {
		t.Fatalf("the cross-origin form changed the balance: %v %v", bal, err)
	}
}
