package metrics

import (
	"context"
	"time"

	"github.com/cofferdev/coffer/jobs"
)

// Jobs returns the jobs' work with each pass counted and timed: runs,
// failures, duration and the time of the last success, per job. Hand it to
// jobs.ForServer in place of the service. A pass cut short because its
// job was stopped is not a failure. Under a test clock the interval jobs
// run from AdvanceClock instead, outside this wrapper.
func (m *Metrics) Jobs(svc jobs.Service) jobs.Service {
	return &jobsMeter{Service: svc, m: m}
}

// jobsMeter wraps every work method of jobs.Service; the wake-up channels
// pass through from the embedded service.
type jobsMeter struct {
	jobs.Service
	m *Metrics
}

// run times one pass of the named job. The last success is wall time, as
// Prometheus timestamps are, not Coffer's clock.
func (j *jobsMeter) run(ctx context.Context, job string, work func(context.Context) error) error {
	start := time.Now()
	err := work(ctx)
	j.m.jobDuration.WithLabelValues(job).Observe(time.Since(start).Seconds())
	j.m.jobRuns.WithLabelValues(job).Inc()
	switch {
	case err == nil:
		j.m.jobLastOK.WithLabelValues(job).Set(float64(time.Now().UnixNano()) / 1e9)
	case ctx.Err() == nil || ctx.Err() == context.DeadlineExceeded:
		j.m.jobFailures.WithLabelValues(job).Inc()
	}
	return err
}

func (j *jobsMeter) Expire(ctx context.Context) error {
	return j.run(ctx, "expiry", j.Service.Expire)
}

func (j *jobsMeter) SettlePayments(ctx context.Context) error {
	return j.run(ctx, "settlement", j.Service.SettlePayments)
}

func (j *jobsMeter) RunSchedules(ctx context.Context) error {
	return j.run(ctx, "schedules", j.Service.RunSchedules)
}

func (j *jobsMeter) RechargeSweep(ctx context.Context) error {
	return j.run(ctx, "recharge_sweep", j.Service.RechargeSweep)
}

func (j *jobsMeter) Recommend(ctx context.Context) error {
	return j.run(ctx, "recommendation", j.Service.Recommend)
}

func (j *jobsMeter) RechargeNoted(ctx context.Context) error {
	return j.run(ctx, "recharge", j.Service.RechargeNoted)
}

func (j *jobsMeter) Deliver(ctx context.Context) error {
	return j.run(ctx, "delivery", j.Service.Deliver)
}

func (j *jobsMeter) ClosePeriods(ctx context.Context) error {
	return j.run(ctx, "invoicing_close", j.Service.ClosePeriods)
}

func (j *jobsMeter) CollectInvoices(ctx context.Context) error {
	return j.run(ctx, "invoicing_collect", j.Service.CollectInvoices)
}

func (j *jobsMeter) TrueUp(ctx context.Context) error {
	return j.run(ctx, "trueup", j.Service.TrueUp)
}
