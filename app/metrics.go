package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/httpapi"
	"github.com/cofferdev/coffer/jobs"
	"github.com/cofferdev/coffer/metrics"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/store"
)

// MetricsConfig says where the server serves its Prometheus metrics
// (docs/metrics.md).
type MetricsConfig struct {
	// Addr is "" to serve GET /metrics on the API's own listener, without
	// authentication; MetricsOff to serve none and measure nothing; or an
	// address of its own, such as 127.0.0.1:9464, to keep the metrics off
	// the API's port.
	Addr string
}

// MetricsOff as MetricsConfig.Addr turns the metrics off.
const MetricsOff = "off"

// outboxScrapeTimeout bounds the store read of the outbox backlog at each
// scrape, well under Prometheus's default scrape timeout of 10 s.
const outboxScrapeTimeout = 2 * time.Second

// serverMetrics is a server's registry and the decorators that feed it.
// A nil *serverMetrics is metrics turned off: every method then hands back
// what it was given.
type serverMetrics struct {
	cfg MetricsConfig
	reg *prometheus.Registry
	m   *metrics.Metrics
	srv *http.Server // the metrics' own listener, when Addr names one
	ln  net.Listener
}

func newServerMetrics(cfg MetricsConfig) *serverMetrics {
	if cfg.Addr == MetricsOff {
		return nil
	}
	reg := metrics.NewRegistry()
	return &serverMetrics{cfg: cfg, reg: reg, m: metrics.New(reg)}
}

func (x *serverMetrics) store(st store.Store) store.Store {
	if x == nil {
		return st
	}
	return x.m.Store(st)
}

func (x *serverMetrics) service(cfg service.Config) service.Config {
	if x != nil {
		cfg.Meter = x.m.Committer()
	}
	return cfg
}

func (x *serverMetrics) jobs(svc *service.Service) jobs.Service {
	if x == nil {
		return svc
	}
	return x.m.Jobs(svc)
}

func (x *serverMetrics) http() httpapi.RequestObserver {
	if x == nil {
		return nil
	}
	return x.m.HTTP()
}

// watch registers what is read at scrape time: the committers' queue and
// the outbox.
func (x *serverMetrics) watch(st *sqlstore.Store, svc *service.Service, clock coffer.Clock) {
	if x == nil {
		return
	}
	x.m.WatchCommitter(svc)
	x.m.WatchOutbox(st, clock, outboxScrapeTimeout)
}

// handler serves GET /metrics beside the API when the metrics have no
// listener of their own.
func (x *serverMetrics) handler(api http.Handler) http.Handler {
	if x == nil || x.cfg.Addr != "" {
		return api
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler(x.reg))
	mux.Handle("/", api)
	return mux
}

// listen starts the metrics' own listener, if they have one.
func (x *serverMetrics) listen(log *slog.Logger) error {
	if x == nil || x.cfg.Addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", x.cfg.Addr)
	if err != nil {
		return fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler(x.reg))
	x.ln, x.srv = ln, &http.Server{Handler: mux, ReadHeaderTimeout: defaultReadHeaderTimeout,
		WriteTimeout: defaultWriteTimeout, IdleTimeout: defaultIdleTimeout}
	go func() {
		if err := x.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	}()
	log.Info("coffer metrics listening", "addr", ln.Addr().String())
	return nil
}

func (x *serverMetrics) close(ctx context.Context) {
	if x != nil && x.srv != nil {
		_ = x.srv.Shutdown(ctx)
	}
}

// MetricsURL is where the server's metrics are scraped, or "" when they
// are off.
func (s *Server) MetricsURL() string {
	switch {
	case s.metrics == nil:
		return ""
	case s.metrics.ln != nil:
		return "http://" + s.metrics.ln.Addr().String() + "/metrics"
	}
	return s.URL() + "/metrics"
}
