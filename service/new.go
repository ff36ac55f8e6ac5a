package service

import (
	"log/slog"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/store"
)

// New starts a service on the store: its committer, and unless the clock is
// a test clock (which moves only through AdvanceClock), the periodic sweep.
// Close stops both. Fields of cfg left at their zero value take
// DefaultConfig's.
func New(st store.Store, clock coffer.Clock, log *slog.Logger, cfg Config) *Service {
	cfg = cfg.withDefaults()
	s := &Service{store: st, clock: clock, log: log, cfg: cfg, stop: make(chan struct{})}
	s.keys = newKeyCache(time.Minute, 10000)
	s.inflight = newInflight()
	s.committers = newCommitters(committerCount(cfg.Committers, st), st, clock, log, cfg.MaxBatch, cfg.MaxQueue, s.notify)
	s.startPayments()
	s.startNotify()
	if _, test := clock.(*coffer.TestClock); !test {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			s.sweepLoop(cfg.SweepInterval, s.stop)
		}()
	}
	return s
}

// Close stops the sweep and the committer; requests still queued are
// refused with EOverloaded. It does not close the store.
func (s *Service) Close() {
	close(s.stop)
	s.bg.Wait()
	s.committers.close()
}

// notify hands a committed batch to every observer. Observers are the
// off-hot-path workers (auto-recharge, alerts delivery) that react to
// balances; each must only pass the news on, never block.
func (s *Service) notify(w *store.Writes) {
	for _, o := range s.observers {
		o(w)
	}
}
