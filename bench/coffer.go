package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/httpapi"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/jobs"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// debitAmount is what every debit of the bench charges, in every scenario.
var debitAmount = money.MustParse("0.0075")

// openingCredit is what each account is granted up front: enough that no
// run, however long, runs an account out (it covers 133 million debits).
var openingCredit = money.FromInt(1_000_000)

// cofferEnv is a Coffer as `coffer serve` runs it: the store, the service
// with its batching committer, and the v1 HTTP API on a local port.
type cofferEnv struct {
	st    *meteredStore
	svc   *service.Service
	clock *benchClock
	// closeDelay is how long after a month ends the service closes it.
	closeDelay time.Duration
	jobs       *jobs.Group  // the background work a server runs beside the hot path
	call       service.Call // an admin caller, authenticated as any request is
	secret     string       // its API key, for the HTTP client
	spread     []string     // the accounts debits are spread over
	hot        string       // the one hot account
	ops        *opsEnv      // the ops scenarios' stacks, when named (ops.go)

	srv *http.Server
	url string
	hc  *http.Client
}

// startCoffer opens and migrates the store, starts the service and the HTTP
// API on 127.0.0.1 (port chosen by the system), and creates the accounts.
func startCoffer(ctx context.Context, dsn string, o *Options, say func(string, ...any)) (*cofferEnv, error) {
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate store: %w", err)
	}
	// Committer failures are logged at error level; let them through.
	log := slog.New(slog.NewTextHandler(o.Progress, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := service.DefaultConfig()
	// Webhook delivery is off-path work with its own worker; the bench
	// measures the hot path alone.
	cfg.Notify.NoDelivery = true
	cfg.Committers = o.Committers
	cfg.CommitterDepth = o.Depth
	ms := &meteredStore{Store: st}
	clock := &benchClock{}
	if slices.Contains(o.Scenarios, InvoiceClose) {
		// The close's accounts and their usage fall in one month.
		start, _ := invoice.PeriodOf(coffer.SystemClock{}.Now())
		clock.startAt(start.Add(24 * time.Hour))
	}
	e := &cofferEnv{st: ms, clock: clock, closeDelay: cfg.Invoices.CloseDelay, svc: service.New(ms, clock, log, cfg)}
	// The jobs `coffer serve` runs beside the hot path, less delivery as
	// above, so the bench measures what a server carries.
	e.jobs = jobs.ForServer(e.svc, log, jobs.ServerConfig{Interval: cfg.SweepInterval, NoDelivery: true})
	if err := e.jobs.Start(ctx); err != nil {
		e.close()
		return nil, err
	}

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

	say("creating %d accounts and one hot account, each granted %s", o.Accounts, openingCredit)
	ids, err := e.createAccounts(ctx, o.Accounts+1, e.createAccount)
	if err != nil {
		e.close()
		return nil, err
	}
	e.spread, e.hot = ids[:o.Accounts], ids[o.Accounts]

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.close()
		return nil, err
	}
	// The same handler as `coffer serve`, without its connection limit and
	// timeouts: those bound hostile clients, which the bench has none of.
	e.srv = &http.Server{Handler: httpapi.New(e.svc, httpapi.Options{}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.srv.Serve(ln) }()
	e.url = "http://" + ln.Addr().String()
	// Keep a connection per concurrent caller alive; the default of two
	// idle connections per host would make most requests dial anew.
	tr := &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute}
	e.hc = &http.Client{Transport: tr, Timeout: time.Minute}
	return e, nil
}

// createAccounts opens n accounts with create (account i and its grant),
// several at a time so that the grants share committer batches.
func (e *cofferEnv) createAccounts(ctx context.Context, n int, create func(context.Context, int) (string, error)) ([]string, error) {
	ids := make([]string, n)
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				id, err := create(ctx, i)
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
	return ids, first
}

// createAccount opens account i of the spread (or the hot one) and grants
// it the opening credit.
func (e *cofferEnv) createAccount(ctx context.Context, i int) (string, error) {
	a, err := e.svc.CreateAccount(ctx, e.call, api.AccountCreate{Name: "bench " + strconv.Itoa(i), Currency: "USD"})
	if err != nil {
		return "", fmt.Errorf("create account: %w", err)
	}
	_, err = e.svc.CreateGrant(ctx, e.call, a.ID, api.GrantCreate{Amount: openingCredit, Category: "paid",
		Reason: "bench opening credit"})
	if err != nil {
		return "", fmt.Errorf("grant %s: %w", a.ID, err)
	}
	return a.ID, nil
}

func (e *cofferEnv) close() {
	if e.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = e.srv.Shutdown(ctx)
		cancel()
	}
	if e.hc != nil {
		e.hc.CloseIdleConnections()
	}
	if e.jobs != nil {
		e.jobs.Stop()
	}
	e.svc.Close()
	e.st.Close()
}

// pick spreads debit number seq over the accounts: the same debit number
// goes to the same account in every scenario.
func pick(accounts []string, seq int64) string {
	h := uint64(seq) * 0x9E3779B97F4A7C15
	return accounts[(h>>32)%uint64(len(accounts))]
}

func eventID(tag string, seq int64) string { return tag + strconv.FormatInt(seq, 10) }

// inProcess debits through the service directly, as the HTTP handler does
// after decoding a request: validation, the committer, the store.
func (e *cofferEnv) inProcess(accounts []string, tag string) op {
	return func(ctx context.Context, seq int64, _ int) (int, error) {
		_, err := e.svc.Debit(ctx, e.call, api.DebitCreate{AccountID: pick(accounts, seq),
			EventID: eventID(tag, seq), Amount: &debitAmount})
		if err != nil {
			return 0, err
		}
		return 1, nil
	}
}

// client returns an HTTP client of the API that sends each call once: a
// refusal counts as an error instead of being retried out of sight.
func (e *cofferEnv) client() *client.Client {
	return client.New(e.url, client.WithAPIKey(e.secret), client.WithHTTPClient(e.hc), client.WithMaxAttempts(1))
}

// httpSingle sends one POST /v1/debits per debit.
func (e *cofferEnv) httpSingle(tag string) op {
	c := e.client()
	return func(ctx context.Context, seq int64, _ int) (int, error) {
		_, err := c.Debit(ctx, api.DebitCreate{AccountID: pick(e.spread, seq), EventID: eventID(tag, seq),
			Amount: &debitAmount})
		if err != nil {
			return 0, err
		}
		return 1, nil
	}
}

// httpBatch sends n debits in one POST /v1/debits/batch.
func (e *cofferEnv) httpBatch(tag string) op {
	c := e.client()
	return func(ctx context.Context, seq int64, n int) (int, error) {
		in := api.DebitBatch{Debits: make([]api.DebitCreate, n)}
		for i := range n {
			s := seq + int64(i)
			in.Debits[i] = api.DebitCreate{AccountID: pick(e.spread, s), EventID: eventID(tag, s), Amount: &debitAmount}
		}
		out, err := c.DebitBatch(ctx, in)
		if err != nil {
			return 0, err
		}
		ok := 0
		var first error
		for _, it := range out.Data {
			if it.Debit != nil && it.Error == nil {
				ok++
			} else if first == nil && it.Error != nil {
				first = errors.New(it.Error.Code + ": " + it.Error.Message)
			}
		}
		return ok, first
	}
}
