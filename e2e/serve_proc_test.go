package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
)

// The tests in crash_test.go, multiprocess_test.go and
// webhooks_sigkill_test.go run the real coffer binary (cofferBin, built by
// TestMain) as child processes, because a SIGKILL and a second process are
// what they are about; an in-process Server can be neither.

// serveProc is `coffer serve` running as a child process on one store. It
// can be killed with SIGKILL and started again on the same store.
type serveProc struct {
	t    *testing.T
	name string // tells processes apart in failure reports
	bin  string
	dsn  string

	mu       sync.Mutex
	args     []string // more flags for `coffer serve`, on every start
	addr     string   // host:port, kept across restarts while it is free
	url      string
	adminKey string // the key printed on the first start
	cmd      *exec.Cmd
	exited   chan struct{}
	out      *procOutput // the current run's output
	outs     []*procOutput
}

// startServe starts `coffer serve` on dsn, with args added to its flags,
// and waits until it listens. The process is killed when the test ends,
// whatever happens.
func startServe(t *testing.T, bin, dsn, name string, args ...string) *serveProc {
	t.Helper()
	p := &serveProc{t: t, name: name, bin: bin, dsn: dsn, args: args}
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			p.report()
		}
	})
	if err := p.start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// start runs the binary and waits for the line that says it serves. On a
// restart it asks for the port it had, so that clients' retries reach it;
// if another process took that port meanwhile it takes a new one.
func (p *serveProc) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.addr == "" {
		p.addr = freeAddr(p.t)
	}
	for try := 0; ; try++ {
		err := p.startLocked()
		if err == nil {
			return nil
		}
		if try < 3 && strings.Contains(p.out.String(), "address already in use") {
			p.addr = freeAddr(p.t)
			continue
		}
		return err
	}
}

func (p *serveProc) startLocked() error {
	out := newProcOutput()
	cmd := exec.Command(p.bin, append([]string{"serve", "--addr", p.addr, "--db", p.dsn, "--log-level", "warn"}, p.args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start coffer serve: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	p.cmd, p.exited, p.out = cmd, exited, out
	p.outs = append(p.outs, out)

	select {
	case url := <-out.serving:
		if key := out.adminKey(); key != "" {
			if p.adminKey != "" {
				_ = cmd.Process.Kill()
				<-exited
				return fmt.Errorf("a restart on the same store printed a second admin key")
			}
			p.adminKey = key
		}
		p.url = url
		return nil
	case <-exited:
		return fmt.Errorf("coffer serve exited before serving:\n%s", out.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		return fmt.Errorf("coffer serve did not start serving within 30s:\n%s", out.String())
	}
}

// restart starts the process again with args as its extra flags in place
// of those it had: a restarted test clock, say, must start where the
// killed one stood.
func (p *serveProc) restart(args ...string) error {
	p.mu.Lock()
	p.args = args
	p.mu.Unlock()
	return p.start()
}

// setArgs replaces the flags added on the next start: a restart on a
// test clock that starts where the last run's stood, say.
func (p *serveProc) setArgs(args ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.args = args
}

// kill sends SIGKILL and waits until the process is gone. The process gets
// no chance to finish anything: its batch in flight, its open connections
// and its store handles end where they are.
func (p *serveProc) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.t.Errorf("%s: pid %d still running 10s after SIGKILL", p.name, p.cmd.Process.Pid)
	}
	p.cmd = nil
}

// URL is the base URL the current run serves on.
func (p *serveProc) URL() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.url
}

// AdminKey is the admin key the first start printed.
func (p *serveProc) AdminKey() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.adminKey
}

// report logs what each run wrote, for a failed test.
func (p *serveProc) report() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, o := range p.outs {
		p.t.Logf("%s run %d output:\n%s", p.name, i+1, o.String())
	}
}

// freeAddr finds a free loopback port. Another process may take it before
// coffer binds it; serveProc.start then picks again.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var (
	// The serving line as text, or as the JSON log's record.
	servingLine = regexp.MustCompile(`coffer serving on (http://\S+)|"msg":"coffer serving","url":"(http://[^"]+)"`)
	adminKeyRE  = regexp.MustCompile(`\bck_admin_[A-Za-z0-9_-]+`)
)

// procOutput collects a child's output (the last 64 KiB of it) and spots
// the lines that matter: the admin key and the serving address.
type procOutput struct {
	mu      sync.Mutex
	buf     []byte
	partial []byte
	key     string
	serving chan string // receives the base URL once
	sent    bool
}

const maxProcOutput = 64 << 10

func newProcOutput() *procOutput { return &procOutput{serving: make(chan string, 1)} }

func (o *procOutput) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf = append(o.buf, b...)
	if len(o.buf) > maxProcOutput {
		o.buf = append(o.buf[:0], o.buf[len(o.buf)-maxProcOutput:]...)
	}
	o.partial = append(o.partial, b...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		line := string(o.partial[:i])
		o.partial = o.partial[i+1:]
		if k := adminKeyRE.FindString(line); k != "" && o.key == "" {
			o.key = k
		}
		if m := servingLine.FindStringSubmatch(line); m != nil && !o.sent {
			o.sent = true
			o.serving <- m[1] + m[2]
		}
	}
	return len(b), nil
}

func (o *procOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(o.buf)
}

func (o *procOutput) adminKey() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.key
}

// runCheck runs `coffer check` on the store and fails the test unless it
// reports every invariant holding.
func runCheck(t *testing.T, bin, dsn string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "check", "--db", dsn).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok: all ledger invariants hold") {
		t.Errorf("coffer check: %v\n%s", err, out)
	}
}

// loadTransport is the HTTP transport of a test's load clients. It counts
// requests in flight, so a kill can be timed to land on some, and exchanges
// that got no answer (a network error or a 5xx), so a test can tell that
// its kills cut requests off.
type loadTransport struct {
	base     http.RoundTripper
	inFlight atomic.Int64
	failed   atomic.Int64
}

func newLoadTransport() *loadTransport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &loadTransport{base: tr}
}

func (lt *loadTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	lt.inFlight.Add(1)
	defer lt.inFlight.Add(-1)
	resp, err := lt.base.RoundTrip(r)
	if err != nil || resp.StatusCode >= 500 {
		lt.failed.Add(1)
	}
	return resp, err
}

// client returns an HTTP client over the transport, with a timeout so a
// hung server shows up as errors rather than as a test that never ends.
func (lt *loadTransport) client() *http.Client {
	return &http.Client{Transport: lt, Timeout: 10 * time.Second}
}

// allTransactions reads an account's whole history, page by page.
func allTransactions(ctx context.Context, c *client.Client, acct string) ([]api.Transaction, error) {
	var all []api.Transaction
	p := client.TransactionListParams{ListParams: client.ListParams{Limit: 100}}
	for {
		page, err := c.ListTransactions(ctx, acct, p)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		if !page.HasMore || len(page.Data) == 0 {
			return all, nil
		}
		p.StartingAfter = page.Data[len(page.Data)-1].ID
	}
}

// accepted is a debit the server acknowledged with a 2xx.
type accepted struct {
	amount money.Amount
	txnID  string
}

// verifyDebits compares an account's history with what the clients were
// told: every acknowledged debit is in it exactly once, with its amount and
// the transaction id its answer named; no debit is in it that was not
// acknowledged; no event id and no transaction id appears twice. It
// returns the history's debits and the sum of its grants.
func verifyDebits(t *testing.T, hist []api.Transaction, acked map[string]accepted) (debits []api.Transaction, granted money.Amount) {
	t.Helper()
	seenTxn := map[string]bool{}
	seenEvent := map[string]string{}
	for _, x := range hist {
		if seenTxn[x.ID] {
			t.Errorf("transaction %s is listed twice in the history", x.ID)
		}
		seenTxn[x.ID] = true
		switch x.Type {
		case "grant":
			granted += x.Amount
			continue
		case "debit":
		default:
			t.Errorf("unexpected %s transaction %s in the history", x.Type, x.ID)
			continue
		}
		debits = append(debits, x)
		if prev, dup := seenEvent[x.EventID]; dup {
			t.Errorf("event %s debited twice: transactions %s and %s", x.EventID, prev, x.ID)
			continue
		}
		seenEvent[x.EventID] = x.ID
		a, ok := acked[x.EventID]
		switch {
		case !ok:
			t.Errorf("debit %s of event %s (%s) is in the history but was never acknowledged", x.ID, x.EventID, x.Amount)
		case x.Amount != -a.amount:
			t.Errorf("event %s: history has %s, the client debited %s", x.EventID, x.Amount, a.amount)
		case x.ID != a.txnID:
			t.Errorf("event %s: history has transaction %s, the answer named %s", x.EventID, x.ID, a.txnID)
		}
	}
	for ev := range acked {
		if _, ok := seenEvent[ev]; !ok {
			t.Errorf("acknowledged debit of event %s (%s) is missing from the history", ev, acked[ev].txnID)
		}
	}
	return debits, granted
}

// verifyChain proves that debits were applied one after another: sorted by
// the balance each left, every debit's balance_after is the previous one
// minus its amount, starting from start. It holds only for an account whose
// history after start is debits alone; a lost update (two debits applied to
// the same stale balance) breaks the chain.
func verifyChain(t *testing.T, start money.Amount, debits []api.Transaction) {
	t.Helper()
	ds := append([]api.Transaction(nil), debits...)
	sort.Slice(ds, func(i, j int) bool { return ds[i].BalanceAfter > ds[j].BalanceAfter })
	prev := start
	for _, d := range ds {
		if want := prev + d.Amount; d.BalanceAfter != want {
			t.Errorf("debit %s (%s) left balance %s, want %s: it was not applied after the debit that left %s",
				d.ID, d.Amount, d.BalanceAfter, want, prev)
			return
		}
		prev = d.BalanceAfter
	}
}

// isDefinite reports whether err is an answer the server gave (a 4xx)
// rather than a failure to get one (a network error or a 5xx), after which
// the request may or may not have been applied.
func isDefinite(err error) bool {
	var ce *client.Error
	return errors.As(err, &ce) && ce.Status < 500
}

// refusalAvailable reads the available amount an insufficient_balance
// refusal reports.
func refusalAvailable(err error) (money.Amount, bool) {
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Details == nil {
		return 0, false
	}
	a, perr := money.Parse(ce.Details["available"])
	return a, perr == nil
}
