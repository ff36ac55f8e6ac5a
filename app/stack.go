package app

import (
	"log/slog"
	"net/http"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/console"
	"github.com/cofferdev/coffer/httpapi"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// Stack is Coffer's request path over an open store, built the one way
// StartServer builds it: the service, whose store and committer carry
// the metrics decorators when metrics are on, and the API handler, with
// the metrics middleware, the rate limits and GET /metrics beside the
// API as cfg says. StartServer adds the jobs, the listener and its
// connection limit, readiness and shutdown; `coffer bench` builds stacks
// alone, to measure what a server's request path pays for metrics and
// rate limits.
type Stack struct {
	Service *service.Service
	Handler http.Handler
	// metrics is nil when they are off (metrics.go).
	metrics *serverMetrics
}

// NewStack builds the stack over st from cfg's Service, Metrics,
// HTTP.RateLimits, Log, TestClock and Version. health answers /readyz;
// nil is always ready. The metrics' own listener, if cfg names one, is
// not started here. Close the Service when done; the store stays open.
func NewStack(st *sqlstore.Store, clock coffer.Clock, cfg ServerConfig, health *httpapi.Health) *Stack {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	m := newServerMetrics(cfg.Metrics)
	svc := service.New(m.store(st), clock, cfg.Log, m.service(cfg.Service))
	m.watch(st, svc, clock)
	// The web console takes what the API does not: / and its pages.
	web := console.New(svc, console.Options{Logger: cfg.Log, PublicURL: cfg.Service.Invoices.PublicURL})
	h := httpapi.New(svc, httpapi.Options{Logger: cfg.Log, TestClock: cfg.TestClock, Version: cfg.Version,
		Metrics: m.http(), RateLimits: cfg.HTTP.RateLimits, Health: health, Fallback: web})
	return &Stack{Service: svc, Handler: m.handler(h), metrics: m}
}
