package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"slices"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/httpapi"
	"github.com/cofferdev/coffer/service"
)

// The ops scenarios measure what the operational features cost the hot
// path: single debits over HTTP (--clients clients, closed loop) against
// the request path `coffer serve` builds (app.NewStack), with metrics and
// per-key rate limits off and on, and service.Debit in-process with the
// store and committer decorators off and on. They run only when named,
// each alone or all as the group "ops", in rounds taken in turn like the
// others, so that the machine's noise falls on every variant alike.
const (
	Ops                 = "ops"
	OpsHTTPOff          = "ops-http-off"
	OpsHTTPMetrics      = "ops-http-metrics"
	OpsHTTPLimits       = "ops-http-ratelimits"
	OpsHTTPBoth         = "ops-http-both"
	OpsInProcessOff     = "ops-inprocess-off"
	OpsInProcessMetrics = "ops-inprocess-metrics"
)

// OpsScenarios lists the ops scenarios' keys in the order they run.
var OpsScenarios = []string{OpsHTTPOff, OpsHTTPMetrics, OpsHTTPLimits, OpsHTTPBoth, OpsInProcessOff, OpsInProcessMetrics}

// opsVariant is one ops scenario: which features are on, whether it goes
// over HTTP, and the variant it is compared with.
type opsVariant struct {
	key, name       string
	metrics, limits bool
	http            bool
	against         string
}

var opsVariants = []opsVariant{
	{key: OpsHTTPOff, name: "ops: http, metrics off, rate limits off", http: true},
	{key: OpsHTTPMetrics, name: "ops: http, metrics on", metrics: true, http: true, against: OpsHTTPOff},
	{key: OpsHTTPLimits, name: "ops: http, rate limits on", limits: true, http: true, against: OpsHTTPOff},
	{key: OpsHTTPBoth, name: "ops: http, metrics and rate limits on", metrics: true, limits: true, http: true, against: OpsHTTPOff},
	{key: OpsInProcessOff, name: "ops: in-process, store and committer decorators off"},
	{key: OpsInProcessMetrics, name: "ops: in-process, store and committer decorators on", metrics: true, against: OpsInProcessOff},
}

// neverRefuse is a rate limit far above any rate the bench reaches, so
// that every request pays for the bucket and none is refused.
var neverRefuse = httpapi.RateLimit{Rate: 1e9, Burst: 1_000_000_000}

// expandOps replaces the group name "ops" with its scenarios.
func expandOps(keys []string) []string {
	i := slices.Index(keys, Ops)
	if i < 0 {
		return keys
	}
	return slices.Concat(keys[:i], OpsScenarios, expandOps(keys[i+1:]))
}

// opsEnv holds a stack for each combination of metrics and rate limits,
// each serving on a local port of its own, over the bench's store and
// accounts, and what each scenario allocated.
type opsEnv struct {
	stacks map[[2]bool]*opsStack // by {metrics, limits}
	// allocs and bytes are counted over each scenario's runs, which run
	// one at a time.
	allocs map[string]*opsAllocs
}

type opsStack struct {
	stack *app.Stack
	call  service.Call
	srv   *http.Server
	c     *client.Client
}

type opsAllocs struct {
	mallocs, bytes uint64
	debits         int64
}

// startOps builds the stacks the named ops scenarios need; nil when none
// is named.
func startOps(ctx context.Context, e *cofferEnv, o *Options) (*opsEnv, error) {
	x := &opsEnv{stacks: map[[2]bool]*opsStack{}, allocs: map[string]*opsAllocs{}}
	for _, v := range opsVariants {
		if !slices.Contains(o.Scenarios, v.key) {
			continue
		}
		x.allocs[v.key] = &opsAllocs{}
		combo := [2]bool{v.metrics, v.limits}
		if x.stacks[combo] != nil {
			continue
		}
		s, err := x.startStack(ctx, e, o, v.metrics, v.limits)
		if err != nil {
			x.close()
			return nil, err
		}
		x.stacks[combo] = s
	}
	if len(x.allocs) == 0 {
		return nil, nil
	}
	return x, nil
}

// startStack builds the request path as `coffer serve` does, with the
// bench's service settings (startCoffer) and its log, and serves it.
func (x *opsEnv) startStack(ctx context.Context, e *cofferEnv, o *Options, metrics, limits bool) (*opsStack, error) {
	svc := service.DefaultConfig()
	svc.Notify.NoDelivery = true
	svc.Committers = o.Committers
	cfg := app.ServerConfig{Service: svc, Version: "bench", Metrics: app.MetricsConfig{Addr: app.MetricsOff},
		Log: slog.New(slog.NewTextHandler(o.Progress, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if metrics {
		cfg.Metrics.Addr = "" // beside the API, as `coffer serve` serves them by default
	}
	if limits {
		cfg.HTTP.RateLimits = httpapi.RateLimits{Admin: neverRefuse, Usage: neverRefuse, Account: neverRefuse}
	}
	st := app.NewStack(e.st.Store, e.clock, cfg, httpapi.NewHealth(nil))
	s := &opsStack{stack: st}
	caller, err := st.Service.Authenticate(ctx, e.secret)
	if err != nil {
		st.Service.Close()
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	s.call = service.Call{Caller: caller}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Service.Close()
		return nil, err
	}
	s.srv = &http.Server{Handler: st.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	s.c = client.New("http://"+ln.Addr().String(), client.WithAPIKey(e.secret), client.WithHTTPClient(e.hc),
		client.WithMaxAttempts(1))
	return s, nil
}

func (x *opsEnv) close() {
	if x == nil {
		return
	}
	for _, s := range x.stacks {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = s.srv.Shutdown(ctx)
		cancel()
		s.stack.Service.Close()
	}
}

// scenarios are the named ops scenarios, in order.
func (x *opsEnv) scenarios(e *cofferEnv, o *Options) []scenario {
	if x == nil {
		return nil
	}
	var out []scenario
	for _, v := range opsVariants {
		a := x.allocs[v.key]
		if a == nil {
			continue
		}
		s := x.stacks[[2]bool{v.metrics, v.limits}]
		sc := scenario{key: v.key, name: v.name}
		var do op
		workers := o.Concurrency
		if v.http {
			sc.conc, sc.latencyOf, workers = o.Clients, "request", o.Clients
			do = s.httpDebit(e.spread, v.key+"-")
		} else {
			sc.conc, sc.latencyOf = o.Concurrency, "debit"
			do = s.debit(e.spread, v.key+"-")
		}
		sc.run = func(ctx context.Context, p plan) outcome {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			out := closedLoop(ctx, p, workers, 1, do)
			runtime.ReadMemStats(&after)
			a.mallocs += after.Mallocs - before.Mallocs
			a.bytes += after.TotalAlloc - before.TotalAlloc
			a.debits += out.debits
			return out
		}
		out = append(out, sc)
	}
	return out
}

func (s *opsStack) httpDebit(accounts []string, tag string) op {
	return func(ctx context.Context, seq int64, _ int) (int, error) {
		_, err := s.c.Debit(ctx, api.DebitCreate{AccountID: pick(accounts, seq), EventID: eventID(tag, seq),
			Amount: &debitAmount})
		if err != nil {
			return 0, err
		}
		return 1, nil
	}
}

func (s *opsStack) debit(accounts []string, tag string) op {
	return func(ctx context.Context, seq int64, _ int) (int, error) {
		_, err := s.stack.Service.Debit(ctx, s.call, api.DebitCreate{AccountID: pick(accounts, seq),
			EventID: eventID(tag, seq), Amount: &debitAmount})
		if err != nil {
			return 0, err
		}
		return 1, nil
	}
}

// OpsRow is one ops scenario beside the variant it is compared with: the
// ratios are on / off (throughput above 1 is faster; latency and
// allocations above 1 cost more). Allocations count the whole process,
// the bench's own HTTP client included, which every HTTP variant shares.
type OpsRow struct {
	Key            string  `json:"key"`
	Name           string  `json:"name"`
	PerSecond      float64 `json:"debits_per_second"`
	P50ms          float64 `json:"p50_ms"`
	P99ms          float64 `json:"p99_ms"`
	AllocsPerDebit float64 `json:"allocs_per_debit"`
	BytesPerDebit  float64 `json:"bytes_per_debit"`
	Against        string  `json:"against,omitempty"`
	Throughput     float64 `json:"throughput_ratio,omitempty"`
	P50            float64 `json:"p50_ratio,omitempty"`
	P99            float64 `json:"p99_ratio,omitempty"`
	Allocs         float64 `json:"allocs_ratio,omitempty"`
}

// report builds the ops rows from the run's results. The ops stacks'
// commits are not counted (their stores are undecorated, as in a
// server), so their results say nothing per commit.
func (x *opsEnv) report(rep *Report) []OpsRow {
	if x == nil {
		return nil
	}
	rows := map[string]OpsRow{}
	var out []OpsRow
	for _, v := range opsVariants {
		r, a := rep.Result(v.key), x.allocs[v.key]
		if r == nil || a == nil {
			continue
		}
		r.Commits, r.PerCommit = 0, 0
		row := OpsRow{Key: v.key, Name: v.name, PerSecond: r.PerSecond, P50ms: r.P50ms, P99ms: r.P99ms}
		if a.debits > 0 {
			row.AllocsPerDebit = float64(a.mallocs) / float64(a.debits)
			row.BytesPerDebit = float64(a.bytes) / float64(a.debits)
		}
		if base, ok := rows[v.against]; ok {
			row.Against = v.against
			row.Throughput = onOff(row.PerSecond, base.PerSecond)
			row.P50, row.P99 = onOff(row.P50ms, base.P50ms), onOff(row.P99ms, base.P99ms)
			row.Allocs = onOff(row.AllocsPerDebit, base.AllocsPerDebit)
		}
		out = append(out, row)
		rows[v.key] = row
	}
	return out
}

// onOff is a / b, or 0 without a baseline figure.
func onOff(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// opsAcknowledged is how many debits the ops scenarios were answered for.
func opsAcknowledged(rep *Report) int64 {
	var n int64
	for _, k := range OpsScenarios {
		if r := rep.Result(k); r != nil {
			n += r.Debits
		}
	}
	return n
}

// writeOps prints the ops rows side by side with their ratios.
func (rep *Report) writeOps(w io.Writer) {
	if len(rep.Ops) == 0 {
		return
	}
	width := len("ops variant")
	for _, r := range rep.Ops {
		width = max(width, len(r.Name))
	}
	fmt.Fprintf(w, "\n%-*s  %10s  %9s  %9s  %9s  %9s   %s\n", width, "ops variant", "debits/s", "p50", "p99",
		"allocs/op", "B/op", "on / off: debits/s, p50, p99, allocs")
	for _, r := range rep.Ops {
		fmt.Fprintf(w, "%-*s  %10s  %9s  %9s  %9.0f  %9.0f", width, r.Name, group(int64(r.PerSecond+0.5)),
			fmtMs(r.P50ms), fmtMs(r.P99ms), r.AllocsPerDebit, r.BytesPerDebit)
		if r.Against != "" {
			fmt.Fprintf(w, "   %.2fx  %.2fx  %.2fx  %.2fx", r.Throughput, r.P50, r.P99, r.Allocs)
		} else {
			fmt.Fprintf(w, "   (baseline)")
		}
		fmt.Fprintln(w)
	}
}
