package console_test

// The browser harness every page test shares: one Chromium per test binary
// (TestMain), a tab per test, the real server (app.StartServer: the store,
// the service, the API and the console as `coffer serve` runs them),
// axe-core run on every page a test opens, and screenshots.
//
// Chromium is Debian's (/usr/bin/chromium, or $COFFER_CHROMIUM); axe-core
// is npm's axe-core 4.14.1, read from $COFFER_AXE_CORE (its axe.min.js),
// by default ~/.cache/coffer/npm/node_modules/axe-core/axe.min.js where
// .ci/run installs it. Without either the browser tests skip with a loud
// message, or fail when CI=true. Screenshots go to $COFFER_SCREENSHOTS,
// by default artifacts/screenshots at the repository's root.

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// browsers is the test binary's one Chromium, started by the first test
// that asks for it and stopped by TestMain.
type browsers struct {
	once    sync.Once
	ctx     context.Context // the browser's; a tab is a child of it
	stop    func()
	axe     string // axe.min.js's source
	missing string // why there is no browser, if there is none
}

var shared browsers // the test binary's browser, shared by every test

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.stop != nil {
		shared.stop()
	}
	os.Exit(code)
}

func chromiumPath() string {
	if p := os.Getenv("COFFER_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

func axePath() string {
	if p := os.Getenv("COFFER_AXE_CORE"); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "coffer", "npm", "node_modules", "axe-core", "axe.min.js")
}

// browser returns the shared browser's context, starting it once. Without
// Chromium or axe-core the test skips, loudly, or fails in CI.
func browser(t *testing.T) context.Context {
	t.Helper()
	shared.once.Do(func() {
		if _, err := os.Stat(chromiumPath()); err != nil {
			shared.missing = fmt.Sprintf("no Chromium at %s (apt-get install chromium, or set COFFER_CHROMIUM)", chromiumPath())
			return
		}
		src, err := os.ReadFile(axePath())
		if err != nil {
			shared.missing = fmt.Sprintf("no axe-core at %s (npm install --prefix ~/.cache/coffer/npm axe-core@4.14.1, or set COFFER_AXE_CORE)", axePath())
			return
		}
		shared.axe = string(src)
		alloc, stopAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(chromiumPath()), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true))
		ctx, stopBrowser := chromedp.NewContext(alloc)
		if err := chromedp.Do(ctx); err != nil {
			stopBrowser()
			stopAlloc()
			shared.missing = "Chromium did not start: " + err.Error()
			return
		}
		shared.ctx, shared.stop = ctx, func() { stopBrowser(); stopAlloc() }
	})
	if shared.missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests need a browser in CI: %s", shared.missing)
		}
		t.Skipf("\n\n*** SKIPPING BROWSER TEST: %s ***\n\n", shared.missing)
	}
	return shared.ctx
}

// site is a running Coffer with an admin call for setting things up
// behind the browser's back.
type site struct {
	t     *testing.T
	srv   *app.Server
	admin service.Call
}

// startSite starts Coffer on a fresh store: SQLite, or PostgreSQL when
// engine is "postgres".
func startSite(t *testing.T, engine string) *site {
	t.Helper()
	return launch(t, engine, app.ServerConfig{})
}

// launch starts Coffer as `coffer serve` would with cfg, on a fresh store
// of the engine ("sqlite" or "postgres") and a port of its own.
func launch(t *testing.T, engine string, cfg app.ServerConfig) *site {
	t.Helper()
	cfg.DB = filepath.Join(t.TempDir(), "coffer.db")
	if engine == "postgres" {
		cfg.DB = pgtest.TestPostgresDSN(t)
	}
	cfg.Addr, cfg.Log = "127.0.0.1:0", slog.New(slog.DiscardHandler)
	srv, err := app.StartServer(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &site{t: t, srv: srv, admin: service.Call{Caller: &service.Caller{KeyID: "key_browser_test", Role: coffer.RoleAdmin}}}
}

// account creates an account through the service.
func (s *site) account(name string) *api.Account {
	s.t.Helper()
	a, err := s.srv.Service().CreateAccount(s.t.Context(), s.admin, api.AccountCreate{Name: name, Currency: "USD",
		Email: strings.ToLower(strings.Fields(name)[0]) + "@example.test"})
	if err != nil {
		s.t.Fatal(err)
	}
	return a
}

// user creates a console user and returns its temporary password.
func (s *site) user(email string, role coffer.UserRole, accountID string) string {
	s.t.Helper()
	temp, _, err := s.srv.Service().CreateUser(s.t.Context(), "test", service.UserCreate{Email: email, Role: role, AccountID: accountID})
	if err != nil {
		s.t.Fatal(err)
	}
	return temp
}

// tab is one browser tab on a site.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// openTab opens a tab, closed when the test ends, at the 1280 px width.
// Each tab has a browser context of its own, like a private window: every
// site listens on 127.0.0.1, and cookies do not tell ports apart, so tabs
// sharing one jar would sign each other out.
func openTab(t *testing.T, s *site) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, stop := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(stop)
	b := &tab{t: t, ctx: ctx, base: s.srv.URL()}
	// The console's policy allows only its own scripts; axe is the
	// test's, injected through the protocol.
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
		return err
	}), chromedp.EmulateViewport(1280, 900))
	return b
}

func (b *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// visit opens a path of the site, checks the page with axe, and returns
// the answer's HTTP status.
func (b *tab) visit(path string) int {
	b.t.Helper()
	return b.navigate(chromedp.Navigate(b.base + path))
}

// submit clicks a form's submit button (a CSS selector), waits for the
// page it leads to, checks it with axe and returns its status.
func (b *tab) submit(button string) int {
	b.t.Helper()
	return b.navigate(chromedp.Click(chromedp.CSS(button)))
}

func (b *tab) navigate(step chromedp.Action[chromedp.Void]) int {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.ctx, step)
	if err != nil {
		b.t.Fatal(err)
	}
	b.axe()
	return int(res.Status)
}

// fill sets form fields by CSS selector.
func (b *tab) fill(values map[string]string) {
	b.t.Helper()
	for sel, v := range values {
		b.do(chromedp.SetValue(chromedp.CSS(sel), v))
	}
}

// text is the text of the first element the CSS selector matches.
func (b *tab) text(sel string) string {
	b.t.Helper()
	// An element that is not there fails in seconds, not at the tab's
	// deadline.
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// path is the path (and query) the tab shows.
func (b *tab) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatal(err)
	}
	return u.RequestURI()
}

// title is the page's title.
func (b *tab) title() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Title())
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// axeViolation is what axe reports of one broken rule.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// axe runs axe-core on the page and fails the test on any serious or
// critical violation.
func (b *tab) axe() {
	b.t.Helper()
	loaded, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("typeof window.axe === 'object'"))
	if err != nil {
		b.t.Fatal(err)
	}
	if !loaded {
		if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](shared.axe)); err != nil {
			b.t.Fatalf("inject axe-core: %v", err)
		}
	}
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("run axe-core: %v", err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		b.t.Fatal(err)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			var where []string
			for _, n := range v.Nodes {
				where = append(where, strings.Join(n.Target, " "))
			}
			b.t.Errorf("axe: %s (%s) on %s: %s at %s", v.ID, v.Impact, b.path(), v.Help, strings.Join(where, ", "))
		}
	}
}

// screenshotDir is where screenshots go (see the package comment above).
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("COFFER_SCREENSHOTS"); d != "" {
		return d
	}
	return filepath.Join("..", "artifacts", "screenshots")
}

// shoot saves the page at 1280 px and at 375 px wide as name-1280.png and
// name-375.png, and leaves the tab at 1280 px.
func (b *tab) shoot(name string) {
	b.t.Helper()
	dir := screenshotDir(b.t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	for _, w := range []int64{1280, 375} {
		b.do(chromedp.EmulateViewport(w, 800))
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
		if w == 375 {
			b.noSideways()
		}
	}
	b.do(chromedp.EmulateViewport(1280, 900))
}

// noSideways fails when the page is wider than the screen: at 375 px
// nothing may need scrolling sideways except inside a table's own box.
func (b *tab) noSideways() {
	b.t.Helper()
	wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil {
		b.t.Fatal(err)
	}
	if wide {
		b.t.Errorf("%s scrolls sideways at 375 px", b.path())
	}
}

// signIn signs in through the form and lands where the console sends the
// user.
func (b *tab) signIn(email, password string) int {
	b.t.Helper()
	if st := b.visit("/sign-in"); st != 200 {
		b.t.Fatalf("sign-in page: %d", st)
	}
	b.fill(map[string]string{"#sign-in-email": email, "#sign-in-password": password})
	return b.submit("form[action='/sign-in'] button[type=submit]")
}

// firstSignIn signs in with a temporary password and changes it, as a new
// user must; it returns the new password.
func (b *tab) firstSignIn(email, temp string) string {
	b.t.Helper()
	b.signIn(email, temp)
	if p := b.path(); p != "/password" {
		b.t.Fatalf("a temporary password led to %s, not the password page", p)
	}
	const chosen = "a password of my own"
	b.fill(map[string]string{"#password-current_password": temp, "#password-new_password": chosen, "#password-confirm_password": chosen})
	if st := b.submit("form[action='/password'] button[type=submit]"); st != 200 {
		b.t.Fatalf("changing the password answered %d", st)
	}
	return chosen
}

// count is how many elements match the CSS selector.
func (b *tab) count(sel string) (int, error) {
	return chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
}

// value is the value of the first input the CSS selector matches.
func (b *tab) value(sel string) (string, error) {
	return chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf("document.querySelector(%q).value", sel)))
}

// navigateTo opens a page outside the site, without axe: it is not the
// console's.
func (b *tab) navigateTo(u string) (int, error) {
	res, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(u))
	if err != nil {
		return 0, err
	}
	return int(res.Status), nil
}
