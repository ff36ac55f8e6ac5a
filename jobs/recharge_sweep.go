package jobs

import (
	"context"
	"log/slog"
	"time"
)

// RechargeSweeper is what the recharge sweep runs:
// service.Service.RechargeSweep.
type RechargeSweeper interface {
	RechargeSweep(ctx context.Context) error
}

// DefaultRechargeSweepConfig is the recharge sweep's settings when none
// are given: every minute.
func DefaultRechargeSweepConfig() Config {
	return Config{Interval: time.Minute, Timeout: DefaultTimeout}
}

// RechargeSweep is the auto-recharge catch-up: every Interval it recharges
// the accounts the store finds below their threshold, which the
// observer-driven Recharge job missed (a balance another process moved, a
// run that lost its lease race as the balance fell). Each run holds the
// account's recharge lease, on Coffer's clock, as Recharge does.
//
// Cost to the hot path: none beyond each recharge's credit, one committer
// request.
type RechargeSweep struct{ interval }

// NewRechargeSweep returns the recharge sweep; zero fields of cfg take
// DefaultRechargeSweepConfig's values.
func NewRechargeSweep(work RechargeSweeper, log *slog.Logger, cfg Config) *RechargeSweep {
	return &RechargeSweep{newInterval("recharge sweep", work.RechargeSweep, log, cfg, DefaultRechargeSweepConfig())}
}
