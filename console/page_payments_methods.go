package console

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
)

// Payment methods: add a card or a bank account, verify a bank account
// with the 6-digit code of its deposit, make one the default, remove one.

type methodRow struct {
	api.PaymentMethod
	Label string
	// Verify is the code form of an unverified bank account; Default and
	// Remove the one-button forms of the row.
	Verify, Default, Remove *form
	// Error is a refusal to make it the default or remove it.
	Error string
	// SandboxCode is the code the sandbox's deposit carried, shown to
	// staff only (the API reveals it to admins), standing in for the
	// customer's bank statement.
	SandboxCode string
}

const (
	cardFields = "card_number exp_month exp_year cvc account_holder_name"
	bankFields = "account_holder_name routing_number account_number"
)

func cardForm(values url.Values) *form {
	return newForm("card", values, strings.Fields(cardFields)...)
}

func bankForm(values url.Values) *form {
	return newForm("bank", values, strings.Fields(bankFields)...)
}

func verifyForm(methodID string, values url.Values) *form {
	return newForm("verify-"+methodID, values, "code")
}

func (q *request) methodRows(call service.Call, methods []api.PaymentMethod, s sent) []methodRow {
	rows := make([]methodRow, 0, len(methods))
	for _, m := range methods {
		r := methodRow{PaymentMethod: m, Label: methodLabel(m), Remove: newForm("remove-"+m.ID, nil)}
		switch {
		case m.Status == "unverified":
			r.Verify = verifyForm(m.ID, nil)
			if s.methodID == m.ID && s.method != nil {
				r.Verify = s.method
			}
			if q.sess.Staff() {
				if c, err := q.c.svc.SandboxVerificationCode(q.r.Context(), call, m.ID); err == nil {
					r.SandboxCode = c.Code
				}
			}
		case m.Status == "active" && !m.Default:
			r.Default = newForm("default-"+m.ID, nil)
		}
		if s.methodID == m.ID && s.method != nil && r.Verify != s.method {
			r.Error = s.method.Error
		}
		rows = append(rows, r)
	}
	return rows
}

func addPaymentMethod(q *request) error {
	id := q.r.PathValue("id")
	typ := q.r.PostForm.Get("type")
	f := cardForm(q.r.PostForm)
	if typ == "us_bank_account" {
		f = bankForm(q.r.PostForm)
	}
	in, err := methodInput(typ, f.Values)
	if err == nil {
		var call service.Call
		if call, err = q.mutation(); err == nil {
			var m *api.PaymentMethod
			m, err = service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.PaymentMethod, error) {
				return q.c.svc.AddPaymentMethod(ctx, call, id, in)
			})
			if err == nil {
				notice := "Added " + methodLabel(*m) + "."
				if m.Status == "unverified" {
					notice = "Added " + methodLabel(*m) + ". A small deposit is on its way to it: enter the 6-digit code it carries to verify the account."
				}
				return q.redirect(q.paymentsPath(nil)+"#methods-title", notice)
			}
		}
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	s := sent{card: f}
	if typ == "us_bank_account" {
		s = sent{bank: f}
	}
	return q.renderPayments(coffer.HTTPStatus(coffer.ErrorCode(err)), s)
}

// methodInput reads a card or bank account form into the API's request.
func methodInput(typ string, v url.Values) (api.PaymentMethodCreate, error) {
	in := api.PaymentMethodCreate{Type: typ, AccountHolderName: strings.TrimSpace(v.Get("account_holder_name"))}
	if typ == "us_bank_account" {
		in.RoutingNumber = strings.TrimSpace(v.Get("routing_number"))
		in.AccountNumber = strings.TrimSpace(v.Get("account_number"))
		return in, nil
	}
	in.CardNumber = strings.TrimSpace(v.Get("card_number"))
	in.CVC = strings.TrimSpace(v.Get("cvc"))
	var err error
	if in.ExpMonth, err = wholeNumber("exp_month", v.Get("exp_month"), "12"); err != nil {
		return in, err
	}
	in.ExpYear, err = wholeNumber("exp_year", v.Get("exp_year"), "2030")
	return in, err
}

// wholeNumber reads a number field; empty is zero, which the API refuses
// in its own words.
func wholeNumber(param, s, example string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, coffer.Invalid(param, "must be a whole number, as %s, got %q", example, s)
	}
	return n, nil
}

func verifyPaymentMethod(q *request) error {
	f := verifyForm(q.r.PathValue("pm"), q.r.PostForm)
	call, err := q.mutation()
	if err != nil {
		return err
	}
	m, err := q.accountMethod(call)
	if err == nil {
		m, err = service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.PaymentMethod, error) {
			return q.c.svc.VerifyPaymentMethod(ctx, call, m.ID, api.PaymentMethodVerify{Code: f.Values.Get("code")})
		})
		if err == nil {
			return q.redirect(q.paymentsPath(nil)+"#methods-title", "Verified "+methodLabel(*m)+": it can be charged now.")
		}
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	return q.renderPayments(coffer.HTTPStatus(coffer.ErrorCode(err)), sent{method: f, methodID: q.r.PathValue("pm")})
}

func setDefaultPaymentMethod(q *request) error {
	return q.methodAction("default-", "is now the default payment method.", func(ctx context.Context, call service.Call, id string) (*api.PaymentMethod, error) {
		return q.c.svc.SetDefaultPaymentMethod(ctx, call, id)
	})
}

func removePaymentMethod(q *request) error {
	return q.methodAction("remove-", "was removed.", func(ctx context.Context, call service.Call, id string) (*api.PaymentMethod, error) {
		return q.c.svc.RemovePaymentMethod(ctx, call, id)
	})
}

// methodAction runs a one-button form of a method's row; a refusal is
// told on the row.
func (q *request) methodAction(prefix, done string, act func(context.Context, service.Call, string) (*api.PaymentMethod, error)) error {
	pm := q.r.PathValue("pm")
	f := newForm(prefix+pm, q.r.PostForm)
	call, err := q.mutation()
	if err != nil {
		return err
	}
	m, err := q.accountMethod(call)
	if err == nil {
		m, err = service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.PaymentMethod, error) {
			return act(ctx, call, m.ID)
		})
		if err == nil {
			return q.redirect(q.paymentsPath(nil)+"#methods-title", methodLabel(*m)+" "+done)
		}
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	return q.renderPayments(coffer.HTTPStatus(coffer.ErrorCode(err)), sent{method: f, methodID: pm})
}
