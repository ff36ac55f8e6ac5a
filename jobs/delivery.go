package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Deliverer is what the delivery job runs: service.Service.DeliveryWake
// and Deliver.
type Deliverer interface {
	// DeliveryWake is signalled when a committed batch, or an operation
	// outside the committer, raised events.
	DeliveryWake() <-chan struct{}
	// Deliver dispatches new events and makes the deliveries due.
	Deliver(ctx context.Context) error
}

// DeliveryConfig is the delivery job's settings.
type DeliveryConfig struct {
	// Poll is how often the job looks for work it was not woken for:
	// events another process wrote, retries that fell due.
	Poll time.Duration
	// Timeout bounds one pass: its store calls and sends carry this
	// deadline. A send it cuts short is not recorded; its lease lapses and
	// it is made again.
	Timeout time.Duration
}

// DefaultDeliveryConfig is the delivery job's settings when none are
// given: a poll every second, as service.NotifyConfig.PollInterval.
func DefaultDeliveryConfig() DeliveryConfig {
	return DeliveryConfig{Poll: time.Second, Timeout: DefaultTimeout}
}

// Validate reports a setting the job cannot run with.
func (c DeliveryConfig) Validate() error {
	var errs []error
	if c.Poll <= 0 {
		errs = append(errs, fmt.Errorf("poll must be above zero, got %s", c.Poll))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout must be above zero, got %s", c.Timeout))
	}
	return errors.Join(errs...)
}

// Delivery sends webhooks and e-mail: each pass dispatches new outbox
// events into deliveries, then claims the deliveries due on Coffer's clock
// under a two-minute lease on that clock and makes them, recording every
// attempt; failures are retried on Coffer's clock. It runs at Start, when
// woken, and every Poll. Webhooks and e-mail are one job because the
// store claims due deliveries of both channels together.
//
// Cost to the hot path: the observer hand-off only — after each batch, on
// the committer's goroutine, a scan of the batch's effects for events and
// a non-blocking signal.
type Delivery struct {
	work Deliverer
	cfg  DeliveryConfig
	log  *slog.Logger
	lc   lifecycle
}

// NewDelivery returns the delivery job; zero fields of cfg take
// DefaultDeliveryConfig's values.
func NewDelivery(work Deliverer, log *slog.Logger, cfg DeliveryConfig) *Delivery {
	def := DefaultDeliveryConfig()
	if cfg.Poll == 0 {
		cfg.Poll = def.Poll
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = def.Timeout
	}
	return &Delivery{work: work, cfg: cfg, log: log}
}

// Start validates the settings and starts the job under ctx; it runs
// until Stop or until ctx ends.
func (j *Delivery) Start(ctx context.Context) error {
	if err := j.cfg.Validate(); err != nil {
		return fmt.Errorf("job delivery: %w", err)
	}
	return j.lc.start(ctx, "delivery", func(ctx context.Context) {
		t := time.NewTicker(j.cfg.Poll)
		defer t.Stop()
		wakeLoop(ctx, j.work.DeliveryWake(), t.C, true, func(ctx context.Context) {
			logFailure(ctx, j.log, "delivery", j.RunOnce(ctx))
		})
	})
}

// Stop ends the job and returns once its goroutine has ended; an attempt
// in progress is cut short and not recorded.
func (j *Delivery) Stop() { j.lc.stop() }

// RunOnce makes one pass now, under the job's Timeout.
func (j *Delivery) RunOnce(ctx context.Context) error {
	return bounded(ctx, j.cfg.Timeout, j.work.Deliver)
}
