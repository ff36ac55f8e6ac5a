package bench

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// plan says how long one run of a scenario lasts: until a fixed number of
// debits is done (count > 0), or else for a fixed time, or until stop is
// closed if it is not nil. Debits are numbered from next, which carries on
// across runs of the same scenario so that every debit's event id is new.
type plan struct {
	dur   time.Duration
	count int64
	stop  <-chan struct{}
	next  *atomic.Int64
}

// stopped reports whether the plan's stop channel is closed.
func (p plan) stopped() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

// outcome is what a load run measured.
type outcome struct {
	debits   int64 // debits acknowledged
	errors   int64 // debits refused or lost
	firstErr error
	elapsed  time.Duration
	lats     []time.Duration // one per operation
	offered  int64           // open loop: operations sent
	// For scenarios through Coffer's committer: its transactions while
	// the scenario ran, and where their time went.
	meter meter
}

// op does n debits, numbered from seq, and returns how many succeeded.
// An error explains the first failure.
type op func(ctx context.Context, seq int64, n int) (int, error)

// tally is one worker's share of an outcome, merged at the end so that
// workers never contend on shared counters in the measured loop.
type tally struct {
	debits, errors int64
	firstErr       error
	lats           []time.Duration
}

func (t *tally) add(n, ok int, err error, lat time.Duration) {
	t.debits += int64(ok)
	t.errors += int64(n - ok)
	if err != nil && t.firstErr == nil {
		t.firstErr = err
	}
	t.lats = append(t.lats, lat)
}

func merge(ts []tally, elapsed time.Duration) outcome {
	o := outcome{elapsed: elapsed}
	n := 0
	for _, t := range ts {
		n += len(t.lats)
	}
	o.lats = make([]time.Duration, 0, n)
	for _, t := range ts {
		o.debits += t.debits
		o.errors += t.errors
		if o.firstErr == nil {
			o.firstErr = t.firstErr
		}
		o.lats = append(o.lats, t.lats...)
	}
	return o
}

// closedLoop runs workers that each send one operation of per debits, wait
// for its answer, and send the next, until the plan is used up. Latency is
// measured per operation.
func closedLoop(ctx context.Context, p plan, workers, per int, do op) outcome {
	next := p.next
	limit := next.Load() + p.count
	ts := make([]tally, workers)
	start := time.Now()
	deadline := start.Add(p.dur)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			t := &ts[w]
			for ctx.Err() == nil {
				n := per
				seq := next.Add(int64(per)) - int64(per)
				if p.count > 0 {
					if seq >= limit {
						return
					}
					n = int(min(int64(per), limit-seq))
				} else if time.Now().After(deadline) || p.stopped() {
					return
				}
				t0 := time.Now()
				ok, err := do(ctx, seq, n)
				t.add(n, ok, err, time.Since(t0))
			}
		})
	}
	wg.Wait()
	return merge(ts, time.Since(start))
}

// openLoop offers single-debit operations at a fixed rate, whatever the
// answers' speed: operation i is due at start + i/rate and its latency is
// counted from then, so a server that falls behind is charged for the
// queue it causes (no coordinated omission). Workers take due operations
// in order; when all are busy, due operations wait and their latency
// grows. A timed run stops sending soon after its planned time even if
// some were never sent: the shortfall shows as the achieved rate.
func openLoop(ctx context.Context, p plan, rate float64, workers int, do op) outcome {
	total := p.count
	dur := p.dur
	if total > 0 {
		dur = time.Duration(float64(total) / rate * float64(time.Second))
	} else {
		total = int64(rate * dur.Seconds())
	}
	type job struct {
		seq int64
		due time.Time
	}
	jobs := make(chan job, workers)
	ts := make([]tally, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			t := &ts[w]
			for j := range jobs {
				ok, err := do(ctx, j.seq, 1)
				t.add(1, ok, err, time.Since(j.due))
			}
		})
	}
	interval := float64(time.Second) / rate
	start := time.Now()
	end := start.Add(dur)
	var sent int64
	for i := range total {
		due := start.Add(time.Duration(float64(i) * interval))
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil || (p.count == 0 && time.Now().After(end.Add(dur/10))) {
			break
		}
		select {
		case jobs <- job{seq: p.next.Add(1) - 1, due: due}:
			sent++
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	o := merge(ts, time.Since(start))
	o.offered = sent
	return o
}

// add merges another run of the same scenario into o.
func (o *outcome) add(x outcome) {
	o.debits += x.debits
	o.errors += x.errors
	if o.firstErr == nil {
		o.firstErr = x.firstErr
	}
	o.elapsed += x.elapsed
	o.lats = append(o.lats, x.lats...)
	o.offered += x.offered
	o.meter.commits += x.meter.commits
	for i := range o.meter.phases {
		o.meter.phases[i] += x.meter.phases[i]
	}
}

// perSecond is the outcome's debits per second of its runs' time.
func (o outcome) perSecond() float64 {
	if o.elapsed <= 0 {
		return 0
	}
	return float64(o.debits) / o.elapsed.Seconds()
}

// share is round's part of count split over rounds: the first rounds
// take the remainder.
func share(count int64, rounds, round int) int64 {
	n := count / int64(rounds)
	if int64(round) < count%int64(rounds) {
		n++
	}
	return n
}

// percentile returns the q-quantile (0 < q ≤ 1) of sorted latencies.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// latencies sorts the latencies in place and returns p50 and p99.
func latencies(lats []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(lats)
	return percentile(lats, 0.50), percentile(lats, 0.99)
}
