package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/httpapi"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// The account-size scenario (coffer bench --account-size) asks whether a
// debit costs the same however big its account is. In one run, on one
// store, it measures single HTTP debits from --clients clients on one
// account at a time: a fresh account (one lot, no holds), accounts with N
// live lots, and accounts with N open holds; how long creating one more
// grant and one more hold takes at each N; and how long the balance as
// of a past instant (?at=), the balance now (available) and the daily
// usage figures (the alert recommendation and the runway) take over an
// account with N transactions in its history. The history is written in
// bulk straight through the store's Batch, the committer's write path, so
// it is the same journal the hot path writes; coffer check runs on the
// store at the end.

// AccountSizeOptions configure the account-size scenario.
type AccountSizeOptions struct {
	DB string // as Options.DB
	// Lots and Holds are the sizes N of the live-lot and open-hold
	// accounts (default 1, 1,000, 10,000); History the sizes of the
	// history accounts (default 1, 1,000, 10,000, 1,000,000).
	Lots, Holds, History []int
	// Count is the debits each debit measurement sends (default 3,000),
	// from Clients clients (default 8), in Rounds runs (default 1): each
	// round sends its share to every account in turn, so that the
	// machine's changing load falls on all accounts alike.
	Count   int64
	Clients int
	Rounds  int
	// Creations is how many grants and holds are timed at each N
	// (default 100), Reads how many of each read (default 50; fewer, but
	// at least three, when they take more than half a minute).
	Creations, Reads int
	Committers       int
	Progress         io.Writer
}

func (o *AccountSizeOptions) fill() {
	if len(o.Lots) == 0 {
		o.Lots = []int{1, 1000, 10_000}
	}
	if len(o.Holds) == 0 {
		o.Holds = []int{1, 1000, 10_000}
	}
	if len(o.History) == 0 {
		o.History = []int{1, 1000, 10_000, 1_000_000}
	}
	if o.Count <= 0 {
		o.Count = 3000
	}
	if o.Clients <= 0 {
		o.Clients = 8
	}
	if o.Rounds <= 0 {
		o.Rounds = 1
	}
	if o.Creations <= 0 {
		o.Creations = 100
	}
	if o.Reads <= 0 {
		o.Reads = 50
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	o.Progress = &lockedWriter{w: o.Progress}
}

// AccountSizeResult is the scenario's measurement.
type AccountSizeResult struct {
	Engine    string     `json:"engine"`
	Database  string     `json:"database"`
	GoVersion string     `json:"go_version"`
	CPUs      int        `json:"cpus"`
	Clients   int        `json:"clients"`
	Debits    []SizeRow  `json:"debits"`
	Reads     []ReadRow  `json:"reads"`
	CheckOK   bool       `json:"check_ok"`
	Problems  []string   `json:"violations,omitempty"`
	Seeding   []SeedTime `json:"seeding"`
}

// SizeRow is one account's debit measurement: single HTTP debits against
// an account of Size live lots (What "lots") or open holds ("holds"), or
// the fresh account ("fresh"); and, at that size, the cost of one more
// grant and one more hold.
type SizeRow struct {
	What      string  `json:"what"`
	Size      int     `json:"size"`
	Debits    int64   `json:"debits"`
	Errors    int64   `json:"errors"`
	PerSecond float64 `json:"debits_per_second"`
	VsFresh   float64 `json:"vs_fresh"`
	P50ms     float64 `json:"p50_ms"`
	P99ms     float64 `json:"p99_ms"`
	GrantP50  float64 `json:"grant_p50_ms"`
	HoldP50   float64 `json:"hold_p50_ms"`
	// BalanceP50 is the median of GET …/balance on the account, after
	// the grants and holds.
	BalanceP50 float64 `json:"balance_p50_ms"`
	RSSMB      float64 `json:"rss_mb"`
	HWMMB      float64 `json:"peak_rss_mb"`
}

// ReadRow is the reads over an account with Txns transactions: medians
// and the slowest of Reads calls each, through the HTTP API.
type ReadRow struct {
	Txns       int     `json:"txns"`
	AtP50      float64 `json:"balance_at_p50_ms"`
	AtMax      float64 `json:"balance_at_max_ms"`
	NowP50     float64 `json:"balance_now_p50_ms"`
	NowMax     float64 `json:"balance_now_max_ms"`
	AlertsP50  float64 `json:"recommendation_p50_ms"`
	AlertsMax  float64 `json:"recommendation_max_ms"`
	RunwayP50  float64 `json:"runway_p50_ms"`
	RunwayMax  float64 `json:"runway_max_ms"`
	SeriesP50  float64 `json:"balance_series_p50_ms"`
	SeriesMax  float64 `json:"balance_series_max_ms"`
	LiabP50    float64 `json:"liability_at_p50_ms"`
	LiabMax    float64 `json:"liability_at_max_ms"`
	RSSMB      float64 `json:"rss_mb"`
	HWMMB      float64 `json:"peak_rss_mb"`
	Recommends string  `json:"recommended"`
}

// SeedTime is how long making one account's lots, holds or history took.
type SeedTime struct {
	What    string  `json:"what"`
	Size    int     `json:"size"`
	Seconds float64 `json:"seconds"`
}

// sizeEnv is the scenario's Coffer: the service over the store, the HTTP
// API on a local port, and a clock that starts in the past so the history
// accounts are old enough for their usage window.
type sizeEnv struct {
	*cofferEnv
	st *sqlstore.Store
}

// RunAccountSize runs the account-size scenario.
func RunAccountSize(ctx context.Context, o AccountSizeOptions) (res *AccountSizeResult, err error) {
	o.fill()
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
	env, err := startSizeEnv(ctx, db.dsn, &o)
	if err != nil {
		return nil, err
	}
	defer env.close()
	res = &AccountSizeResult{Engine: db.engine, Database: db.where, GoVersion: runtime.Version(),
		CPUs: runtime.GOMAXPROCS(0), Clients: o.Clients}

	// The history accounts first, while the clock stands in the past.
	now := coffer.SystemClock{}.Now()
	start := now.Add(-historySpan - 24*time.Hour)
	env.clock.startAt(start)
	hist := make([]string, len(o.History))
	for i := range o.History {
		a, err := env.svc.CreateAccount(ctx, env.call, api.AccountCreate{Name: "history " + strconv.Itoa(i), Currency: "USD"})
		if err != nil {
			return nil, err
		}
		hist[i] = a.ID
	}
	env.clock.moveTo(now)

	// The fresh account, then the lots and holds accounts, all made
	// first. The warm-up runs on an account of its own: a measurement ends
	// with grants and holds made on its account, which would leave the
	// fresh one past the size loaded whole.
	warm, err := env.freshAccount(ctx)
	if err != nil {
		return nil, err
	}
	fresh, err := env.freshAccount(ctx)
	if err != nil {
		return nil, err
	}
	targets := []sizeTarget{{what: "fresh", n: 1, id: fresh}}
	for _, what := range []string{"lots", "holds"} {
		sizes := o.Lots
		if what == "holds" {
			sizes = o.Holds
		}
		for _, n := range sizes {
			id, err := env.freshAccount(ctx)
			if err != nil {
				return nil, err
			}
			say("%s: making %d on one account", what, n)
			t := time.Now()
			if what == "lots" {
				err = env.makeLots(ctx, id, n-1) // the opening grant is the first
			} else {
				err = env.makeHolds(ctx, id, n)
			}
			if err != nil {
				return nil, err
			}
			res.Seeding = append(res.Seeding, SeedTime{What: what, Size: n, Seconds: time.Since(t).Seconds()})
			say("%s: %d made in %.1fs", what, n, time.Since(t).Seconds())
			targets = append(targets, sizeTarget{what: what, n: n, id: id})
		}
	}
	say("debits: %d single debits from %d clients on each account, in %d round(s) taken in turn, after a warm-up on another account",
		o.Count, o.Clients, o.Rounds)
	if _, err := env.debits(ctx, &o, sizeTarget{what: "warm-up", n: 1, id: warm}, o.Count); err != nil {
		return nil, err
	}
	memoryMB() // the peaks below are each account's debits' own
	for r := range o.Rounds {
		for i := range targets {
			out, err := env.debits(ctx, &o, targets[i], share(o.Count, o.Rounds, r))
			if err != nil {
				return nil, err
			}
			targets[i].add(out)
		}
	}
	for _, tg := range targets {
		row, err := env.measure(ctx, &o, tg)
		if err != nil {
			return nil, err
		}
		row.VsFresh = row.PerSecond / targets[0].out.perSecond()
		say("%s %d: %.0f debits/s (%.2fx fresh), p50 %s; grant p50 %s, hold p50 %s", tg.what, tg.n, row.PerSecond, row.VsFresh,
			fmtMs(row.P50ms), fmtMs(row.GrantP50), fmtMs(row.HoldP50))
		res.Debits = append(res.Debits, row)
	}

	for i, n := range o.History {
		say("history: writing %d transactions on one account", n)
		t := time.Now()
		if err := env.seedHistory(ctx, hist[i], n, start, now); err != nil {
			return nil, err
		}
		res.Seeding = append(res.Seeding, SeedTime{What: "history", Size: n, Seconds: time.Since(t).Seconds()})
		say("history: %d written in %.1fs; reading", n, time.Since(t).Seconds())
		row, err := env.reads(ctx, &o, hist[i], n, start, now)
		if err != nil {
			return nil, err
		}
		say("history %d: ?at= p50 %s, now p50 %s, recommendation p50 %s, runway p50 %s, 30-day balance series p50 %s, liability at p50 %s", n,
			fmtMs(row.AtP50), fmtMs(row.NowP50), fmtMs(row.AlertsP50), fmtMs(row.RunwayP50), fmtMs(row.SeriesP50), fmtMs(row.LiabP50))
		res.Reads = append(res.Reads, row)
	}

	say("verifying the store (coffer check)")
	vs, err := env.st.Check(ctx)
	if err != nil {
		return nil, fmt.Errorf("check the store: %w", err)
	}
	res.CheckOK = len(vs) == 0
	for _, v := range vs {
		res.Problems = append(res.Problems, fmt.Sprintf("%s %s: %s", v.Rule, v.Subject, v.Detail))
	}
	return res, nil
}

// historySpan is how far back the history accounts' transactions reach.
const historySpan = 60 * 24 * time.Hour

func startSizeEnv(ctx context.Context, dsn string, o *AccountSizeOptions) (*sizeEnv, error) {
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate store: %w", err)
	}
	log := slog.New(slog.NewTextHandler(o.Progress, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := service.DefaultConfig()
	cfg.Notify.NoDelivery = true
	cfg.Committers = o.Committers
	clock := &benchClock{}
	e := &sizeEnv{cofferEnv: &cofferEnv{st: &meteredStore{Store: st}, clock: clock}, st: st}
	e.svc = service.New(e.cofferEnv.st, clock, log, cfg)
	secret, _, err := e.svc.CreateAPIKey(ctx, coffer.RoleAdmin, "", "coffer bench")
	if err != nil {
		e.close()
		return nil, fmt.Errorf("create an admin key: %w", err)
	}
	caller, err := e.svc.Authenticate(ctx, secret)
	if err != nil {
		e.close()
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	e.secret, e.call = secret, service.Call{Caller: caller}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.close()
		return nil, err
	}
	e.srv = &http.Server{Handler: httpapi.New(e.svc, httpapi.Options{}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.srv.Serve(ln) }()
	e.url = "http://" + ln.Addr().String()
	tr := &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute}
	e.hc = &http.Client{Transport: tr, Timeout: time.Minute}
	return e, nil
}

// freshAccount opens an account and grants it the opening credit.
func (e *sizeEnv) freshAccount(ctx context.Context) (string, error) {
	return e.createAccount(ctx, 0)
}

// sizeLot is each extra lot's value: enough that the debits of a
// measurement use up a few of them, so debits cross from lot to lot.
var sizeLot = money.MustParse("10.00")

// makeLots grants the account n lots of sizeLot, expiring in a year and
// spread over the next month's days (as auto-recharge lots bought over a
// month would), 16 at a time.
func (e *sizeEnv) makeLots(ctx context.Context, id string, n int) error {
	base := e.clock.Now().Add(365 * 24 * time.Hour)
	_, err := e.createAccounts(ctx, n, func(ctx context.Context, i int) (string, error) {
		exp := base.Add(time.Duration(i%30) * 24 * time.Hour)
		_, err := e.svc.CreateGrant(ctx, e.call, id, api.GrantCreate{Amount: sizeLot, Category: "paid",
			ExpiresAt: &exp, Reason: "bench lot"})
		return "", err
	})
	return err
}

// makeHolds opens n holds of 0.01 for an hour on the account, 16 at a
// time.
func (e *sizeEnv) makeHolds(ctx context.Context, id string, n int) error {
	_, err := e.createAccounts(ctx, n, func(ctx context.Context, i int) (string, error) {
		_, err := e.svc.CreateHold(ctx, e.call, api.HoldCreate{AccountID: id, Amount: money.MustParse("0.01"), TTL: "1h",
			EventID: "seed-hold-" + strconv.Itoa(i)})
		return "", err
	})
	return err
}

var sizeSeq atomic.Int64

// sizeTarget is one measured account and its debits over all rounds.
type sizeTarget struct {
	what string
	n    int
	id   string
	out  outcome
	// rss and peak are the most the process held at the end of, and
	// during, the account's debit runs.
	rss, peak float64
}

// add merges one round's debits and the memory they left.
func (t *sizeTarget) add(out outcome) {
	t.out.add(out)
	rss, peak := memoryMB()
	t.rss, t.peak = max(t.rss, rss), max(t.peak, peak)
}

// debits sends count single HTTP debits to the target's account from
// o.Clients clients.
func (e *sizeEnv) debits(ctx context.Context, o *AccountSizeOptions, t sizeTarget, count int64) (outcome, error) {
	c := e.client()
	tag := fmt.Sprintf("size-%s-%d-", t.what, sizeSeq.Add(1))
	var next atomic.Int64
	out := closedLoop(ctx, plan{count: count, next: &next}, o.Clients, 1, func(ctx context.Context, seq int64, _ int) (int, error) {
		_, err := c.Debit(ctx, api.DebitCreate{AccountID: t.id, EventID: eventID(tag, seq), Amount: &debitAmount})
		if err != nil {
			return 0, err
		}
		return 1, nil
	})
	if err := ctx.Err(); err != nil {
		return out, err
	}
	if out.errors > 0 {
		return out, fmt.Errorf("%s %d: %d debits failed (first: %v)", t.what, t.n, out.errors, out.firstErr)
	}
	return out, nil
}

// measure makes the target's row from its debits, then times grants,
// holds and balance reads on its account at its size.
func (e *sizeEnv) measure(ctx context.Context, o *AccountSizeOptions, t sizeTarget) (SizeRow, error) {
	c := e.client()
	tag := fmt.Sprintf("size-%s-%d-", t.what, sizeSeq.Add(1))
	id := t.id
	p50, p99 := latencies(t.out.lats)
	row := SizeRow{What: t.what, Size: t.n, Debits: t.out.debits, PerSecond: t.out.perSecond(), P50ms: ms(p50), P99ms: ms(p99)}
	var grants, holds []time.Duration
	exp := e.clock.Now().Add(400 * 24 * time.Hour)
	for i := range o.Creations {
		t := time.Now()
		if _, err := c.CreateGrant(ctx, id, api.GrantCreate{Amount: sizeLot, Category: "paid", ExpiresAt: &exp, Reason: "bench timed grant"}); err != nil {
			return row, fmt.Errorf("timed grant: %w", err)
		}
		grants = append(grants, time.Since(t))
		t = time.Now()
		if _, err := c.CreateHold(ctx, api.HoldCreate{AccountID: id, Amount: money.MustParse("0.01"), TTL: "1h",
			EventID: tag + "hold-" + strconv.Itoa(i)}); err != nil {
			return row, fmt.Errorf("timed hold: %w", err)
		}
		holds = append(holds, time.Since(t))
	}
	row.GrantP50, row.HoldP50 = ms(median(grants)), ms(median(holds))
	var reads []time.Duration
	for range o.Creations {
		t := time.Now()
		if _, err := c.GetBalance(ctx, id, client.BalanceParams{}); err != nil {
			return row, fmt.Errorf("balance: %w", err)
		}
		reads = append(reads, time.Since(t))
	}
	row.BalanceP50 = ms(median(reads))
	rss, peak := memoryMB()
	row.RSSMB, row.HWMMB = max(t.rss, rss), max(t.peak, peak)
	return row, nil
}

// median is the middle of the durations.
func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// reads times the balance as of a past instant, the balance now, the
// alert recommendation and the runway of the history account, o.Reads
// times each through the HTTP API; then the console's balance chart (the
// balance at the end of each of the last 30 days, in-process: it has no
// route of its own) and the liability report of the account at the past
// instant (GET /v1/reports/liability?at=&account_id=). The instant is
// half an hour before the last hour of history: the reads must add up
// whole periods and a part of one.
func (e *sizeEnv) reads(ctx context.Context, o *AccountSizeOptions, id string, n int, start, end time.Time) (ReadRow, error) {
	c := e.client()
	at := end.Add(-90 * time.Minute)
	row := ReadRow{Txns: n}
	var atT, nowT, alT, rwT, seT, liT []time.Duration
	liability := url.Values{"at": {at.Format(time.RFC3339Nano)}, "account_id": {id}}
	began := time.Now()
	// Slow reads (before checkpoints, a million transactions took seconds
	// each) stop after half a minute, once three of each are in.
	for i := 0; i < o.Reads && (i < 3 || time.Since(began) < 30*time.Second); i++ {
		t := time.Now()
		if _, err := c.GetBalance(ctx, id, client.BalanceParams{At: at}); err != nil {
			return row, fmt.Errorf("balance at: %w", err)
		}
		atT = append(atT, time.Since(t))
		t = time.Now()
		if _, err := c.GetBalance(ctx, id, client.BalanceParams{}); err != nil {
			return row, fmt.Errorf("balance: %w", err)
		}
		nowT = append(nowT, time.Since(t))
		t = time.Now()
		al, err := c.GetBalanceAlerts(ctx, id)
		if err != nil {
			return row, fmt.Errorf("balance alerts: %w", err)
		}
		alT = append(alT, time.Since(t))
		row.Recommends = al.Recommended.String()
		t = time.Now()
		if _, err := c.Runway(ctx, id); err != nil {
			return row, fmt.Errorf("runway: %w", err)
		}
		rwT = append(rwT, time.Since(t))
		t = time.Now()
		if _, err := e.svc.BalanceSeries(ctx, e.call, id, 30); err != nil {
			return row, fmt.Errorf("balance series: %w", err)
		}
		seT = append(seT, time.Since(t))
		t = time.Now()
		if _, err := c.Report(ctx, client.ReportLiability, liability); err != nil {
			return row, fmt.Errorf("liability at: %w", err)
		}
		liT = append(liT, time.Since(t))
	}
	row.AtP50, row.AtMax = ms(median(atT)), ms(slices.Max(atT))
	row.NowP50, row.NowMax = ms(median(nowT)), ms(slices.Max(nowT))
	row.AlertsP50, row.AlertsMax = ms(median(alT)), ms(slices.Max(alT))
	row.RunwayP50, row.RunwayMax = ms(median(rwT)), ms(slices.Max(rwT))
	row.SeriesP50, row.SeriesMax = ms(median(seT)), ms(slices.Max(seT))
	row.LiabP50, row.LiabMax = ms(median(liT)), ms(slices.Max(liT))
	row.RSSMB, row.HWMMB = memoryMB()
	return row, nil
}
