package bench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"time"
)

// Sweep runs only when named: HTTP single debits and the naive design side
// by side at each of Options.SweepClients concurrent clients, over the same
// accounts, with the allocations per debit and the process's RSS.
const Sweep = "sweep"

// defaultSweepClients are the concurrencies issue 16 sets its targets at:
// one caller, a handful of gateway threads, a busy gateway, and more
// callers than the naive design has connections.
var defaultSweepClients = []int{1, 8, 64, 256}

// maxNaiveConns bounds the naive design's connection pool in the sweep. A
// PostgreSQL server allows 100 connections by default, and Coffer's own
// pool needs some of them; past it the naive design's clients queue for a
// connection in the pool, as a gateway's threads would. On SQLite it has
// one connection whatever the clients, as in the other scenarios.
const maxNaiveConns = 64

// SweepRow is one concurrency of the sweep: Coffer's HTTP single debits
// and the naive design, each with its throughput, latency, allocations per
// debit (the whole process's, clients included) and peak RSS. Coffer is
// the committers' depth as `coffer serve` runs them; Depths, when the run
// was asked for other depths (Options.SweepDepths), holds one entry per
// depth asked for, measured in turn with the others.
type SweepRow struct {
	Clients int         `json:"clients"`
	Coffer  SweepSide   `json:"coffer_http"`
	Depths  []SweepSide `json:"coffer_http_by_depth,omitempty"`
	Naive   SweepSide   `json:"naive"`
}

// SweepSide is one side of a sweep row.
type SweepSide struct {
	// Depth is, for Coffer, how many batches each committer had in flight
	// at most.
	Depth     int     `json:"depth,omitempty"`
	Debits    int64   `json:"debits"`
	Errors    int64   `json:"errors"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"debits_per_second"`
	P50ms     float64 `json:"p50_ms"`
	P99ms     float64 `json:"p99_ms"`
	// PerCommit is Coffer's debits per committer transaction (the naive
	// design's is 1); AllocsPerDebit the heap allocations of the whole
	// process per debit; PeakRSSMB the process's resident set at its
	// highest during the runs.
	PerCommit      float64 `json:"debits_per_commit"`
	AllocsPerDebit float64 `json:"allocs_per_debit"`
	PeakRSSMB      float64 `json:"peak_rss_mb"`
	FirstError     string  `json:"first_error,omitempty"`
	// Phases is, for Coffer, where the committers' time went per debit,
	// in microseconds (see PhaseNames).
	Phases map[string]float64 `json:"committer_us_per_debit,omitempty"`
}

// sweepRun accumulates one side of one row over the rounds.
type sweepRun struct {
	out     outcome
	mallocs uint64
	rss     float64
}

// sweepScenario runs the sweep: in each round, for each concurrency,
// Coffer's HTTP single debits and then the naive design, so that the
// machine's background load falls on both alike.
func sweepScenario(ctx context.Context, env *cofferEnv, db *database, o *Options, say func(string, ...any)) ([]SweepRow, error) {
	levels := o.SweepClients
	if len(levels) == 0 {
		levels = defaultSweepClients
	}
	conns := 0
	for _, c := range levels {
		conns = max(conns, min(c, maxNaiveConns))
	}
	bl, err := openBaseline(ctx, db.engine, db.dsn, conns)
	if err != nil {
		return nil, fmt.Errorf("open the naive design's connections: %w", err)
	}
	defer bl.close()

	serve := env.svc.CommitterDepth()
	defer env.svc.SetCommitterDepth(serve)
	depths := o.SweepDepths
	if len(depths) == 0 {
		depths = []int{serve}
	}
	coffer := make([][]sweepRun, len(levels))
	naive := make([]sweepRun, len(levels))
	var nextCoffer, nextNaive atomic.Int64
	for round := range o.Rounds {
		for i, c := range levels {
			p := plan{dur: o.Duration / time.Duration(o.Rounds)}
			if o.Count > 0 {
				p.count = o.Count / int64(o.Rounds)
				if int64(round) < o.Count%int64(o.Rounds) {
					p.count++
				}
			}
			step := fmt.Sprintf("[sweep round %d/%d, %d clients]", round+1, o.Rounds, c)
			if coffer[i] == nil {
				coffer[i] = make([]sweepRun, len(depths))
			}
			for j, d := range depths {
				env.svc.SetCommitterDepth(d)
				say("%s http single debits, depth %d: running", step, d)
				before := env.st.meter()
				p.next = &nextCoffer
				r := measure(ctx, p, c, env.httpSingle("sweep-http-"))
				r.out.meter = env.st.meter().sub(before)
				coffer[i][j].add(r)
				say("%s http single debits, depth %d: %s", step, d, r.out.summary())
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			say("%s naive: running", step)
			p.next = &nextNaive
			r := measure(ctx, p, c, naiveOp(bl, env.spread, "sweep-naive-"))
			naive[i].add(r)
			say("%s naive: %s", step, r.out.summary())
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	rows := make([]SweepRow, len(levels))
	for i, c := range levels {
		rows[i] = SweepRow{Clients: c, Naive: naive[i].side(false)}
		for j, d := range depths {
			side := coffer[i][j].side(true)
			side.Depth = d
			if j == 0 || d == serve {
				rows[i].Coffer = side
			}
			if len(o.SweepDepths) > 0 {
				rows[i].Depths = append(rows[i].Depths, side)
			}
		}
	}
	return rows, nil
}

// measure runs a closed loop of workers, counting the process's
// allocations and sampling its RSS meanwhile.
func measure(ctx context.Context, p plan, workers int, do op) sweepRun {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mallocs := ms.Mallocs
	mem := sampleMemory()
	out := closedLoop(ctx, p, workers, 1, do)
	mem.stop()
	runtime.ReadMemStats(&ms)
	return sweepRun{out: out, mallocs: ms.Mallocs - mallocs, rss: mem.rss}
}

func (s *sweepRun) add(x sweepRun) {
	s.out.add(x.out)
	s.mallocs += x.mallocs
	s.rss = max(s.rss, x.rss)
}

func (s *sweepRun) side(metered bool) SweepSide {
	o := s.out
	p50, p99 := latencies(o.lats)
	d := SweepSide{Debits: o.debits, Errors: o.errors, Seconds: o.elapsed.Seconds(), P50ms: ms(p50), P99ms: ms(p99),
		PeakRSSMB: s.rss, PerCommit: 1}
	if d.Seconds > 0 {
		d.PerSecond = float64(o.debits) / d.Seconds
	}
	if o.debits > 0 {
		d.AllocsPerDebit = float64(s.mallocs) / float64(o.debits)
		if metered && o.meter.commits > 0 {
			d.PerCommit = float64(o.debits) / float64(o.meter.commits)
			d.Phases = map[string]float64{}
			for i, t := range o.meter.phases {
				d.Phases[PhaseNames[i]] = float64(t.Microseconds()) / float64(o.debits)
			}
		}
	}
	if o.firstErr != nil {
		d.FirstError = o.firstErr.Error()
	}
	return d
}

// summary is a progress line's account of one run.
func (o outcome) summary() string {
	p50, p99 := latencies(o.lats)
	s := fmt.Sprintf("%d debits in %.2fs = %.0f/s, p50 %s, p99 %s", o.debits, o.elapsed.Seconds(), o.perSecond(),
		fmtMs(ms(p50)), fmtMs(ms(p99)))
	if o.errors > 0 {
		s += fmt.Sprintf(", %d errors (first: %v)", o.errors, o.firstErr)
	}
	return s
}

// sweepAcknowledged is how many debits Coffer acknowledged in the sweep
// (the naive journal's count takes in the sweep's rows by itself).
func (rep *Report) sweepAcknowledged() int64 {
	var n int64
	for _, r := range rep.Sweep {
		for _, s := range r.cofferSides() {
			n += s.Debits
		}
	}
	return n
}

// cofferSides is every Coffer measurement of the row: one per depth.
func (r SweepRow) cofferSides() []SweepSide {
	if len(r.Depths) > 0 {
		return r.Depths
	}
	return []SweepSide{r.Coffer}
}

// sweepErrors is how many debits failed in the sweep.
func (rep *Report) sweepErrors() int64 {
	var n int64
	for _, r := range rep.Sweep {
		n += r.Naive.Errors
		for _, s := range r.cofferSides() {
			n += s.Errors
		}
	}
	return n
}

// sweepTargets are issue 16's targets on the sweep: at 1, 8 and 64
// clients, Coffer's single debits over HTTP at least as fast as the naive
// design, with a p50 no longer than its.
func sweepTargets(rep *Report) []Ratio {
	var out []Ratio
	status := func(ok bool) string {
		if ok {
			return "PASS"
		}
		return "MISS"
	}
	for _, r := range rep.Sweep {
		if r.Naive.PerSecond == 0 || r.Coffer.P50ms == 0 || r.Naive.P50ms == 0 {
			continue
		}
		target := r.Clients == 1 || r.Clients == 8 || r.Clients == 64
		tp := Ratio{Name: fmt.Sprintf("http single / naive at %d clients, throughput", r.Clients),
			Value: r.Coffer.PerSecond / r.Naive.PerSecond, Unit: "x", Target: "≥ 1x"}
		lat := Ratio{Name: fmt.Sprintf("http single / naive at %d clients, p50", r.Clients),
			Value: r.Coffer.P50ms / r.Naive.P50ms, Unit: "x", Target: "≤ 1x",
			Note: fmt.Sprintf("%s against %s", fmtMs(r.Coffer.P50ms), fmtMs(r.Naive.P50ms))}
		if target {
			tp.Status, lat.Status = status(tp.Value >= 1), status(lat.Value <= 1)
		} else {
			tp.Status, lat.Status, tp.Target, lat.Target = "info", "info", "(not a target)", "(not a target)"
		}
		out = append(out, tp, lat)
	}
	return out
}

// writeSweep prints the sweep's table, if it ran.
func (rep *Report) writeSweep(w io.Writer) {
	if len(rep.Sweep) == 0 {
		return
	}
	fmt.Fprintf(w, "\nsweep: http single debits (coffer/depth: batches each committer may have in flight) against the naive design, %d accounts, by concurrent clients\n", rep.Accounts)
	fmt.Fprintf(w, "%7s  %-9s  %10s  %10s  %9s  %9s  %7s  %9s  %7s  %7s  %7s\n", "clients", "design", "debits",
		"debits/s", "p50", "p99", "/commit", "allocs/op", "RSS MB", "x naive", "p50 x")
	line := func(clients int, name string, d SweepSide, naive SweepSide) {
		xs, xl := "", ""
		if name != "naive" && naive.PerSecond > 0 && naive.P50ms > 0 {
			xs = fmt.Sprintf("%.2fx", d.PerSecond/naive.PerSecond)
			xl = fmt.Sprintf("%.2fx", d.P50ms/naive.P50ms)
		}
		fmt.Fprintf(w, "%7d  %-9s  %10s  %10s  %9s  %9s  %7.1f  %9.0f  %7.0f  %7s  %7s", clients, name,
			group(d.Debits), group(int64(d.PerSecond+0.5)), fmtMs(d.P50ms), fmtMs(d.P99ms), d.PerCommit,
			d.AllocsPerDebit, d.PeakRSSMB, xs, xl)
		if d.Errors > 0 {
			fmt.Fprintf(w, "  (%s errors; first: %s)", group(d.Errors), d.FirstError)
		}
		fmt.Fprintln(w)
	}
	for _, r := range rep.Sweep {
		for _, d := range r.cofferSides() {
			line(r.Clients, fmt.Sprintf("coffer/%d", d.Depth), d, r.Naive)
		}
		line(r.Clients, "naive", r.Naive, r.Naive)
	}
	fmt.Fprintf(w, "\n%-28s", "sweep: committer µs per debit")
	for _, p := range PhaseNames {
		fmt.Fprintf(w, "  %7s", p)
	}
	fmt.Fprintf(w, "  %7s\n", "total")
	for _, r := range rep.Sweep {
		for _, d := range r.cofferSides() {
			fmt.Fprintf(w, "%-28s", fmt.Sprintf("%d clients, depth %d", r.Clients, d.Depth))
			var total float64
			for _, p := range PhaseNames {
				fmt.Fprintf(w, "  %7.1f", d.Phases[p])
				total += d.Phases[p]
			}
			fmt.Fprintf(w, "  %7.1f\n", total)
		}
	}
}
