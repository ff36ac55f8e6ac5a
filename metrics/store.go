package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/store"
)

// Store is a store.Store that counts the errors of every call, times the
// phases of each committer batch, counts the batches run again, and
// counts the delivery attempts and payments it records. Everything else
// passes straight through: the pass-through methods are in
// store_methods.go.
type Store struct {
	next store.Store
	m    *Metrics
	// phase observers, resolved once: a batch observes five.
	phase [store.NumPhases]prometheus.Observer
	// serialization and uniqueKey count the reruns.
	serialization, uniqueKey prometheus.Counter
}

// Store returns st with metrics around it; hand it to service.New.
func (m *Metrics) Store(st store.Store) *Store {
	s := &Store{next: st, m: m,
		serialization: m.reruns.WithLabelValues("serialization"),
		uniqueKey:     m.reruns.WithLabelValues("unique_key")}
	for p := range store.NumPhases {
		s.phase[p] = m.phases.WithLabelValues(p.String())
	}
	return s
}

// failed counts an error of operation op. A not-found answer is an
// answer, not a failure of the store.
func (s *Store) failed(op string, err error) {
	if err == nil {
		return
	}
	code := coffer.ErrorCode(err)
	if code == coffer.ENotFound {
		return
	}
	if errors.Is(err, context.Canceled) {
		code = "canceled"
	}
	s.m.storeErrors.WithLabelValues(op, code).Inc()
}

// BatchDepth passes the engine's advice to the committer.
func (s *Store) BatchDepth() int {
	if p, ok := s.next.(interface{ BatchDepth() int }); ok {
		return p.BatchDepth()
	}
	return 0
}

// BatchParallelism passes the engine's advice to the committer.
func (s *Store) BatchParallelism() int {
	if p, ok := s.next.(interface{ BatchParallelism() int }); ok {
		return p.BatchParallelism()
	}
	return 0
}

// Batch times the transaction's phases (store.TimeBatch). A store that
// runs fn again (a deadlock, a serialization failure) counts a
// serialization rerun; a conflict returned is a unique key the committer
// will rerun the batch for.
func (s *Store) Batch(ctx context.Context, fn func(store.Batch) error) error {
	phases, runs, err := store.TimeBatch(ctx, time.Now, s.next.Batch, fn) // the store's time, on the machine's clock
	for i, d := range phases {
		s.phase[i].Observe(d.Seconds())
	}
	if runs > 1 {
		s.serialization.Add(float64(runs - 1))
	}
	if coffer.ErrorCode(err) == coffer.EConflict {
		s.uniqueKey.Inc()
	}
	s.failed("Batch", err)
	return err
}

// RecordAttempt counts a delivery attempt by channel and outcome once it
// is saved, and for one that delivered, the lag since the delivery was
// created.
func (s *Store) RecordAttempt(ctx context.Context, a *coffer.Attempt, d *coffer.Delivery, failing *bool) error {
	err := s.next.RecordAttempt(ctx, a, d, failing)
	s.failed("RecordAttempt", err)
	if err != nil || a == nil {
		return err
	}
	outcome := "failed"
	if a.Succeeded {
		outcome = "succeeded"
		s.m.deliveryLag.WithLabelValues(string(d.Channel)).Observe(max(0, a.AttemptedAt.Sub(d.CreatedAt).Seconds()))
	}
	s.m.attempts.WithLabelValues(string(d.Channel), outcome).Inc()
	return nil
}

// FinishPayment counts a payment that this call settled (moved out of
// processing or pending to a new status), by source and outcome. fn may
// run more than once if the store retries it: only the run that
// committed counts.
func (s *Store) FinishPayment(ctx context.Context, id string, fn func(*store.PaymentChange) error) (*coffer.Payment, error) {
	var before, after coffer.PaymentStatus
	p, err := s.next.FinishPayment(ctx, id, func(c *store.PaymentChange) error {
		before = c.Payment.Status
		err := fn(c)
		after = c.Payment.Status
		return err
	})
	s.failed("FinishPayment", err)
	if err == nil && p != nil && after != before {
		s.m.payments.WithLabelValues(string(p.Source), string(after)).Inc()
	}
	return p, err
}

var _ store.Store = (*Store)(nil)

// Close closes the store underneath.
func (s *Store) Close() error { return s.next.Close() }
