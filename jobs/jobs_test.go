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

// work counts its passes; each blocks until its context ends when block
// is set, as a call to a stuck store would.
type work struct {
	passes atomic.Int64
	block  bool
	wake   chan struct{}
}

func (w *work) pass(ctx context.Context) error {
	w.passes.Add(1)
	if w.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (w *work) Expire(ctx context.Context) error        { return w.pass(ctx) }
func (w *work) Deliver(ctx context.Context) error       { return w.pass(ctx) }
func (w *work) DeliveryWake() <-chan struct{}           { return w.wake }
func (w *work) RechargeNoted(ctx context.Context) error { return w.pass(ctx) }
func (w *work) RechargeWake() <-chan struct{}           { return w.wake }

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// An interval job runs every interval until Stop, and not after.
func TestIntervalJobRunsUntilStop(t *testing.T) {
	w := &work{}
	j := NewExpiry(w, discard, Config{Interval: 2 * time.Millisecond})
	if err := j.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := j.Start(t.Context()); err == nil {
		t.Error("a running job started again")
	}
	eventually(t, "two passes", func() bool { return w.passes.Load() >= 2 })
	j.Stop()
	n := w.passes.Load()
	time.Sleep(10 * time.Millisecond)
	if w.passes.Load() != n {
		t.Error("the job ran after Stop returned")
	}
	j.Stop() // a second Stop is harmless
}

// Stop returns while a pass is stuck, and a pass is bounded by the job's
// timeout even when nothing stops it.
func TestStuckPassIsBounded(t *testing.T) {
	w := &work{block: true}
	j := NewExpiry(w, discard, Config{Interval: time.Millisecond, Timeout: time.Hour})
	if err := j.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a pass", func() bool { return w.passes.Load() >= 1 })
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
	w := &work{wake: make(chan struct{}, 1)}
	j := NewDelivery(w, discard, DeliveryConfig{Poll: time.Hour})
	if err := j.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer j.Stop()
	eventually(t, "the first pass", func() bool { return w.passes.Load() == 1 })
	w.wake <- struct{}{}
	eventually(t, "a pass when woken", func() bool { return w.passes.Load() == 2 })
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

func (w *work) SettlePayments(ctx context.Context) error { return w.pass(ctx) }
func (w *work) RunSchedules(ctx context.Context) error   { return w.pass(ctx) }
func (w *work) RechargeSweep(ctx context.Context) error  { return w.pass(ctx) }
func (w *work) Recommend(ctx context.Context) error      { return w.pass(ctx) }

// Under a test clock a server runs the woken jobs only: AdvanceClock runs
// the interval jobs' work.
func TestForServer(t *testing.T) {
	for _, c := range []struct {
		cfg  ServerConfig
		want int
	}{
		{ServerConfig{}, 7},
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
