// Package metrics exposes Coffer's Prometheus metrics. It adds them from
// the outside, as decorators: a store that counts and times what passes
// through it (store.go), a committer.Meter (committer.go), a wrapper over
// the jobs' work (jobs.go), an HTTP request observer (http.go) and
// collectors that read the store and the committer's queue at scrape time
// (collect.go). Nothing in the service or the ledger knows about metrics.
//
// Every metric is registered on the registry passed to New: there is no
// global registry, and two servers in one process (as in the tests) each
// have their own. docs/metrics.md lists the metrics.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds Coffer's metrics; its methods return the decorators that
// feed them. It is safe for concurrent use.
type Metrics struct {
	reg prometheus.Registerer

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec

	debits *prometheus.CounterVec
	holds  *prometheus.CounterVec

	batchSize prometheus.Observer
	busy      prometheus.Counter
	phases    *prometheus.HistogramVec

	storeErrors *prometheus.CounterVec
	reruns      *prometheus.CounterVec

	attempts    *prometheus.CounterVec
	deliveryLag *prometheus.HistogramVec
	payments    *prometheus.CounterVec
	jobRuns     *prometheus.CounterVec
	jobFailures *prometheus.CounterVec
	jobDuration *prometheus.HistogramVec
	jobLastOK   *prometheus.GaugeVec
}

// NewRegistry returns a registry with the Go runtime and process
// collectors, for New and Handler.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Handler serves the registry's metrics in the Prometheus text format.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// Latency buckets, in seconds: from a debit answered in well under a
// millisecond to a batch of 10,000 debits or a slow webhook receiver.
var (
	requestBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	phaseBuckets   = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}
	batchBuckets   = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}
	lagBuckets     = []float64{.1, .5, 1, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, 24 * 3600}
	jobBuckets     = []float64{.001, .01, .1, .5, 1, 5, 10, 30, 60, 300}
)

// New registers Coffer's metrics on reg.
func New(reg prometheus.Registerer) *Metrics {
	f := factory{reg}
	m := &Metrics{reg: reg}
	m.requests = f.counter("coffer_http_requests_total", "HTTP requests answered, by route (the ServeMux pattern) and status.", "route", "status")
	m.requestDuration = f.histogram("coffer_http_request_duration_seconds", "Time to answer an HTTP request, by route.", requestBuckets, "route")
	m.debits = f.counter("coffer_debits_total", "Debits the committer answered, by result (accepted or refused) and the refusal's error code.", "result", "code")
	m.holds = f.counter("coffer_holds_total", "Holds placed through the committer, by result (accepted or refused) and the refusal's error code.", "result", "code")
	m.batchSize = f.histogram("coffer_committer_batch_size", "Requests per committer batch.", batchBuckets).WithLabelValues()
	m.busy = f.counter("coffer_committer_busy_seconds_total", "Time the committers spent on batches; its rate over coffer_committers is the busy ratio.").WithLabelValues()
	m.phases = f.histogram("coffer_store_batch_phase_seconds", "Time of one committer batch's store transaction, by phase: begin, load, apply (the committer's own work), write, commit.", phaseBuckets, "phase")
	m.storeErrors = f.counter("coffer_store_errors_total", "Store calls that failed, by operation and error code (not-found answers are not errors).", "op", "code")
	m.reruns = f.counter("coffer_store_conflict_reruns_total", "Batch transactions run again: serialization (a deadlock, serialization failure or busy database, rerun by the store) or unique_key (a key another process committed first, rerun by the committer).", "kind")
	m.attempts = f.counter("coffer_delivery_attempts_total", "Webhook and e-mail delivery attempts, by channel and outcome (succeeded or failed).", "channel", "outcome")
	m.deliveryLag = f.histogram("coffer_delivery_lag_seconds", "From a delivery's creation to the attempt that delivered it, by channel, on Coffer's clock.", lagBuckets, "channel")
	m.payments = f.counter("coffer_payment_attempts_total", "Payments settled, by source (purchase, auto_recharge, schedule, invoice) and outcome (succeeded, failed, pending).", "source", "outcome")
	m.jobRuns = f.counter("coffer_job_runs_total", "Passes of each background job.", "job")
	m.jobFailures = f.counter("coffer_job_failures_total", "Passes of each background job that failed.", "job")
	m.jobDuration = f.histogram("coffer_job_duration_seconds", "Time of one pass of each background job.", jobBuckets, "job")
	m.jobLastOK = f.gauge("coffer_job_last_success_timestamp_seconds", "When each background job last passed without error, as a Unix time.", "job")
	return m
}

// factory makes and registers the vectors.
type factory struct{ reg prometheus.Registerer }

func (f factory) counter(name, help string, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(v)
	return v
}

func (f factory) gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(v)
	return v
}

func (f factory) histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(v)
	return v
}
