package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
)

// TestShutdownUnderLoad sends SIGTERM to the real binary while clients
// send debits. Every debit is answered 2xx, or refused with 503 while the
// server drains, or fails to connect once the listener has closed: none
// is cut off in flight, no other error is answered, the process exits 0
// without passing its shutdown deadline, and after a restart the history
// holds exactly the acknowledged debits.
func TestShutdownUnderLoad(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) { shutdownRun(t, dsn) })
}

const shutdownClients = 8

// shutdownResult is what one client saw.
type shutdownResult struct {
	acked            map[string]accepted
	refused          int // 503 while draining
	refusedAtConnect int // the listener was closed
	errs             []string
}

func shutdownRun(t *testing.T, dsn string) {
	ctx := t.Context()
	p := startServe(t, cofferBin, dsn, "coffer")
	lt := newLoadTransport()
	c := client.New(p.URL(), client.WithAPIKey(p.AdminKey()), client.WithHTTPClient(lt.client()), client.WithMaxAttempts(1))
	acct := createFunded(t, c, "drained", plentyCredit)

	var answered atomic.Int64
	results := make([]shutdownResult, shutdownClients)
	var wg sync.WaitGroup
	for i := range shutdownClients {
		wg.Go(func() { results[i] = shutdownClient(ctx, c, i, acct, &answered) })
	}
	waitFor(t, "debits answered under load", func() bool { return answered.Load() >= 200 })
	waitFor(t, "debits in flight", func() bool { return lt.inFlight.Load() >= shutdownClients/2 })
	exited := p.terminate(t)
	wg.Wait() // each client stops at its first refusal
	waitFor(t, "coffer serve to exit after SIGTERM", func() bool {
		select {
		case <-exited:
			return true
		default:
			return false
		}
	})
	if code := p.exitCode(); code != 0 {
		t.Errorf("coffer serve exited %d after SIGTERM, want 0", code)
	}
	if out := p.output(); strings.Contains(out, "shutdown deadline passed") {
		t.Errorf("the shutdown passed its deadline:\n%s", out)
	}

	acked := map[string]accepted{}
	var refused, atConnect int
	for i, r := range results {
		for _, e := range r.errs {
			t.Errorf("client %d: %s", i, e)
		}
		for ev, a := range r.acked {
			acked[ev] = a
		}
		refused += r.refused
		atConnect += r.refusedAtConnect
	}
	if len(acked) == 0 {
		t.Fatal("no debit was acknowledged")
	}

	if err := p.restart(); err != nil {
		t.Fatalf("restart: %v", err)
	}
	after := client.New(p.URL(), client.WithAPIKey(p.AdminKey()))
	hist, err := allTransactions(ctx, after, acct)
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	debits, _ := verifyDebits(t, hist, acked)
	verifyChain(t, money.MustParse(plentyCredit), debits)
	runCheck(t, cofferBin, dsn)
	t.Logf("%d debits acknowledged, %d refused with 503 while draining, %d refused at connect", len(acked), refused, atConnect)
}

// shutdownClient sends debits until one is refused: with 503 by the
// draining server, or at connect once it stopped listening. Each carries
// an Idempotency-Key, so that the HTTP transport may resend a request the
// server never read, on a keep-alive connection it closed as idle, as it
// does for idempotent requests; that resend then meets the closed
// listener.
func shutdownClient(ctx context.Context, c *client.Client, id int, acct string, answered *atomic.Int64) shutdownResult {
	r := shutdownResult{acked: map[string]accepted{}}
	for i := 0; ; i++ {
		amount := money.FromMicros(1 + int64(i%5)*1_000)
		in := api.DebitCreate{AccountID: acct, EventID: fmt.Sprintf("evt-%d-%06d", id, i), Amount: &amount}
		d, err := c.Debit(ctx, in, client.WithIdempotencyKey("idem-"+in.EventID))
		var ce *client.Error
		var op *net.OpError
		switch {
		case err == nil:
			r.acked[in.EventID] = accepted{amount: amount, txnID: d.Transaction.ID}
			answered.Add(1)
			continue
		case errors.As(err, &ce) && ce.Status == 503 && ce.Code == "overloaded":
			r.refused++
		case errors.As(err, &ce):
			r.errs = append(r.errs, fmt.Sprintf("event %s answered %d: %v; want 2xx or 503", in.EventID, ce.Status, err))
		case errors.As(err, &op) && op.Op == "dial":
			r.refusedAtConnect++
		default:
			r.errs = append(r.errs, fmt.Sprintf("event %s got no answer: %v; want 2xx, 503, or a refused connection", in.EventID, err))
		}
		return r
	}
}

// terminate sends SIGTERM and returns a channel closed when the process
// has exited.
func (p *serveProc) terminate(t *testing.T) <-chan struct{} {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	return p.exited
}

// exitCode is the exit status of the process that has exited.
func (p *serveProc) exitCode() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd.ProcessState.ExitCode()
}

// output is what the current run wrote.
func (p *serveProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}
