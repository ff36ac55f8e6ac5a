package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/committer"
)

// Committer returns the committer.Meter that feeds the batch size, busy
// time and debit and hold counters; set it as service.Config.Meter.
func (m *Metrics) Committer() committer.Meter {
	return &committerMeter{m: m,
		debitOK: m.debits.WithLabelValues("accepted", ""),
		holdOK:  m.holds.WithLabelValues("accepted", "")}
}

type committerMeter struct {
	m               *Metrics
	debitOK, holdOK prometheus.Counter // resolved once: the hot path's label lookups
}

func (c *committerMeter) Batch(size int, busy time.Duration) {
	c.m.batchSize.Observe(float64(size))
	c.m.busy.Add(busy.Seconds())
}

func (c *committerMeter) Answered(kind committer.Kind, err error) {
	var ok prometheus.Counter
	var vec *prometheus.CounterVec
	switch kind {
	case committer.KindDebit:
		ok, vec = c.debitOK, c.m.debits
	case committer.KindHold:
		ok, vec = c.holdOK, c.m.holds
	default:
		return
	}
	if err == nil {
		ok.Inc()
		return
	}
	vec.WithLabelValues("refused", coffer.ErrorCode(err)).Inc()
}

// Queue is what WatchCommitter reads: *service.Service has it.
type Queue interface {
	// Queued is how many requests wait for the committers.
	Queued() int
	// Committers is how many committers run side by side.
	Committers() int
}

// WatchCommitter registers the committers' queue depth and count, read at
// scrape time, so the hot path pays nothing for them.
func (m *Metrics) WatchCommitter(q Queue) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "coffer_committer_queue_depth",
			Help: "Requests waiting for a committer."}, func() float64 { return float64(q.Queued()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "coffer_committers",
			Help: "Committers running side by side."}, func() float64 { return float64(q.Committers()) }))
}
