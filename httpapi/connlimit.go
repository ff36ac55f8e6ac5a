package httpapi

import (
	"bytes"
	"container/list"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/cofferdev/coffer"
)

// Refusals are answered off the accept loop, at most maxRefusing at a
// time, each within refuseTimeout. Their sockets are the only ones beyond
// the limit, so these bound what a flood of connections can cost on top
// of it; past maxRefusing a connection is closed without an answer.
const (
	maxRefusing   = 64
	refuseTimeout = time.Second
	// refuseDrain bounds what is read of a refused client's request, so
	// that closing does not reset the connection before the client has
	// read the answer.
	refuseDrain = 64 << 10
)

// ConnLimiter is a listener that holds at most a fixed number of client
// connections open, so that clients, even unauthenticated ones, cannot
// take every file descriptor the process has and starve the store, the
// debits and /healthz. Unlike a listener that blocks in Accept at the
// limit (golang.org/x/net/netutil), it makes room: a new connection closes
// the connection that has waited longest without a request in progress,
// either idle between keep-alive requests or open without having sent its
// first request. Only when every connection is in the middle of a request
// is the new one refused, with a 503 overloaded answer, Retry-After and
// Connection: close. An idle connection being closed is ordinary HTTP
// keep-alive behaviour, which clients retry; a refused request was never
// read, so it is safe to retry too.
//
// The server must report connection states to ConnState, which is how the
// limiter knows which connections are between requests.
type ConnLimiter struct {
	net.Listener
	max     int
	refusal refusal // the 503 answer

	mu   sync.Mutex
	open int
	// idle holds the connections that may be closed to make room, longest
	// waiting first: those with no request in progress.
	idle list.List // of *limitedConn

	refusing chan struct{} // one token per refusal being answered
}

// LimitConnections wraps ln so that at most max connections it accepted
// are open at once. Pass the limiter's ConnState to the http.Server.
// version is the server's, for the refusal's X-Coffer-Version.
func LimitConnections(ln net.Listener, max int, version string) *ConnLimiter {
	if max < 1 {
		max = 1
	}
	return &ConnLimiter{
		Listener: ln,
		max:      max,
		refusal:  newRefusal(version),
		refusing: make(chan struct{}, maxRefusing),
	}
}

// refusal is the 503 a connection over the limit is answered with: the
// same answer as every other 503 overloaded (the error object with its
// request_id, Retry-After, X-Coffer-Version, X-Request-Id), written
// without a handler. Its bytes are made once; each refusal copies them
// and writes its own request id at the two places it goes, which keeps
// refusing cheap under the flood it answers.
type refusal struct {
	answer []byte
	ids    [2]int // where the request id starts, in the header and in the body
}

// idPlaceholder stands for the request id in the template; a new id
// (newRequestID) has the same length.
const idPlaceholder = "req_0000000000000000"

func newRefusal(version string) refusal {
	if version == "" {
		version = "dev"
	}
	e := newErrorBody(coffer.EOverloaded, "the server holds as many connections as it may; retry after a moment", "", nil)
	e.ErrorBody.Error.RequestID = idPlaceholder
	body, err := jsonMarshal(e.ErrorBody)
	if err != nil {
		panic("httpapi: cannot encode the refusal: " + err.Error())
	}
	head := fmt.Sprintf("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"+
		"X-Content-Type-Options: nosniff\r\nRetry-After: %s\r\nCache-Control: no-store\r\nConnection: close\r\n"+
		"X-Coffer-Version: %s\r\n%s: %s\r\nContent-Length: %d\r\n\r\n",
		e.header.Get("Retry-After"), version, requestIDHeader, idPlaceholder, len(body))
	r := refusal{answer: append([]byte(head), body...)}
	r.ids[0] = bytes.Index(r.answer, []byte(idPlaceholder))
	r.ids[1] = len(head) + bytes.Index(body, []byte(idPlaceholder))
	return r
}

// with returns the answer under a new request id.
func (r refusal) with(id string) []byte {
	b := slices.Clone(r.answer)
	for _, at := range r.ids {
		copy(b[at:at+len(idPlaceholder)], id)
	}
	return b
}

// limitedConn is a connection the limiter counts. Its slot is given back
// once, by whichever comes first: its Close, or the limiter closing it to
// make room.
type limitedConn struct {
	net.Conn
	l *ConnLimiter
	// Guarded by l.mu.
	elem     *list.Element // in l.idle while it may be closed to make room
	released bool
}

// Accept returns the next connection within the limit. A connection over
// it is answered and closed here without being returned, so the server
// never sees it.
func (l *ConnLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		lc, victim := l.admit(c)
		if victim != nil {
			// Its slot was given to lc already; its server goroutine sees
			// the connection closed and ends.
			_ = victim.Conn.Close()
		}
		if lc != nil {
			return lc, nil
		}
		l.refuse(c)
	}
}

// admit counts c in, making room by evicting the connection idle longest
// if the limit is reached. It returns nil when there is no room.
func (l *ConnLimiter) admit(c net.Conn) (lc, victim *limitedConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open >= l.max {
		front := l.idle.Front()
		if front == nil {
			return nil, nil
		}
		victim = front.Value.(*limitedConn)
		l.releaseLocked(victim)
	}
	l.open++
	lc = &limitedConn{Conn: c, l: l}
	// A new connection has no request in progress yet: until it sends one
	// it is as evictable as an idle one, or connections that never send
	// anything would hold their slots until ReadHeaderTimeout.
	lc.elem = l.idle.PushBack(lc)
	return lc, victim
}

func (l *ConnLimiter) releaseLocked(c *limitedConn) {
	if c.released {
		return
	}
	c.released = true
	l.open--
	if c.elem != nil {
		l.idle.Remove(c.elem)
		c.elem = nil
	}
}

// ConnState is the http.Server's ConnState hook: a connection becomes
// evictable when it waits for a request and stops being so while one is
// in progress.
func (l *ConnLimiter) ConnState(c net.Conn, state http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok || lc.l != l {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if lc.released {
		return
	}
	switch state {
	case http.StateNew, http.StateIdle:
		if lc.elem == nil {
			lc.elem = l.idle.PushBack(lc)
		}
	default: // active, hijacked or closed: not to be closed under a request
		if lc.elem != nil {
			l.idle.Remove(lc.elem)
			lc.elem = nil
		}
	}
}

// Open is the number of connections counted against the limit.
func (l *ConnLimiter) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// Close gives the connection's slot back and closes it.
func (c *limitedConn) Close() error {
	c.l.mu.Lock()
	c.l.releaseLocked(c)
	c.l.mu.Unlock()
	return c.Conn.Close()
}

// refuse answers a connection over the limit with the 503 and closes it,
// without reading its request first: the answer is the same whatever it
// asks. It runs off the accept loop so a client that does not read cannot
// hold up the others.
func (l *ConnLimiter) refuse(c net.Conn) {
	select {
	case l.refusing <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-l.refusing }()
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(refuseTimeout)) // socket deadlines are on the wall clock by definition
		if _, err := c.Write(l.refusal.with(newRequestID())); err != nil {
			return
		}
		// Closing with the request unread would send a reset, which may
		// destroy the answer before the client reads it: say we are done
		// writing, and read until the client closes.
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(c, refuseDrain))
	}()
}
