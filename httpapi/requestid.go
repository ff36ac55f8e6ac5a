package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// requestIDHeader carries a request's id both ways: a caller (or a proxy
// in front) may send one, and every answer echoes the one used.
const requestIDHeader = "X-Request-Id"

// maxRequestID is the longest incoming request id kept.
const maxRequestID = 128

// requestID is the id a request is served, logged and answered under: the
// caller's X-Request-Id when it is usable, else a new one. A usable id is
// 1 to 128 printable ASCII characters; anything else (control characters,
// non-ASCII, an id long enough to bloat every log line) is replaced, not
// refused, since the id serves tracing and never decides an answer.
func requestID(r *http.Request) string {
	if id := r.Header.Get(requestIDHeader); validRequestID(id) {
		return id
	}
	return newRequestID()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// newRequestID is "req_" and 64 random bits in hex, spelled in one
// buffer so that the id is the only allocation.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	var id [len("req_") + 2*len(b)]byte
	copy(id[:], "req_")
	hex.Encode(id[len("req_"):], b[:])
	return string(id[:])
}
