package app

import (
	"net"
	"net/http"
	"time"

	"github.com/cofferdev/coffer/httpapi"
)

// HTTPConfig bounds what clients may hold of the server: how many
// connections, and for how long each may sit idle or take over a request.
// Without these one client could keep sockets open until the process ran
// out of file descriptors, and nothing else, debits or /healthz, got
// through. Zero fields take DefaultHTTPConfig's values.
type HTTPConfig struct {
	// MaxConnections is the most client connections open at once; at the
	// limit a new one closes the longest idle, or is refused with a 503
	// when none is idle (httpapi.ConnLimiter).
	MaxConnections int
	// IdleTimeout closes a keep-alive connection waiting this long for
	// its next request.
	IdleTimeout time.Duration
	// ReadHeaderTimeout and ReadTimeout bound reading a request's header,
	// and its header and body.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	// WriteTimeout bounds a request from the end of its header to the
	// last byte of its answer, so a client that never reads its answers
	// cannot keep the connection, and the handler's buffers, forever.
	WriteTimeout time.Duration
	// RateLimits are the per-key request rates of each role; off when
	// zero, the default (httpapi.RateLimits).
	RateLimits httpapi.RateLimits
	// ConnState, if set, sees every connection's state change after the
	// limiter has; tests watch connections close with it.
	ConnState func(net.Conn, http.ConnState)
}

// Defaults of HTTPConfig, in the one place flags and StartServer read.
const (
	// Longer than the 60 s idle timeout of common load balancers, so that
	// the balancer closes a pooled connection before Coffer does and never
	// sends a request on one Coffer is closing.
	defaultIdleTimeout       = 90 * time.Second
	defaultReadHeaderTimeout = 10 * time.Second
	// A request body is read within 5 s (httpapi); this is the whole
	// request, header included, and leaves room for both.
	defaultReadTimeout = 30 * time.Second
	// The slowest honest request, a batch of 10,000 debits, takes about a
	// second at the 11,000 to 15,000 debits/s the stores sustain
	// (docs/performance.md); 30 s leaves room for a queue and a slow
	// network while cutting off a client that stopped reading.
	defaultWriteTimeout = 30 * time.Second
	// MaxConnectionsCap is the default limit where the open-file limit is
	// high. Since idle connections make room, in practice only requests in
	// progress count against it, and 4,096 of those at once is far more
	// than the committers serve without a queue building.
	MaxConnectionsCap = 4096
	// FDHeadroom is what the default limit keeps of the open-file limit
	// for everything else: the store's pool and files, webhook and SMTP
	// connections, refusals being answered, logs.
	FDHeadroom = 256
)

// DefaultHTTPConfig returns the settings used when nothing is configured.
func DefaultHTTPConfig() HTTPConfig {
	return HTTPConfig{
		MaxConnections:    defaultMaxConnections(openFileLimit()),
		IdleTimeout:       defaultIdleTimeout,
		ReadHeaderTimeout: defaultReadHeaderTimeout,
		ReadTimeout:       defaultReadTimeout,
		WriteTimeout:      defaultWriteTimeout,
	}
}

// defaultMaxConnections keeps the limit below the process's open-file
// limit, so that the connection limit, not the file limit, is what a
// flood of clients meets: MaxConnectionsCap, or the file limit less
// FDHeadroom when that is lower, or half a file limit too small for the
// headroom. limit is 0 where the platform does not say.
func defaultMaxConnections(limit uint64) int {
	switch {
	case limit == 0 || limit >= MaxConnectionsCap+FDHeadroom:
		return MaxConnectionsCap
	case limit > 2*FDHeadroom:
		return int(limit - FDHeadroom)
	}
	return max(1, int(limit/2))
}

// withDefaults fills the zero fields of c.
func (c HTTPConfig) withDefaults() HTTPConfig {
	d := DefaultHTTPConfig()
	if c.MaxConnections <= 0 {
		c.MaxConnections = d.MaxConnections
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = d.IdleTimeout
	}
	if c.ReadHeaderTimeout <= 0 {
		c.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = d.ReadTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = d.WriteTimeout
	}
	return c
}
