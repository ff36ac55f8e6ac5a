package httpapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
)

// limitedServer is an http.Server behind a ConnLimiter. GET /block holds
// its request until release is closed, and reports on entered that it
// started; GET /ok answers at once. idle receives every connection's
// remote address when it turns idle.
type limitedServer struct {
	addr    string
	l       *ConnLimiter
	entered chan struct{}
	release chan struct{}
	idle    chan string
}

func newLimitedServer(t *testing.T, max int) *limitedServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &limitedServer{addr: ln.Addr().String(), l: LimitConnections(ln, max, "v1.2.3-test"),
		entered: make(chan struct{}, 16), release: make(chan struct{}), idle: make(chan string, 64)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /block", func(w http.ResponseWriter, r *http.Request) {
		s.entered <- struct{}{}
		<-s.release
		_, _ = io.WriteString(w, "done")
	})
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	srv := &http.Server{Handler: mux, ConnState: func(c net.Conn, st http.ConnState) {
		s.l.ConnState(c, st)
		if st == http.StateIdle {
			s.idle <- c.RemoteAddr().String()
		}
	}}
	go func() { _ = srv.Serve(s.l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// rawConn is a client connection whose requests and answers the test
// writes and reads itself.
type rawConn struct {
	t *testing.T
	net.Conn
	r *bufio.Reader
}

func (s *limitedServer) dial(t *testing.T) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &rawConn{t: t, Conn: c, r: bufio.NewReader(c)}
}

func (c *rawConn) send(path string) {
	c.t.Helper()
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: coffer\r\n\r\n"); err != nil {
		c.t.Fatal(err)
	}
}

// answer reads one answer, or returns the error that ended the
// connection instead.
func (c *rawConn) answer() (*http.Response, []byte, error) {
	res, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

func (c *rawConn) get(path string) *http.Response {
	c.t.Helper()
	c.send(path)
	res, _, err := c.answer()
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	return res
}

// At the limit, a new connection closes the one idle longest, whether it
// is idle between keep-alive requests or has sent nothing yet, and never
// one with a request in progress; with every connection busy it is
// answered 503 overloaded with Retry-After and Connection: close, in the
// API's error shape. Once a request ends, its connection makes room again.
func TestConnLimiterEvictsIdleThenRefuses(t *testing.T) {
	s := newLimitedServer(t, 3)

	silent := s.dial(t) // never sends a request
	kept := s.dial(t)   // one request, then idle
	if res := kept.get("/ok"); res.StatusCode != http.StatusOK {
		t.Fatalf("GET /ok: %s", res.Status)
	}
	if got := <-s.idle; got != kept.LocalAddr().String() {
		t.Fatalf("idle connection %s, want %s", got, kept.LocalAddr())
	}
	busy := s.dial(t)
	busy.send("/block")
	<-s.entered

	// Two new connections: the first closes the silent one, the second
	// the idle one; the busy one is untouched.
	busy2 := s.dial(t)
	busy2.send("/block")
	<-s.entered
	busy3 := s.dial(t)
	busy3.send("/block")
	<-s.entered
	for name, c := range map[string]*rawConn{"silent": silent, "idle": kept} {
		// A write to a connection the server closed may still succeed;
		// no answer comes.
		_, _ = io.WriteString(c, "GET /ok HTTP/1.1\r\nHost: coffer\r\n\r\n")
		if res, _, err := c.answer(); err == nil {
			t.Errorf("the %s connection was not closed to make room: %s", name, res.Status)
		}
	}
	if n := s.l.Open(); n != 3 {
		t.Errorf("%d connections counted, want 3", n)
	}

	// All three are busy now: the next connection is refused.
	refused := s.dial(t)
	refused.send("/ok")
	res, body, err := refused.answer()
	if err != nil {
		t.Fatalf("refused connection: %v", err)
	}
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !res.Close {
		t.Errorf("refusal: %s, Retry-After %q, close %v; want 503 with Retry-After and Connection: close",
			res.Status, res.Header.Get("Retry-After"), res.Close)
	}
	var e api.ErrorBody
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != coffer.EOverloaded || e.Error.Type == "" || e.Error.Message == "" {
		t.Errorf("refusal body %s: want the API's error shape with code overloaded", body)
	}
	if _, err := refused.r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("after the refusal: %v, want the connection closed", err)
	}
	// It answers as every other 503 does: the version, and a request id
	// in the header and the body, new for each refusal.
	id := res.Header.Get(requestIDHeader)
	if v := res.Header.Get("X-Coffer-Version"); v != "v1.2.3-test" {
		t.Errorf("refusal X-Coffer-Version %q, want v1.2.3-test", v)
	}
	if !strings.HasPrefix(id, "req_") || !validRequestID(id) || e.Error.RequestID != id ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("refusal X-Request-Id %q, body request_id %q, nosniff %q: want one new id in both",
			id, e.Error.RequestID, res.Header.Get("X-Content-Type-Options"))
	}
	again := s.dial(t)
	again.send("/ok")
	res2, body2, err := again.answer()
	if err != nil {
		t.Fatalf("second refused connection: %v", err)
	}
	var e2 api.ErrorBody
	if err := json.Unmarshal(body2, &e2); err != nil || res2.Header.Get(requestIDHeader) == id ||
		e2.Error.RequestID != res2.Header.Get(requestIDHeader) || len(body2) != len(body) {
		t.Errorf("second refusal: X-Request-Id %q, body %s; want a new id, the same in both, after %q",
			res2.Header.Get(requestIDHeader), body2, id)
	}

	close(s.release)
	for _, c := range []*rawConn{busy, busy2, busy3} {
		if res, body, err := c.answer(); err != nil || res.StatusCode != http.StatusOK || string(body) != "done" {
			t.Fatalf("busy request: %v %v %q", res, err, body)
		}
	}
	for range 3 { // the server marks them idle after writing their answers
		<-s.idle
	}
	if res := s.dial(t).get("/ok"); res.StatusCode != http.StatusOK {
		t.Errorf("after the busy requests ended: %s", res.Status)
	}
}
