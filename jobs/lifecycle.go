package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// lifecycle is the start/stop pattern every job shares: start runs the
// job's loop on one goroutine under a context that stop cancels, and stop
// returns once that goroutine has ended. A stopped job may be started
// again.
type lifecycle struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

func (l *lifecycle) start(ctx context.Context, name string, loop func(context.Context)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done != nil {
		return fmt.Errorf("job %s is already running", name)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("start job %s: %w", name, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	l.cancel, l.done = cancel, done
	go func() {
		defer close(done)
		loop(ctx)
	}()
	return nil
}

// stop cancels the loop's context and waits for it to end. The wait is
// bounded by the run in progress, whose store calls carry its deadline
// (bounded) and see the cancellation at once.
func (l *lifecycle) stop() {
	l.mu.Lock()
	cancel, done := l.cancel, l.done
	l.cancel, l.done = nil, nil
	l.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// bounded runs one pass of a job's work under a deadline, so a stuck
// database fails the pass instead of holding the job, and its Stop,
// forever.
func bounded(ctx context.Context, timeout time.Duration, run func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return run(ctx)
}

// logFailure logs a pass that failed while the job was still running;
// one cut short by Stop is not a failure.
func logFailure(ctx context.Context, log *slog.Logger, name string, err error) {
	if err != nil && ctx.Err() == nil {
		log.Error("job failed", "job", name, "err", err)
	}
}

// wakeLoop runs pass whenever wake is signalled or poll ticks (a nil poll
// never does), and once at the start if first, until ctx ends.
func wakeLoop(ctx context.Context, wake <-chan struct{}, poll <-chan time.Time, first bool, pass func(context.Context)) {
	if first {
		pass(ctx)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-poll:
		}
		pass(ctx)
	}
}
