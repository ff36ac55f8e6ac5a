package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
)

// eventIDs hands out a new event id number to each debit of a benchmark,
// from any goroutine.
type eventIDs struct{ n atomic.Int64 }

func (e *eventIDs) next() int64 { return e.n.Add(1) }

// benchRequest is one POST /v1/debits request reused across iterations,
// so that a benchmark counts the server's allocations, not the making of
// requests.
type benchRequest struct {
	*http.Request
	body bytes.Reader
}

func newBenchRequest(key string) *benchRequest {
	r := &benchRequest{}
	r.Request = &http.Request{
		Method:     http.MethodPost,
		URL:        &url.URL{Path: "/v1/debits"},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header: http.Header{
			"Authorization": {"Bearer " + key},
			"Content-Type":  {"application/json"},
		},
		Host:       "coffer.test",
		RequestURI: "/v1/debits",
		RemoteAddr: "127.0.0.1:1",
	}
	r.Request = r.Request.WithContext(context.Background())
	return r
}

// reset gives the request a new body.
func (r *benchRequest) reset(body []byte) {
	r.body.Reset(body)
	r.Body = readCloser{&r.body}
	r.ContentLength = int64(len(body))
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// benchWriter is an http.ResponseWriter kept across iterations.
type benchWriter struct {
	header http.Header
	status int
	body   []byte
}

func (w *benchWriter) reset() {
	clear(w.header)
	w.status = 0
	w.body = w.body[:0]
}

func (w *benchWriter) Header() http.Header { return w.header }

func (w *benchWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *benchWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body = append(w.body, b...)
	return len(b), nil
}
