package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/service"
)

// The console takes only what the API does not: /v1 stays the API's even
// for an unknown path (a JSON 404), and so does a path of the API's with
// another method (a JSON 405); the rest goes to the fallback.
func TestFallbackTakesOnlyWhatTheAPIDoesNot(t *testing.T) {
	console := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusTeapot)
	})
	h := newHandler(&service.Service{}, fakeAuth{}, Options{Fallback: console})
	for _, tc := range []struct {
		method, path string
		status       int
		json         bool
	}{
		{"GET", "/healthz", http.StatusOK, false}, // the API's, in plain text
		{"POST", "/healthz", http.StatusMethodNotAllowed, true},
		{"GET", "/openapi.json", http.StatusOK, true},
		{"GET", "/v1/no-such-route", http.StatusNotFound, true},
		{"POST", "/v1/debits", http.StatusUnauthorized, true},
		{"GET", "/", http.StatusTeapot, false},
		{"GET", "/accounts/acct_1/credits", http.StatusTeapot, false},
		{"POST", "/sign-in", http.StatusTeapot, false},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
		isJSON := strings.HasPrefix(w.Header().Get("Content-Type"), "application/json")
		if w.Code != tc.status || isJSON != tc.json {
			t.Errorf("%s %s: %d %q, want %d (JSON %v)", tc.method, tc.path, w.Code, w.Header().Get("Content-Type"), tc.status, tc.json)
		}
	}
}

// What the console's mount costs a request under /v1, against the API's
// handler served alone: go test -run - -bench Dispatch ./httpapi.
func BenchmarkDispatch(b *testing.B) {
	api := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", api)
	r := httptest.NewRequest("POST", "/v1/debits", nil)
	var w httptest.ResponseRecorder
	b.Run("alone", func(b *testing.B) {
		for b.Loop() {
			api.ServeHTTP(&w, r)
		}
	})
	b.Run("with_console", func(b *testing.B) {
		h := withFallback(mux, api, http.NotFoundHandler())
		for b.Loop() {
			h.ServeHTTP(&w, r)
		}
	})
}
