package console

import (
	"net/http"
	"net/url"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
)

// The account's Payments tab: buy credits, the payment methods, and the
// auto-recharge settings, as the owner manages them and staff see them on
// any account. Its forms are in page_payments_*.go.

func paymentsRoutes() []route {
	return []route{
		{pattern: "GET /accounts/{id}/payments", access: member, tab: "Payments", handle: paymentsPage},
		{pattern: "POST /accounts/{id}/purchases", access: member, handle: buyCredits},
		{pattern: "POST /accounts/{id}/payment_methods", access: member, handle: addPaymentMethod},
		{pattern: "POST /accounts/{id}/payment_methods/{pm}/verify", access: member, handle: verifyPaymentMethod},
		{pattern: "POST /accounts/{id}/payment_methods/{pm}/default", access: member, handle: setDefaultPaymentMethod},
		{pattern: "POST /accounts/{id}/payment_methods/{pm}/remove", access: member, handle: removePaymentMethod},
		{pattern: "POST /accounts/{id}/auto_recharge", access: member, handle: saveAutoRecharge},
	}
}

type paymentsData struct {
	Buy      *buyData
	Methods  []methodRow
	AddCard  *form
	AddBank  *form
	Recharge *rechargeData
}

// sent is the form of a request that failed, redrawn with its errors in
// place of the fresh one; at most one field is set.
type sent struct {
	buy, card, bank, recharge *form
	// method is the form of one payment method's row (its verify form)
	// and methodID that method.
	method   *form
	methodID string
	// declined is set when the purchase was refused by the gateway.
	declined bool
}

func paymentsPage(q *request) error {
	return q.renderPayments(http.StatusOK, sent{})
}

// renderPayments draws the Payments tab, with the failed form of s in
// place of its fresh one.
func (q *request) renderPayments(status int, s sent) error {
	d := &paymentsData{}
	v, err := q.accountView(d)
	if err != nil {
		return err
	}
	call, err := q.call()
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	methods, err := q.c.svc.ListPaymentMethods(ctx, call, v.Account.ID)
	if err != nil {
		return err
	}
	d.Methods = q.methodRows(call, methods.Data, s)
	if d.Buy, err = q.buyData(call, v.Account, methods.Data, s); err != nil {
		return err
	}
	d.AddCard, d.AddBank = s.card, s.bank
	if d.AddCard == nil {
		d.AddCard = cardForm(nil)
	}
	if d.AddBank == nil {
		d.AddBank = bankForm(nil)
	}
	if d.Recharge, err = q.rechargeData(call, v.Account, methods.Data, s.recharge); err != nil {
		return err
	}
	return q.renderView(status, "payments", v)
}

// accountMethod loads the payment method a path names, which must be the
// path's account's: another account's method is not a page of this one.
func (q *request) accountMethod(call service.Call) (*api.PaymentMethod, error) {
	id, pm := q.r.PathValue("id"), q.r.PathValue("pm")
	m, err := q.c.svc.GetPaymentMethod(q.r.Context(), call, pm)
	if err == nil && m.AccountID != id {
		err = coffer.Errorf(coffer.ENotFound, "payment method %s not found", pm)
	}
	return m, err
}

// paymentsPath is the Payments tab of the request's account, with query
// values when given.
func (q *request) paymentsPath(query url.Values) string {
	p := "/accounts/" + q.r.PathValue("id") + "/payments"
	if len(query) > 0 {
		p += "?" + query.Encode()
	}
	return p
}
