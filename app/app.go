// Package app is Coffer assembled: it opens and migrates the store, checks
// the secrets keys, picks the clock and the payment gateway, builds the
// service and serves its HTTP API. `coffer serve` parses its flags into a
// ServerConfig, starting from DefaultServerConfig, and calls StartServer;
// the end-to-end tests call it the same way, so what they start is what
// the command starts.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/httpapi"
	"github.com/cofferdev/coffer/jobs"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// ServerConfig is everything `coffer serve` can be told. Its defaults are
// DefaultServerConfig's (config.go); fields left at their zero value, as a
// test's literal leaves them, take the same defaults where a zero could
// mean nothing else.
type ServerConfig struct {
	Addr      string // listen address; port 0 picks a free port
	DB        string // SQLite file path, or a postgres:// URL
	TestClock bool   // run on a test clock moved through the API
	ClockAt   time.Time
	Service   service.Config
	Gateway   GatewayConfig // gateway.go
	HTTP      HTTPConfig    // connection limit and timeouts (http.go)
	// Secrets are the keys that encrypt webhook signing secrets in the
	// store (secrets.go); none keeps them in the clear.
	Secrets SecretsKeys
	// Logging says how `coffer serve` builds Log; StartServer reads only
	// Log, nil discarding the log, and Format for the Banner's.
	Logging LogConfig
	Log     *slog.Logger
	// Banner receives the one-time notice with the initial admin key. It
	// must not be the log's stream.
	Banner io.Writer
	// ShutdownTimeout bounds a graceful shutdown (shutdown.go).
	ShutdownTimeout time.Duration
	// ShutdownDrainDelay is how long a shutdown keeps serving with
	// /readyz failing before it closes the listener (shutdown.go); zero
	// closes at once. It is part of ShutdownTimeout, and must be shorter.
	ShutdownDrainDelay time.Duration
	// Version is the build's version (ReadBuildInfo), shown in the
	// OpenAPI document and every answer's X-Coffer-Version; empty reads
	// as "dev".
	Version string
	// Metrics says where the Prometheus metrics are served (metrics.go).
	Metrics MetricsConfig
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
	// StaffEmail and StaffPassword are the first console user's sign-in,
	// made on first start when the store has no console user; empty
	// when users already existed.
	StaffEmail, StaffPassword string

	// metrics is nil when they are off (metrics.go).
	metrics *serverMetrics
	// health answers /readyz and drains the API on shutdown (shutdown.go).
	health *httpapi.Health
	// drainTimer waits out the drain delay: time.After, which tests
	// replace with a channel they close.
	drainTimer func(time.Duration) <-chan time.Time
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
	if err := cfg.checkDrainDelay(); err != nil {
		return nil, err
	}
	keys, err := cfg.Secrets.Keyring()
	if err != nil {
		return nil, err
	}
	cfg.Service.Secrets = keys
	st, err := OpenStore(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	// Every stored secret must open before anything is delivered: a wrong
	// key is a refusal to start, not a stream of bad signatures.
	rep, err := service.CheckWebhookSecrets(ctx, st, keys)
	if err != nil {
		st.Close()
		return nil, SecretsError(err, keys)
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
			start = coffer.SystemClock{}.Now() // where a test clock starts when told nothing: now
		}
		clock = coffer.NewTestClock(start)
	}
	if err := cfg.openGateway(clock); err != nil {
		st.Close()
		return nil, err
	}
	s := &Server{cfg: cfg, store: st, done: make(chan error, 1), drainTimer: time.After}
	s.health = httpapi.NewHealth(s)
	stack := NewStack(st, clock, cfg, s.health)
	s.svc, s.metrics = stack.Service, stack.metrics
	if s.AdminKey, err = s.svc.EnsureAdminKey(ctx); err != nil {
		s.closeCore()
		return nil, fmt.Errorf("create the initial admin key: %w", err)
	}
	if s.StaffEmail, s.StaffPassword, err = s.svc.EnsureStaffUser(ctx); err != nil {
		s.closeCore()
		return nil, fmt.Errorf("create the first console user: %w", err)
	}
	s.jobs = jobs.ForServer(s.metrics.jobs(s.svc), cfg.Log, jobs.ServerConfig{Interval: cfg.Service.SweepInterval,
		Poll: cfg.Service.Notify.PollInterval, TestClock: cfg.TestClock, NoDelivery: cfg.Service.Notify.NoDelivery})
	// The jobs live as long as the server, not as the call that starts it:
	// their context keeps ctx's values but only Close (Group.Stop) ends it.
	if err := s.jobs.Start(context.WithoutCancel(ctx)); err != nil {
		s.closeCore()
		return nil, fmt.Errorf("start the background jobs: %w", err)
	}
	if s.AdminKey != "" && cfg.Banner != nil {
		writeBanner(cfg.Banner, cfg.Logging.Format, s.AdminKey)
	}
	if s.StaffPassword != "" && cfg.Banner != nil {
		writeStaffBanner(cfg.Banner, cfg.Logging.Format, s.StaffEmail, s.StaffPassword)
	}
	if s.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		s.closeCore()
		return nil, err
	}
	if err := s.metrics.listen(cfg.Log); err != nil {
		s.ln.Close()
		s.closeCore()
		return nil, err
	}
	hc := cfg.HTTP.withDefaults()
	s.conns = httpapi.LimitConnections(s.ln, hc.MaxConnections, cfg.Version)
	s.http = &http.Server{
		Handler:           stack.Handler,
		ReadHeaderTimeout: hc.ReadHeaderTimeout,
		ReadTimeout:       hc.ReadTimeout,
		WriteTimeout:      hc.WriteTimeout,
		IdleTimeout:       hc.IdleTimeout,
		// The server's own complaints (a failed accept, a bad TLS hello)
		// go to the log in its format, not to the standard logger.
		ErrorLog: slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn),
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

// OpenStore opens and migrates the store a DSN names.
func OpenStore(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", Redact(dsn), err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate store: %w", err)
	}
	return st, nil
}

// URL is the server's base URL.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Store is the server's open store, for what the API does not show: the
// ledger check, and rows a test plants behind the API's back.
func (s *Server) Store() *sqlstore.Store { return s.store }

// Service is the server's service, for what only an operator does beside
// the API, such as creating API keys.
func (s *Server) Service() *service.Service { return s.svc }

// Wait blocks until the server stops serving.
func (s *Server) Wait() error {
	err := <-s.done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close shuts the server down gracefully (Shutdown, shutdown.go), within
// the configured shutdown timeout.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.shutdownTimeout())
	defer cancel()
	return s.Shutdown(ctx)
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

// Redact hides a password in a database URL before it is printed.
func Redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.LastIndex(dsn, "@"); at > i {
			creds := dsn[i+3 : at]
			if c := strings.Index(creds, ":"); c >= 0 {
				return dsn[:i+3] + creds[:c] + ":***" + dsn[at:]
			}
		}
	}
	return dsn
}
