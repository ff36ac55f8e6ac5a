package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/httpapi"
	"github.com/cofferdev/coffer/jobs"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// ServerConfig is everything `coffer serve` can be told.
type ServerConfig struct {
	Addr      string // listen address; port 0 picks a free port
	DB        string // SQLite file path, or a postgres:// URL
	TestClock bool   // run on a test clock moved through the API
	ClockAt   time.Time
	Service   service.Config
	Gateway   GatewayConfig // payments_flags.go
	HTTP      HTTPConfig    // connection limit and timeouts
	// Secrets are the keys that encrypt webhook signing secrets in the
	// store (secrets.go); none keeps them in the clear.
	Secrets SecretsKeys
	Log     *slog.Logger
	// Banner receives the one-time notice with the initial admin key. It
	// must not be the log's stream.
	Banner io.Writer
}

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
	// maxConnectionsCap is the default limit where the open-file limit is
	// high. Since idle connections make room, in practice only requests in
	// progress count against it, and 4,096 of those at once is far more
	// than the committers serve without a queue building.
	maxConnectionsCap = 4096
	// fdHeadroom is what the default limit keeps of the open-file limit
	// for everything else: the store's pool and files, webhook and SMTP
	// connections, refusals being answered, logs.
	fdHeadroom = 256
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
// flood of clients meets: maxConnectionsCap, or the file limit less
// fdHeadroom when that is lower, or half a file limit too small for the
// headroom. limit is 0 where the platform does not say.
func defaultMaxConnections(limit uint64) int {
	switch {
	case limit == 0 || limit >= maxConnectionsCap+fdHeadroom:
		return maxConnectionsCap
	case limit > 2*fdHeadroom:
		return int(limit - fdHeadroom)
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

// Server is a running Coffer: store, service, its background jobs and the
// HTTP listener. The end-to-end tests start it exactly as `coffer serve`
// does.
type Server struct {
	cfg   ServerConfig
	store *sqlstore.Store
	svc   *service.Service
	jobs  *jobs.Group
	ln    net.Listener
	conns *httpapi.ConnLimiter
	http  *http.Server
	done  chan error
	// AdminKey is the admin key created on first start with an empty
	// store; empty when keys already existed.
	AdminKey string
}

// StartServer opens the store, runs migrations, creates the first admin
// key if there is none, starts the background jobs, and starts serving.
func StartServer(ctx context.Context, cfg ServerConfig) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Service.Notify.SMTP.Validate(); err != nil {
		return nil, err
	}
	keys, err := cfg.Secrets.keyring()
	if err != nil {
		return nil, err
	}
	cfg.Service.Secrets = keys
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	// Every stored secret must open before anything is delivered: a wrong
	// key is a refusal to start, not a stream of bad signatures.
	rep, err := service.CheckWebhookSecrets(ctx, st, keys)
	if err != nil {
		st.Close()
		return nil, secretsError(err, keys)
	}
	switch {
	case keys == nil:
		cfg.Log.Warn("webhook signing secrets are stored in the clear: set --secrets-key (env COFFER_SECRETS_KEY) to encrypt them",
			"endpoints", rep.Endpoints)
	case rep.Stale > 0:
		cfg.Log.Warn("some webhook signing secrets are stored in the clear or under a previous key: run coffer secrets rotate",
			"stale", rep.Stale, "endpoints", rep.Endpoints)
	}
	var clock coffer.Clock = coffer.SystemClock{}
	if cfg.TestClock {
		start := cfg.ClockAt
		if start.IsZero() {
			start = time.Now() // where a test clock starts when told nothing: the machine's time
		}
		clock = coffer.NewTestClock(start)
	}
	if err := cfg.openGateway(clock); err != nil {
		st.Close()
		return nil, err
	}
	s := &Server{cfg: cfg, store: st, done: make(chan error, 1)}
	s.svc = service.New(st, clock, cfg.Log, cfg.Service)
	if s.AdminKey, err = s.svc.EnsureAdminKey(ctx); err != nil {
		s.closeCore()
		return nil, fmt.Errorf("create the initial admin key: %w", err)
	}
	s.jobs = jobs.ForServer(s.svc, cfg.Log, jobs.ServerConfig{Interval: cfg.Service.SweepInterval,
		Poll: cfg.Service.Notify.PollInterval, TestClock: cfg.TestClock, NoDelivery: cfg.Service.Notify.NoDelivery})
	// The jobs live as long as the server, not as the call that starts it:
	// their context keeps ctx's values but only Close (Group.Stop) ends it.
	if err := s.jobs.Start(context.WithoutCancel(ctx)); err != nil {
		s.closeCore()
		return nil, fmt.Errorf("start the background jobs: %w", err)
	}
	if s.AdminKey != "" && cfg.Banner != nil {
		fmt.Fprintf(cfg.Banner, "\nCreated the first admin API key. It is shown only this once; keep it safe:\n\n    %s\n\n", s.AdminKey)
	}
	if s.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		s.closeCore()
		return nil, err
	}
	hc := cfg.HTTP.withDefaults()
	s.conns = httpapi.LimitConnections(s.ln, hc.MaxConnections)
	h := httpapi.New(s.svc, httpapi.Options{Logger: cfg.Log, TestClock: cfg.TestClock, Version: version})
	s.http = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: hc.ReadHeaderTimeout,
		ReadTimeout:       hc.ReadTimeout,
		WriteTimeout:      hc.WriteTimeout,
		IdleTimeout:       hc.IdleTimeout,
		ConnState: func(c net.Conn, state http.ConnState) {
			s.conns.ConnState(c, state)
			if hc.ConnState != nil {
				hc.ConnState(c, state)
			}
		},
	}
	go func() { s.done <- s.http.Serve(s.conns) }()
	cfg.Log.Info("coffer listening", "addr", s.ln.Addr().String(), "store", st.Engine(), "test_clock", cfg.TestClock,
		"max_connections", hc.MaxConnections, "idle_timeout", hc.IdleTimeout, "write_timeout", hc.WriteTimeout)
	return s, nil
}

// openStore opens and migrates the store a DSN names.
func openStore(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", redact(dsn), err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate store: %w", err)
	}
	return st, nil
}

// URL is the server's base URL.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Wait blocks until the server stops serving.
func (s *Server) Wait() error {
	err := <-s.done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops accepting requests, lets those in flight finish (up to a
// deadline), then stops the jobs and the committer and closes the store.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	s.closeCore()
	return err
}

func (s *Server) closeCore() {
	if s.jobs != nil {
		s.jobs.Stop() // before the committer, whose requests the jobs may be waiting on
	}
	if s.svc != nil {
		s.svc.Close()
	}
	s.store.Close()
}
