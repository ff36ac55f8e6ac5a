package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Expirer is what the expiry job runs: service.Service.Expire.
type Expirer interface {
	Expire(ctx context.Context) error
}

// DefaultExpiryConfig is the expiry sweep's settings when none are given:
// every minute, as `--sweep-interval` defaults.
func DefaultExpiryConfig() Config { return Config{Interval: time.Minute, Timeout: DefaultTimeout} }

// Expiry is the expiry sweep: every Interval it expires the lots and holds
// past due on Coffer's clock, sending each due account through the
// committer. It holds no lease: the committer's row locks make a second
// process's sweep of the same account a no-op.
//
// Cost to the hot path: its requests (one per due account) share the
// committer's batches with debits; nothing else.
type Expiry struct{ interval }

// NewExpiry returns the expiry job; zero fields of cfg take
// DefaultExpiryConfig's values.
func NewExpiry(work Expirer, log *slog.Logger, cfg Config) *Expiry {
	return &Expiry{newInterval("expiry", work.Expire, log, cfg, DefaultExpiryConfig())}
}
