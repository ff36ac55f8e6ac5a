package console

import (
	"net/http"
	"net/url"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/store"
)

// The account's payment history: every charge (purchases, auto-recharges,
// scheduled debits, invoice payments) with its status and, for a failed
// one, why. A list only: buying credit and the payment settings are the
// Payments tab's (page_payments.go).

func paymentHistoryRoutes() []route {
	return []route{{pattern: "GET /accounts/{id}/payment-history", access: member, tab: "Payment history", handle: paymentHistoryPage}}
}

type paymentHistoryData struct {
	Form        *form
	Payments    []paymentRow
	Next, First string
}

// paymentRow is a payment with its method named as its owner knows it.
type paymentRow struct {
	api.Payment
	Method string
}

func paymentHistoryPage(q *request) error {
	d := &paymentHistoryData{}
	v, err := q.accountView(d)
	if err != nil {
		return err
	}
	call, err := q.call()
	if err != nil {
		return err
	}
	qv := q.r.URL.Query()
	d.Form = newForm("payment-history", url.Values{"source": {qv.Get("source")}}, "source")
	list, err := q.c.svc.ListPurchases(q.r.Context(), call, v.Account.ID, qv.Get("source"),
		store.Page{Limit: pageSize, StartingAfter: qv.Get("starting_after")})
	if err != nil {
		if !d.Form.fail(err) || isCode(err, coffer.ENotFound) {
			return err
		}
		return q.renderView(coffer.HTTPStatus(coffer.ErrorCode(err)), "payment-history", v)
	}
	methods, err := q.c.svc.ListPaymentMethods(q.r.Context(), call, v.Account.ID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, m := range methods.Data {
		names[m.ID] = methodLabel(m)
	}
	for _, p := range list.Data {
		row := paymentRow{Payment: p, Method: names[p.PaymentMethodID]}
		if row.Method == "" {
			row.Method = p.PaymentMethodID // removed since: its id is all there is
		}
		d.Payments = append(d.Payments, row)
	}
	last := ""
	if n := len(list.Data); n > 0 {
		last = list.Data[n-1].ID
	}
	d.Next, d.First = pagerLinks(qv, list.HasMore, last, "source")
	return q.renderView(http.StatusOK, "payment-history", v)
}
