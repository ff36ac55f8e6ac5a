package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/jobs"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// The reports scenario (coffer bench --reports) asks whether a report
// over a large journal runs in bounded memory and leaves the hot path
// alone. It seeds a store with a month of debits spread over many
// accounts, through the service and its committer (the store's normal
// Batch write path) under a clock that walks through the month, plus
// grants of which some expire during the month and a few are voided.
// Then, on the real clock, it measures the in-process debit rate for a
// fixed time with no report, and again while each report runs back to
// back: the credit-usage report over the whole month by day, the
// liability report now (live lots) and at mid-month (a scan of the
// journal). It samples the process's RSS and Go heap throughout.

// ReportsOptions configure the reports scenario. Zero values take the
// defaults.
type ReportsOptions struct {
	DB          string        // as Options.DB
	Accounts    int           // accounts the seeded debits are spread over (default 10,000)
	Debits      int64         // debits seeded over the month (default 1,000,000)
	Duration    time.Duration // how long each hot-path measurement runs at least (default 10s)
	Concurrency int           // goroutines calling the service in-process (default 1024)
	Committers  int           // as Options.Committers
	Progress    io.Writer
}

// ReportsResult is the scenario's measurement.
type ReportsResult struct {
	Engine      string        `json:"engine"`
	Database    string        `json:"database"`
	GoVersion   string        `json:"go_version"`
	CPUs        int           `json:"cpus"`
	Accounts    int           `json:"accounts"`
	Debits      int64         `json:"seeded_debits"`
	Grants      int           `json:"seeded_grants"`
	Voided      int           `json:"voided_grants"`
	Txns        int64         `json:"journal_txns"`
	SeedSeconds float64       `json:"seed_seconds"`
	Concurrency int           `json:"concurrency"`
	Phases      []ReportPhase `json:"phases"`
}

// ReportPhase is one measurement: the hot path alone (Report empty) or
// beside one report run back to back.
type ReportPhase struct {
	Report    string  `json:"report"`
	Debits    int64   `json:"debits"`
	Errors    int64   `json:"errors"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"debits_per_second"`
	P50ms     float64 `json:"p50_ms"`
	P99ms     float64 `json:"p99_ms"`
	MaxMs     float64 `json:"max_ms"`
	// AloneSeconds is one run of the report with no load; Runs and
	// RunSeconds (the mean) are the runs beside the hot path.
	AloneSeconds float64 `json:"report_alone_seconds,omitempty"`
	Runs         int     `json:"report_runs,omitempty"`
	RunSeconds   float64 `json:"report_seconds,omitempty"`
	Rows         int     `json:"report_rows,omitempty"`
	// Peaks sampled every 20ms during the phase: the process's resident
	// set, and the Go heap's live objects.
	PeakRSSMB  float64 `json:"peak_rss_mb"`
	PeakHeapMB float64 `json:"peak_heap_mb"`
	ReportErr  string  `json:"report_error,omitempty"`
}

// seedClock walks through the seeded month as the seed debits are
// numbered, then, once live, reads the wall clock. It only moves forward:
// every seeded instant is before the wall clock's.
type seedClock struct {
	base time.Time
	step time.Duration
	seq  *atomic.Int64
	live atomic.Bool
}

func (c *seedClock) Now() time.Time {
	if c.live.Load() {
		return coffer.SystemClock{}.Now()
	}
	return c.base.Add(time.Duration(c.seq.Load()) * c.step).Truncate(time.Microsecond)
}

// RunReports seeds the store and measures the reports beside the hot path.
func RunReports(ctx context.Context, o ReportsOptions) (res *ReportsResult, err error) {
	if o.Accounts <= 0 {
		o.Accounts = 10_000
	}
	if o.Debits <= 0 {
		o.Debits = 1_000_000
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1024
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	o.Progress = &lockedWriter{w: o.Progress}
	say := func(format string, args ...any) { fmt.Fprintf(o.Progress, "bench: "+format+"\n", args...) }

	db, err := openDatabase(ctx, o.DB)
	if err != nil {
		return nil, err
	}
	defer func() {
		if derr := db.drop(); derr != nil && err == nil {
			err = derr
		}
	}()
	say("database %s", db.where)
	st, err := sqlstore.Open(ctx, db.dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate store: %w", err)
	}
	wall := time.Now().UTC()
	month := 30 * 24 * time.Hour
	var seq atomic.Int64
	clock := &seedClock{base: wall.Add(-month - time.Hour), step: month / time.Duration(o.Debits), seq: &seq}
	log := slog.New(slog.NewTextHandler(o.Progress, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := service.DefaultConfig()
	cfg.Notify.NoDelivery = true
	cfg.Committers = o.Committers
	env := &cofferEnv{st: &meteredStore{Store: st}}
	env.svc = service.New(env.st, clock, log, cfg)
	defer env.close()
	secret, _, err := env.svc.CreateAPIKey(ctx, coffer.RoleAdmin, "", "coffer bench")
	if err != nil {
		return nil, fmt.Errorf("create an admin key: %w", err)
	}
	caller, err := env.svc.Authenticate(ctx, secret)
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	env.call = service.Call{Caller: caller}

	res = &ReportsResult{Engine: db.engine, Database: db.where, GoVersion: runtime.Version(),
		CPUs: runtime.GOMAXPROCS(0), Accounts: o.Accounts, Debits: o.Debits, Concurrency: o.Concurrency}
	seedStart := time.Now()
	say("seeding %d accounts with their grants", o.Accounts)
	ids, grants, err := seedAccounts(ctx, env, o.Accounts, clock)
	if err != nil {
		return nil, err
	}
	env.spread = ids
	res.Grants = grants
	say("seeding %d debits over a month, %d goroutines", o.Debits, o.Concurrency)
	out := closedLoop(ctx, plan{count: o.Debits, next: &seq}, o.Concurrency, 1, env.inProcess(ids, "seed-"))
	if out.errors > 0 {
		return nil, fmt.Errorf("seeding: %d debits failed (first: %v)", out.errors, out.firstErr)
	}
	say("seeded %d debits in %.1fs (%.0f/s)", out.debits, out.elapsed.Seconds(), float64(out.debits)/out.elapsed.Seconds())
	// A couple of voids, on the wall clock's side of the month.
	clock.live.Store(true)
	for i := 0; i < 2 && i < len(ids); i++ {
		if err := voidOne(ctx, env, ids[i*7%len(ids)]); err != nil {
			return nil, err
		}
		res.Voided++
	}
	if err := env.svc.Expire(ctx); err != nil {
		return nil, fmt.Errorf("expire the lapsed grants: %w", err)
	}
	res.SeedSeconds = time.Since(seedStart).Seconds()
	bl, err := openBaseline(ctx, db.engine, db.dsn, 1)
	if err != nil {
		return nil, err
	}
	res.Txns, err = bl.count(ctx, "SELECT COUNT(*) FROM txns")
	bl.close()
	if err != nil {
		return nil, err
	}
	say("seed done in %.1fs: %d transactions in the journal", res.SeedSeconds, res.Txns)

	// The jobs a server runs beside the hot path, as the main bench does.
	env.jobs = jobs.ForServer(env.svc, log, jobs.ServerConfig{Interval: cfg.SweepInterval, NoDelivery: true})
	if err := env.jobs.Start(ctx); err != nil {
		return nil, err
	}
	now := coffer.SystemClock{}.Now()
	reports := []struct {
		name string
		run  func(context.Context) (int, error)
	}{
		{"", nil},
		{"credit usage, month by day", func(ctx context.Context) (int, error) {
			r, err := env.svc.CreditsReport(ctx, env.call, service.ReportQuery{From: clock.base, To: now.Add(time.Hour), Group: "day"})
			if err != nil {
				return 0, err
			}
			return len(r.Data), nil
		}},
		{"liability now (live lots)", func(ctx context.Context) (int, error) {
			r, err := env.svc.LiabilityReport(ctx, env.call, time.Time{}, service.ReportQuery{})
			if err != nil {
				return 0, err
			}
			return len(r.Data), nil
		}},
		{"liability at mid-month (journal)", func(ctx context.Context) (int, error) {
			r, err := env.svc.LiabilityReport(ctx, env.call, clock.base.Add(month/2), service.ReportQuery{})
			if err != nil {
				return 0, err
			}
			return len(r.Data), nil
		}},
	}
	var next atomic.Int64
	for _, rp := range reports {
		ph := ReportPhase{Report: rp.name}
		dur := o.Duration
		if rp.run != nil {
			runtime.GC()
			mem := sampleMemory()
			t0 := time.Now()
			ph.Rows, err = rp.run(ctx)
			ph.AloneSeconds = time.Since(t0).Seconds()
			mem.stop()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", rp.name, err)
			}
			say("%s alone: %.2fs, %d rows, peak RSS %.0f MB, heap %.0f MB", rp.name, ph.AloneSeconds, ph.Rows, mem.rss, mem.heap)
			// Cover at least two whole runs beside the hot path.
			dur = max(dur, time.Duration(2.2*ph.AloneSeconds*float64(time.Second)))
		}
		runtime.GC()
		mem := sampleMemory()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var runs int
		var busy time.Duration
		var rerr error
		if rp.run != nil {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					t0 := time.Now()
					if _, err := rp.run(ctx); err != nil {
						rerr = err
						return
					}
					busy += time.Since(t0)
					runs++
				}
			})
		}
		say("hot path for %s beside: %s", dur.Round(time.Millisecond), orNone(rp.name))
		out := closedLoop(ctx, plan{dur: dur, next: &next}, o.Concurrency, 1, env.inProcess(ids, "live-"))
		close(stop)
		wg.Wait()
		mem.stop()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if rerr != nil {
			ph.ReportErr = rerr.Error()
		}
		ph.Debits, ph.Errors, ph.Seconds = out.debits, out.errors, out.elapsed.Seconds()
		ph.PerSecond = float64(out.debits) / out.elapsed.Seconds()
		var maxLat time.Duration
		for _, l := range out.lats {
			maxLat = max(maxLat, l)
		}
		p50, p99 := latencies(out.lats)
		ph.P50ms, ph.P99ms, ph.MaxMs = ms(p50), ms(p99), ms(maxLat)
		ph.Runs = runs
		if runs > 0 {
			ph.RunSeconds = busy.Seconds() / float64(runs)
		}
		ph.PeakRSSMB, ph.PeakHeapMB = mem.rss, mem.heap
		say("%s: %.0f debits/s, p99 %s, max %s; %d report runs of %.2fs; peak RSS %.0f MB, heap %.0f MB",
			orNone(rp.name), ph.PerSecond, fmtMs(ph.P99ms), fmtMs(ph.MaxMs), runs, ph.RunSeconds, mem.rss, mem.heap)
		res.Phases = append(res.Phases, ph)
	}
	return res, nil
}

func orNone(s string) string {
	if s == "" {
		return "no report"
	}
	return s
}

// seedAccounts opens n accounts, each granted the opening credit (paid,
// never expiring); every tenth also gets a promotional grant that lapses
// mid-month, and every tenth from the fifth one that expires in 60 days.
func seedAccounts(ctx context.Context, env *cofferEnv, n int, clock *seedClock) ([]string, int, error) {
	ids := make([]string, n)
	var next, grants atomic.Int64
	var mu sync.Mutex
	var first error
	lapse := clock.base.Add(15 * 24 * time.Hour)
	later := clock.base.Add(90 * 24 * time.Hour)
	promo := money.FromInt(5)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				id, err := env.createAccount(ctx, i)
				if err == nil {
					grants.Add(1)
					var exp *time.Time
					switch i % 10 {
					case 0:
						exp = &lapse
					case 5:
						exp = &later
					}
					if exp != nil {
						_, err = env.svc.CreateGrant(ctx, env.call, id, api.GrantCreate{Amount: promo,
							Category: "promotional", ExpiresAt: exp, Reason: "bench promotion"})
						grants.Add(1)
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
				ids[i] = id
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return ids, int(grants.Load()), first
}

// voidOne grants the account a small promotional credit and voids it.
func voidOne(ctx context.Context, env *cofferEnv, account string) error {
	g, err := env.svc.CreateGrant(ctx, env.call, account, api.GrantCreate{Amount: money.FromInt(1), Category: "promotional",
		Reason: "bench grant to void"})
	if err != nil {
		return fmt.Errorf("grant to void: %w", err)
	}
	if _, err := env.svc.VoidGrant(ctx, env.call, g.ID, api.GrantVoid{Reason: "bench void"}); err != nil {
		return fmt.Errorf("void %s: %w", g.ID, err)
	}
	return nil
}

// memSampler records the peaks of the process's RSS and Go heap.
type memSampler struct {
	done      chan struct{}
	wg        sync.WaitGroup
	rss, heap float64 // MB, valid after stop
}

func sampleMemory() *memSampler {
	m := &memSampler{done: make(chan struct{})}
	m.wg.Go(func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if r, err := rssBytes(); err == nil {
				m.rss = max(m.rss, float64(r)/(1<<20))
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				m.heap = max(m.heap, float64(sample[0].Value.Uint64())/(1<<20))
			}
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	})
	return m
}

func (m *memSampler) stop() {
	close(m.done)
	m.wg.Wait()
}

// rssBytes reads the process's resident set from /proc/self/status.
func rssBytes() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/self/status")
}

// WriteTable prints the result for a reader.
func (r *ReportsResult) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "coffer bench --reports: %s, %d CPUs, %s\n", r.Engine, r.CPUs, r.GoVersion)
	fmt.Fprintf(w, "database:  %s\n", r.Database)
	fmt.Fprintf(w, "store:     %d accounts, %d grants (%d voided), %s seeded debits over a month; %s journal rows; seeded in %.1fs\n",
		r.Accounts, r.Grants, r.Voided, group(r.Debits), group(r.Txns), r.SeedSeconds)
	fmt.Fprintf(w, "hot path:  in-process debits, %d goroutines, spread over the accounts\n\n", r.Concurrency)
	fmt.Fprintf(w, "%-34s  %10s  %7s  %9s  %9s  %9s  %8s  %8s  %5s  %8s  %8s\n", "beside", "debits/s", "vs none",
		"p50", "p99", "max", "alone s", "loaded s", "runs", "RSS MB", "heap MB")
	var base float64
	for _, p := range r.Phases {
		if p.Report == "" {
			base = p.PerSecond
		}
		vs := "-"
		if base > 0 {
			vs = fmt.Sprintf("%.2fx", p.PerSecond/base)
		}
		alone, loaded := "-", "-"
		if p.Report != "" {
			alone, loaded = fmt.Sprintf("%.2f", p.AloneSeconds), fmt.Sprintf("%.2f", p.RunSeconds)
		}
		fmt.Fprintf(w, "%-34s  %10s  %7s  %9s  %9s  %9s  %8s  %8s  %5d  %8.0f  %8.0f", orNone(p.Report),
			group(int64(p.PerSecond+0.5)), vs, fmtMs(p.P50ms), fmtMs(p.P99ms), fmtMs(p.MaxMs), alone, loaded, p.Runs,
			p.PeakRSSMB, p.PeakHeapMB)
		if p.Errors > 0 {
			fmt.Fprintf(w, "  (%d debit errors)", p.Errors)
		}
		if p.ReportErr != "" {
			fmt.Fprintf(w, "  (report failed: %s)", p.ReportErr)
		}
		fmt.Fprintln(w)
	}
}
