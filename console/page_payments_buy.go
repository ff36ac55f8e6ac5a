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

// Buying credits: the amount, with the smallest and largest purchase
// shown before anything is sent, and a payment method; then the result
// in words.

type buyData struct {
	Limits *service.PurchaseLimits
	Form   *form
	// Method is the payment method select, made here from the account's
	// usable methods; nil when it has none.
	Method *field
	// Declined is set when the gateway refused the payment just sent.
	Declined bool
	Result   *purchaseResult
}

// purchaseResult is a purchase just made, told in words.
type purchaseResult struct {
	Status   string // succeeded, pending, processing or failed
	Headline string
	Detail   string
}

func buyForm(values url.Values) *form {
	return newForm("buy", values, "amount", "payment_method_id")
}

func (q *request) buyData(call service.Call, acct *api.Account, methods []api.PaymentMethod, s sent) (*buyData, error) {
	ctx := q.r.Context()
	limits, err := q.c.svc.PurchaseLimits(ctx, call, acct.ID)
	if err != nil {
		return nil, err
	}
	d := &buyData{Limits: limits, Form: s.buy, Declined: s.declined}
	if d.Form == nil {
		d.Form = buyForm(nil)
	}
	pairs := []string{}
	for _, m := range methods {
		if m.Status == "active" {
			label := methodLabel(m)
			if m.Default {
				label += " (default)"
			}
			pairs = append(pairs, m.ID, label)
		}
	}
	if len(pairs) > 0 {
		if d.Form.Values.Get("payment_method_id") == "" {
			d.Form.Values.Set("payment_method_id", defaultMethod(methods))
		}
		f := d.Form.Select("payment_method_id", "Pay with", pairs...)
		d.Method = &f
	}
	if id := q.r.URL.Query().Get("payment"); id != "" && s.buy == nil {
		if d.Result, err = q.purchaseResult(call, acct, methods, id); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// defaultMethod is the id of the account's default method, or "".
func defaultMethod(methods []api.PaymentMethod) string {
	for _, m := range methods {
		if m.Default {
			return m.ID
		}
	}
	return ""
}

// methodLabel names a method as its owner knows it: "Visa •••• 4242",
// "Bank account •••• 6789", "PayPal a@b.test".
func methodLabel(m api.PaymentMethod) string {
	switch m.Type {
	case "us_bank_account":
		return "Bank account •••• " + m.Last4
	case "paypal":
		return "PayPal " + m.Email
	}
	b := "Card"
	switch m.Brand {
	case "visa":
		b = "Visa"
	case "mastercard":
		b = "Mastercard"
	case "amex":
		b = "American Express"
	}
	return b + " •••• " + m.Last4
}

// purchaseResult reads the payment the page was sent back with and says
// what became of it. A payment of another account is not this page's.
func (q *request) purchaseResult(call service.Call, acct *api.Account, methods []api.PaymentMethod, id string) (*purchaseResult, error) {
	ctx := q.r.Context()
	p, err := q.c.svc.GetPayment(ctx, call, id)
	if err == nil && p.AccountID != acct.ID {
		err = coffer.Errorf(coffer.ENotFound, "payment %s not found", id)
	}
	if err != nil {
		return nil, err
	}
	with := "the payment method"
	for _, m := range methods {
		if m.ID == p.PaymentMethodID {
			with = methodLabel(m)
		}
	}
	amount := formatMoney(p.Amount, p.Currency)
	r := &purchaseResult{Status: p.Status}
	switch p.Status {
	case "succeeded":
		bal, err := q.c.svc.Balance(ctx, call, acct.ID, nil)
		if err != nil {
			return nil, err
		}
		r.Headline = "Payment succeeded: " + amount + " added"
		r.Detail = amount + " was charged to " + with + " and added to the balance, which is now " +
			formatMoney(bal.Balance, acct.Currency) + "."
	case "pending":
		r.Headline = "Payment pending: waiting for the bank"
		r.Detail = "The debit of " + amount + " from " + with + " takes a few business days to settle"
		if p.SettlesAt != nil {
			r.Detail += ", by " + formatDate(p.SettlesAt)
		}
		r.Detail += ". The credit is added to the balance when it does; there is nothing more to do."
	case "processing":
		r.Headline = "Payment processing"
		r.Detail = "The payment gateway has not answered yet for " + amount + " from " + with + ". Reload this page in a moment to see the result."
	default:
		r.Headline = "Payment failed"
		r.Detail = "The payment of " + amount + " from " + with + " failed: " + p.FailureMessage + ". No money was taken and the balance is unchanged."
	}
	return r, nil
}

func buyCredits(q *request) error {
	id := q.r.PathValue("id")
	f := buyForm(q.r.PostForm)
	in, err := purchaseInput(f.Values)
	if err == nil {
		var call service.Call
		if call, err = q.mutation(); err == nil {
			var p *api.Payment
			p, err = service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.Payment, error) {
				return q.c.svc.CreatePurchase(ctx, call, id, in)
			})
			if err == nil {
				return q.redirect(q.paymentsPath(url.Values{"payment": {p.ID}})+"#buy-result", "")
			}
		}
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) && f.Errors["payment_method_id"] == "" {
		return err
	}
	return q.renderPayments(coffer.HTTPStatus(coffer.ErrorCode(err)), sent{buy: f, declined: isCode(err, coffer.EPaymentFailed)})
}

// purchaseInput reads the buy form into the API's request.
func purchaseInput(v url.Values) (api.PurchaseCreate, error) {
	in := api.PurchaseCreate{PaymentMethodID: v.Get("payment_method_id")}
	s := strings.TrimSpace(v.Get("amount"))
	if s == "" {
		return in, coffer.Invalid("amount", "is required: how much credit to buy, as 50.00")
	}
	a, err := money.Parse(s)
	if err != nil {
		return in, coffer.Invalid("amount", "%s", err)
	}
	in.Amount = a
	return in, nil
}
