package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

var discard = slog.New(slog.DiscardHandler)

// work counts its passes and signals each on ran; with block set each
// blocks until its context ends, as a call to a stuck store would, and
// then counts itself ended.
type work struct {
	passes atomic.Int64
	ended  atomic.Int64
	block  bool
	wake   chan struct{}
	ran    chan struct{}
}

func newWork(block bool) *work {
	return &work{block: block, wake: make(chan struct{}, 1), ran: make(chan struct{}, 100)}
}

func (w *work) pass(ctx context.Context) error {
	w.passes.Add(1)
	select {
	case w.ran <- struct{}{}:
	default:
	}
	if w.block {
		<-ctx.Done()
		w.ended.Add(1)
		return ctx.Err()
	}
	return nil
}

// waitPasses waits for n more passes, failing the test if they do not
// come within a generous bound.
func (w *work) waitPasses(t *testing.T, what string, n int) {
	t.Helper()
	giveUp := time.After(5 * time.Second)
	for range n {
		select {
		case <-w.ran:
		case <-giveUp:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (w *work) Expire(ctx context.Context) error        { return w.pass(ctx) }
func (w *work) Deliver(ctx context.Context) error       { return w.pass(ctx) }
func (w *work) DeliveryWake() <-chan struct{}           { return w.wake }
func (w *work) RechargeNoted(ctx context.Context) error { return w.pass(ctx) }
func (w *work) RechargeWake() <-chan struct{}           { return w.wake }

// An interval job runs every interval until Stop, and Stop returns only
// once the pass in progress has ended: nothing of the job outlives it.
func TestIntervalJobRunsUntilStop(t *testing.T) {
	w := newWork(false)
	j := NewExpiry(w, discard, Config{Interval: 2 * time.Millisecond})
	if err := j.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := j.Start(t.Context()); err == nil {
		t.Error("a running job started again")
	}
	w.waitPasses(t, "two passes", 2)
	j.Stop()
	j.Stop() // a second Stop is harmless

	blocked := newWork(true)
	b := NewExpiry(blocked, discard, Config{Interval: time.Millisecond, Timeout: time.Hour})
	if err := b.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	blocked.waitPasses(t, "a pass", 1)
	b.Stop()
	if started, ended := blocked.passes.Load(), blocked.ended.Load(); started != ended {
		t.Errorf("Stop returned with %d of %d passes still running", started-ended, started)
	}
}

// Stop returns while a pass is stuck, and a pass is bounded by the job's
// timeout even when nothing stops it.
func TestStuckPassIsBounded(t *testing.T) {
	w := newWork(true)
	j := NewExpiry(w, discard, Config{Interval: time.Millisecond, Timeout: time.Hour})
	if err := j.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.waitPasses(t, "a pass", 1)
	stopped := make(chan struct{})
	go func() { j.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop hung on a stuck pass")
	}

	short := NewExpiry(w, discard, Config{Interval: time.Minute, Timeout: 10 * time.Millisecond})
	if err := short.RunOnce(t.Context()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a stuck pass ended with %v, want its deadline", err)
	}
}

// Delivery makes a pass at Start and whenever it is woken.
func TestDeliveryRunsWhenWoken(t *testing.T) {
	w := newWork(false)
	j := NewDelivery(w, discard, DeliveryConfig{Poll: time.Hour})
	if err := j.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer j.Stop()
	w.waitPasses(t, "the first pass", 1)
	w.wake <- struct{}{}
	w.waitPasses(t, "a pass when woken", 1)
}

// A setting a job cannot run with fails Start.
func TestValidate(t *testing.T) {
	if err := NewExpiry(&work{}, discard, Config{Interval: -time.Second}).Start(t.Context()); err == nil {
		t.Error("a negative interval was accepted")
	}
	if err := (DeliveryConfig{Poll: time.Second}).Validate(); err == nil {
		t.Error("a delivery job without a timeout was accepted")
	}
	for _, c := range []Config{DefaultExpiryConfig(), DefaultSettlementConfig(), DefaultSchedulesConfig(),
		DefaultRechargeSweepConfig(), DefaultRecommendationConfig()} {
		if err := c.Validate(); err != nil {
			t.Errorf("default %+v: %v", c, err)
		}
	}
	if err := DefaultRechargeConfig().Validate(); err != nil {
		t.Error(err)
	}
}

// A group whose job fails to start stops the ones it started.
func TestGroupStartFailureStopsTheStarted(t *testing.T) {
	w := &work{wake: make(chan struct{}, 1)}
	ok := NewRecharge(w, discard, RechargeConfig{})
	bad := NewExpiry(w, discard, Config{Interval: -1})
	g := NewGroup(ok, bad)
	if err := g.Start(t.Context()); err == nil {
		t.Fatal("a group with a bad job started")
	}
	if g.Running() != 0 {
		t.Errorf("%d jobs left running", g.Running())
	}
	if err := ok.Start(t.Context()); err != nil {
		t.Fatalf("the stopped job could not start again: %v", err)
	}
	ok.Stop()
}

func (w *work) SettlePayments(ctx context.Context) error  { return w.pass(ctx) }
func (w *work) RunSchedules(ctx context.Context) error    { return w.pass(ctx) }
func (w *work) RechargeSweep(ctx context.Context) error   { return w.pass(ctx) }
func (w *work) Recommend(ctx context.Context) error       { return w.pass(ctx) }
func (w *work) ClosePeriods(ctx context.Context) error    { return w.pass(ctx) }
func (w *work) CollectInvoices(ctx context.Context) error { return nil }
func (w *work) TrueUp(ctx context.Context) error          { return w.pass(ctx) }

// Under a test clock a server runs the woken jobs only: AdvanceClock runs
// the interval jobs' work.
func TestForServer(t *testing.T) {
	for _, c := range []struct {
		cfg  ServerConfig
		want int
	}{
		{ServerConfig{}, 9},
		{ServerConfig{TestClock: true}, 2},
		{ServerConfig{TestClock: true, NoDelivery: true}, 1},
	} {
		g := ForServer(&work{wake: make(chan struct{}, 1)}, discard, c.cfg)
		if err := g.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		if g.Running() != c.want {
			t.Errorf("%+v: %d jobs running, want %d", c.cfg, g.Running(), c.want)
		}
		g.Stop()
	}
}
