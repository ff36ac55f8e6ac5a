package console

import (
	"strings"
)

// accountView loads the account a page under /accounts/{id} is about and
// the tabs of its pages. The service decides whether the user may see it:
// an owner asking for another account's page is told it does not exist,
// as an account key is.
func (q *request) accountView(data any) (*view, error) {
	call, err := q.call()
	if err != nil {
		return nil, err
	}
	a, err := q.c.svc.GetAccount(q.r.Context(), call, q.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	v := &view{Account: a, Page: data}
	for _, rt := range q.c.routes {
		if rt.tab != "" && rt.access.allows(q.sess) {
			href := rt.path(a.ID)
			v.Tabs = append(v.Tabs, link{Label: rt.tab, Href: href, Current: q.r.URL.Path == href ||
				strings.HasPrefix(q.r.URL.Path, href+"/") && !strings.HasSuffix(rt.pattern, "{id}")})
		}
	}
	return v, nil
}
