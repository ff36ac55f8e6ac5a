package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
)

// heldConn is a client connection the test drives by hand.
type heldConn struct {
	net.Conn
	r *bufio.Reader
}

func dialHeld(t *testing.T, srv *app.Server) *heldConn {
	t.Helper()
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &heldConn{Conn: c, r: bufio.NewReader(c)}
}

// healthz sends GET /healthz and reports whether an answer came; a
// connection the server has closed gives none, whether or not the write
// went through.
func (c *heldConn) healthz() bool {
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: coffer\r\n\r\n"); err != nil {
		return false
	}
	res, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	_, err = io.Copy(io.Discard, res.Body)
	return err == nil && res.StatusCode == http.StatusOK
}

// Hundreds of idle connections, some that sent a request and stay open
// for the next (keep-alive), some that never sent anything, cannot starve
// the server: with the limit at 64, every debit over a fresh connection
// succeeds on its first attempt, because a new connection closes the one
// idle longest, and the server is left holding no more than 64 of them.
func TestIdleConnectionsDoNotStarveDebits(t *testing.T) {
	t.Parallel()
	const limit, idle, debits = 64, 300, 40
	stores(t, func(t *testing.T, dsn string) {
		h := startWith(t, dsn, func(c *app.ServerConfig) { c.HTTP.MaxConnections = limit })
		a := h.account("Busy", "")
		h.grant(a.ID, api.GrantCreate{Amount: amt("100.00")})

		held := make([]*heldConn, idle)
		for i := range held {
			held[i] = dialHeld(t, h.srv)
			if i%2 == 0 && !held[i].healthz() { // keep-alive: open for the next request
				t.Fatalf("held connection %d: no answer to its request", i)
			}
		}

		// A fresh connection per debit, and no retry to hide a refusal.
		fresh := client.New(h.srv.URL(), client.WithAPIKey(h.srv.AdminKey), client.WithMaxAttempts(1),
			client.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}))
		for i := range debits {
			if _, err := fresh.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: fmt.Sprintf("busy-%d", i), Amount: amtp("1.00")}); err != nil {
				t.Fatalf("debit %d while %d connections are held: %v", i, idle, err)
			}
		}
		hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		res, err := hc.Get(h.srv.URL() + "/healthz")
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("/healthz while connections are held: %v %v", res, err)
		}
		res.Body.Close()
		wantAmount(t, "balance", h.balance(a.ID).Balance, "60.00")

		// Each held connection the server still has answers; the others
		// were closed to make room.
		answered := 0
		for _, c := range held {
			if c.healthz() {
				answered++
			}
		}
		if answered > limit {
			t.Errorf("%d of %d held connections are still open; the limit is %d", answered, idle, limit)
		}
	})
}

// Clients that send requests and never read the answers are cut off by
// the write timeout: the server closes their connections instead of
// holding them, and what it was writing, for good.
func TestSlowReadersAreCutOff(t *testing.T) {
	t.Parallel()
	const readers, pipelined = 20, 256
	var (
		mu     sync.Mutex
		closed = map[string]bool{} // by the client's address
		change = make(chan struct{}, 1)
	)
	h := startWith(t, filepath.Join(t.TempDir(), "coffer.db"), func(c *app.ServerConfig) {
		c.HTTP.WriteTimeout = 250 * time.Millisecond
		c.HTTP.ConnState = func(conn net.Conn, st http.ConnState) {
			if st != http.StateClosed {
				return
			}
			mu.Lock()
			closed[conn.RemoteAddr().String()] = true
			mu.Unlock()
			select {
			case change <- struct{}{}:
			default:
			}
		}
	})

	// Each asks for the OpenAPI document (over 100 kB) many times over,
	// far more than the socket buffers hold, and reads nothing.
	requests := strings.Repeat("GET /openapi.json HTTP/1.1\r\nHost: coffer\r\n\r\n", pipelined)
	conns := make([]*heldConn, readers)
	for i := range conns {
		conns[i] = dialHeld(t, h.srv)
		if _, err := io.WriteString(conns[i], requests); err != nil {
			t.Fatal(err)
		}
	}

	var timer <-chan time.Time
	if at := giveUpAt(t); !at.IsZero() {
		timer = time.After(time.Until(at))
	}
	for {
		mu.Lock()
		n := 0
		for _, c := range conns {
			if closed[c.LocalAddr().String()] {
				n++
			}
		}
		mu.Unlock()
		if n == readers {
			break
		}
		select {
		case <-change:
		case <-timer:
			t.Fatalf("%d of %d clients that never read are still connected", readers-n, readers)
		}
	}

	// What reached them before the cut is less than they asked for.
	for i, c := range conns {
		got := 0
		for {
			res, err := http.ReadResponse(c.r, nil)
			if err != nil {
				break
			}
			_, err = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if err != nil {
				break
			}
			got++
		}
		if got >= pipelined {
			t.Errorf("client %d got all %d answers; it was not cut off", i, pipelined)
		}
	}
}

// A keep-alive connection that sends no further request is closed after
// the idle timeout.
func TestIdleConnectionsAreClosed(t *testing.T) {
	t.Parallel()
	h := startWith(t, filepath.Join(t.TempDir(), "coffer.db"), func(c *app.ServerConfig) {
		c.HTTP.IdleTimeout = 100 * time.Millisecond
	})
	c := dialHeld(t, h.srv)
	if !c.healthz() {
		t.Fatal("no answer to the first request")
	}
	_ = c.SetReadDeadline(giveUpAt(t))
	if _, err := c.r.ReadByte(); err != io.EOF {
		t.Fatalf("an idle connection was not closed by the server: %v", err)
	}
}
