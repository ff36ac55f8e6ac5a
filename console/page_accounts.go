package console

import (
	"net/http"
	"net/url"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/store"
)

// The staff's list of accounts, with search, a status filter and pages.

func accountsRoutes() []route {
	return []route{{pattern: "GET /accounts", access: staff, nav: "Accounts", handle: accountsPage}}
}

// pageSize is how many rows a list page shows.
const pageSize = 25

type accountsData struct {
	Form     *form
	Accounts []api.Account
	// Next is the query of the next page; First that of the first, set
	// when this is not the first page.
	Next, First string
}

func accountsPage(q *request) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	qv := q.r.URL.Query()
	f := newForm("search", url.Values{"q": {qv.Get("q")}, "status": {qv.Get("status")}}, "q", "status")
	filter := store.AccountFilter{Page: store.Page{Limit: pageSize, StartingAfter: qv.Get("starting_after")},
		Status: coffer.AccountStatus(qv.Get("status")), Query: qv.Get("q")}
	list, err := q.c.svc.SearchAccounts(q.r.Context(), call, filter)
	if err != nil {
		if !f.fail(err) {
			return err
		}
		return q.render(coffer.HTTPStatus(coffer.ErrorCode(err)), "accounts", accountsData{Form: f})
	}
	d := accountsData{Form: f, Accounts: list.Data}
	last := ""
	if n := len(list.Data); n > 0 {
		last = list.Data[n-1].ID
	}
	d.Next, d.First = pagerLinks(qv, list.HasMore, last, "q", "status")
	return q.render(http.StatusOK, "accounts", d)
}

// pagerLinks are a list page's links to the next page (after the id last,
// when there are more) and to the first (when this is not it), keeping
// the query's filters named by keys.
func pagerLinks(qv url.Values, more bool, last string, keys ...string) (next, first string) {
	base := url.Values{}
	for _, k := range keys {
		if v := qv.Get(k); v != "" {
			base.Set(k, v)
		}
	}
	if more && last != "" {
		next = pageQuery(base, last)
	}
	if qv.Get("starting_after") != "" {
		first = pageQuery(base, "")
	}
	return next, first
}

// pageQuery is a list's query string for the page after the id after.
func pageQuery(base url.Values, after string) string {
	v := url.Values{}
	for k, vs := range base {
		v[k] = vs
	}
	if after != "" {
		v.Set("starting_after", after)
	}
	if len(v) == 0 {
		return "?"
	}
	return "?" + v.Encode()
}
