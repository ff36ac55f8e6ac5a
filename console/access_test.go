package console_test

import (
	"net/http"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/store"
)

// The browser tests of who and what may call Coffer: subaccounts, API
// keys and webhook endpoints.

// allowClipboard lets the tab's pages on the site read and write the
// clipboard without asking, as a person granting it would.
func (b *tab) allowClipboard() {
	b.t.Helper()
	ctxID := chromedp.FromContext(b.ctx).BrowserContextID
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted,
			Origin: b.base, BrowserContextID: ctxID}); err != nil {
			b.t.Fatalf("grant %s: %v", name, err)
		}
	}
}

// clipboard is the clipboard's text, as the page reads it.
func (b *tab) clipboard() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("read the clipboard: %v", err)
	}
	return s
}

// copySecret clicks the copy button of the secret in the element id and
// checks the clipboard then holds exactly the secret shown.
func (b *tab) copySecret(id string) string {
	b.t.Helper()
	shown := b.text("#" + id)
	if shown == "" {
		b.t.Fatalf("#%s shows no secret", id)
	}
	b.do(chromedp.Click(chromedp.CSS("button[data-copy='" + id + "']")))
	b.do(chromedp.WaitVisible(chromedp.CSS("#" + id + "-copied")))
	if got := b.clipboard(); got != shown {
		b.t.Fatalf("the copy button put %q on the clipboard, not the secret %q", got, shown)
	}
	return shown
}

// An owner adds a subaccount on its own account and sees its token once,
// with a copy button that puts it on the clipboard; the page opened again
// no longer shows it, and the API takes the credentials. Disabling the
// subaccount makes the API refuse them; deleting it, after a confirmation,
// takes it off the list.
func TestSubaccountTokenShownOnceThenDisabledAndDeleted(t *testing.T) {
	t.Parallel()
	s := startSite(t, "sqlite")
	a := s.account("Acme Rockets")
	temp := s.user("owner@acme.test", coffer.UserOwner, a.ID)
	b := openTab(t, s)
	b.allowClipboard()
	b.firstSignIn("owner@acme.test", temp)
	page := "/accounts/" + a.ID + "/subaccounts"
	if st := b.visit(page); st != http.StatusOK {
		t.Fatalf("the subaccounts tab answered %d", st)
	}
	if st := b.submit("form[action$='/subaccounts'] button[type=submit]"); st != http.StatusBadRequest {
		t.Fatalf("a subaccount without a name answered %d", st)
	}
	if msg := b.text("#subaccount-name-error"); !strings.Contains(msg, "required") {
		t.Fatalf("the name's error says %q", msg)
	}
	b.fill(map[string]string{"#subaccount-name": "Support team"})
	if st := b.submit("form[action$='/subaccounts'] button[type=submit]"); st != http.StatusCreated {
		t.Fatalf("adding a subaccount answered %d", st)
	}
	if w := b.text(".secret-once"); !strings.Contains(w, "will not be shown again") {
		t.Fatalf("the new token's box says %q", w)
	}
	b.shoot("subaccount-created")
	token := b.copySecret("new-token")
	authID := b.text("#new-auth-id")
	if st := s.basic(a.ID, authID, token); st != http.StatusOK {
		t.Fatalf("the new subaccount's credentials answered %d", st)
	}

	b.visit(page)
	if n, err := b.count(".secret-once, #new-token"); err != nil || n != 0 {
		t.Fatalf("the token is shown again on the page opened anew (%d, %v)", n, err)
	}
	if html, err := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err != nil || strings.Contains(html, token) {
		t.Fatalf("the page opened anew holds the token (%v)", err)
	}
	if row := b.text("#subaccounts-title + .table-wrap tbody"); !strings.Contains(row, "Support team") || !strings.Contains(row, authID) ||
		!strings.Contains(row, "Enabled") {
		t.Fatalf("the list shows %q", row)
	}
	b.shoot("subaccounts")

	b.submit("button[aria-label='Disable Support team']")
	if n := b.text(".notice"); !strings.Contains(n, "Disabled subaccount Support team") {
		t.Fatalf("after disabling: %q", n)
	}
	if row := b.text("#subaccounts-title + .table-wrap tbody"); !strings.Contains(row, "Disabled") {
		t.Fatalf("a disabled subaccount's row reads %q", row)
	}
	if st := s.basic(a.ID, authID, token); st != http.StatusUnauthorized && st != http.StatusForbidden {
		t.Fatalf("a disabled subaccount's credentials answered %d", st)
	}

	b.submit("a[aria-label='Delete Support team']")
	if h := b.text("#removal-title"); !strings.Contains(h, "Delete subaccount Support team?") {
		t.Fatalf("the confirmation asks %q", h)
	}
	b.shoot("subaccount-delete")
	b.submit("form[action$='/delete'] button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "Deleted subaccount Support team") {
		t.Fatalf("after deleting: %q", n)
	}
	if n, err := b.count("#subaccounts-title + .table-wrap"); err != nil || n != 0 {
		t.Fatalf("the deleted subaccount is still listed (%d, %v)", n, err)
	}
	list, err := s.srv.Service().ListSubaccounts(t.Context(), s.admin, a.ID, store.Page{})
	if err != nil || len(list.Data) != 0 {
		t.Fatalf("the service still lists %+v (%v)", list, err)
	}
}

// basic reads an account's balance through the API with a subaccount's
// credentials and returns the answer's status.
func (s *site) basic(accountID, authID, token string) int {
	s.t.Helper()
	req, err := http.NewRequestWithContext(s.t.Context(), http.MethodGet, s.srv.URL()+"/v1/accounts/"+accountID+"/balance", nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.SetBasicAuth(authID, token)
	return s.status(req)
}

// status sends an API request and returns its answer's status.
func (s *site) status(req *http.Request) int {
	s.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// Staff create an account key and see its secret once, with a copy
// button; the API takes the secret. Revoking it, after a confirmation,
// makes the API refuse it.
func TestAPIKeySecretShownOnceThenRevoked(t *testing.T) {
	t.Parallel()
	s := startSite(t, "sqlite")
	a := s.account("Acme Rockets")
	b := openTab(t, s)
	b.allowClipboard()
	b.firstSignIn(s.srv.StaffEmail, s.srv.StaffPassword)
	if st := b.visit("/api-keys"); st != http.StatusOK {
		t.Fatalf("the API keys page answered %d", st)
	}
	if st := b.submit("form[action='/api-keys'] button[type=submit]"); st != http.StatusBadRequest {
		t.Fatalf("an account key without an account answered %d", st)
	}
	if msg := b.text("#key-account_id-error"); !strings.Contains(msg, "required") {
		t.Fatalf("the account's error says %q", msg)
	}
	b.fill(map[string]string{"#key-account_id": a.ID, "#key-name": "Billing worker"})
	if st := b.submit("form[action='/api-keys'] button[type=submit]"); st != http.StatusCreated {
		t.Fatalf("creating a key answered %d", st)
	}
	if w := b.text(".secret-once"); !strings.Contains(w, "will not be shown again") {
		t.Fatalf("the new secret's box says %q", w)
	}
	b.shoot("api-key-created")
	secret := b.copySecret("new-secret")
	if st := s.bearer(a.ID, secret); st != http.StatusOK {
		t.Fatalf("the new key answered %d", st)
	}

	b.visit("/api-keys")
	if n, err := b.count("#new-secret"); err != nil || n != 0 {
		t.Fatalf("the secret is shown again (%d, %v)", n, err)
	}
	row := b.text("#keys-title + .table-wrap tbody")
	if !strings.Contains(row, "Billing worker") || !strings.Contains(row, a.ID) || !strings.Contains(row, "Active") {
		t.Fatalf("the keys list shows %q", row)
	}
	b.shoot("api-keys")
	keys, err := s.srv.Service().ListAPIKeys(t.Context(), s.admin, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	keyID := keys.Data[len(keys.Data)-1].ID // the newest: the one made here
	b.submit("#keys-title + .table-wrap a[href='/api-keys/" + keyID + "']")
	b.shoot("api-key")
	b.submit("a[href='/api-keys/" + keyID + "/revoke']")
	if h := b.text("#removal-title"); !strings.Contains(h, "Revoke API key Billing worker?") {
		t.Fatalf("the confirmation asks %q", h)
	}
	b.submit("form[action$='/revoke'] button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "Revoked API key Billing worker") {
		t.Fatalf("after revoking: %q", n)
	}
	if row := b.text("#keys-title + .table-wrap tbody"); !strings.Contains(row, "Revoked") {
		t.Fatalf("the revoked key's row reads %q", row)
	}
	if st := s.bearer(a.ID, secret); st != http.StatusUnauthorized {
		t.Fatalf("the revoked key answered %d", st)
	}
}

// bearer reads an account's balance through the API with an API key and
// returns the answer's status.
func (s *site) bearer(accountID, secret string) int {
	s.t.Helper()
	req, err := http.NewRequestWithContext(s.t.Context(), http.MethodGet, s.srv.URL()+"/v1/accounts/"+accountID+"/balance", nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	return s.status(req)
}

// An owner sees its own account's subaccounts tab and not another's
// (404); the API keys and webhooks pages, and a key or endpoint made by
// hand, are staff's (403), and neither shows in the owner's navigation.
func TestOwnerIsKeptFromAccessPagesNotItsOwn(t *testing.T) {
	t.Parallel()
	s := startSite(t, "sqlite")
	mine, theirs := s.account("Mine Ltd"), s.account("Theirs Inc")
	if _, err := s.srv.Service().CreateSubaccount(t.Context(), s.admin, mine.ID, api.SubaccountCreate{Name: "Mine's bot"}); err != nil {
		t.Fatal(err)
	}
	other, err := s.srv.Service().CreateSubaccount(t.Context(), s.admin, theirs.ID, api.SubaccountCreate{Name: "Their bot"})
	if err != nil {
		t.Fatal(err)
	}
	temp := s.user("owner@mine.test", coffer.UserOwner, mine.ID)
	b := openTab(t, s)
	b.firstSignIn("owner@mine.test", temp)
	if st := b.visit("/accounts/" + mine.ID + "/subaccounts"); st != http.StatusOK {
		t.Fatalf("the owner's own subaccounts answered %d", st)
	}
	if row := b.text("#subaccounts-title + .table-wrap tbody"); !strings.Contains(row, "Mine's bot") {
		t.Fatalf("the owner's subaccounts list %q", row)
	}
	if nav, err := b.count("nav[aria-label=Main] a[href='/api-keys'], nav[aria-label=Main] a[href='/webhooks']"); err != nil || nav != 0 {
		t.Fatalf("an owner's navigation offers staff pages (%d, %v)", nav, err)
	}
	for path, want := range map[string]int{
		"/accounts/" + theirs.ID + "/subaccounts":                         http.StatusNotFound,
		"/accounts/" + mine.ID + "/subaccounts/" + other.ID + "/delete":   http.StatusNotFound,
		"/accounts/" + theirs.ID + "/subaccounts/" + other.ID + "/delete": http.StatusNotFound,
		"/api-keys":                      http.StatusForbidden,
		"/api-keys/key_0000000000000000": http.StatusForbidden,
		"/webhooks":                      http.StatusForbidden,
	} {
		if st := b.visit(path); st != want {
			t.Errorf("%s answered %d, want %d", path, st, want)
		}
	}
}
