package bench

import (
	"context"
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/money"
)

// The invoice-close scenario (InvoiceClose) measures the monthly close
// beside the hot path, A/B in one run: the same in-process debit load on
// the spread accounts for --duration before the close, for --duration
// while Service.ClosePeriods runs (or until it ends, if sooner), and for
// --duration after it. The close goes on alone once the load beside it
// has stopped, so its rate is known both beside the load and alone. It
// runs once, after the other scenarios' rounds.

// Result keys of the invoice-close scenario's three load runs.
const (
	CloseBefore = "invoice-close-before"
	CloseDuring = "invoice-close-during"
	CloseAfter  = "invoice-close-after"
)

// CloseResult is what the invoice-close scenario measured of the close
// itself.
type CloseResult struct {
	// Accounts were given a month of usage, Usage debits each, in
	// SeedSeconds. Expected is every account open in the month, the
	// spread and hot accounts too; Invoices is what the close wrote.
	Accounts    int     `json:"accounts"`
	Usage       int     `json:"debits_per_account"`
	SeedSeconds float64 `json:"seed_seconds"`
	Expected    int64   `json:"invoices_expected"`
	Invoices    int64   `json:"invoices"`
	Seconds     float64 `json:"seconds"`
	PerSecond   float64 `json:"accounts_per_second"`
	// Beside the load: the invoices written while the load ran, in its
	// time; Alone: the rest, after the load stopped.
	BesideLoad       int64             `json:"invoices_beside_load"`
	BesideLoadPerSec float64           `json:"accounts_per_second_beside_load"`
	AloneSeconds     float64           `json:"seconds_alone"`
	AlonePerSecond   float64           `json:"accounts_per_second_alone"`
	Error            string            `json:"error,omitempty"`
	MaxBeforeMs      float64           `json:"max_before_ms"` // the slowest debit of each load run
	MaxDuringMs      float64           `json:"max_during_ms"`
	MaxAfterMs       float64           `json:"max_after_ms"`
	Memory           map[string]Memory `json:"memory"` // by phase: before, during, alone, after
}

// Memory is a phase's peak heap (live and unswept objects) and resident
// set, sampled every 50 ms, in MiB.
type Memory struct {
	PeakHeapMiB float64 `json:"peak_heap_mib"`
	PeakRSSMiB  float64 `json:"peak_rss_mib"`
}

// postpaidCredit is the promotional credit each postpaid account of the
// close gets: the close applies it, in a transaction of its own.
var postpaidCredit = money.MustParse("0.05")

// closeScenario seeds the close's accounts on the bench clock's month,
// stops the background jobs (so that only the bench closes the month, and
// when it says), moves the clock past the month's end and the close delay,
// and measures the load before, during and after the close.
func closeScenario(ctx context.Context, env *cofferEnv, bl baseline, o *Options, say func(string, ...any)) (*CloseResult, []Result, error) {
	cr := &CloseResult{Accounts: o.CloseAccounts, Usage: o.CloseUsage, Memory: map[string]Memory{}}
	say("invoice close: opening %d accounts, half postpaid, each with %d debits", o.CloseAccounts, o.CloseUsage)
	t0 := time.Now()
	ids, err := env.createAccounts(ctx, o.CloseAccounts, env.createBilledAccount)
	if err != nil {
		return nil, nil, err
	}
	if err := env.seedUsage(ctx, ids, o.CloseUsage); err != nil {
		return nil, nil, err
	}
	if err := bl.settle(ctx); err != nil {
		return nil, nil, fmt.Errorf("settle the store after seeding: %w", err)
	}
	cr.SeedSeconds = time.Since(t0).Seconds()
	say("invoice close: seeded in %.1fs", cr.SeedSeconds)

	env.jobs.Stop()
	_, next := invoice.PeriodOf(env.clock.Now())
	env.clock.moveTo(next.Add(env.closeDelay + time.Second))
	cr.Expected = int64(len(ids) + len(env.spread) + 1)
	invoices := func() (int64, error) { return bl.count(ctx, "SELECT COUNT(*) FROM invoices") }

	var seq atomic.Int64
	load := func(key, when string, p plan) (Result, float64, Memory, error) {
		s := scenario{key: key, name: fmt.Sprintf("coffer in-process, %d accounts, %s", len(env.spread), when),
			conc: o.Concurrency, latencyOf: "debit", metered: true}
		say("invoice close: %s: running (concurrency %d)", s.name, s.conc)
		mem := sampleCloseMemory()
		before := env.st.meter()
		out := closedLoop(ctx, p, o.Concurrency, 1, env.inProcess(env.spread, "close-"))
		out.meter = env.st.meter().sub(before)
		m := mem.end()
		if err := ctx.Err(); err != nil {
			return Result{}, 0, m, err
		}
		var slowest time.Duration
		for _, l := range out.lats {
			slowest = max(slowest, l)
		}
		r := result(s, out)
		say("invoice close: %s: %d debits in %.2fs = %.0f/s, p50 %s, p99 %s, max %s%s", s.name,
			r.Debits, r.Seconds, r.PerSecond, fmtMs(r.P50ms), fmtMs(r.P99ms), fmtMs(ms(slowest)), errNote(r))
		return r, ms(slowest), m, nil
	}

	var results []Result
	r, slowest, m, err := load(CloseBefore, "before the close", plan{dur: o.Duration, next: &seq})
	if err != nil {
		return nil, nil, err
	}
	results, cr.MaxBeforeMs, cr.Memory["before"] = append(results, r), slowest, m

	done := make(chan struct{})
	var closeErr error
	var closeTime time.Duration
	go func() {
		defer close(done)
		t := time.Now()
		closeErr = env.svc.ClosePeriods(ctx)
		closeTime = time.Since(t)
	}()
	r, slowest, m, err = load(CloseDuring, fmt.Sprintf("while %s accounts close", group(cr.Expected)),
		plan{dur: o.Duration, stop: done, next: &seq})
	if err != nil {
		<-done
		return nil, nil, err
	}
	results, cr.MaxDuringMs, cr.Memory["during"] = append(results, r), slowest, m
	if cr.BesideLoad, err = invoices(); err != nil {
		<-done
		return nil, nil, err
	}
	cr.BesideLoadPerSec = float64(cr.BesideLoad) / r.Seconds
	say("invoice close: %d invoices beside the load, %.0f accounts/s; the close goes on alone", cr.BesideLoad, cr.BesideLoadPerSec)
	t1 := time.Now()
	mem := sampleCloseMemory()
	<-done
	cr.Memory["alone"] = mem.end()
	cr.AloneSeconds = time.Since(t1).Seconds()
	cr.Seconds = closeTime.Seconds()
	if closeErr != nil {
		cr.Error = closeErr.Error()
	}
	if cr.Invoices, err = invoices(); err != nil {
		return nil, nil, err
	}
	if cr.Seconds > 0 {
		cr.PerSecond = float64(cr.Invoices) / cr.Seconds
	}
	if cr.AloneSeconds > 0 && cr.Invoices > cr.BesideLoad {
		cr.AlonePerSecond = float64(cr.Invoices-cr.BesideLoad) / cr.AloneSeconds
	}
	say("invoice close: %d invoices in %.1fs = %.0f accounts/s (alone: %.0f/s)", cr.Invoices, cr.Seconds, cr.PerSecond, cr.AlonePerSecond)

	r, slowest, m, err = load(CloseAfter, "after the close", plan{dur: o.Duration, next: &seq})
	if err != nil {
		return nil, nil, err
	}
	results, cr.MaxAfterMs, cr.Memory["after"] = append(results, r), slowest, m
	return cr, results, nil
}

// createBilledAccount opens account i of the close: even ones postpaid on
// a credit line with a little promotional credit, odd ones prepaid with
// the opening credit.
func (e *cofferEnv) createBilledAccount(ctx context.Context, i int) (string, error) {
	in := api.AccountCreate{Name: "close " + strconv.Itoa(i), Currency: "USD"}
	g := api.GrantCreate{Amount: openingCredit, Category: "paid", Reason: "bench opening credit"}
	if i%2 == 0 {
		limit := money.FromInt(-1_000_000)
		in.BillingMode, in.CreditLimit = "postpaid", &limit
		g = api.GrantCreate{Amount: postpaidCredit, Category: "promotional", Reason: "bench welcome credit"}
	}
	a, err := e.svc.CreateAccount(ctx, e.call, in)
	if err != nil {
		return "", fmt.Errorf("create account: %w", err)
	}
	if _, err := e.svc.CreateGrant(ctx, e.call, a.ID, g); err != nil {
		return "", fmt.Errorf("grant %s: %w", a.ID, err)
	}
	return a.ID, nil
}

// seedBatch is how many debits one seeding request carries, as the batch
// endpoint would.
const seedBatch = 1000

// seedUsage gives each account n debits, in batches that each touch many
// accounts, a few batches at a time.
func (e *cofferEnv) seedUsage(ctx context.Context, ids []string, n int) error {
	total := len(ids) * n
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				from := int(next.Add(seedBatch) - seedBatch)
				if from >= total || ctx.Err() != nil {
					return
				}
				in := api.DebitBatch{Debits: make([]api.DebitCreate, 0, seedBatch)}
				for k := from; k < min(from+seedBatch, total); k++ {
					// Debit k is number k/len(ids) of account k%len(ids).
					in.Debits = append(in.Debits, api.DebitCreate{AccountID: ids[k%len(ids)],
						EventID: "use-" + strconv.Itoa(k), Amount: &debitAmount})
				}
				out, err := e.svc.DebitBatch(ctx, e.call, in)
				if err == nil {
					for _, it := range out.Data {
						if it.Error != nil {
							err = fmt.Errorf("seed debit: %s: %s", it.Error.Code, it.Error.Message)
							break
						}
					}
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// closeMemSampler keeps the peaks of the process's heap and resident set,
// sampled every 50 ms until end.
type closeMemSampler struct {
	heap, rss uint64
	stop      chan struct{}
	done      chan struct{}
}

func sampleCloseMemory() *closeMemSampler {
	m := &closeMemSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if s[0].Value.Kind() == metrics.KindUint64 {
				m.heap = max(m.heap, s[0].Value.Uint64())
			}
			m.rss = max(m.rss, residentBytes())
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *closeMemSampler) end() Memory {
	close(m.stop)
	<-m.done
	return Memory{PeakHeapMiB: float64(m.heap) / (1 << 20), PeakRSSMiB: float64(m.rss) / (1 << 20)}
}

// residentBytes is the process's resident set, from /proc on Linux; zero
// elsewhere.
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

// benchClock is the machine's clock moved by an offset. The invoice-close
// scenario starts it on the second day of the month, so that its accounts'
// usage falls in one month, and moves it past the month's end to close it.
type benchClock struct{ offset atomic.Int64 }

// Now implements coffer.Clock.
func (c *benchClock) Now() time.Time {
	return coffer.SystemClock{}.Now().Add(time.Duration(c.offset.Load()))
}

// startAt sets the clock to t before anything reads it.
func (c *benchClock) startAt(t time.Time) {
	c.offset.Store(int64(t.Sub(coffer.SystemClock{}.Now())))
}

// moveTo moves the clock on to t; it never moves back.
func (c *benchClock) moveTo(t time.Time) {
	if d := t.Sub(coffer.SystemClock{}.Now()); d > time.Duration(c.offset.Load()) {
		c.offset.Store(int64(d))
	}
}
