package jobs

import (
	"context"
	"log/slog"
	"time"
)

// TrueUpper is what the true-up job runs: service.Service.TrueUp.
type TrueUpper interface {
	TrueUp(ctx context.Context) error
}

// DefaultTrueUpConfig is the true-up job's settings when none are given:
// every minute.
func DefaultTrueUpConfig() Config { return Config{Interval: time.Minute, Timeout: DefaultTimeout} }

// TrueUp credits each enrolled account's previous month of usage from its
// gifted-credit program's gift, on the 1st a minute after the month ends
// on Coffer's clock. It holds no lease: a month's credit is a committer
// request under a key of the enrollment and month, so a second process
// or a rerun answers the first credit and credits nothing more.
//
// Cost to the hot path: one committer request per enrolled account and
// month, sharing batches with debits; between months, one read of the
// active enrollments per pass.
type TrueUp struct{ interval }

// NewTrueUp returns the true-up job; zero fields of cfg take
// DefaultTrueUpConfig's values.
func NewTrueUp(work TrueUpper, log *slog.Logger, cfg Config) *TrueUp {
	return &TrueUp{newInterval("true-up", work.TrueUp, log, cfg, DefaultTrueUpConfig())}
}
