package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/service"
)

// reqState is what one request carries through the layers: the logger,
// and once authentication ran, the caller and the idempotency inputs.
// It lives in the request's context and is only touched by the goroutine
// serving the request. The answer's statusWriter lives in it too, so the
// two cost one allocation.
type reqState struct {
	// base is the server's logger; log is base with the request's id,
	// method and path, made by loggerFrom the first time something is
	// logged: most requests log nothing but their access-log line.
	base    *slog.Logger
	log     *slog.Logger
	method  string
	path    string
	writer  statusWriter
	caller  *service.Caller
	idemKey string
	hash    string
	// svc runs a mutation under its Idempotency-Key (register); nil for
	// reads, and for handlers tested without a service.
	svc *service.Service
	// requestID is echoed as X-Request-Id and in error bodies.
	requestID string
}

type reqStateKey struct{}

func stateFrom(ctx context.Context) *reqState {
	if ctx == nil {
		return nil
	}
	st, _ := ctx.Value(reqStateKey{}).(*reqState)
	return st
}

// loggerFrom returns the request's logger, or one that discards.
func loggerFrom(ctx context.Context) *slog.Logger {
	st := stateFrom(ctx)
	switch {
	case st == nil:
		return slog.New(slog.DiscardHandler)
	case st.log == nil && st.base != nil:
		st.log = st.base.With(slog.String("request_id", st.requestID), slog.String("method", st.method), slog.String("path", st.path))
	case st.log == nil:
		return slog.New(slog.DiscardHandler)
	}
	return st.log
}

// statusWriter records the status and size of an answer for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (huma sets
// read deadlines through it).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests gives the request its id (requestID), sets it on the answer
// before anything is written, so every answer carries it, and writes one
// access-log line per request: request id, method, path, status, duration,
// size and the caller's key id. It never logs other headers, query strings
// or bodies, which may carry credentials. The id also travels in the
// context (service.WithRequestID) for what the service logs.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now() // the request's duration for the log: wall time, not Coffer's clock
		id := requestID(r)
		w.Header().Set(requestIDHeader, id)
		st := &reqState{requestID: id, base: logger, method: r.Method, path: r.URL.Path}
		sw := &st.writer
		sw.ResponseWriter = w
		ctx := service.WithRequestID(context.WithValue(r.Context(), reqStateKey{}, st), id)
		next.ServeHTTP(sw, r.WithContext(ctx))

		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		level := slog.LevelInfo
		switch {
		case status >= 500:
			level = slog.LevelError
		case r.URL.Path == "/healthz" || r.URL.Path == "/readyz":
			level = slog.LevelDebug
		}
		attrs := []slog.Attr{
			slog.String("request_id", id),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.Int64("bytes", sw.bytes),
		}
		if st.caller != nil {
			attrs = append(attrs, slog.String("key_id", st.caller.KeyID))
		}
		logger.LogAttrs(r.Context(), level, "http request", attrs...)
	})
}

// recoverPanics answers a panicking request with a 500 and logs the stack,
// so one bad request cannot take the server down.
func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			loggerFrom(r.Context()).Error("panic serving request",
				slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			if sw, ok := w.(*statusWriter); ok && sw.status != 0 {
				return // the answer has started; nothing sensible can follow
			}
			writeError(w, newErrorBody(coffer.EInternal, internalMessage, "", nil))
		}()
		next.ServeHTTP(w, r)
	})
}

// jsonNotFound answers requests no route matches (404) or whose method a
// route does not take (405) in the API's error shape instead of the
// ServeMux's plain text.
func jsonNotFound(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(&errorRewriter{ResponseWriter: w, method: r.Method, path: r.URL.Path}, r)
	})
}

// errorRewriter replaces the body of the mux's own 404 and 405 answers.
// Other answers (redirects to a cleaned path) pass through.
type errorRewriter struct {
	http.ResponseWriter
	method, path string
	swallow      bool
}

func (w *errorRewriter) WriteHeader(code int) {
	switch code {
	case http.StatusNotFound:
		w.swallow = true
		w.Header().Del("Content-Length")
		writeError(w.ResponseWriter, newErrorBody(coffer.ENotFound, "no such route: "+w.path, "", nil))
	case http.StatusMethodNotAllowed:
		w.swallow = true
		w.Header().Del("Content-Length")
		e := newErrorBody(coffer.EInvalid, w.method+" is not allowed on "+w.path, "", nil)
		e.status = http.StatusMethodNotAllowed
		writeError(w.ResponseWriter, e)
	default:
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *errorRewriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// assumeJSON treats a body sent without a Content-Type, or with the form
// type curl sends by default, as JSON: the API speaks nothing else, and
// `curl -d '{…}'` should just work. A body that is not JSON still fails,
// with a message saying where it stopped parsing. Other explicit types are
// left alone, and are refused with 415.
func assumeJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct := r.Header.Get("Content-Type")
		if ct == "" || strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			r.Header.Set("Content-Type", "application/json")
		}
		next.ServeHTTP(w, r)
	})
}
