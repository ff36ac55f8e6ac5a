package service

import (
	"context"
	"sync"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/mail"
	"github.com/cofferdev/coffer/store"
	"github.com/cofferdev/coffer/webhook"
)

// NotifyConfig is how events leave Coffer: e-mail to customers over SMTP
// and signed webhooks to the operator's endpoints.
type NotifyConfig struct {
	// SMTP is the mail server; an empty Host turns e-mail off.
	SMTP mail.Config
	// Retries is the wait before each retry of a failed delivery, on
	// Coffer's clock; after the last one the delivery fails and its
	// endpoint is marked failing. Default: DefaultRetries (about 3 days).
	Retries []time.Duration
	// PollInterval is how often the delivery job looks for work it was
	// not woken for (events written by another process, retries that fell
	// due). Default 1s. The service itself does not poll; the job reads it.
	PollInterval time.Duration
	// NoDelivery stops this process from delivering: events still go to
	// the outbox, and a process with delivery on sends them.
	NoDelivery bool
	// Sender posts webhooks; nil uses webhook.NewSender().
	Sender *webhook.Sender
}

// DefaultRetries is the retry schedule: quick retries first, then twice a
// day, about 75 hours in all.
func DefaultRetries() []time.Duration {
	return []time.Duration{
		5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour,
		12 * time.Hour, 12 * time.Hour, 12 * time.Hour, 12 * time.Hour, 12 * time.Hour,
	}
}

// Delivery tuning.
const (
	deliveryLease   = 2 * time.Minute // a claimed delivery is retried by others after this, on Coffer's clock
	claimChunk      = 50
	deliveryWorkers = 8
)

// notifier dispatches outbox events into deliveries and makes them, when
// the delivery job (woken by committed batches and by a poll) or RunDue
// (retries that fall due when a test clock moves) calls Deliver. It never
// runs on the committer's goroutine, so no delivery slows a debit.
type notifier struct {
	s       *Service
	cfg     NotifyConfig
	sender  *webhook.Sender
	mailer  *mail.Mailer
	wake    chan struct{}
	running sync.Mutex // one round at a time in this process
}

// wireNotify gives the service its notifier, and unless this process
// delivers nothing, the observer that wakes the delivery job. It starts
// nothing.
func (s *Service) wireNotify() {
	cfg := s.cfg.Notify
	if len(cfg.Retries) == 0 {
		cfg.Retries = DefaultRetries()
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	n := &notifier{s: s, cfg: cfg, sender: cfg.Sender, wake: make(chan struct{}, 1)}
	if n.sender == nil {
		n.sender = webhook.NewSender()
	}
	if cfg.SMTP.Host != "" {
		// The server checks the settings before it starts; a service
		// built with bad ones runs without e-mail rather than not at all.
		m, err := mail.New(cfg.SMTP)
		if err != nil {
			s.log.Error("e-mail is off: bad smtp settings", "err", err)
		}
		n.mailer = m
	}
	s.notifier = n
	if !cfg.NoDelivery {
		s.observers = append(s.observers, n.observe)
	}
}

// DeliveryWake is signalled when a committed batch, or an operation that
// writes events outside the committer, raised events; the delivery job
// waits on it (and on its poll) and then calls Deliver.
func (s *Service) DeliveryWake() <-chan struct{} { return s.notifier.wake }

// Deliver dispatches every undispatched outbox event into deliveries, then
// claims and makes, webhooks and e-mail alike, every delivery due on
// Coffer's clock, each under a lease on that clock (deliveryLease). The
// delivery job runs it; one call at a time runs in this process.
func (s *Service) Deliver(ctx context.Context) error { return s.notifier.round(ctx) }

// observe wakes the worker when a batch wrote events. It runs on the
// committer's goroutine, so it only signals.
func (n *notifier) observe(w *store.Writes) {
	for _, e := range w.Effects {
		if len(e.Events) > 0 {
			n.poke()
			return
		}
	}
}

func (n *notifier) poke() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// round dispatches every undispatched event, then makes every delivery
// due on Coffer's clock.
func (n *notifier) round(ctx context.Context) error {
	n.running.Lock()
	defer n.running.Unlock()
	for {
		k, err := n.s.store.DispatchEvents(ctx, n.s.now(), 500, n.route)
		if err != nil {
			return err
		}
		if k < 500 {
			break
		}
	}
	for {
		now := n.s.now()
		ds, err := n.s.store.ClaimDeliveries(ctx, now, now.Add(deliveryLease), claimChunk)
		if err != nil || len(ds) == 0 {
			return err
		}
		n.deliverAll(ctx, ds)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if len(ds) < claimChunk {
			return nil
		}
	}
}

// deliverAll makes the claimed deliveries, a few at a time.
func (n *notifier) deliverAll(ctx context.Context, ds []*coffer.Delivery) {
	sem := make(chan struct{}, deliveryWorkers)
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := n.deliver(ctx, d); err != nil && ctx.Err() == nil {
				n.s.log.ErrorContext(ctx, "delivery failed to record", "delivery", d.ID, "event", d.EventID, "err", err)
			}
		}()
	}
	wg.Wait()
}
