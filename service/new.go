package service

import (
	"log/slog"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/invoicedoc"
	"github.com/cofferdev/coffer/store"
)

// New builds a service on the store and starts its committer, the one
// goroutine every change of value needs. It starts no background work:
// that is the jobs' (package jobs), which `coffer serve` starts and admin
// commands never do. Close stops the committer. Fields of cfg left at
// their zero value take DefaultConfig's.
func New(st store.Store, clock coffer.Clock, log *slog.Logger, cfg Config) *Service {
	cfg = cfg.withDefaults()
	if cfg.Wall == nil {
		// The monotonic wall clock, for durations only (see Config.Wall).
		cfg.Wall = time.Now
	}
	s := &Service{store: st, clock: clock, ids: &coffer.IDs{}, log: withRequestIDs(log), cfg: cfg, docs: invoicedoc.New()}
	s.keys = newKeyCache(time.Minute, 10000, cfg.Wall)
	s.inflight = newInflight()
	s.signIns = newSignInLimiter(cfg.Console)
	s.wirePayments()
	s.wireNotify()
	s.committer = committer.New(st, clock, log, committer.Config{IDs: s.ids, MaxBatch: cfg.MaxBatch, MaxQueue: cfg.MaxQueue,
		Committers: cfg.Committers, Depth: cfg.CommitterDepth, Observe: s.notify, Meter: cfg.Meter})
	return s
}

// Close stops the committer; requests still queued are refused with
// EOverloaded. It writes when API keys were last used, as far as not
// yet recorded. It does not close the store, and stops no job: whoever
// started the jobs stops them first.
func (s *Service) Close() {
	s.committer.Close()
	s.background.Wait()
	s.recordKeyUses(s.keys.takeUses())
}

// notify hands a committed batch to every observer. Observers pass the
// news to the off-hot-path jobs (the recharge worker, delivery) that react
// to balances and events; each must only pass it on, never block.
func (s *Service) notify(w *store.Writes) {
	for _, o := range s.observers {
		o(w)
	}
}

// Queued is how many requests wait for the committers.
func (s *Service) Queued() int { return s.committer.Queued() }

// CommitterDepth is how many of each committer's batches may be in
// flight at once.
func (s *Service) CommitterDepth() int { return s.committer.Depth() }

// SetCommitterDepth changes it while the service runs, for the bench to
// measure one depth against another in one run.
func (s *Service) SetCommitterDepth(n int) { s.committer.SetDepth(n) }

// Committers is how many committers the service runs side by side.
func (s *Service) Committers() int { return s.committer.Count() }
