package console

import (
	"context"
	"net/url"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
)

// Auto-recharge: the balance below which it charges (threshold), how much
// (a fixed amount, or enough to refill to a target), the daily cap, on or
// off; and, when the operator or a gifted-credit program locks it, what
// that means in plain words.

type rechargeData struct {
	Settings *api.AutoRecharge
	// Program is the gifted-credit program whose levels it follows, or nil.
	Program *service.RechargeProgram
	Form    *form
	// Method is the select of the cards and PayPal accounts it may charge.
	Method *field
	// MaySwitch: the user may turn it on or off (not an owner while it is
	// locked). MaySetLevels: the user may change its levels (not an owner
	// while a program sets them). MayLock: staff, who may lock it.
	MaySwitch, MaySetLevels, MayLock bool
}

const rechargeFields = "enabled payment_method_id threshold amount target daily_cap locked"

func rechargeForm(values url.Values) *form {
	return newForm("recharge", values, strings.Fields(rechargeFields)...)
}

func (q *request) rechargeData(call service.Call, acct *api.Account, methods []api.PaymentMethod, failed *form) (*rechargeData, error) {
	ctx := q.r.Context()
	ar, err := q.c.svc.GetAutoRecharge(ctx, call, acct.ID)
	if err != nil {
		return nil, err
	}
	prog, err := q.c.svc.AutoRechargeProgram(ctx, call, acct.ID)
	if err != nil {
		return nil, err
	}
	staff := q.sess.Staff()
	d := &rechargeData{Settings: ar, Program: prog, Form: failed, MayLock: staff,
		MaySwitch: staff || !ar.Locked, MaySetLevels: staff || prog == nil}
	if d.Form == nil {
		d.Form = rechargeForm(rechargeValues(ar))
	}
	pairs := []string{"", "The account's default card or PayPal account"}
	for _, m := range methods {
		// Bank debits take days to settle: auto-recharge charges cards
		// and PayPal accounts only, as the service insists.
		if m.Status == "active" && m.Type != "us_bank_account" {
			pairs = append(pairs, m.ID, methodLabel(m))
		}
	}
	f := d.Form.Select("payment_method_id", "Payment method", pairs...)
	d.Method = &f
	return d, nil
}

// rechargeValues are the form's values for the settings as they are.
func rechargeValues(ar *api.AutoRecharge) url.Values {
	v := url.Values{"enabled": {"off"}, "locked": {"off"}, "payment_method_id": {ar.PaymentMethodID}}
	if ar.Enabled {
		v.Set("enabled", "on")
	}
	if ar.Locked {
		v.Set("locked", "on")
	}
	if ar.Threshold != 0 {
		v.Set("threshold", ar.Threshold.String())
	}
	for name, a := range map[string]*money.Amount{"amount": ar.Amount, "target": ar.Target, "daily_cap": ar.DailyCap} {
		if a != nil {
			v.Set(name, a.String())
		}
	}
	return v
}

func saveAutoRecharge(q *request) error {
	id := q.r.PathValue("id")
	f := rechargeForm(q.r.PostForm)
	call, err := q.mutation()
	if err != nil {
		return err
	}
	// What the user may change is what the page offered: the fields of
	// a locked setting are not sent, so the service's refusal of them is
	// never the answer to a form that did not show them.
	ar, err := q.c.svc.GetAutoRecharge(q.r.Context(), call, id)
	var prog *service.RechargeProgram
	if err == nil {
		prog, err = q.c.svc.AutoRechargeProgram(q.r.Context(), call, id)
	}
	var in api.AutoRechargeUpdate
	if err == nil {
		staff := q.sess.Staff()
		in, err = rechargeInput(f.Values, staff || !ar.Locked, staff || prog == nil, staff)
	}
	if err == nil {
		_, err = service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.AutoRecharge, error) {
			return q.c.svc.PutAutoRecharge(ctx, call, id, in)
		})
		if err == nil {
			return q.redirect(q.paymentsPath(nil)+"#recharge-title", "Auto-recharge settings saved.")
		}
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	return q.renderPayments(coffer.HTTPStatus(coffer.ErrorCode(err)), sent{recharge: f})
}

// rechargeInput reads the auto-recharge form into the API's request: the
// switch, the levels and the lock only when the user may change them. A
// blank threshold, amount or target is zero: none. A blank daily cap
// keeps the cap there is (the deployment's, for settings never saved);
// 0 is no cap.
func rechargeInput(v url.Values, maySwitch, maySetLevels, mayLock bool) (api.AutoRechargeUpdate, error) {
	var in api.AutoRechargeUpdate
	if id := v.Get("payment_method_id"); id != "" {
		in.PaymentMethodID = &id
	}
	if maySwitch {
		on := v.Get("enabled") == "on"
		in.Enabled = &on
	}
	if mayLock {
		locked := v.Get("locked") == "on"
		in.Locked = &locked
	}
	if !maySetLevels {
		return in, nil
	}
	for _, f := range []struct {
		name string
		to   **money.Amount
	}{{"threshold", &in.Threshold}, {"amount", &in.Amount}, {"target", &in.Target}, {"daily_cap", &in.DailyCap}} {
		a := money.Amount(0)
		s := strings.TrimSpace(v.Get(f.name))
		if s == "" && f.name == "daily_cap" {
			continue
		}
		if s != "" {
			var err error
			if a, err = money.Parse(s); err != nil {
				return in, coffer.Invalid(f.name, "%s", err)
			}
		}
		*f.to = &a
	}
	return in, nil
}
