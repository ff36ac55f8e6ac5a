package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/store"
)

// OutboxReader reads the outbox's backlog: *sqlstore.Store has it.
type OutboxReader interface {
	Outbox(ctx context.Context) (store.Outbox, error)
}

// WatchOutbox registers a collector that reads the outbox's backlog from
// the store at each scrape, under timeout, with ages on Coffer's clock. A
// read that fails or runs out of time leaves the backlog out of that
// scrape and counts coffer_outbox_scrape_errors_total, so a slow store
// slows no scrape past the deadline.
func (m *Metrics) WatchOutbox(r OutboxReader, clock coffer.Clock, timeout time.Duration) {
	o := &outbox{r: r, clock: clock, timeout: timeout,
		backlog: prometheus.NewDesc("coffer_outbox_backlog",
			"Outbox work not done: events not yet dispatched (stage=undispatched), deliveries waiting for an attempt or a retry (stage=pending).",
			[]string{"stage"}, nil),
		age: prometheus.NewDesc("coffer_outbox_oldest_age_seconds",
			"Age of the oldest undispatched event (stage=undispatched) and of the oldest pending delivery (stage=pending); 0 when there is none.",
			[]string{"stage"}, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "coffer_outbox_scrape_errors_total",
			Help: "Scrapes whose read of the outbox failed or ran out of time."}),
	}
	m.reg.MustRegister(o)
}

var _ prometheus.Collector = (*outbox)(nil)

type outbox struct {
	r       OutboxReader
	clock   coffer.Clock
	timeout time.Duration
	backlog *prometheus.Desc
	age     *prometheus.Desc
	errors  prometheus.Counter
}

func (o *outbox) Describe(ch chan<- *prometheus.Desc) {
	ch <- o.backlog
	ch <- o.age
	o.errors.Describe(ch)
}

func (o *outbox) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	st, err := o.r.Outbox(ctx)
	if err != nil {
		o.errors.Inc()
	} else {
		now := o.clock.Now()
		age := func(t time.Time) float64 {
			if t.IsZero() {
				return 0
			}
			return max(0, now.Sub(t).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(o.backlog, prometheus.GaugeValue, float64(st.Undispatched), "undispatched")
		ch <- prometheus.MustNewConstMetric(o.backlog, prometheus.GaugeValue, float64(st.Pending), "pending")
		ch <- prometheus.MustNewConstMetric(o.age, prometheus.GaugeValue, age(st.OldestUndispatched), "undispatched")
		ch <- prometheus.MustNewConstMetric(o.age, prometheus.GaugeValue, age(st.OldestPending), "pending")
	}
	o.errors.Collect(ch)
}
