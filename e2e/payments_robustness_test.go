package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// Two Coffer processes on one PostgreSQL, debits for one account arriving
// at both: each process's recharge worker notices the fall below the
// threshold, but the account's lease row lets only one recharge run at a
// time, so the fixed-amount loop never overshoots: the balance ends at or
// above the threshold and less than one recharge above it, and equals
// exactly what the debits and the recorded charges make.
func TestPaymentsTwoProcessesOneRechargeAtATime(t *testing.T) {
	t.Parallel()
	dsn := pgtest.TestPostgresDSN(t)
	// Charges take a while, as a real processor's do, so the two
	// processes' recharge runs would overlap if nothing stopped them.
	slow := func(c *app.ServerConfig) {
		c.Service.Payments.Gateway = slowGateway{payments.NewSandbox(coffer.NewTestClock(clockStart)), 40 * time.Millisecond}
	}
	h := startConfigured(t, dsn, slow)
	cfg := app.ServerConfig{Addr: "127.0.0.1:0", DB: dsn, TestClock: true, ClockAt: clockStart}
	slow(&cfg)
	other, err := app.StartServer(h.ctx, cfg)
	if err != nil {
		t.Fatalf("start the second process: %v", err)
	}
	t.Cleanup(func() { other.Close() })
	second := client.New(other.URL(), client.WithAPIKey(h.srv.AdminKey))

	a := h.account("shared", "")
	c := h.card(a.ID, payments.TestCardSuccess)
	h.grant(a.ID, api.GrantCreate{Amount: amt("100.00"), Category: "paid"})
	if _, err := h.admin.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(true), PaymentMethodID: &c.ID,
		Threshold: amtp("100.00"), Amount: amtp("20.00")}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		cl := h.admin
		if i%2 == 1 {
			cl = second
		}
		wg.Go(func() {
			d := amt("2.50")
			if _, err := cl.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: fmt.Sprintf("mp-%d", i), Amount: &d}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("debit: %v", err)
	}
	waitFor(h.t, "the balance back at the threshold", func() bool {
		ps := h.payments(a.ID, string(coffer.SourceAutoRecharge))
		return h.balance(a.ID).Balance >= amt("100.00") && count(ps, string(coffer.PaymentProcessing)) == 0 && !h.rechargeRunning(a.ID)
	})
	bal := h.balance(a.ID).Balance
	ps := h.payments(a.ID, string(coffer.SourceAutoRecharge))
	if bal < amt("100.00") || bal >= amt("120.00") {
		t.Fatalf("balance %s after %d recharges: two processes charged at once", bal, len(ps))
	}
	want := amt("0")
	for _, p := range ps {
		if p.Status != string(coffer.PaymentSucceeded) {
			t.Fatalf("recharge %+v", p)
		}
		want += amt("20.00")
	}
	wantAmount(t, "balance", bal, want.String())
}

// slowGateway is the sandbox with a processor's latency on every charge.
type slowGateway struct {
	*payments.Sandbox
	delay time.Duration
}

func (g slowGateway) Charge(ctx context.Context, in payments.ChargeRequest) (*payments.Charge, error) {
	time.Sleep(g.delay) // the processor's latency the test simulates, not a wait
	return g.Sandbox.Charge(ctx, in)
}

// A payment left processing — Coffer stopped after recording it, before it
// recorded the gateway's answer — is finished by the settlement job a
// minute later: charged again under the same key (the gateway answers with
// the first charge) and credited once, however often the job runs.
func TestPaymentsUnfinishedPaymentIsRecovered(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("crashed", "")
		c := h.card(a.ID, payments.TestCardSuccess)
		p := &coffer.Payment{ID: coffer.NewID("pay", clockStart), AccountID: a.ID, Source: coffer.SourcePurchase, Key: "left-behind",
			Status: coffer.PaymentProcessing, MethodID: c.ID, Amount: amt("30.00"), Currency: "USD", Actor: "test",
			CreatedAt: clockStart, UpdatedAt: clockStart}
		if _, _, err := h.srv.Store().CreatePayment(h.ctx, p); err != nil {
			t.Fatal(err)
		}
		h.advance("30s")
		if got, _ := h.admin.GetPayment(h.ctx, p.ID); got.Status != string(coffer.PaymentProcessing) {
			t.Fatalf("a payment in flight was touched before a minute passed: %s", got.Status)
		}
		h.advance("31s")
		got, err := h.admin.GetPayment(h.ctx, p.ID)
		if err != nil || got.Status != string(coffer.PaymentSucceeded) || got.GrantID == "" {
			t.Fatalf("recovered payment %+v %v", got, err)
		}
		h.advance("1h")
		wantAmount(t, "balance", h.balance(a.ID).Balance, "30.00")
		if ev := h.events(a.ID, "purchase.succeeded"); len(ev) != 1 {
			t.Fatalf("%d purchase.succeeded events, want 1", len(ev))
		}
	})
}

// timeoutGateway is the sandbox whose first answers are lost: the charge
// is made, but Coffer hears an error, as when a processor times out.
type timeoutGateway struct {
	*payments.Sandbox
	mu    sync.Mutex
	lose  int
	calls int
	keys  map[string]bool
}

func (g *timeoutGateway) Charge(ctx context.Context, in payments.ChargeRequest) (*payments.Charge, error) {
	c, err := g.Sandbox.Charge(ctx, in)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls++
	g.keys[in.IdempotencyKey] = true
	if g.lose > 0 {
		g.lose--
		return nil, fmt.Errorf("read tcp: i/o timeout")
	}
	return c, err
}

// A purchase whose charge was made but whose answer was lost answers 503
// gateway_unavailable; the client retries it with the same Idempotency-Key,
// and the retry finds the payment, asks the gateway again under the same
// key, gets the first charge, and credits it once.
func TestPaymentsLostGatewayAnswerChargesOnce(t *testing.T) {
	t.Parallel()
	gw := &timeoutGateway{Sandbox: payments.NewSandbox(coffer.NewTestClock(clockStart)), lose: 1, keys: map[string]bool{}}
	h := startConfigured(t, t.TempDir()+"/coffer.db", func(c *app.ServerConfig) { c.Service.Payments.Gateway = gw })
	a := h.account("timeout", "")
	h.card(a.ID, payments.TestCardSuccess)
	p, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("60.00")}, client.WithIdempotencyKey("once"))
	if err != nil || p.Status != string(coffer.PaymentSucceeded) {
		t.Fatalf("purchase after a lost answer: %+v %v", p, err)
	}
	if gw.calls != 2 || len(gw.keys) != 1 {
		t.Fatalf("gateway asked %d times under %d keys; want twice under one", gw.calls, len(gw.keys))
	}
	if ps := h.payments(a.ID, string(coffer.SourcePurchase)); len(ps) != 1 {
		t.Fatalf("%d purchases", len(ps))
	}
	wantAmount(t, "balance", h.balance(a.ID).Balance, "60.00")
}
