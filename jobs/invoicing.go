package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Invoicer is what the invoicing job runs: service.Service.ClosePeriods
// and CollectInvoices.
type Invoicer interface {
	ClosePeriods(ctx context.Context) error
	CollectInvoices(ctx context.Context) error
}

// DefaultInvoicingConfig is the invoicing job's settings when none are
// given: every minute.
func DefaultInvoicingConfig() Config { return Config{Interval: time.Minute, Timeout: DefaultTimeout} }

// Invoicing closes ended periods and collects unpaid invoices every
// Interval, on Coffer's clock: each month, a minute after it ends, one
// invoice per account; then every invoice whose payment attempt is due.
// It holds no lease. A second process's close of an account and period
// is the same committer request under the same key, answered from the
// first one's stored answer; a second process's collection of an invoice
// is the same payment (keyed by invoice and attempt) charged under the
// same gateway key.
//
// Cost to the hot path: one committer request per account and month,
// sharing batches with debits; the reads that tally a period run outside
// the committer. docs/performance.md has the figures.
type Invoicing struct{ interval }

// NewInvoicing returns the invoicing job; zero fields of cfg take
// DefaultInvoicingConfig's values.
func NewInvoicing(work Invoicer, log *slog.Logger, cfg Config) *Invoicing {
	run := func(ctx context.Context) error {
		if err := work.ClosePeriods(ctx); err != nil {
			return err
		}
		return work.CollectInvoices(ctx)
	}
	return &Invoicing{newInterval("invoicing", run, log, cfg, DefaultInvoicingConfig())}
}
