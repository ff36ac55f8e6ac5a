package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
)

// The account's balance alerts ("Payment Settings"): the thresholds in
// force, the owner's to add and remove, with the recommendation (the
// average daily usage) beside them.

func alertsRoutes() []route {
	return []route{
		{pattern: "GET /accounts/{id}/alerts", access: member, tab: "Alerts", handle: alertsPage},
		{pattern: "POST /accounts/{id}/alerts", access: member, handle: addAlert},
		{pattern: "POST /accounts/{id}/alerts/remove", access: member, handle: removeAlert},
	}
}

type alertsData struct {
	Alerts *api.BalanceAlerts
	Add    *form
	// Recommend is the one-button form that adds an alert at the
	// recommendation; nil when there is none to add (no usage yet, one
	// there already, or no room).
	Recommend *form
	// Removes are the remove forms by threshold.
	Removes map[string]*form
	Max     int
}

func addAlertForm(values url.Values) *form {
	return newForm("alert", values, "thresholds")
}

func alertsPage(q *request) error {
	return q.renderAlerts(http.StatusOK, nil)
}

// renderAlerts draws the page; failed is a form sent with errors: the add
// form, or a threshold's remove form (or the recommendation's), whose
// error is told atop the page.
func (q *request) renderAlerts(status int, failed *form) error {
	d := &alertsData{Removes: map[string]*form{}, Max: ledger.MaxAlerts}
	v, err := q.accountView(d)
	if err != nil {
		return err
	}
	call, err := q.call()
	if err != nil {
		return err
	}
	if d.Alerts, err = q.c.svc.GetBalanceAlerts(q.r.Context(), call, v.Account.ID); err != nil {
		return err
	}
	d.Add = addAlertForm(nil)
	if failed != nil {
		d.Add = failed
		if failed.ID != "alert" {
			d.Add = addAlertForm(nil)
			d.Add.Error = failed.Error
		}
	}
	has := false
	for _, t := range d.Alerts.Thresholds {
		d.Removes[t.Threshold.String()] = newForm("remove-"+t.Threshold.String(), nil)
		has = has || t.Threshold == d.Alerts.Recommended
	}
	if r := d.Alerts.Recommended; r > 0 && !has && len(d.Alerts.Thresholds) < ledger.MaxAlerts {
		d.Recommend = newForm("recommend", url.Values{"thresholds": {r.String()}})
	}
	return q.renderView(status, "alerts", v)
}

func addAlert(q *request) error {
	f := addAlertForm(q.r.PostForm)
	if q.r.PostForm.Get("recommended") != "" {
		// The recommendation's button has no field to tell an error beside.
		f = newForm("recommend", q.r.PostForm)
	}
	return q.changeAlerts(f, "Added an alert at %s.", func(th []money.Amount) ([]money.Amount, money.Amount, error) {
		s := strings.TrimSpace(f.Values.Get("thresholds"))
		if s == "" {
			return nil, 0, coffer.Invalid("thresholds", "is required: the balance below which to send an alert, as 50.00")
		}
		a, err := money.Parse(s)
		if err != nil {
			return nil, 0, coffer.Invalid("thresholds", "%s", err)
		}
		return append(th, a), a, nil
	})
}

func removeAlert(q *request) error {
	f := newForm("remove", q.r.PostForm)
	return q.changeAlerts(f, "Removed the alert at %s.", func(th []money.Amount) ([]money.Amount, money.Amount, error) {
		a, err := money.Parse(f.Values.Get("threshold"))
		if err != nil {
			return nil, 0, coffer.Invalid("threshold", "%s", err)
		}
		i := slices.Index(th, a)
		if i < 0 {
			return nil, 0, coffer.Errorf(coffer.EConflict, "there is no alert at %s any more: the page was out of date", a)
		}
		return slices.Delete(th, i, i+1), a, nil
	})
}

// changeAlerts saves the account's thresholds as change makes them from
// the ones in force, keeping the extra recipients: the API replaces the
// whole list, so the page sends all of it.
func (q *request) changeAlerts(f *form, notice string, change func([]money.Amount) ([]money.Amount, money.Amount, error)) error {
	id := q.r.PathValue("id")
	call, err := q.mutation()
	if err != nil {
		return err
	}
	cur, err := q.c.svc.GetBalanceAlerts(q.r.Context(), call, id)
	if err != nil {
		return err
	}
	th := make([]money.Amount, 0, len(cur.Thresholds)+1)
	for _, t := range cur.Thresholds {
		th = append(th, t.Threshold)
	}
	th, changed, err := change(th)
	if err == nil {
		_, err = service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.BalanceAlerts, error) {
			return q.c.svc.PutBalanceAlerts(ctx, call, id, api.BalanceAlertsUpdate{Thresholds: th, Emails: cur.Emails})
		})
		if err == nil {
			return q.redirect("/accounts/"+id+"/alerts", fmt.Sprintf(notice, formatMoney(changed, cur.Currency)))
		}
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	return q.renderAlerts(coffer.HTTPStatus(coffer.ErrorCode(err)), f)
}
