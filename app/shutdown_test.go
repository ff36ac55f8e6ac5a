package app

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// drainServer starts a server whose drain delay is an hour, far longer
// than the test, and waits on a channel the test closes instead of a
// timer: asked receives the delay it was asked to wait.
func drainServer(t *testing.T, dsn string) (s *Server, asked chan time.Duration, release chan time.Time) {
	t.Helper()
	s, err := StartServer(t.Context(), ServerConfig{Addr: "127.0.0.1:0", DB: dsn,
		ShutdownDrainDelay: time.Hour, ShutdownTimeout: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	asked, release = make(chan time.Duration, 1), make(chan time.Time)
	s.drainTimer = func(d time.Duration) <-chan time.Time {
		asked <- d
		return release
	}
	return s, asked, release
}

// dialRefused reports whether a new connection to the server is refused.
func dialRefused(s *Server) bool {
	c, err := net.Dial("tcp", s.Addr().String())
	if err == nil {
		c.Close()
	}
	return err != nil
}

// During the drain delay /readyz answers 503 shutting_down while requests
// are still served, new connections included; only once the delay ends
// does the listener close, and the shutdown completes. A shutdown whose
// deadline passes during the delay does not wait it out.
func TestShutdownDrainDelay(t *testing.T) {
	t.Parallel()
	for name, newDSN := range map[string]func(t testing.TB) string{
		"sqlite":   func(t testing.TB) string { return filepath.Join(t.TempDir(), "coffer.db") },
		"postgres": pgtest.TestPostgresDSN,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s, asked, release := drainServer(t, newDSN(t))
			// Each call on a connection of its own: the listener must still
			// accept, not only keep-alive connections be served.
			fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			c := client.New(s.URL(), client.WithAPIKey(s.AdminKey), client.WithHTTPClient(fresh), client.WithMaxAttempts(1))
			a, err := c.CreateAccount(ctx, api.AccountCreate{Name: "drained", Currency: "USD"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.CreateGrant(ctx, a.ID, api.GrantCreate{Amount: money.FromInt(10), Category: "paid"}); err != nil {
				t.Fatal(err)
			}

			done := make(chan error, 1)
			go func() { done <- s.Shutdown(context.Background()) }()
			select {
			case d := <-asked:
				if d != time.Hour {
					t.Fatalf("the shutdown waits %s, want the configured hour", d)
				}
			case err := <-done:
				t.Fatalf("the shutdown ended without a drain delay: %v", err)
			}
			if code, reason := readyz(t, s); code != http.StatusServiceUnavailable || reason != "shutting_down" {
				t.Errorf("during the drain delay: /readyz %d %q, want 503 shutting_down", code, reason)
			}
			amount := money.MustParse("0.25")
			for i, ev := range []string{"during-delay-1", "during-delay-2"} {
				if _, err := c.Debit(ctx, api.DebitCreate{AccountID: a.ID, EventID: ev, Amount: &amount}); err != nil {
					t.Fatalf("debit %d during the drain delay: %v, want it served", i+1, err)
				}
			}
			select {
			case err := <-done:
				t.Fatalf("the shutdown ended during its drain delay: %v", err)
			default:
			}

			close(release)
			if err := <-done; err != nil {
				t.Fatalf("shutdown after the drain delay: %v", err)
			}
			if !dialRefused(s) {
				t.Error("after the shutdown the listener still accepts")
			}
		})
		t.Run(name+"/deadline", func(t *testing.T) {
			t.Parallel()
			s, asked, _ := drainServer(t, newDSN(t))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Shutdown(ctx) }()
			select {
			case <-asked:
			case err := <-done:
				t.Fatalf("the shutdown ended without a drain delay: %v", err)
			}
			cancel() // the shutdown timeout passes, an hour before the delay would end
			<-done
			if !dialRefused(s) {
				t.Error("after a shutdown cut short the listener still accepts")
			}
		})
	}
}

// A drain delay must be shorter than the shutdown timeout that bounds
// it, and not negative; the server refuses to start otherwise.
func TestShutdownDrainDelayBounds(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		delay, timeout time.Duration
		ok             bool
	}{
		{0, 0, true},
		{29 * time.Second, 0, true}, // the default timeout, 30 s
		{30 * time.Second, 0, false},
		{time.Minute, time.Minute, false},
		{-time.Second, 0, false},
	} {
		err := ServerConfig{ShutdownDrainDelay: c.delay, ShutdownTimeout: c.timeout}.checkDrainDelay()
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), "--shutdown-drain-delay")) {
			t.Errorf("drain delay %s, timeout %s: %v, want ok %v", c.delay, c.timeout, err, c.ok)
		}
	}
	_, err := StartServer(t.Context(), ServerConfig{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "coffer.db"),
		ShutdownDrainDelay: time.Hour})
	if err == nil || !strings.Contains(err.Error(), "--shutdown-timeout") {
		t.Errorf("a server with a drain delay of an hour started: %v", err)
	}
}
