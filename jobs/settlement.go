package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Settler is what the settlement job runs: service.Service.SettlePayments.
type Settler interface {
	SettlePayments(ctx context.Context) error
}

// DefaultSettlementConfig is the settlement job's settings when none are
// given: every minute.
func DefaultSettlementConfig() Config { return Config{Interval: time.Minute, Timeout: DefaultTimeout} }

// Settlement finishes open payments every Interval: bank debits whose
// settlement time has come on Coffer's clock, and payments left processing
// by a process that stopped between the charge and its answer, charged
// again under the payment's own key. It holds no lease: the gateway's
// idempotency key and the payment row's status make a second run a no-op.
//
// Cost to the hot path: none beyond a succeeded payment's credit, which
// goes through the committer as one request, like a purchase.
type Settlement struct{ interval }

// NewSettlement returns the settlement job; zero fields of cfg take
// DefaultSettlementConfig's values.
func NewSettlement(work Settler, log *slog.Logger, cfg Config) *Settlement {
	return &Settlement{newInterval("settlement", work.SettlePayments, log, cfg, DefaultSettlementConfig())}
}
