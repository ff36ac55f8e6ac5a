package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Recharger is what the recharge job runs: service.Service.RechargeWake
// and RechargeNoted.
type Recharger interface {
	// RechargeWake is signalled when the committer's observer notes
	// accounts whose balances moved.
	RechargeWake() <-chan struct{}
	// RechargeNoted checks the accounts noted since it last ran.
	RechargeNoted(ctx context.Context) error
}

// RechargeConfig is the recharge job's settings.
type RechargeConfig struct {
	// Timeout bounds one pass over the noted accounts: its store and
	// gateway calls carry this deadline. Accounts a cut pass leaves are
	// found by the recharge sweep.
	Timeout time.Duration
}

// DefaultRechargeConfig is the recharge job's settings when none are
// given.
func DefaultRechargeConfig() RechargeConfig { return RechargeConfig{Timeout: DefaultTimeout} }

// Validate reports a setting the job cannot run with.
func (c RechargeConfig) Validate() error {
	if c.Timeout <= 0 {
		return fmt.Errorf("timeout must be above zero, got %s", c.Timeout)
	}
	return nil
}

// Recharge is the auto-recharge worker. It has no interval: it runs when
// the committer's observer (or a change of settings) wakes it, and checks
// the noted accounts one at a time against their cached settings,
// charging those below their threshold. Each run on an account holds the
// account's recharge lease row, on Coffer's clock, for two minutes, so
// one recharge runs per account across processes.
//
// Cost to the hot path: the observer hand-off only — after each batch, on
// the committer's goroutine, the touched accounts' balances go into a map
// under a mutex and a non-blocking signal wakes the job. Charges and their
// credits happen here, off the hot path (a credit is one committer
// request).
type Recharge struct {
	work Recharger
	cfg  RechargeConfig
	log  *slog.Logger
	lc   lifecycle
}

// NewRecharge returns the recharge job; zero fields of cfg take
// DefaultRechargeConfig's values.
func NewRecharge(work Recharger, log *slog.Logger, cfg RechargeConfig) *Recharge {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultRechargeConfig().Timeout
	}
	return &Recharge{work: work, cfg: cfg, log: log}
}

// Start validates the settings and starts the worker under ctx; it runs
// until Stop or until ctx ends.
func (j *Recharge) Start(ctx context.Context) error {
	if err := j.cfg.Validate(); err != nil {
		return fmt.Errorf("job recharge: %w", err)
	}
	return j.lc.start(ctx, "recharge", func(ctx context.Context) {
		wakeLoop(ctx, j.work.RechargeWake(), nil, false, func(ctx context.Context) {
			logFailure(ctx, j.log, "recharge", j.RunOnce(ctx))
		})
	})
}

// Stop ends the worker and returns once its goroutine has ended.
func (j *Recharge) Stop() { j.lc.stop() }

// RunOnce checks the accounts noted so far, under the job's Timeout.
func (j *Recharge) RunOnce(ctx context.Context) error {
	return bounded(ctx, j.cfg.Timeout, j.work.RechargeNoted)
}
