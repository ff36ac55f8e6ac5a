package httpapi

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
)

// Readiness is what /readyz asks: nil when the server can serve requests,
// or why not (a *NotReady names the reason). The app implements it over
// the store.
type Readiness interface {
	Ready(ctx context.Context) error
}

// NotReady is a reason a server cannot serve: Reason is a stable word for
// monitoring ("store_unavailable", "migrations_pending",
// "shutting_down"), Err the detail.
type NotReady struct {
	Reason string
	Err    error
}

func (e *NotReady) Error() string { return e.Reason + ": " + e.Err.Error() }
func (e *NotReady) Unwrap() error { return e.Err }

// Readiness reasons that the API itself gives.
const (
	ReasonShuttingDown = "shutting_down"
	reasonNotReady     = "not_ready"
)

// readyTimeout bounds one readiness check: a store that takes longer to
// answer SELECT 1 is no store to send requests to, and a probe must not
// pile up behind a stuck one.
const readyTimeout = time.Second

// Health is the server's state as /readyz and the API's gate see it: ready
// when its Readiness says so, and refusing everything once Drain is
// called. The zero value and nil are ready and never draining.
type Health struct {
	ready    Readiness
	leaving  atomic.Bool
	draining atomic.Bool
}

// NewHealth returns the health of a server whose readiness r checks; nil
// checks nothing.
func NewHealth(r Readiness) *Health { return &Health{ready: r} }

// Leave starts a shutdown's drain delay: from now on /readyz answers 503
// shutting_down, while every request is still served, so that load
// balancers still sending here while they take the server out of
// rotation get answers rather than refusals. Drain ends it.
func (h *Health) Leave() { h.leaving.Store(true) }

// Drain starts the shutdown: from now on /readyz answers 503 and every
// request but /healthz and /readyz is refused with 503 and Retry-After,
// on a connection that is then closed, so that the client retries
// elsewhere or once the server is back.
func (h *Health) Drain() { h.draining.Store(true) }

// Draining reports whether Drain was called.
func (h *Health) Draining() bool { return h != nil && h.draining.Load() }

// check is the readiness of the server now.
func (h *Health) check(ctx context.Context) error {
	if h.Draining() || (h != nil && h.leaving.Load()) {
		return &NotReady{Reason: ReasonShuttingDown, Err: errors.New("the server is shutting down")}
	}
	if h == nil || h.ready == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	return h.ready.Ready(ctx)
}

// registerHealth serves /healthz, which says the process is alive and
// touches nothing, and /readyz, which says whether it can serve.
func registerHealth(mux *http.ServeMux, h *Health) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		err := h.check(r.Context())
		if err == nil {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"status":"ready"}` + "\n"))
			return
		}
		var nr *NotReady
		if !errors.As(err, &nr) {
			nr = &NotReady{Reason: reasonNotReady, Err: err}
		}
		loggerFrom(r.Context()).Warn("not ready", "reason", nr.Reason, "err", nr.Err.Error())
		writeError(w, notReadyBody(nr))
	})
}

// notReadyBody is /readyz's 503: the API's error shape, code not_ready,
// the reason in details.reason and the detail in the message. /readyz is
// for operators' probes, so the message may name the store's failure.
func notReadyBody(nr *NotReady) *errorBody {
	e := &errorBody{
		ErrorBody: api.ErrorBody{Error: api.ErrorDetail{
			Type: typeAPI, Code: "not_ready", Message: nr.Err.Error(),
			Details: map[string]string{"reason": nr.Reason},
		}},
		status: http.StatusServiceUnavailable,
		header: http.Header{},
	}
	e.header.Set("Retry-After", "1")
	return e
}

// refuseWhileDraining answers every request with 503 overloaded,
// Retry-After and Connection: close once the server drains, except the
// health probes, which say so themselves. A request that passed here
// before Drain is in flight and is answered in full: the server's
// shutdown waits for it.
func (h *Health) refuseWhileDraining(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.Draining() && r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
			w.Header().Set("Connection", "close")
			writeError(w, newErrorBody(coffer.EOverloaded, "the server is shutting down; retry", "", nil))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// identify puts the server's version on every answer. The header's value
// is one slice shared by every answer, which nothing appends to in place
// (an Add would copy it, its capacity being its length), so setting it
// allocates nothing.
func identify(version string, next http.Handler) http.Handler {
	value := []string{version}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Coffer-Version"] = value
		next.ServeHTTP(w, r)
	})
}
