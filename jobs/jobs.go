// Package jobs runs Coffer's background work: the expiry sweep, the
// auto-recharge worker and its catch-up sweep, payment schedules, bank
// settlement, invoicing, webhook and e-mail delivery, and the alert
// recommendation.
//
// Every job has the same lifecycle: Start(ctx) starts its one goroutine
// under ctx, Stop ends it and returns once it has ended, and each pass of
// its work runs under a deadline so a stuck store cannot hold it forever.
// What a job does is a narrow method of the service, named by a one- or
// two-method interface here, so a job (or its test) depends only on what
// it uses; the job owns the loop, the interval, the wake-up and stopping.
// Every job decides what is due on Coffer's clock, and every lease is on
// that clock. README.md lists the jobs, their defaults, leases and cost to
// the hot path.
package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Job is the lifecycle every job has.
type Job interface {
	// Start starts the job's goroutine under ctx; it runs until Stop or
	// until ctx ends. Starting a running job is an error.
	Start(ctx context.Context) error
	// Stop ends the job and returns once its goroutine has ended.
	Stop()
}

// Group starts and stops jobs together.
type Group struct {
	jobs    []Job
	started []Job
}

// NewGroup returns a group of the jobs, started in this order and stopped
// in the reverse.
func NewGroup(jobs ...Job) *Group { return &Group{jobs: jobs} }

// Start starts every job. If one fails to start, those already started are
// stopped and its error returned.
func (g *Group) Start(ctx context.Context) error {
	for _, j := range g.jobs {
		if err := j.Start(ctx); err != nil {
			g.Stop()
			return err
		}
		g.started = append(g.started, j)
	}
	return nil
}

// Stop stops the started jobs, last started first, and returns once every
// one's goroutine has ended.
func (g *Group) Stop() {
	for i := len(g.started) - 1; i >= 0; i-- {
		g.started[i].Stop()
	}
	g.started = nil
}

// Running is how many of the group's jobs are started.
func (g *Group) Running() int { return len(g.started) }

// Service is all the work the server's jobs run; *service.Service has it.
type Service interface {
	Expirer
	Settler
	Scheduler
	RechargeSweeper
	Recommender
	Recharger
	Deliverer
	Invoicer
	TrueUpper
}

// ServerConfig says which jobs a server runs and how often.
type ServerConfig struct {
	// Interval is how often each interval job runs (expiry, settlement,
	// schedules, the recharge sweep, recommendations); zero is a minute.
	Interval time.Duration
	// Poll is how often delivery looks for work it was not woken for;
	// zero is a second.
	Poll time.Duration
	// Timeout bounds one pass of any job; zero is DefaultTimeout.
	Timeout time.Duration
	// TestClock leaves the interval jobs to AdvanceClock, which runs
	// them (service.Service.RunDue) as the test clock moves; the woken
	// jobs, recharge and delivery, run as ever.
	TestClock bool
	// NoDelivery leaves delivery to another process.
	NoDelivery bool
}

// ForServer returns the jobs a server runs, in the order they start:
// the woken jobs, then the interval jobs unless the clock is a test clock.
func ForServer(svc Service, log *slog.Logger, cfg ServerConfig) *Group {
	var list []Job
	list = append(list, NewRecharge(svc, log, RechargeConfig{Timeout: cfg.Timeout}))
	if !cfg.NoDelivery {
		list = append(list, NewDelivery(svc, log, DeliveryConfig{Poll: cfg.Poll, Timeout: cfg.Timeout}))
	}
	if !cfg.TestClock {
		every := Config{Interval: cfg.Interval, Timeout: cfg.Timeout}
		list = append(list,
			NewExpiry(svc, log, every),
			NewSettlement(svc, log, every),
			NewSchedules(svc, log, every),
			NewRechargeSweep(svc, log, every),
			NewTrueUp(svc, log, every),
			NewInvoicing(svc, log, every),
			NewRecommendation(svc, log, every))
	}
	return NewGroup(list...)
}
