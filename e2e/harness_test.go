package e2e

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// clockStart is where test clocks start: a fixed instant keeps tests
// independent of the day they run.
var clockStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// stores runs fn once against SQLite and once against the real PostgreSQL.
func stores(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, filepath.Join(t.TempDir(), "coffer.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, pgtest.TestPostgresDSN(t))
	})
}

// harness is a running server with an admin client.
type harness struct {
	t     *testing.T
	dsn   string // the store, for what a test reads behind the API (leases_test.go)
	srv   *app.Server
	admin *client.Client
	ctx   context.Context
	store *sql.DB // opened on first use by rawDB
	spec  *specChecker
}

func start(t *testing.T, dsn string) *harness {
	t.Helper()
	ctx := t.Context()
	srv, err := app.StartServer(ctx, app.ServerConfig{Addr: "127.0.0.1:0", DB: dsn, TestClock: true, ClockAt: clockStart})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	h := &harness{t: t, dsn: dsn, srv: srv, ctx: ctx}
	t.Cleanup(func() {
		h.check()
		srv.Close()
	})
	h.spec = newSpecChecker(t, srv.URL())
	h.admin = h.client(client.WithAPIKey(srv.AdminKey))
	return h
}

// startWith starts a server like start does, with the configuration
// changed by mod first. The invariant check runs at cleanup.
func startWith(t *testing.T, dsn string, mod func(*app.ServerConfig)) *harness {
	t.Helper()
	h, _ := startStoppable(t, dsn, mod)
	return h
}

// startStoppable is startWith that also returns a function stopping the
// server early (after the invariant check); cleanup then does nothing more.
func startStoppable(t *testing.T, dsn string, mod func(*app.ServerConfig)) (*harness, func()) {
	t.Helper()
	cfg := app.ServerConfig{Addr: "127.0.0.1:0", DB: dsn, TestClock: true, ClockAt: clockStart}
	cfg.Service.Notify.PollInterval = 20 * time.Millisecond
	if mod != nil {
		mod(&cfg)
	}
	srv, err := app.StartServer(t.Context(), cfg)
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	h := &harness{t: t, dsn: dsn, srv: srv, ctx: t.Context()}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			h.check()
			srv.Close()
		})
	}
	t.Cleanup(stop)
	h.spec = newSpecChecker(t, srv.URL())
	h.admin = h.client(client.WithAPIKey(srv.AdminKey))
	return h, stop
}

// check runs the ledger invariant check on the live store, as `coffer
// check` does, and fails the test on any violation.
func (h *harness) check() {
	h.t.Helper()
	vs, err := h.srv.Store().Check(context.Background())
	if err != nil {
		h.t.Fatalf("check: %v", err)
	}
	for _, v := range vs {
		h.t.Errorf("invariant violated: %s %s: %s", v.Rule, v.Subject, v.Detail)
	}
}

func (h *harness) account(name string, floor string) *api.Account {
	h.t.Helper()
	in := api.AccountCreate{Name: name, Currency: "USD", Email: "owner@example.com"}
	if floor != "" {
		f := money.MustParse(floor)
		in.MinBalance = &f
	}
	a, err := h.admin.CreateAccount(h.ctx, in)
	if err != nil {
		h.t.Fatalf("create account: %v", err)
	}
	return a
}

func (h *harness) grant(acct string, in api.GrantCreate) *api.Grant {
	h.t.Helper()
	g, err := h.admin.CreateGrant(h.ctx, acct, in)
	if err != nil {
		h.t.Fatalf("grant: %v", err)
	}
	return g
}

func (h *harness) balance(acct string) *api.Balance {
	h.t.Helper()
	b, err := h.admin.GetBalance(h.ctx, acct, client.BalanceParams{})
	if err != nil {
		h.t.Fatalf("balance: %v", err)
	}
	return b
}

func (h *harness) advance(by string) {
	h.t.Helper()
	if _, err := h.admin.AdvanceClock(h.ctx, api.ClockAdvance{By: by}); err != nil {
		h.t.Fatalf("advance clock: %v", err)
	}
}

func amt(s string) money.Amount   { return money.MustParse(s) }
func amtp(s string) *money.Amount { a := money.MustParse(s); return &a }

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := client.ErrorCode(err); got != code {
		t.Fatalf("want error %s, got %v", code, err)
	}
}

func wantAmount(t *testing.T, what string, got money.Amount, want string) {
	t.Helper()
	if got != money.MustParse(want) {
		t.Fatalf("%s = %s, want %s", what, got, want)
	}
}
