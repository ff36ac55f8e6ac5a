// Package bench measures Coffer's hot path against baselines, side by side
// in one run on one store: Coffer's batching committer driven in-process
// (spread over many accounts, and on one hot account), the same through the
// HTTP API (single debits closed-loop and at a fixed offered rate, and the
// batch endpoint), a naive one-transaction-per-debit design, and the
// store's raw batched append rate. `coffer bench` is its command line;
// docs/performance.md explains each scenario and the targets.
//
// The bench always works in a database of its own: a new SQLite file, or a
// new PostgreSQL database it creates on the server and drops at the end.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a run. Zero values take the defaults.
type Options struct {
	// DB is a postgres:// URL (a fresh database is created on that server),
	// a SQLite file path that must not exist yet, or "" for a temporary
	// SQLite file.
	DB string
	// Duration is how long each scenario runs (default 5s), unless Count
	// is set: then each scenario does Count debits.
	Duration time.Duration
	Count    int64
	// Accounts is how many accounts debits are spread over (default 1000).
	Accounts int
	// Clients is the number of concurrent HTTP clients and naive-baseline
	// connections (default 8).
	Clients int
	// Concurrency is the number of goroutines calling the service
	// in-process (default 1024): a busy gateway's requests in flight.
	Concurrency int
	// BatchSize is the number of debits per POST /v1/debits/batch
	// (default 200).
	BatchSize int
	// AppendBatch is the number of rows per raw append transaction
	// (default 512, the committer's largest batch).
	AppendBatch int
	// Rate is the debits per second the open-loop HTTP run offers
	// (default 5000).
	Rate float64
	// Committers is how many committers Coffer runs side by side (0: the
	// store's choice, as for coffer serve).
	Committers int
	// Depth is how many of one committer's batches may be in flight at
	// once (0: the store's choice, as for coffer serve).
	Depth int
	// CloseAccounts is how many accounts the invoice-close scenario gives
	// a month of usage and closes (default 10,000), and CloseUsage how
	// many debits each gets (default 30).
	CloseAccounts int
	CloseUsage    int
	// Rounds splits each scenario's time (or count) into this many runs,
	// taken in turn with the other scenarios' (default 1). On a shared
	// machine it spreads background load over all scenarios alike.
	Rounds int
	// Scenarios, when not empty, runs only the scenarios with these keys
	// (see Scenarios).
	Scenarios []string
	// SweepClients are the concurrencies of the sweep scenario (default
	// 1, 8, 64 and 256).
	SweepClients []int
	// SweepDepths, when set, measures Coffer in the sweep at each of these
	// committer depths in turn (default: only the depth coffer serve
	// uses), for an A/B in one run.
	SweepDepths []int
	// Progress receives a line as each step starts and ends (default:
	// nowhere).
	Progress io.Writer
	// CPUProfile, when set, receives a CPU profile of the scenarios' run
	// (not of the setup).
	CPUProfile io.Writer
	// AllocProfile, when set, receives the heap profile of allocations
	// (pprof's allocs: every allocation sampled since the process
	// started, so the setup's too) once the scenarios have run.
	AllocProfile io.Writer
}

func (o *Options) fill() error {
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	if o.Count < 0 {
		return errors.New("count must not be negative")
	}
	if o.Accounts <= 0 {
		o.Accounts = 1000
	}
	if o.Clients <= 0 {
		o.Clients = 8
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1024
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 200
	}
	if o.AppendBatch <= 0 {
		o.AppendBatch = 512
	}
	if o.Rate <= 0 {
		o.Rate = 5000
	}
	if o.Rounds <= 0 {
		o.Rounds = 1
	}
	if o.CloseAccounts <= 0 {
		o.CloseAccounts = 10_000
	}
	if o.CloseUsage <= 0 {
		o.CloseUsage = 30
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	// The committer's logger writes to it too, from its own goroutine.
	o.Progress = &lockedWriter{w: o.Progress}
	if o.Count > 0 {
		// Every round needs at least one debit.
		o.Rounds = int(min(int64(o.Rounds), o.Count))
	}
	o.Scenarios = expandOps(o.Scenarios)
	for _, k := range o.Scenarios {
		if !slices.Contains(Scenarios, k) && !slices.Contains(OnRequest, k) && !slices.Contains(OpsScenarios, k) {
			return fmt.Errorf("unknown scenario %q; the scenarios are %s, and on request %s, and %s (or %s for them all)", k,
				strings.Join(Scenarios, ", "), strings.Join(OnRequest, ", "), strings.Join(OpsScenarios, ", "), Ops)
		}
	}
	return nil
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Scenario keys, in the order they run.
const (
	CofferSpread = "coffer-spread"
	CofferHot    = "coffer-hot"
	HTTPSingle   = "http-single"
	HTTPOpen     = "http-open"
	HTTPBatch    = "http-batch"
	NaiveSpread  = "naive-spread"
	NaiveHot     = "naive-hot"
	RawAppend    = "raw-append"
	RawLedger    = "raw-ledger"
	// InvoiceClose runs only when named: it seeds CloseAccounts accounts
	// with a month of usage and measures the debit load before, during
	// and after the month's close (invoice_close.go).
	InvoiceClose = "invoice-close"
)

// Scenarios lists every scenario's key in the order they run.
var Scenarios = []string{CofferSpread, CofferHot, HTTPSingle, HTTPOpen, HTTPBatch, NaiveSpread, NaiveHot, RawAppend, RawLedger}

// OnRequest lists the scenarios that run only when named in
// Options.Scenarios, after all the others' rounds.
var OnRequest = []string{InvoiceClose, Sweep}

// Result is one scenario's measurement. Latency is per operation: one
// debit, or for the batch endpoint and the raw append one request or
// transaction of many (LatencyOf says which).
type Result struct {
	Key         string  `json:"key"`
	Name        string  `json:"name"`
	Concurrency int     `json:"concurrency"`
	Debits      int64   `json:"debits"`
	Errors      int64   `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
	Seconds     float64 `json:"seconds"`
	PerSecond   float64 `json:"debits_per_second"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	LatencyOf   string  `json:"latency_of"`
	// Commits is the number of store transactions the debits took, and
	// PerCommit the debits per transaction: Coffer's batch size. Busy is
	// the share of the time Coffer's committer spent in transactions, and
	// Phases how long each phase of them took per debit, in microseconds
	// (see PhaseNames).
	Commits   int64              `json:"commits"`
	PerCommit float64            `json:"debits_per_commit"`
	Busy      float64            `json:"committer_busy,omitempty"`
	Phases    map[string]float64 `json:"committer_us_per_debit,omitempty"`
	// Offered is the open-loop run's offered rate and Sent how many
	// debits it managed to send in its time.
	Offered float64 `json:"offered_per_second,omitempty"`
	Sent    int64   `json:"sent,omitempty"`
}

// Report is a whole run.
type Report struct {
	Engine      string   `json:"engine"`
	Database    string   `json:"database"`
	Durability  string   `json:"durability"`
	GoVersion   string   `json:"go_version"`
	CPUs        int      `json:"cpus"`
	Accounts    int      `json:"accounts"`
	Clients     int      `json:"clients"`
	Concurrency int      `json:"concurrency"`
	BatchSize   int      `json:"batch_size"`
	AppendBatch int      `json:"append_batch"`
	Committers  int      `json:"committers"`
	Depth       int      `json:"committer_depth,omitempty"`
	Plan        string   `json:"plan"`
	Rounds      int      `json:"rounds"`
	Results     []Result `json:"results"`
	Ratios      []Ratio  `json:"ratios"`
	// Close is the invoice-close scenario's close, when it ran.
	Close *CloseResult `json:"invoice_close,omitempty"`
	// Ops are the ops scenarios, on against off, when they ran (ops.go).
	Ops []OpsRow `json:"ops,omitempty"`
	// Sweep is the sweep scenario's rows, when it ran.
	Sweep []SweepRow `json:"sweep,omitempty"`
	// Verification after the run: the ledger's invariants (coffer check),
	// and that the store holds exactly the debits acknowledged.
	CheckOK       bool     `json:"check_ok"`
	Violations    []string `json:"violations,omitempty"`
	Acknowledged  int64    `json:"coffer_debits_acknowledged"`
	Recorded      int64    `json:"coffer_debits_recorded"`
	NaiveRecorded int64    `json:"naive_debits_recorded"`
	NaiveDrift    int64    `json:"naive_accounts_off_balance"`
}

// Result returns the result of the scenario with the key, or nil.
func (r *Report) Result(key string) *Result {
	for i := range r.Results {
		if r.Results[i].Key == key {
			return &r.Results[i]
		}
	}
	return nil
}

// scenario is one measured run.
type scenario struct {
	key, name string
	conc      int
	latencyOf string
	run       func(ctx context.Context, p plan) outcome
	// metered is set for the scenarios that go through Coffer's committer,
	// whose transactions the store counts; the others count their own.
	metered bool
}

// Run makes the bench's database, runs the scenarios, verifies the store
// and drops the database (unless it is a SQLite path the caller named).
func Run(ctx context.Context, o Options) (rep *Report, err error) {
	if err := o.fill(); err != nil {
		return nil, err
	}
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
	setupStart := time.Now()
	env, err := startCoffer(ctx, db.dsn, &o, say)
	if err != nil {
		return nil, err
	}
	defer env.close()
	if env.ops, err = startOps(ctx, env, &o); err != nil {
		return nil, err
	}
	defer env.ops.close()
	bl, err := openBaseline(ctx, db.engine, db.dsn, o.Clients)
	if err != nil {
		return nil, fmt.Errorf("open the baseline's connections: %w", err)
	}
	defer bl.close()
	all := append(slices.Clone(env.spread), env.hot)
	if err := bl.seed(ctx, all, int64(openingCredit)); err != nil {
		return nil, fmt.Errorf("create the baseline's tables: %w", err)
	}
	if err := bl.createLedgerCopies(ctx); err != nil {
		return nil, fmt.Errorf("copy the journal's tables: %w", err)
	}
	durability, err := bl.settings(ctx)
	if err != nil {
		return nil, err
	}
	say("setup done in %.1fs", time.Since(setupStart).Seconds())

	rep = &Report{Engine: db.engine, Database: db.where, Durability: durability, GoVersion: runtime.Version(),
		CPUs: runtime.GOMAXPROCS(0), Accounts: o.Accounts, Clients: o.Clients, Concurrency: o.Concurrency,
		BatchSize: o.BatchSize, AppendBatch: o.AppendBatch, Rounds: o.Rounds,
		Committers: env.svc.Committers(), Depth: o.Depth}
	if o.Count > 0 {
		rep.Plan = fmt.Sprintf("%d debits per scenario", o.Count)
	} else {
		rep.Plan = fmt.Sprintf("%s per scenario", o.Duration)
	}
	var run []scenario
	for _, sc := range scenarios(env, bl, &o) {
		if len(o.Scenarios) == 0 || slices.Contains(o.Scenarios, sc.key) {
			run = append(run, sc)
		}
	}
	if o.CPUProfile != nil {
		if err := pprof.StartCPUProfile(o.CPUProfile); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile() // a no-op if stopped below
	}
	outs, err := runRounds(ctx, run, &o, env.st.meter, say)
	if err != nil {
		return nil, err
	}
	for i, sc := range run {
		res := result(sc, outs[i])
		if sc.key == HTTPOpen {
			res.Offered, res.Sent = o.Rate, outs[i].offered
		}
		rep.Results = append(rep.Results, res)
	}
	rep.Ops = env.ops.report(rep)
	if slices.Contains(o.Scenarios, InvoiceClose) {
		cr, res, err := closeScenario(ctx, env, bl, &o, say)
		if err != nil {
			return nil, fmt.Errorf("invoice close: %w", err)
		}
		rep.Close = cr
		rep.Results = append(rep.Results, res...)
	}
	if slices.Contains(o.Scenarios, Sweep) {
		if rep.Sweep, err = sweepScenario(ctx, env, db, &o, say); err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
	}

	if o.CPUProfile != nil {
		pprof.StopCPUProfile()
	}
	if o.AllocProfile != nil {
		if err := pprof.Lookup("allocs").WriteTo(o.AllocProfile, 0); err != nil {
			return nil, err
		}
	}

	say("verifying the store (coffer check) and counting what was recorded")
	if err := verify(ctx, env, bl, rep); err != nil {
		return nil, err
	}
	rep.Ratios = ratios(rep, o.Rate)
	return rep, nil
}

// runRounds runs the scenarios, each split into o.Rounds runs taken in
// turn, and returns each scenario's merged outcome.
func runRounds(ctx context.Context, run []scenario, o *Options, read func() meter,
	say func(string, ...any)) ([]outcome, error) {
	outs := make([]outcome, len(run))
	next := make([]atomic.Int64, len(run))
	for round := range o.Rounds {
		for i, sc := range run {
			p := plan{dur: o.Duration / time.Duration(o.Rounds), next: &next[i]}
			if o.Count > 0 {
				p.count = share(o.Count, o.Rounds, round)
			}
			step := fmt.Sprintf("[%d/%d]", i+1, len(run))
			if o.Rounds > 1 {
				step = fmt.Sprintf("[round %d/%d, %d/%d]", round+1, o.Rounds, i+1, len(run))
			}
			say("%s %s: running (concurrency %d)", step, sc.name, sc.conc)
			before := read()
			out := sc.run(ctx, p)
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if sc.metered {
				out.meter = read().sub(before)
			}
			outs[i].add(out)
			r := result(sc, out)
			say("%s %s: %d debits in %.2fs = %.0f/s, p50 %s, p99 %s%s", step, sc.name,
				r.Debits, r.Seconds, r.PerSecond, fmtMs(r.P50ms), fmtMs(r.P99ms), errNote(r))
		}
	}
	return outs, nil
}

func errNote(r Result) string {
	if r.Errors == 0 {
		return ""
	}
	return fmt.Sprintf(", %d errors (first: %s)", r.Errors, r.FirstError)
}

func result(sc scenario, out outcome) Result {
	p50, p99 := latencies(out.lats)
	r := Result{Key: sc.key, Name: sc.name, Concurrency: sc.conc, Debits: out.debits, Errors: out.errors,
		Seconds: out.elapsed.Seconds(), P50ms: ms(p50), P99ms: ms(p99), LatencyOf: sc.latencyOf}
	if r.Seconds > 0 {
		r.PerSecond = float64(out.debits) / r.Seconds
	}
	if out.firstErr != nil {
		r.FirstError = out.firstErr.Error()
	}
	r.Commits = int64(len(out.lats)) // one transaction per operation
	if sc.metered {
		r.Commits = out.meter.commits
		if out.elapsed > 0 {
			r.Busy = float64(out.meter.busy()) / float64(out.elapsed)
		}
		if out.debits > 0 {
			r.Phases = map[string]float64{}
			for i, d := range out.meter.phases {
				r.Phases[PhaseNames[i]] = float64(d.Microseconds()) / float64(out.debits)
			}
		}
	}
	if r.Commits > 0 {
		r.PerCommit = float64(out.debits) / float64(r.Commits)
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
