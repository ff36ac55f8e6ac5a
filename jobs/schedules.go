package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Scheduler is what the schedules job runs: service.Service.RunSchedules.
type Scheduler interface {
	RunSchedules(ctx context.Context) error
}

// DefaultSchedulesConfig is the schedules job's settings when none are
// given: every minute.
func DefaultSchedulesConfig() Config { return Config{Interval: time.Minute, Timeout: DefaultTimeout} }

// Schedules makes, every Interval, the scheduled bank debits that fell due
// on Coffer's clock. It holds no lease: each run of a schedule is one
// payment under a unique key (the schedule and the run's date), so two
// processes debit once.
//
// Cost to the hot path: none beyond a debit's credit when it settles at
// once, one committer request.
type Schedules struct{ interval }

// NewSchedules returns the schedules job; zero fields of cfg take
// DefaultSchedulesConfig's values.
func NewSchedules(work Scheduler, log *slog.Logger, cfg Config) *Schedules {
	return &Schedules{newInterval("schedules", work.RunSchedules, log, cfg, DefaultSchedulesConfig())}
}
