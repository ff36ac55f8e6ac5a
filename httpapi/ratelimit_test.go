package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
)

// Each key has its own bucket, each role its own limit; a refusal says
// how long until a token is back.
func TestLimiter(t *testing.T) {
	wall := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := newLimiter(RateLimits{Usage: RateLimit{Rate: 2, Burst: 3}}, func() time.Time { return wall })
	a := &service.Caller{KeyID: "key_a", Role: coffer.RoleUsage}
	b := &service.Caller{KeyID: "key_b", Role: coffer.RoleUsage}
	admin := &service.Caller{KeyID: "key_admin", Role: coffer.RoleAdmin}
	for i := range 3 {
		if _, ok := l.allow(a); !ok {
			t.Fatalf("request %d within the burst refused", i+1)
		}
	}
	wait, ok := l.allow(a)
	if ok || wait <= 0 || wait > 500*time.Millisecond {
		t.Fatalf("past the burst: %v %v, want a refusal with a wait of at most 0.5s at 2/s", wait, ok)
	}
	if _, ok := l.allow(b); !ok {
		t.Fatal("another key shares the first one's bucket")
	}
	for range 100 {
		if _, ok := l.allow(admin); !ok {
			t.Fatal("an unlimited role was limited")
		}
	}
	wall = wall.Add(wait)
	if _, ok := l.allow(a); !ok {
		t.Fatal("refused again after the wait it was given")
	}
	if newLimiter(RateLimits{}, time.Now) != nil {
		t.Fatal("a limiter was built with every limit off")
	}
}

// Past its burst a key is answered 429 rate_limited with Retry-After,
// in the error shape, before its request reaches the service.
func TestRateLimitedAnswer(t *testing.T) {
	srv := newTestServer(t, Options{RateLimits: RateLimits{Admin: RateLimit{Rate: 0.001, Burst: 2}}})
	for range 2 {
		if r := srv.do(t, http.MethodGet, "/v1/accounts/nope", nil); r.status != http.StatusBadRequest {
			t.Fatalf("within the burst: %d %s", r.status, r.body)
		}
	}
	r := srv.do(t, http.MethodGet, "/v1/accounts/nope", nil)
	var e api.ErrorBody
	if err := json.Unmarshal(r.body, &e); err != nil || r.status != http.StatusTooManyRequests || e.Error.Code != coffer.ERateLimited {
		t.Fatalf("past the burst: %d %s, want 429 rate_limited", r.status, r.body)
	}
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After %q", ra)
	}
}

// BenchmarkRateLimit is the cost of the limiter on an authenticated
// request through the whole handler (authentication, routing, a refusal
// from the service): off, as by default, and on with a rate no request
// reaches.
func BenchmarkRateLimit(b *testing.B) {
	for _, c := range []struct {
		name   string
		limits RateLimits
	}{
		{"off", RateLimits{}},
		{"on", RateLimits{Admin: RateLimit{Rate: 1e9, Burst: 1e9}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			h := newHandler(&service.Service{}, fakeAuth{}, Options{RateLimits: c.limits})
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, "/v1/accounts/nope", nil)
					req.Header.Set("Authorization", "Bearer "+adminKey)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusBadRequest {
						b.Fatalf("status %d", w.Code)
					}
				}
			})
		})
	}
}

// BenchmarkLimiterAllow is the limiter alone, one key per goroutine.
func BenchmarkLimiterAllow(b *testing.B) {
	l := newLimiter(RateLimits{Usage: RateLimit{Rate: 1e9, Burst: 1e9}}, time.Now)
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		c := &service.Caller{KeyID: "key_" + strconv.FormatInt(n.Add(1), 10), Role: coffer.RoleUsage}
		for pb.Next() {
			l.allow(c)
		}
	})
}
