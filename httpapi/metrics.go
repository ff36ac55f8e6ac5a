package httpapi

import (
	"net/http"
	"time"
)

// RequestObserver is told of every answered request: the ServeMux pattern
// that matched ("" when none did), the status and how long it took.
// Package metrics provides one (metrics.HTTP).
type RequestObserver interface {
	ObserveRequest(route string, status int, took time.Duration)
}

// observeRequests tells o of every request once it is answered. It must
// see the request object the mux routes, which records the matched
// pattern in it (Request.Pattern), so it sits below logRequests, which
// makes that object, and above every layer that passes it on unchanged.
// A nil o adds nothing.
func observeRequests(o RequestObserver, next http.Handler) http.Handler {
	if o == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now() // a duration on the machine's clock, not Coffer's
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w}
		}
		next.ServeHTTP(sw, r)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		o.ObserveRequest(r.Pattern, status, time.Since(start))
	})
}
