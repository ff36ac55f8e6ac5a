package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cofferdev/coffer/httpapi"
)

// defaultShutdownTimeout bounds a graceful shutdown: the write timeout
// (30 s) is the longest an honest request in flight may still take, and
// the committer's queue drains in a fraction of that.
const defaultShutdownTimeout = 30 * time.Second

// defaultShutdownDrainDelay is how long a shutdown keeps serving after
// /readyz turns 503, before the listener closes. Kubernetes takes a
// terminating pod out of its Service's endpoints at the moment it sends
// SIGTERM, but kube-proxy, ingress controllers and cloud load balancers
// learn of it a few seconds later and route requests to the pod
// meanwhile; a server that stopped listening at once would refuse them.
// Common practice is a preStop sleep of 5 to 15 s; 5 s covers the usual
// propagation, leaves 25 s of the default 30 s shutdown timeout (and of
// Kubernetes' default 30 s grace period) to finish the requests in
// flight, and delays a restart by systemd or by hand only that much.
const defaultShutdownDrainDelay = 5 * time.Second

// Readiness reasons, as /readyz names them.
const (
	reasonStore      = "store_unavailable"
	reasonMigrations = "migrations_pending"
)

// Ready reports whether the server can serve: its store answers a trivial
// query, and every migration this binary knows has been applied. The
// caller bounds it with ctx (/readyz gives it a second).
func (s *Server) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return &httpapi.NotReady{Reason: reasonStore, Err: storeFailure(ctx, err)}
	}
	if err := s.store.MigrationsCurrent(ctx); err != nil {
		if ctx.Err() != nil {
			return &httpapi.NotReady{Reason: reasonStore, Err: storeFailure(ctx, err)}
		}
		return &httpapi.NotReady{Reason: reasonMigrations, Err: err}
	}
	return nil
}

// storeFailure says a store that did not answer in time so, rather than
// with the driver's words for a cancelled query.
func storeFailure(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return errors.New("the store did not answer in time")
	}
	return fmt.Errorf("the store did not answer: %w", err)
}

// Run serves until ctx ends (SIGTERM or SIGINT, for `coffer serve`), then
// shuts down gracefully within the configured shutdown timeout. It
// returns once the shutdown is complete, so that the process exits only
// after every accepted request has its answer.
func (s *Server) Run(ctx context.Context) error {
	select {
	case err := <-s.done:
		// Serving failed on its own: nothing is left to drain.
		s.closeCore()
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	return s.Close()
}

// shutdownTimeout is ShutdownTimeout, or its default when unset. The
// bound is wall time: the operator's deadline, not Coffer's clock.
func (c ServerConfig) shutdownTimeout() time.Duration {
	if c.ShutdownTimeout <= 0 {
		return defaultShutdownTimeout
	}
	return c.ShutdownTimeout
}

// checkDrainDelay refuses a drain delay that is negative or leaves no
// time within the shutdown timeout, which bounds the whole shutdown.
func (c ServerConfig) checkDrainDelay() error {
	switch d, t := c.ShutdownDrainDelay, c.shutdownTimeout(); {
	case d < 0:
		return fmt.Errorf("--shutdown-drain-delay: %s is negative; give 0 for none", d)
	case d >= t:
		return fmt.Errorf("--shutdown-drain-delay: %s leaves no time within --shutdown-timeout %s, which bounds the whole shutdown; make it shorter", d, t)
	}
	return nil
}

// Shutdown stops the server in the order that loses nothing:
//
//  1. /readyz turns 503 (httpapi.Health.Leave) while requests are still
//     served, for the drain delay (ServerConfig.ShutdownDrainDelay), so
//     that balancers take the server out of rotation before it stops
//     listening;
//  2. new requests are refused with 503 and Retry-After
//     (httpapi.Health.Drain), so clients still sending go elsewhere;
//  3. the listener closes and the requests in flight finish: each is
//     waiting for its committer, which still runs;
//  4. the jobs stop, each after its pass in progress, releasing its
//     leases as it ends;
//  5. the committer commits and answers whatever is still queued, and
//     refuses anything new;
//  6. the store closes.
//
// If ctx ends first, the connections still open are closed and the
// rest follows at once; the error says the deadline passed.
func (s *Server) Shutdown(ctx context.Context) error {
	log := s.cfg.Log
	if d := s.cfg.ShutdownDrainDelay; d > 0 {
		s.health.Leave()
		log.Info("shutting down: /readyz fails; serving for the drain delay before closing the listener", "drain_delay", d)
		select {
		case <-s.drainTimer(d):
		case <-ctx.Done(): // the shutdown timeout bounds the delay too
		}
	}
	s.health.Drain()
	log.Info("shutting down: refusing new requests and finishing those in flight")
	err := s.http.Shutdown(ctx)
	if err != nil {
		log.Warn("shutdown deadline passed with requests in flight; closing their connections", "err", err)
		_ = s.http.Close()
		err = fmt.Errorf("shutdown: %w", err)
	}
	s.metrics.close(ctx)
	s.closeCore()
	log.Info("shut down")
	return err
}
