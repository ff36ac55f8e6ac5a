package console

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/store"
)

// An account's subaccounts: the list with status and auth id, a form to
// add one (its token shown on that answer only), enable or disable, and
// delete after a confirmation. Owners manage their own account's; staff
// any account's. The service decides, as it does for an account key.

func subaccountsRoutes() []route {
	return []route{
		{pattern: "GET /accounts/{id}/subaccounts", access: member, tab: "Subaccounts", handle: subaccountsPage},
		{pattern: "POST /accounts/{id}/subaccounts", access: member, handle: createSubaccount},
		{pattern: "POST /accounts/{id}/subaccounts/{sub}/enable", access: member, handle: enableSubaccount(true)},
		{pattern: "POST /accounts/{id}/subaccounts/{sub}/disable", access: member, handle: enableSubaccount(false)},
		{pattern: "GET /accounts/{id}/subaccounts/{sub}/delete", access: member, handle: confirmDeleteSubaccount},
		{pattern: "POST /accounts/{id}/subaccounts/{sub}/delete", access: member, handle: deleteSubaccount},
	}
}

type subaccountsData struct {
	Create *form
	// Created is the subaccount this answer made. Its AuthToken is set
	// only on the answer that made it; a form sent again (a reload) gets
	// the subaccount without it.
	Created     *api.Subaccount
	Subaccounts []api.Subaccount
	// Toggles are the enable/disable forms by subaccount id, each with its
	// own idempotency key.
	Toggles     map[string]*form
	Next, First string
}

func subaccountForm(values url.Values) *form { return newForm("subaccount", values, "name") }

func subaccountsPage(q *request) error {
	return q.renderSubaccounts(http.StatusOK, subaccountForm(nil), nil)
}

// renderSubaccounts draws the tab with the create form as given and the
// subaccount just created, if any.
func (q *request) renderSubaccounts(status int, create *form, created *api.Subaccount) error {
	d := &subaccountsData{Create: create, Created: created, Toggles: map[string]*form{}}
	v, err := q.accountView(d)
	if err != nil {
		return err
	}
	call, err := q.call()
	if err != nil {
		return err
	}
	qv := q.r.URL.Query()
	list, err := q.c.svc.ListSubaccounts(q.r.Context(), call, v.Account.ID,
		store.Page{Limit: pageSize, StartingAfter: qv.Get("starting_after")})
	if err != nil {
		return err
	}
	d.Subaccounts = list.Data
	for _, s := range d.Subaccounts {
		d.Toggles[s.ID] = newForm("toggle-"+s.ID, nil)
	}
	last := ""
	if n := len(list.Data); n > 0 {
		last = list.Data[n-1].ID
	}
	d.Next, d.First = pagerLinks(qv, list.HasMore, last)
	return q.renderView(status, "subaccounts", v)
}

func createSubaccount(q *request) error {
	id := q.r.PathValue("id")
	f := subaccountForm(q.r.PostForm)
	call, err := q.mutation()
	if err != nil {
		return err
	}
	sub, err := service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.Subaccount, error) {
		return q.c.svc.CreateSubaccount(ctx, call, id, api.SubaccountCreate{Name: f.Values.Get("name")})
	})
	if err == nil {
		// The token is on this answer only: it is drawn here, never put in
		// a redirect or a cookie. A fresh form, so the next one is new.
		return q.renderSubaccounts(http.StatusCreated, subaccountForm(nil), sub)
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	return q.renderSubaccounts(coffer.HTTPStatus(coffer.ErrorCode(err)), f, nil)
}

// accountSubaccount loads the subaccount of the path, which must be the
// path's account's: another account's subaccount is not a page of this
// one.
func (q *request) accountSubaccount(call service.Call) (*api.Subaccount, error) {
	id, subID := q.r.PathValue("id"), q.r.PathValue("sub")
	sub, err := q.c.svc.GetSubaccount(q.r.Context(), call, subID)
	if err == nil && sub.AccountID != id {
		err = coffer.Errorf(coffer.ENotFound, "subaccount %s not found", subID)
	}
	return sub, err
}

func enableSubaccount(enabled bool) func(*request) error {
	return func(q *request) error {
		call, err := q.mutation()
		if err != nil {
			return err
		}
		sub, err := q.accountSubaccount(call)
		if err != nil {
			return err
		}
		sub, err = service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.Subaccount, error) {
			return q.c.svc.UpdateSubaccount(ctx, call, sub.ID, api.SubaccountUpdate{Enabled: &enabled})
		})
		if err != nil {
			return err
		}
		done := "Disabled"
		if enabled {
			done = "Enabled"
		}
		return q.redirect("/accounts/"+sub.AccountID+"/subaccounts", done+" subaccount "+sub.Name+".")
	}
}

func confirmDeleteSubaccount(q *request) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	sub, err := q.accountSubaccount(call)
	if err != nil {
		return err
	}
	back := "/accounts/" + sub.AccountID + "/subaccounts"
	d := &removalData{
		Title:  "Delete subaccount " + sub.Name + "?",
		Lead:   "Its auth id " + sub.AuthID + " and its token stop working at once, and it cannot be enabled again. Its past usage stays in the account's history.",
		Action: back + "/" + sub.ID + "/delete",
		Button: "Delete subaccount",
		Back:   back,
		Form:   newForm("delete", nil),
	}
	v, err := q.accountView(d)
	if err != nil {
		return err
	}
	return q.renderView(http.StatusOK, "confirm-removal", v)
}

func deleteSubaccount(q *request) error {
	call, err := q.mutation()
	if err != nil {
		return err
	}
	sub, err := q.accountSubaccount(call)
	if err != nil {
		return err
	}
	if _, err := service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.Subaccount, error) {
		return q.c.svc.DeleteSubaccount(ctx, call, sub.ID)
	}); err != nil {
		return err
	}
	return q.redirect("/accounts/"+sub.AccountID+"/subaccounts", "Deleted subaccount "+sub.Name+".")
}
