package service

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/store"
)

// Auto-recharge limits.
const (
	// maxChargesPerRun bounds one run of the fixed-amount loop; the daily
	// cap is the real brake, this only keeps a misconfiguration finite.
	maxChargesPerRun = 100
	// rechargeLease is how long a run holds its account's lease, on
	// Coffer's clock as every lease is; a process that dies mid-run frees
	// the account after it.
	rechargeLease = 2 * time.Minute
	// releaseTimeout bounds giving a lease back after the run's context
	// ended (a job stopping), so a stuck store cannot hold the stop up.
	releaseTimeout = 5 * time.Second
)

func autoRechargeView(ar *coffer.AutoRecharge, now time.Time) *api.AutoRecharge {
	v := &api.AutoRecharge{Object: "auto_recharge", AccountID: ar.AccountID, Enabled: ar.Enabled, Locked: ar.Locked,
		PaymentMethodID: ar.MethodID, Threshold: ar.Threshold, Failures: ar.Failures, State: "idle"}
	if ar.Amount > 0 {
		v.Amount = &ar.Amount
	}
	if ar.Target != 0 {
		v.Target = &ar.Target
	}
	if ar.DailyCap > 0 {
		v.DailyCap = &ar.DailyCap
	}
	switch {
	case ar.Exhausted:
		v.State = "exhausted"
	case ar.Failures > 0:
		v.State = "retrying"
		v.RetryAtBalance = &ar.RetryAt
		v.RetryAt = v.RetryAtBalance
	}
	if ar.Day == now.Format(time.DateOnly) {
		v.SpentToday = ar.Spent
	}
	if !ar.UpdatedAt.IsZero() {
		t := ar.UpdatedAt
		v.UpdatedAt = &t
	}
	return v
}

// GetAutoRecharge returns an account's auto-recharge settings; an account
// that never set them has them disabled.
func (s *Service) GetAutoRecharge(ctx context.Context, c Call, accountID string) (*api.AutoRecharge, error) {
	if err := authorizeID(c.Caller, accountID, readAccount); err != nil {
		return nil, err
	}
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	ar, err := s.store.GetAutoRecharge(ctx, accountID)
	if coffer.ErrorCode(err) == coffer.ENotFound {
		return autoRechargeView(&coffer.AutoRecharge{AccountID: accountID}, s.now()), nil
	}
	if err != nil {
		return nil, err
	}
	return autoRechargeView(ar, s.now()), nil
}

// PutAutoRecharge changes an account's auto-recharge settings; absent
// fields keep their value. Saving settings starts the failure ladder
// afresh. Only an admin may lock or unlock; while locked, the owner may
// change the payment method and amounts but not turn it off.
func (s *Service) PutAutoRecharge(ctx context.Context, c Call, accountID string, in api.AutoRechargeUpdate) (*api.AutoRecharge, error) {
	if err := coffer.CheckID("id", coffer.PrefixAccount, accountID); err != nil {
		return nil, err
	}
	want := manageAccount
	if in.Locked != nil {
		want = operate
	}
	if err := authorize(c.Caller, accountID, want); err != nil {
		return nil, err
	}
	var method *coffer.PaymentMethod
	if in.PaymentMethodID != nil {
		var err error
		if method, err = s.chargeableMethod(ctx, accountID, *in.PaymentMethodID, false); err != nil {
			return nil, err
		}
	}
	if in.Amount != nil && in.Target != nil && *in.Amount > 0 && *in.Target > 0 {
		return nil, coffer.Invalid("target", "cannot be set with amount: choose a fixed recharge amount or a refill target")
	}
	// What the transaction below may need is read before it, never inside
	// it: whether the method auto-recharge has is still usable, and the
	// account's default card or PayPal account to fall back on.
	usable := map[string]bool{}
	var fallback *coffer.PaymentMethod
	if method == nil {
		if cur, err := s.store.GetAutoRecharge(ctx, accountID); err == nil && cur.MethodID != "" {
			if m, err := s.store.GetPaymentMethod(ctx, cur.MethodID); err == nil && m.Status == coffer.MethodActive && m.AccountID == accountID {
				usable[m.ID] = true
			}
		}
		fallback, _ = s.chargeableMethod(ctx, accountID, "", false)
	}
	isAdmin := c.Caller.Role == coffer.RoleAdmin
	v, err := idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.AutoRecharge) error) (*api.AutoRecharge, error) {
		var v *api.AutoRecharge
		_, err := s.store.UpdateAutoRecharge(ctx, accountID, func(ar *coffer.AutoRecharge, a *coffer.Account) ([]ledger.Event, error) {
			if a.Status == ledger.StatusClosed {
				return nil, coffer.Errorf(coffer.EAccountClosed, "account %s is closed", a.ID)
			}
			if ar.UpdatedAt.IsZero() && s.pay.cfg.DailyCap > 0 {
				ar.DailyCap = s.pay.cfg.DailyCap
			}
			if in.Locked != nil {
				ar.Locked = *in.Locked
			}
			if ar.ProgramID != "" && !isAdmin {
				if in.Enabled != nil && !*in.Enabled && ar.Locked {
					return nil, coffer.Errorf(coffer.EConflict, "auto-recharge on account %s is locked on by program %s, which requires a payment method: you can change its payment method, but not turn it off", a.ID, ar.ProgramID)
				}
				if in.Threshold != nil || in.Amount != nil || in.Target != nil || in.DailyCap != nil {
					return nil, coffer.Errorf(coffer.EConflict, "auto-recharge on account %s follows the levels of program %s while its gift lasts: you can change its payment method only", a.ID, ar.ProgramID)
				}
			}
			if in.Enabled != nil {
				if !*in.Enabled && ar.Locked && !isAdmin {
					return nil, coffer.Errorf(coffer.EConflict, "auto-recharge on account %s is locked on by the operator: you can change its payment method and amounts, but not turn it off", a.ID)
				}
				ar.Enabled = *in.Enabled
			}
			if method != nil {
				ar.MethodID = method.ID
			}
			setIf(&ar.Threshold, in.Threshold)
			if in.Amount != nil {
				ar.Amount = *in.Amount
				if ar.Amount > 0 {
					ar.Target = 0
				}
			}
			if in.Target != nil {
				ar.Target = *in.Target
				if ar.Target > 0 {
					ar.Amount = 0
				}
			}
			setIf(&ar.DailyCap, in.DailyCap)
			if ar.ProgramID == "" { // a program's levels are below zero by design
				if err := checkAutoRecharge(ar); err != nil {
					return nil, err
				}
			}
			if ar.Enabled && method == nil && !usable[ar.MethodID] {
				if fallback == nil {
					return nil, coffer.Invalid("payment_method_id", "is required: account %s has no usable default card or PayPal account to charge", a.ID)
				}
				ar.MethodID = fallback.ID
			}
			ar.Failures, ar.RetryAt, ar.Exhausted = 0, 0, false
			ar.UpdatedAt = s.now()
			v = autoRechargeView(ar, ar.UpdatedAt)
			return nil, encode(v)
		}, rec)
		return v, err
	})
	if err == nil {
		s.pay.enqueue(accountID) // the balance may already be below the new threshold
	}
	return v, err
}

// checkAutoRecharge validates settings about to be saved.
func checkAutoRecharge(ar *coffer.AutoRecharge) error {
	for _, f := range []struct {
		name  string
		value money.Amount
	}{{"threshold", ar.Threshold}, {"amount", ar.Amount}, {"target", ar.Target}, {"daily_cap", ar.DailyCap}} {
		if f.value < 0 {
			return coffer.Invalid(f.name, "must not be negative, got %s", f.value)
		}
	}
	if !ar.Enabled {
		return nil
	}
	if ar.Threshold <= 0 {
		return coffer.Invalid("threshold", "must be greater than zero to enable auto-recharge: it is the balance below which a recharge runs")
	}
	if ar.Amount == 0 && ar.Target == 0 {
		return coffer.Invalid("amount", "or target is required: a fixed recharge amount, or a refill target")
	}
	if ar.Target > 0 && ar.Target <= ar.Threshold {
		return coffer.Invalid("target", "must be above the threshold (%s), got %s", ar.Threshold, ar.Target)
	}
	return nil
}

// RechargeWake is signalled when the committer's observer notes accounts
// whose balances moved, or a change of settings asks for a look; the
// recharge job waits on it and then calls RechargeNoted.
func (s *Service) RechargeWake() <-chan struct{} { return s.pay.wake }

// RechargeNoted checks, one at a time, the accounts noted since it last
// ran, and recharges those below their threshold. It stops early, leaving
// the rest unchecked, when ctx ends; the recharge sweep finds them.
func (s *Service) RechargeNoted(ctx context.Context) error {
	ids, checks := s.pay.take()
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		if q := checks[id]; q.known {
			if skip, err := s.noRechargeNeeded(ctx, id, q.balance); err != nil || skip {
				if err != nil {
					s.log.ErrorContext(ctx, "auto-recharge settings", "account", id, "err", err)
				}
				continue
			}
		}
		if err := s.recharge(ctx, id); err != nil {
			s.log.ErrorContext(ctx, "auto-recharge failed", "account", id, "err", err)
		}
	}
	return nil
}

// noRechargeNeeded reports, from cached settings where it can, that an
// account whose ledger balance a batch left at balance needs no recharge:
// auto-recharge is off, or the balance is not below the threshold.
func (s *Service) noRechargeNeeded(ctx context.Context, accountID string, balance money.Amount) (bool, error) {
	c, forgotten, ok := s.pay.cached(accountID)
	if !ok {
		ar, err := s.store.GetAutoRecharge(ctx, accountID)
		switch {
		case coffer.ErrorCode(err) == coffer.ENotFound:
		case err != nil:
			return false, err
		default:
			c.enabled, c.threshold = ar.Enabled, ar.Threshold
		}
		c.at = s.pay.wall()
		s.pay.remember(accountID, c, forgotten)
	}
	return !c.enabled || balance >= c.threshold, nil
}

// RechargeSweep catches what the observer could not: a balance another
// process moved, or a run that lost its lease race just as the balance
// fell. It recharges every account the store finds below its threshold.
// The recharge sweep job runs it.
func (s *Service) RechargeSweep(ctx context.Context) error {
	ids, err := s.store.RechargeCandidates(ctx, 500)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.recharge(ctx, id); err != nil {
			s.log.ErrorContext(ctx, "auto-recharge", "account", id, "err", err)
		}
	}
	return nil
}

// recharge runs auto-recharge for one account if its balance is below
// the threshold. Only one run per account at a time, in any process: the
// run holds the account's lease row. With a fixed amount it charges again
// and again until the balance is at or above the threshold; with a target
// it charges the difference once. A failure stops the run; the next try
// waits for the ladder's next rung.
func (s *Service) recharge(ctx context.Context, accountID string) error {
	ar, err := s.store.GetAutoRecharge(ctx, accountID)
	if coffer.ErrorCode(err) == coffer.ENotFound {
		return nil
	}
	if err != nil || !ar.Enabled {
		return err
	}
	now := s.now()
	token := s.pay.node + "/" + coffer.NewID(coffer.PrefixRun, now)
	got, err := s.store.ClaimRecharge(ctx, accountID, token, now, now.Add(rechargeLease))
	if err != nil || !got {
		return err
	}
	defer func() {
		// Given back even when ctx has ended, so the account need not wait
		// out the lease; bounded, so a stuck store cannot hang the caller.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if err := s.store.ReleaseRecharge(rctx, accountID, token); err != nil {
			s.log.ErrorContext(ctx, "release recharge lease", "account", accountID, "err", err)
		}
	}()
	for range maxChargesPerRun {
		done, err := s.rechargeOnce(ctx, accountID, token)
		if err != nil || done {
			return err
		}
	}
	return nil
}

// rechargeOnce makes at most one charge, for the run holding the lease
// with token; done reports that the run should stop (nothing to do, a
// failure, the cap, or the lease taken over).
//
// The lease alone cannot keep the daily cap: it is a time on Coffer's
// clock, and a run can outlive it (a slow gateway, or a test clock moved
// on while the run charges), so another run may take the account over
// while the first still charges. The cap is therefore checked, and the
// charge counted against it, under the auto-recharge row's lock in the
// transaction that records the payment, before the gateway is asked: two
// runs see each other's charges whatever their timing. And a run makes
// no charge at an instant its lease does not cover: at any instant on the
// clock at most one run's lease is live, so once a run's lease lapses it
// stops, and the run that takes the account over charges alone.
func (s *Service) rechargeOnce(ctx context.Context, accountID, token string) (done bool, err error) {
	ar, err := s.store.GetAutoRecharge(ctx, accountID)
	if err != nil || !ar.Enabled || ar.Exhausted {
		return true, err
	}
	now := s.now()
	b, err := s.store.LoadBalance(ctx, accountID, now)
	if err != nil {
		return true, err
	}
	bal := b.Balance
	if bal >= ar.Threshold || b.Status == ledger.StatusClosed {
		return true, nil
	}
	if ar.Failures > 0 && bal > ar.RetryAt {
		return true, nil // waiting for the ladder's next rung
	}
	amount := ar.Amount
	if ar.Amount == 0 { // a refill: to the target, which a program's levels put below zero
		amount = ar.Target - bal
	}
	m, err := s.store.GetPaymentMethod(ctx, ar.MethodID)
	if err != nil {
		return true, err
	}
	day := now.Format(time.DateOnly)
	p := &coffer.Payment{ID: s.ids.New(coffer.PrefixPayment, now), AccountID: accountID,
		Source: coffer.SourceAutoRecharge, Key: s.ids.New(coffer.PrefixRechargeKey, now), Status: coffer.PaymentProcessing,
		MethodID: m.ID, Amount: amount, Currency: b.Currency, CapDay: day, Actor: "auto_recharge", CreatedAt: now, UpdatedAt: now}
	var capped bool
	var spent money.Amount
	started, err := s.store.StartRecharge(ctx, p, token, now, func(ar *coffer.AutoRecharge) (bool, error) {
		capped, spent = false, 0
		if !ar.Enabled || ar.Exhausted {
			return false, nil
		}
		if ar.Day == day {
			spent = ar.Spent
		}
		if ar.DailyCap > 0 && spent+amount > ar.DailyCap {
			capped = true
			return false, nil
		}
		ar.Day, ar.Spent = day, spent+amount
		return true, nil
	})
	switch {
	case err != nil:
		return true, err
	case capped:
		return true, s.capReached(ctx, accountID, day, amount, spent)
	case !started:
		return true, nil // turned off, or the lease lapsed
	}
	var ch *payments.Charge
	if m.Status != coffer.MethodActive {
		ch = &payments.Charge{Status: payments.Failed, FailureCode: "payment_method_unusable",
			FailureMessage: "payment method " + m.ID + " is " + string(m.Status)}
	} else if ch, err = s.charge(ctx, p, m); err != nil {
		return true, nil // left processing; the settle job finishes it
	}
	p, err = s.settle(ctx, p, ch, bal)
	if err != nil {
		return true, err
	}
	return p.Status != coffer.PaymentSucceeded, nil
}

// capReached records, once a day, that auto-recharge stopped at the
// account's daily cap.
func (s *Service) capReached(ctx context.Context, accountID, day string, amount, spent money.Amount) error {
	now := s.now()
	_, err := s.store.UpdateAutoRecharge(ctx, accountID, func(ar *coffer.AutoRecharge, _ *coffer.Account) ([]ledger.Event, error) {
		if ar.CapHit == day {
			return nil, nil
		}
		ar.CapHit = day
		msg := "auto-recharge stopped: charging " + amount.String() + " more would pass the daily cap of " + ar.DailyCap.String()
		data := map[string]any{"failure_code": "daily_cap_reached", "reason": "daily_cap", "failure_message": msg,
			"amount": amount.String(), "spent_today": spent.String(), "daily_cap": ar.DailyCap.String()}
		return []ledger.Event{{ID: s.ids.New(coffer.PrefixEvent, now), Type: EventRechargeFailed, AccountID: accountID,
			CreatedAt: now, Data: data}}, nil
	}, nil)
	return err
}
