package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// DefaultTimeout bounds one pass of any job unless its Config says
// otherwise: long enough for a large backlog, short enough that a stuck
// store is noticed and a Stop is not held up for good.
const DefaultTimeout = 5 * time.Minute

// Config is an interval job's settings.
type Config struct {
	// Interval is how long the job waits between passes, on the machine's
	// ticker. What is due in a pass is decided on Coffer's clock.
	Interval time.Duration
	// Timeout bounds one pass: its store calls carry this deadline.
	Timeout time.Duration
}

// Validate reports a setting the job cannot run with.
func (c Config) Validate() error {
	var errs []error
	if c.Interval <= 0 {
		errs = append(errs, fmt.Errorf("interval must be above zero, got %s", c.Interval))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout must be above zero, got %s", c.Timeout))
	}
	return errors.Join(errs...)
}

// orDefault fills c's zero fields from def.
func (c Config) orDefault(def Config) Config {
	if c.Interval == 0 {
		c.Interval = def.Interval
	}
	if c.Timeout == 0 {
		c.Timeout = def.Timeout
	}
	return c
}

// interval is the body every interval job shares: a pass of its work
// every Interval, each under Timeout, until Stop. The first pass comes one
// interval after Start.
type interval struct {
	name string
	work func(context.Context) error
	cfg  Config
	log  *slog.Logger
	lc   lifecycle
}

func newInterval(name string, work func(context.Context) error, log *slog.Logger, cfg, def Config) interval {
	return interval{name: name, work: work, cfg: cfg.orDefault(def), log: log}
}

// Start validates the job's settings and starts its loop under ctx; it
// runs until Stop or until ctx ends.
func (j *interval) Start(ctx context.Context) error {
	if err := j.cfg.Validate(); err != nil {
		return fmt.Errorf("job %s: %w", j.name, err)
	}
	return j.lc.start(ctx, j.name, j.loop)
}

// Stop ends the loop and returns once its goroutine has ended.
func (j *interval) Stop() { j.lc.stop() }

// RunOnce runs one pass now, under the job's Timeout.
func (j *interval) RunOnce(ctx context.Context) error {
	return bounded(ctx, j.cfg.Timeout, j.work)
}

func (j *interval) loop(ctx context.Context) {
	t := time.NewTicker(j.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			logFailure(ctx, j.log, j.name, j.RunOnce(ctx))
		}
	}
}
