package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"sort"
	"sync"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/store"
)

// Events about payments, written to the outbox with the change they report.
const (
	EventPurchaseSucceeded  = "purchase.succeeded"
	EventPurchaseFailed     = "purchase.failed"
	EventRechargeSucceeded  = "recharge.succeeded"
	EventRechargeFailed     = "recharge.failed"
	EventPaymentSucceeded   = "payment.succeeded" // a scheduled bank debit settled
	EventPaymentFailed      = "payment.failed"
	EventAccountSuspended   = "account.suspended"
	EventAccountReactivated = "account.reactivated"
	// EventPaymentMethodRequired asks the owner for a valid payment
	// method: a gifted-credit program's auto-payment failed at its level.
	EventPaymentMethodRequired = "payment_method.required"
)

// PaymentsConfig holds the deployment's payment settings. A field left at
// its zero value takes DefaultPaymentsConfig's.
type PaymentsConfig struct {
	// Gateway takes the money; nil means the built-in sandbox on the
	// service's clock.
	Gateway payments.Gateway
	// MinPurchase is the smallest manual purchase.
	MinPurchase money.Amount
	// TierMax is the largest single purchase per trust tier. A tier above
	// the highest configured one gets the highest one's maximum; a tier
	// below the lowest may not buy. Nil means DefaultTierMax().
	TierMax map[int]money.Amount
	// PurchaseExpiry is how long purchased and recharged credit lasts;
	// negative means it never expires.
	PurchaseExpiry time.Duration
	// DailyCap is the default for each account's daily auto-recharge cap;
	// negative means no cap.
	DailyCap money.Amount
}

// DefaultPaymentsConfig returns the payment settings used when nothing is
// configured: purchases from 25.00, credit that lasts a year, and
// auto-recharge of at most 1,000.00 a day.
func DefaultPaymentsConfig() PaymentsConfig {
	return PaymentsConfig{
		MinPurchase:    money.FromInt(25),
		TierMax:        DefaultTierMax(),
		PurchaseExpiry: 365 * 24 * time.Hour,
		DailyCap:       money.FromInt(1000),
	}
}

// DefaultTierMax returns the largest single purchase for each trust tier
// when the deployment configures none. Each call makes a new map, so what
// one caller changes no other sees.
func DefaultTierMax() map[int]money.Amount {
	return map[int]money.Amount{
		0: money.FromInt(100),
		1: money.FromInt(1000),
		2: money.FromInt(10000),
		3: money.FromInt(100000),
	}
}

// withDefaults fills the zero fields of c from DefaultPaymentsConfig, and
// copies TierMax: the service keeps a map no caller holds.
func (c PaymentsConfig) withDefaults() PaymentsConfig {
	d := DefaultPaymentsConfig()
	if c.MinPurchase <= 0 {
		c.MinPurchase = d.MinPurchase
	}
	if c.TierMax == nil {
		c.TierMax = d.TierMax
	} else {
		c.TierMax = maps.Clone(c.TierMax)
	}
	if c.PurchaseExpiry == 0 {
		c.PurchaseExpiry = d.PurchaseExpiry
	}
	if c.DailyCap == 0 {
		c.DailyCap = d.DailyCap
	}
	return c
}

// tierMax is the largest purchase the trust tier allows, and whether it
// may buy at all.
func (c PaymentsConfig) tierMax(tier int) (money.Amount, bool) {
	tiers := make([]int, 0, len(c.TierMax))
	for t := range c.TierMax {
		tiers = append(tiers, t)
	}
	sort.Ints(tiers)
	best, ok := money.Amount(0), false
	for _, t := range tiers {
		if t <= tier {
			best, ok = c.TierMax[t], true
		}
	}
	return best, ok
}

// payer is the service's payment machinery: the gateway, and what the
// auto-recharge job checks: the accounts whose balances the committer's
// observer saw move, looked at off the hot path.
type payer struct {
	gw   payments.Gateway
	cfg  PaymentsConfig
	node string           // this process, in recharge lease tokens
	wall func() time.Time // the monotonic wall clock, for the settings cache's lifetime

	mu sync.Mutex
	// queued are the accounts to look at, with the ledger balance the
	// last committed batch left (known false: look whatever it is).
	queued map[string]queuedCheck
	wake   chan struct{}
	// settings caches, for settingsTTL, whether each account has
	// auto-recharge on and its threshold, so that the worker skips the
	// accounts busy debits touch without reading the database each time.
	settings map[string]cachedSettings
	// forgotten counts the times settings were forgotten. A reader
	// remembers what it read only if none was forgotten while it read:
	// else a read that began before a change could cache the old
	// settings after the change forgot them.
	forgotten uint64
}

type queuedCheck struct {
	balance money.Amount
	known   bool
}

type cachedSettings struct {
	enabled   bool
	threshold money.Amount
	at        time.Time // when it was read, on payer.wall
}

// settingsTTL bounds how stale the worker's view of an account's settings
// may be. A change made by this process forgets it at once; one made by
// another process is seen within this time, and the recharge sweep job
// catches anything meanwhile.
const settingsTTL = 5 * time.Second

// wirePayments wires the payment machinery into the service: the gateway
// and the observer that notes balances below a threshold for the recharge
// job. It starts nothing.
func (s *Service) wirePayments() {
	cfg := s.cfg.Payments // completed by New
	gw := cfg.Gateway
	if gw == nil {
		gw = payments.NewSandbox(s.clock)
	}
	s.pay = &payer{gw: gw, cfg: cfg, node: coffer.NewID(coffer.PrefixNode, s.now()), wall: s.cfg.Wall,
		queued: map[string]queuedCheck{}, wake: make(chan struct{}, 1), settings: map[string]cachedSettings{}}
	s.observers = append(s.observers, s.pay.observe)
}

// Gateway is the payment gateway in use.
func (s *Service) Gateway() payments.Gateway { return s.pay.gw }

// observe notes every account a committed batch touched. It runs on the
// committer's goroutine, so it only marks and signals.
func (p *payer) observe(w *store.Writes) {
	if len(w.States) == 0 {
		return
	}
	p.mu.Lock()
	for _, st := range w.States {
		if q, ok := p.queued[st.Account.ID]; ok && !q.known {
			continue
		}
		p.queued[st.Account.ID] = queuedCheck{balance: st.LedgerBalance(), known: true}
	}
	p.mu.Unlock()
	p.signal()
}

// enqueue asks for a look at the account whatever its balance, and
// forgets its cached settings: they have just changed.
func (p *payer) enqueue(accountID string) {
	p.mu.Lock()
	p.queued[accountID] = queuedCheck{}
	delete(p.settings, accountID)
	p.forgotten++
	p.mu.Unlock()
	p.signal()
}

// cached returns the account's cached settings if fresh, and the forget
// count to hand back to remember.
func (p *payer) cached(accountID string) (cachedSettings, uint64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.settings[accountID]
	if !ok || p.wall().Sub(c.at) > settingsTTL {
		return cachedSettings{}, p.forgotten, false
	}
	return c, p.forgotten, true
}

// remember caches settings read after cached reported forgotten, unless
// settings were forgotten since: then what was read may predate a change.
func (p *payer) remember(accountID string, c cachedSettings, forgotten uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.forgotten != forgotten {
		return
	}
	if len(p.settings) > 100_000 {
		clear(p.settings) // a bound, not a policy: it refills as needed
	}
	p.settings[accountID] = c
}

func (p *payer) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// take empties the set of accounts to check.
func (p *payer) take() ([]string, map[string]queuedCheck) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]string, 0, len(p.queued))
	checks := make(map[string]queuedCheck, len(p.queued))
	for id, q := range p.queued {
		ids = append(ids, id)
		checks[id] = q
	}
	clear(p.queued)
	sort.Strings(ids)
	return ids, checks
}

// paymentView is a payment as the API shows it.
func paymentView(p *coffer.Payment) *api.Payment {
	obj := "payment"
	if p.Source == coffer.SourcePurchase {
		obj = "purchase"
	}
	v := &api.Payment{ID: p.ID, Object: obj, AccountID: p.AccountID, Source: string(p.Source), Status: string(p.Status),
		Amount: p.Amount, Currency: string(p.Currency), PaymentMethodID: p.MethodID, ScheduleID: p.ScheduleID, InvoiceID: p.InvoiceID,
		ChargeID: p.ChargeID, GrantID: p.LotID, FailureCode: p.FailureCode, FailureMessage: p.FailureMessage,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if !p.SettlesAt.IsZero() && p.Status == coffer.PaymentPending {
		t := p.SettlesAt
		v.SettlesAt = &t
	}
	return v
}

// declined is the error a failed payment answers with.
func declined(p *coffer.Payment) error {
	e := coffer.Errorf(coffer.EPaymentFailed, "the payment of %s %s was declined: %s (%s); no money was taken and the balance is unchanged",
		p.Amount, p.Currency, p.FailureMessage, p.FailureCode)
	e.Param = "payment_method_id"
	return e
}

// charge asks the gateway for a recorded payment's money, under the
// payment's id as idempotency key: asking again for the same payment is
// the same charge.
func (s *Service) charge(ctx context.Context, p *coffer.Payment, m *coffer.PaymentMethod) (*payments.Charge, error) {
	ch, err := s.pay.gw.Charge(ctx, payments.ChargeRequest{IdempotencyKey: p.ID, Token: m.Token, MethodType: m.Type,
		Amount: p.Amount, Currency: p.Currency, Description: fmt.Sprintf("Coffer %s %s for %s", p.Source, p.ID, p.AccountID)})
	if err != nil {
		s.log.WarnContext(ctx, "payment gateway error", "payment", p.ID, "err", err)
		return nil, coffer.Errorf(coffer.EGatewayUnavailable,
			"the payment gateway did not answer; nothing was credited. Retry with the same Idempotency-Key: it cannot charge twice")
	}
	return ch, nil
}

// settle records what the gateway said about a payment. A success is
// credited first, through the committer, as a paid grant under the
// payment's id as Idempotency-Key, so a payment is credited once however
// often settle runs; then the payment, the auto-recharge ladder, the
// account's status and the events are saved in one store transaction.
// balance is the account's balance when the charge was made, for the
// failure ladder.
func (s *Service) settle(ctx context.Context, p *coffer.Payment, ch *payments.Charge, balance money.Amount) (*coffer.Payment, error) {
	now := s.now()
	lotID := ""
	if ch.Status == payments.Succeeded {
		lot, err := s.credit(ctx, p)
		if coffer.ErrorCode(err) == coffer.EAccountClosed {
			// The money cannot be credited any more: give it back.
			if _, rerr := s.pay.gw.Refund(ctx, ch.ID, 0, "refund-"+p.ID); rerr != nil {
				return nil, fmt.Errorf("refund payment %s to closed account: %w", p.ID, rerr)
			}
			ch = &payments.Charge{ID: ch.ID, Status: payments.Failed, FailureCode: "account_closed",
				FailureMessage: "the account was closed before the payment could be credited; it was refunded"}
		} else if err != nil {
			return nil, err
		}
		lotID = lot
	}
	return s.store.FinishPayment(ctx, p.ID, func(c *store.PaymentChange) error {
		q, a, ar := c.Payment, c.Account, c.AutoRecharge
		if q.Status == coffer.PaymentSucceeded || q.Status == coffer.PaymentFailed {
			return nil // settled already, by another run
		}
		q.ChargeID, q.UpdatedAt = ch.ID, now
		event := func(typ string, data map[string]any) {
			data["payment_id"] = q.ID
			data["amount"] = q.Amount.String()
			data["currency"] = string(q.Currency)
			data["source"] = q.Source
			c.Events = append(c.Events, ledger.Event{ID: s.ids.New(coffer.PrefixEvent, now), Type: typ,
				AccountID: q.AccountID, CreatedAt: now, Data: data})
		}
		switch ch.Status {
		case payments.Pending:
			q.Status, q.SettlesAt = coffer.PaymentPending, ch.SettlesAt
		case payments.Succeeded:
			q.Status, q.LotID = coffer.PaymentSucceeded, lotID
			event(successEvent(q.Source), map[string]any{"grant_id": lotID})
			if ar != nil {
				ar.Failures, ar.RetryAt, ar.Exhausted = 0, 0, false
				if q.Source == coffer.SourceAutoRecharge && q.CapDay == "" {
					// Recorded before charges were counted up front:
					// counted now, on the day it succeeds.
					day := now.Format(time.DateOnly)
					if ar.Day != day {
						ar.Day, ar.Spent = day, 0
					}
					ar.Spent += q.Amount
				}
				if ar.Suspended && a.Status == ledger.StatusSuspended {
					a.Status, a.UpdatedAt = ledger.StatusActive, now
					event(EventAccountReactivated, map[string]any{"reason": "payment_succeeded"})
				}
				ar.Suspended = false
			}
		default:
			q.Status, q.FailureCode, q.FailureMessage = coffer.PaymentFailed, ch.FailureCode, ch.FailureMessage
			data := map[string]any{"failure_code": ch.FailureCode, "failure_message": ch.FailureMessage}
			if q.Source == coffer.SourceAutoRecharge && ar != nil {
				uncount(ar, q)
				climb(ar, a, balance, now, data, event)
				return nil
			}
			event(failureEvent(q.Source), data)
		}
		return nil
	})
}

// uncount gives back to the daily cap a failed auto-recharge, counted
// against it when it was recorded; a day since turned starts afresh and
// owes nothing back.
func uncount(ar *coffer.AutoRecharge, p *coffer.Payment) {
	if p.CapDay == "" || ar.Day != p.CapDay {
		return
	}
	ar.Spent = max(ar.Spent-p.Amount, 0)
}

// retryLevels are the rungs of the failure ladder: after a failed
// recharge the next try waits until the balance falls to this share of
// the threshold.
var retryLevels = []int64{75, 50, 25, 0}

// climb moves the failure ladder one rung after a failed recharge at
// balance: the next try waits for the first level below it; a failure at
// zero or below exhausts the ladder and suspends the account.
func climb(ar *coffer.AutoRecharge, a *coffer.Account, balance money.Amount, now time.Time,
	data map[string]any, event func(string, map[string]any)) {
	if ar.ProgramID != "" {
		climbProgram(ar, a, balance, now, data, event)
		return
	}
	ar.Failures++
	data["attempt"] = ar.Failures
	data["balance"] = balance.String()
	ar.Exhausted = true
	for _, pct := range retryLevels {
		level := money.Amount(int64(ar.Threshold) / 100 * pct)
		if level < balance {
			ar.Exhausted, ar.RetryAt = false, level
			data["next_retry_at_balance"] = level.String()
			break
		}
	}
	event(EventRechargeFailed, data)
	if ar.Exhausted && balance <= 0 && a.Status == ledger.StatusActive {
		a.Status, a.UpdatedAt = ledger.StatusSuspended, now
		ar.Suspended = true
		event(EventAccountSuspended, map[string]any{"reason": "auto_recharge_failed", "balance": balance.String()})
	}
}

// climbProgram is the failure ladder of an account in a gifted-credit
// program, the program's levels for rungs: after a failed auto-payment
// the next try waits for the balance to reach payment_method_required_at;
// a failure there asks the owner for a valid payment method
// (payment_method.required) and the next try waits for suspend_at; a
// failure at suspend_at suspends the account until a payment succeeds.
func climbProgram(ar *coffer.AutoRecharge, a *coffer.Account, balance money.Amount, now time.Time,
	data map[string]any, event func(string, map[string]any)) {
	ar.Failures++
	data["attempt"] = ar.Failures
	data["balance"] = balance.String()
	switch {
	case balance > ar.PaymentMethodRequiredAt:
		ar.RetryAt = ar.PaymentMethodRequiredAt
		data["next_retry_at_balance"] = ar.RetryAt.String()
		event(EventRechargeFailed, data)
	case balance > ar.SuspendAt:
		ar.RetryAt = ar.SuspendAt
		data["next_retry_at_balance"] = ar.RetryAt.String()
		event(EventRechargeFailed, data)
		event(EventPaymentMethodRequired, map[string]any{"reason": "auto_payment_failed", "balance": balance.String(),
			"suspend_at": ar.SuspendAt.String(), "program_id": ar.ProgramID})
	default:
		ar.Exhausted = true
		event(EventRechargeFailed, data)
		if a.Status == ledger.StatusActive {
			a.Status, a.UpdatedAt = ledger.StatusSuspended, now
			ar.Suspended = true
			event(EventAccountSuspended, map[string]any{"reason": "auto_payment_failed", "balance": balance.String(), "program_id": ar.ProgramID})
		}
	}
}

func successEvent(source coffer.PaymentSource) string {
	switch source {
	case coffer.SourcePurchase:
		return EventPurchaseSucceeded
	case coffer.SourceAutoRecharge:
		return EventRechargeSucceeded
	}
	return EventPaymentSucceeded
}

func failureEvent(source coffer.PaymentSource) string {
	switch source {
	case coffer.SourcePurchase:
		return EventPurchaseFailed
	case coffer.SourceAutoRecharge:
		return EventRechargeFailed
	}
	return EventPaymentFailed
}

// credit grants a succeeded payment's money as a paid lot: it repays debt
// first and expires after the purchase expiry. It returns the grant's id.
func (s *Service) credit(ctx context.Context, p *coffer.Payment) (string, error) {
	origin := ledger.OriginPurchase
	meta := map[string]string{"payment_id": p.ID}
	switch p.Source {
	case coffer.SourceAutoRecharge:
		origin = ledger.OriginRecharge
	case coffer.SourceInvoice:
		// It repays the debt the invoice bills, on a postpaid account too.
		origin, meta["invoice_id"] = ledger.OriginInvoice, p.InvoiceID
	}
	g := ledger.Grant{Kind: ledger.Monetary, Amount: p.Amount, Category: ledger.Paid, Priority: defaultPriority,
		Application: ledger.Realtime, Origin: origin, Reason: string(p.Source) + " " + p.ID, Actor: p.Actor,
		Metadata: meta}
	sum := sha256.Sum256([]byte(p.ID))
	idem := &store.Idempotency{Scope: "payments", Key: p.ID, RequestHash: hex.EncodeToString(sum[:])}
	val, err := s.submit(ctx, &committer.Request{AccountID: p.AccountID, Idempotency: idem,
		Run: func(b *committer.Batch, st *ledger.State) (any, error) {
			if s.pay.cfg.PurchaseExpiry > 0 {
				g.ExpiresAt = b.Env.Now.Add(s.pay.cfg.PurchaseExpiry)
			}
			e, err := st.Grant(b.Env, g)
			if err != nil {
				return nil, err
			}
			b.Record(e)
			return grantView(e.Lots[0]), nil
		}})
	v, err := decodeReplay[api.Grant](val, err)
	if err != nil {
		return "", fmt.Errorf("credit payment %s: %w", p.ID, err)
	}
	return v.ID, nil
}

// SettlePayments finishes open payments: bank debits whose settlement time
// has come, and payments left processing (Coffer stopped between the
// charge and recording its answer) for more than a minute on the clock,
// which are charged again under the same key — the gateway answers with
// the first charge. The settlement job runs it.
func (s *Service) SettlePayments(ctx context.Context) error {
	open, err := s.store.OpenPayments(ctx, 500)
	if err != nil {
		return err
	}
	now := s.now()
	for _, p := range open {
		var ch *payments.Charge
		switch {
		case p.Status == coffer.PaymentPending:
			if now.Before(p.SettlesAt) {
				continue
			}
			if ch, err = s.pay.gw.Status(ctx, p.ChargeID); err != nil {
				s.log.WarnContext(ctx, "payment status", "payment", p.ID, "err", err)
				continue
			}
			if ch.Status == payments.Pending {
				continue
			}
		case now.Sub(p.UpdatedAt) > time.Minute:
			m, err := s.store.GetPaymentMethod(ctx, p.MethodID)
			if err != nil {
				s.log.ErrorContext(ctx, "settle payment", "payment", p.ID, "err", err)
				continue
			}
			if ch, err = s.charge(ctx, p, m); err != nil {
				continue
			}
		default:
			continue
		}
		bal, err := s.balanceOf(ctx, p.AccountID)
		if err == nil {
			_, err = s.settle(ctx, p, ch, bal)
		}
		if err != nil {
			// One payment that cannot be finished must not hold up the
			// others, nor the rest of the sweep: log it, try next time.
			s.log.ErrorContext(ctx, "settle payment", "payment", p.ID, "err", err)
		}
	}
	return nil
}

// balanceOf reads an account's balance now.
func (s *Service) balanceOf(ctx context.Context, accountID string) (money.Amount, error) {
	b, err := s.store.LoadBalance(ctx, accountID, s.now())
	return b.Balance, err
}
