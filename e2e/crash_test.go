package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
)

// TestCrashRecovery drives debits at the real binary from concurrent
// clients, kills it with SIGKILL at random moments mid-load, restarts it on
// the same store, and lets the clients retry every debit that got no
// answer until it gets one. Then every acknowledged debit must be in the
// history exactly once, no event twice, the balance must be what the
// acknowledged grants and debits make it, and `coffer check` must pass.
//
// Two accounts share the load: one with plenty of credit, and a tight one
// topped up a little at a time, so that debits are refused and accepted in
// turn across the kills and refusals must stay refusals on retry.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	bin := cofferBin
	kills := 3
	if testing.Short() {
		kills = 1
	}
	stores(t, func(t *testing.T, dsn string) {
		crashRun(t, bin, dsn, kills)
	})
}

const (
	crashClients   = 8
	plentyCredit   = "1000000.00"
	tightCredit    = "5.00"
	tightTopUp     = "1.00"
	tightTopUpGap  = 40 * time.Millisecond
	crashDeadline  = 50 * time.Second
	answerBackoff  = 10 * time.Millisecond
	resendEveryNth = 8 // an acknowledged debit sent again, to prove a retry never doubles it
	maxExtraKills  = 5 // kills past the planned ones, while none has cut off a request
)

// crashLoad is the clients' shared view: the server they talk to now (nil
// while it is down) and counters the kill loop watches.
type crashLoad struct {
	cur      atomic.Pointer[client.Client]
	answered atomic.Int64 // debits that got a definite answer
	stop     chan struct{}
}

// clientResult is what one load client saw.
type clientResult struct {
	acked   map[string]accepted // event id → acknowledged debit
	account map[string]string   // event id → account id
	refused int
	resent  int
	// lost counts debits committed by an attempt whose answer never
	// arrived, answered on a retry from what was stored.
	lost    int
	floorOK bool // every answer on the tight account showed balance ≥ 0
	errs    []string
}

func crashRun(t *testing.T, bin, dsn string, kills int) {
	began := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), crashDeadline)
	defer cancel()
	p := startServe(t, bin, dsn, "coffer")
	key := p.AdminKey()
	if key == "" {
		t.Fatal("the first start on an empty store printed no admin key")
	}
	lt := newLoadTransport()
	hc := lt.client()
	newClient := func() *client.Client {
		return client.New(p.URL(), client.WithAPIKey(key), client.WithHTTPClient(hc), client.WithMaxAttempts(1))
	}
	admin := newClient()

	plenty := createFunded(t, admin, "plenty", plentyCredit)
	tight := createFunded(t, admin, "tight", tightCredit)

	l := &crashLoad{stop: make(chan struct{})}
	l.cur.Store(admin)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)

	results := make([]clientResult, crashClients)
	var wg sync.WaitGroup
	for i := range crashClients {
		wg.Go(func() {
			results[i] = l.client(ctx, i, rand.New(rand.NewPCG(seed, uint64(i))), plenty, tight)
		})
	}
	var topUps []money.Amount
	var topUpErr error
	wg.Go(func() { topUps, topUpErr = l.topUp(ctx, tight) })

	// Kill at random moments, each time after the restarted server has
	// answered some debits, so every kill lands mid-load. A request the
	// client counts as in flight may already have its whole answer in the
	// client's socket buffer (a starved test process reads it late), and
	// then a kill cuts off nothing; so past the planned kills the loop
	// goes on, up to maxExtraKills more, until one kill has cut a request
	// off. Each kill's failures are counted before the next: the next
	// waits for debits answered by the restarted server.
	rng := rand.New(rand.NewPCG(seed, 1<<32))
	done := 0
	for k := 0; k < kills || (lt.failed.Load() == 0 && k < kills+maxExtraKills); k++ {
		l.waitProgress(ctx, 100, time.Duration(300+rng.IntN(900))*time.Millisecond)
		// Poll, not waitFor: the kill must follow within a millisecond
		// of requests being in flight, and a deadline passing is the
		// load's failure, reported below, not this wait's.
		for lt.inFlight.Load() < crashClients/2 && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
		if ctx.Err() != nil {
			break
		}
		l.cur.Store(nil)
		p.kill()
		// The server stays down a random while (up to 150 ms), so that
		// clients' retries meet a closed port before it comes back: the
		// downtime is part of the scenario, not a wait for anything.
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		if err := p.start(); err != nil {
			cancel() // the clients are waiting for a server that will not come
			wg.Wait()
			t.Fatalf("restart %d: %v", k+1, err)
		}
		l.cur.Store(newClient())
		done++
	}
	l.waitProgress(ctx, 100, 300*time.Millisecond)
	close(l.stop)
	wg.Wait()
	loadTime := time.Since(began)
	if ctx.Err() != nil {
		t.Fatalf("the load did not settle within %s: a request never got a definite answer", crashDeadline)
	}
	if topUpErr != nil {
		t.Fatalf("top-up: %v", topUpErr)
	}

	// Merge what the clients were told, per account.
	acked := map[string]map[string]accepted{plenty: {}, tight: {}}
	var refused, resent, lost int
	for i, r := range results {
		for _, e := range r.errs {
			t.Errorf("client %d: %s", i, e)
		}
		if !r.floorOK {
			t.Errorf("client %d saw the tight account below its floor of 0", i)
		}
		for ev, a := range r.acked {
			acked[r.account[ev]][ev] = a
		}
		refused += r.refused
		resent += r.resent
		lost += r.lost
	}

	if lt.failed.Load() == 0 {
		t.Errorf("no request failed: %d kills cut off nothing in flight", done)
	}

	c := newClient()
	check := func(name, acct string, wantGranted money.Amount) []api.Transaction {
		hist, err := allTransactions(ctx, c, acct)
		if err != nil {
			t.Fatalf("%s history: %v", name, err)
		}
		debits, granted := verifyDebits(t, hist, acked[acct])
		if granted != wantGranted {
			t.Errorf("%s: history grants %s, acknowledged grants %s", name, granted, wantGranted)
		}
		var spent money.Amount
		for _, a := range acked[acct] {
			spent += a.amount
		}
		b, err := c.GetBalance(ctx, acct, client.BalanceParams{})
		if err != nil {
			t.Fatalf("%s balance: %v", name, err)
		}
		if want := wantGranted - spent; b.Balance != want {
			t.Errorf("%s: balance %s, want %s granted − %s acknowledged debits = %s", name, b.Balance, wantGranted, spent, want)
		}
		return debits
	}
	plentyDebits := check("plenty", plenty, money.MustParse(plentyCredit))
	verifyChain(t, money.MustParse(plentyCredit), plentyDebits)
	tightGranted := money.MustParse(tightCredit)
	for _, a := range topUps {
		tightGranted += a
	}
	for _, d := range check("tight", tight, tightGranted) {
		if d.BalanceAfter < 0 {
			t.Errorf("tight: debit %s left the balance at %s, below the floor of 0", d.ID, d.BalanceAfter)
		}
	}
	runCheck(t, bin, dsn)

	t.Logf("%d kills; %d debits acknowledged (plenty %d, tight %d), %d refused, %d acknowledged ones sent again, %d top-ups; "+
		"%d exchanges got no answer, %d debits committed by an attempt whose answer was lost; load %s, total %s",
		done, len(acked[plenty])+len(acked[tight]), len(acked[plenty]), len(acked[tight]), refused, resent, len(topUps),
		lt.failed.Load(), lost, loadTime.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

// createFunded opens an account (floor 0) and grants it credit.
func createFunded(t *testing.T, c *client.Client, name, credit string) string {
	t.Helper()
	ctx := t.Context()
	a, err := c.CreateAccount(ctx, api.AccountCreate{Name: name, Currency: "USD", Email: name + "@example.com"})
	if err != nil {
		t.Fatalf("create %s account: %v", name, err)
	}
	if _, err := c.CreateGrant(ctx, a.ID, api.GrantCreate{Amount: money.MustParse(credit), Category: "paid", Reason: "opening credit"}); err != nil {
		t.Fatalf("grant %s: %v", name, err)
	}
	return a.ID
}

// waitProgress waits at least d and until n more debits were answered.
func (l *crashLoad) waitProgress(ctx context.Context, n int64, d time.Duration) {
	from := l.answered.Load()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return
	case <-timer.C:
	}
	// Poll the counter until the load has moved on; the load's context,
	// not a wait limit, bounds it.
	for l.answered.Load() < from+n && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
}

// client sends debits with unique event ids until told to stop, each until
// it gets a definite answer. One debit in three carries its own
// Idempotency-Key on every attempt; the others get a new key per attempt,
// so only the event id ties their retries together.
func (l *crashLoad) client(ctx context.Context, id int, rng *rand.Rand, plenty, tight string) clientResult {
	r := clientResult{acked: map[string]accepted{}, account: map[string]string{}, floorOK: true}
	for i := 0; ; i++ {
		select {
		case <-l.stop:
			return r
		default:
		}
		acct, amount := plenty, money.FromMicros(1+rng.Int64N(5_000_000))
		if rng.IntN(2) == 0 {
			acct, amount = tight, money.FromMicros(10_000+rng.Int64N(490_000))
		}
		in := api.DebitCreate{AccountID: acct, EventID: fmt.Sprintf("evt-%d-%06d", id, i), Amount: &amount}
		key := ""
		if i%3 == 0 {
			key = "idem-" + in.EventID
		}
		d, failedAt, err := l.debit(ctx, in, key)
		if ctx.Err() != nil {
			return r
		}
		l.answered.Add(1)
		r.account[in.EventID] = acct
		switch {
		case err == nil:
			r.acked[in.EventID] = accepted{amount: amount, txnID: d.Transaction.ID}
			// An attempt that failed after the debit was committed
			// leaves a transaction older than the failure; the retry
			// must answer with it, and a retry under a new key must
			// say it is a replay.
			lostAnswer := !failedAt.IsZero() && d.Transaction.CreatedAt.Before(failedAt)
			if lostAnswer {
				r.lost++
			}
			if key == "" && d.Replayed != lostAnswer {
				r.errs = append(r.errs, fmt.Sprintf("event %s: replayed=%v, but transaction %s was made at %s and the first failed attempt ended at %s",
					in.EventID, d.Replayed, d.Transaction.ID, d.Transaction.CreatedAt.Format(time.RFC3339Nano), failedAt.Format(time.RFC3339Nano)))
			}
			if acct == tight && (d.Balance < 0 || d.Available < 0) {
				r.floorOK = false
			}
		case client.ErrorCode(err) == "insufficient_balance":
			r.refused++
			if acct == plenty {
				r.errs = append(r.errs, fmt.Sprintf("event %s refused on the plenty account: %v", in.EventID, err))
			}
			if avail, ok := refusalAvailable(err); !ok || avail >= amount || avail < 0 {
				r.errs = append(r.errs, fmt.Sprintf("event %s (%s) refused, but the refusal reports %s available: %v", in.EventID, amount, avail, err))
			}
			continue
		default:
			r.errs = append(r.errs, fmt.Sprintf("event %s: unexpected answer: %v", in.EventID, err))
			continue
		}
		if i%resendEveryNth != 0 {
			continue
		}
		// The same debit again, once with a fresh key and, when it had
		// one, once with its own key: the same transaction, nothing new.
		r.resent++
		keys := []string{""}
		if key != "" {
			keys = append(keys, key)
		}
		for _, k := range keys {
			again, _, err := l.debit(ctx, in, k)
			if ctx.Err() != nil {
				return r
			}
			switch {
			case err != nil:
				r.errs = append(r.errs, fmt.Sprintf("event %s sent again (key %q): %v", in.EventID, k, err))
			case again.Transaction.ID != d.Transaction.ID:
				r.errs = append(r.errs, fmt.Sprintf("event %s sent again (key %q) answered transaction %s, first %s",
					in.EventID, k, again.Transaction.ID, d.Transaction.ID))
			case k == "" && !again.Replayed:
				r.errs = append(r.errs, fmt.Sprintf("event %s sent again was not marked replayed", in.EventID))
			}
		}
	}
}

// debit sends one debit until it gets a definite answer: a 2xx, or a 4xx
// refusal. A network error or a 5xx leaves the debit unknown (it may have
// been committed before the process died), so it is sent again, to
// whichever server runs by then: with key as its Idempotency-Key on every
// attempt, or without one a new key per attempt (the client makes one), so
// that only the event id ties the attempts together. The clients make a
// single attempt per call, so every failure shows here; failedAt is when
// the first one ended (zero if none did).
func (l *crashLoad) debit(ctx context.Context, in api.DebitCreate, key string) (d *api.Debit, failedAt time.Time, err error) {
	var opts []client.CallOption
	if key != "" {
		opts = append(opts, client.WithIdempotencyKey(key))
	}
	for ctx.Err() == nil {
		c := l.cur.Load()
		if c == nil {
			sleepCtx(ctx, answerBackoff)
			continue
		}
		d, err = c.Debit(ctx, in, opts...)
		if err == nil || isDefinite(err) {
			return d, failedAt, err
		}
		if failedAt.IsZero() {
			failedAt = time.Now()
		}
		sleepCtx(ctx, answerBackoff)
	}
	return nil, failedAt, ctx.Err()
}

// topUp grants the tight account a little credit every tightTopUpGap
// until told to stop, each grant with its own Idempotency-Key and retried
// until acknowledged. It returns the acknowledged grants.
func (l *crashLoad) topUp(ctx context.Context, acct string) ([]money.Amount, error) {
	var done []money.Amount
	amount := money.MustParse(tightTopUp)
	for i := 0; ; i++ {
		select {
		case <-l.stop:
			return done, nil
		case <-time.After(tightTopUpGap):
		}
		in := api.GrantCreate{Amount: amount, Category: "paid", Reason: "top-up"}
		opt := client.WithIdempotencyKey(fmt.Sprintf("topup-%d", i))
		for {
			if ctx.Err() != nil {
				return done, ctx.Err()
			}
			c := l.cur.Load()
			if c == nil {
				sleepCtx(ctx, answerBackoff)
				continue
			}
			_, err := c.CreateGrant(ctx, acct, in, opt)
			if err == nil {
				done = append(done, amount)
				break
			}
			if isDefinite(err) {
				return done, fmt.Errorf("top-up %d refused: %w", i, err)
			}
			sleepCtx(ctx, answerBackoff)
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
