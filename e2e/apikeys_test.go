package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/httpapi"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// adminKeyUsed waits until the harness's admin key shows a last use, which
// is recorded after the request, so that listings of keys stop changing.
func (h *harness) adminKeyUsed() {
	h.t.Helper()
	waitFor(h.t, "the admin key's last_used_at", func() bool {
		l, err := h.admin.ListAPIKeys(h.ctx, client.ListParams{Limit: 100})
		if err != nil {
			h.t.Fatal(err)
		}
		for _, k := range l.Data {
			if k.Role == "admin" && k.Name == "initial admin key" {
				return k.LastUsedAt != nil
			}
		}
		h.t.Fatal("no initial admin key listed")
		return false
	})
}

// status answers a balance read with the secret, as its status and error
// code.
func (h *harness) keyStatus(secret, acct string) (int, string) {
	h.t.Helper()
	status, _, b := h.raw(http.MethodGet, "/v1/accounts/"+acct+"/balance", nil, "Bearer "+secret, nil)
	msg := string(b)
	return status, msg
}

// API keys made over the API: the secret is shown once, a key works for
// its role, records its use, and is refused with 401 once expired on the
// test clock, revoked, or past its rotation's overlap; only admin keys
// manage keys.
func TestAPIKeysOverHTTP(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Keys", "")

		usage, err := h.admin.CreateAPIKey(h.ctx, api.APIKeyCreate{Role: "usage", Name: "meter"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(usage.Secret, "ck_usage_") || usage.Status != "active" || usage.LastUsedAt != nil {
			t.Fatalf("created key: %+v", usage)
		}
		got, err := h.admin.GetAPIKey(h.ctx, usage.ID)
		if err != nil || got.Secret != "" || got.Name != "meter" {
			t.Fatalf("get shows %+v, %v; want the key without its secret", got, err)
		}
		_, _, list := h.raw(http.MethodGet, "/v1/api_keys?limit=100", nil, "Bearer "+h.srv.AdminKey, nil)
		if strings.Contains(string(list), usage.Secret) || strings.Contains(string(list), "secret") || !strings.Contains(string(list), usage.ID) {
			t.Fatalf("the list shows a secret, or not the key: %s", list)
		}

		if st, b := h.keyStatus(usage.Secret, a.ID); st != http.StatusOK {
			t.Fatalf("usage key reading a balance: %d %s", st, b)
		}
		uc := client.New(h.srv.URL(), client.WithAPIKey(usage.Secret))
		if _, err := uc.CreateAPIKey(h.ctx, api.APIKeyCreate{Role: "admin"}); client.ErrorCode(err) != "forbidden" {
			t.Fatalf("a usage key made a key: %v", err)
		}
		waitFor(t, "the usage key's last_used_at", func() bool {
			k, err := h.admin.GetAPIKey(h.ctx, usage.ID)
			return err == nil && k.LastUsedAt != nil && k.LastUsedAt.Equal(clockStart)
		})

		// Expiry on the test clock.
		at := clockStart.Add(time.Hour)
		acctKey, err := h.admin.CreateAPIKey(h.ctx, api.APIKeyCreate{Role: "account", AccountID: a.ID, ExpiresAt: &at})
		if err != nil {
			t.Fatal(err)
		}
		if st, b := h.keyStatus(acctKey.Secret, a.ID); st != http.StatusOK {
			t.Fatalf("account key before its expiry: %d %s", st, b)
		}
		_, err = h.admin.CreateAPIKey(h.ctx, api.APIKeyCreate{Role: "account"})
		wantCode(t, err, "invalid_request")
		past := clockStart.Add(-time.Second)
		_, err = h.admin.CreateAPIKey(h.ctx, api.APIKeyCreate{Role: "usage", ExpiresAt: &past})
		wantCode(t, err, "invalid_request")

		// Rotation with an overlap.
		old, err := h.admin.CreateAPIKey(h.ctx, api.APIKeyCreate{Role: "usage", Name: "old"})
		if err != nil {
			t.Fatal(err)
		}
		next, err := h.admin.RotateAPIKey(h.ctx, old.ID, api.APIKeyRotate{Overlap: "30m"})
		if err != nil || next.Secret == "" || next.Role != "usage" || next.Name != "old" {
			t.Fatalf("rotate: %+v %v", next, err)
		}
		if k, _ := h.admin.GetAPIKey(h.ctx, old.ID); k.ReplacedBy != next.ID || k.ExpiresAt == nil || !k.ExpiresAt.Equal(clockStart.Add(30*time.Minute)) {
			t.Fatalf("old key after rotation: %+v", k)
		}
		_, err = h.admin.RotateAPIKey(h.ctx, old.ID, api.APIKeyRotate{})
		wantCode(t, err, "conflict")
		for _, s := range []string{old.Secret, next.Secret} {
			if st, b := h.keyStatus(s, a.ID); st != http.StatusOK {
				t.Fatalf("within the overlap: %d %s", st, b)
			}
		}

		h.advance("2h")
		for _, s := range []string{acctKey.Secret, old.Secret} {
			if st, b := h.keyStatus(s, a.ID); st != http.StatusUnauthorized || !strings.Contains(b, "expired") {
				t.Errorf("a key past its expiry: %d %s, want 401 saying it expired", st, b)
			}
		}
		if st, b := h.keyStatus(next.Secret, a.ID); st != http.StatusOK {
			t.Fatalf("the successor after the overlap: %d %s", st, b)
		}
		if k, _ := h.admin.GetAPIKey(h.ctx, acctKey.ID); k.Status != "expired" {
			t.Errorf("expired key's status %q", k.Status)
		}

		// Revocation, on this process at once.
		rev, err := h.admin.RevokeAPIKey(h.ctx, usage.ID)
		if err != nil || rev.Status != "revoked" || rev.RevokedAt == nil {
			t.Fatalf("revoke: %+v %v", rev, err)
		}
		if st, b := h.keyStatus(usage.Secret, a.ID); st != http.StatusUnauthorized || !strings.Contains(b, "revoked") {
			t.Fatalf("a revoked key: %d %s, want 401 saying it was revoked", st, b)
		}
		if again, err := h.admin.RevokeAPIKey(h.ctx, usage.ID); err != nil || !again.RevokedAt.Equal(*rev.RevokedAt) {
			t.Fatalf("revoking again: %+v %v", again, err)
		}
		_, err = h.admin.GetAPIKey(h.ctx, "key_00000000000000000000000000")
		wantCode(t, err, "not_found")
	})
}

// A key revoked through one process stops working on another process on
// the same PostgreSQL database within about a second, though that process
// had it cached.
func TestAPIKeyRevokedAcrossProcesses(t *testing.T) {
	t.Parallel()
	dsn := pgtest.TestPostgresDSN(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	a := startServe(t, cofferBin, dsn, "coffer-a")
	b := startServe(t, cofferBin, dsn, "coffer-b")
	admin := client.New(a.URL(), client.WithAPIKey(a.AdminKey()))
	acct, err := admin.CreateAccount(ctx, api.AccountCreate{Name: "revoked", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	k, err := admin.CreateAPIKey(ctx, api.APIKeyCreate{Role: "usage"})
	if err != nil {
		t.Fatal(err)
	}
	onB := client.New(b.URL(), client.WithAPIKey(k.Secret), client.WithMaxAttempts(1))
	for range 5 { // b caches the key
		if _, err := onB.GetBalance(ctx, acct.ID, client.BalanceParams{}); err != nil {
			t.Fatalf("the key on b: %v", err)
		}
	}
	if _, err := admin.RevokeAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	revoked := time.Now()
	waitFor(t, "b to refuse the revoked key", func() bool {
		_, err := onB.GetBalance(ctx, acct.ID, client.BalanceParams{})
		return client.ErrorCode(err) == "unauthenticated"
	})
	took := time.Since(revoked)
	t.Logf("b refused the revoked key %s after its revocation", took.Round(time.Millisecond))
	if took > 2500*time.Millisecond {
		t.Errorf("b took %s to refuse a revoked key, want about a second", took)
	}
}

// A usage key past its burst is answered 429 rate_limited with
// Retry-After; other keys and roles are not held back.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := startWith(t, dsn, func(c *app.ServerConfig) {
			c.HTTP.RateLimits = httpapi.RateLimits{Usage: httpapi.RateLimit{Rate: 0.001, Burst: 3}}
		})
		a := h.account("Limited", "")
		keys := make([]string, 2)
		for i := range keys {
			k, err := h.admin.CreateAPIKey(h.ctx, api.APIKeyCreate{Role: "usage"})
			if err != nil {
				t.Fatal(err)
			}
			keys[i] = k.Secret
		}
		for i := range 3 {
			if st, b := h.keyStatus(keys[0], a.ID); st != http.StatusOK {
				t.Fatalf("request %d within the burst: %d %s", i+1, st, b)
			}
		}
		st, hdr, b := h.raw(http.MethodGet, "/v1/accounts/"+a.ID+"/balance", nil, "Bearer "+keys[0], nil)
		if st != http.StatusTooManyRequests || !strings.Contains(string(b), `"code":"rate_limited"`) || hdr.Get("Retry-After") == "" {
			t.Fatalf("past the burst: %d Retry-After %q %s; want 429 rate_limited with Retry-After", st, hdr.Get("Retry-After"), b)
		}
		if st, b := h.keyStatus(keys[1], a.ID); st != http.StatusOK {
			t.Fatalf("another usage key: %d %s", st, b)
		}
		for range 5 {
			if _, err := h.admin.GetBalance(h.ctx, a.ID, client.BalanceParams{}); err != nil {
				t.Fatalf("the unlimited admin key: %v", err)
			}
		}
	})
}
