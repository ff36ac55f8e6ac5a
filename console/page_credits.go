package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/store"
)

// The account's credits: its grants, the grant form and a void form per
// live grant (staff), and the transaction history with filters and pages.

func creditsRoutes() []route {
	return []route{
		{pattern: "GET /accounts/{id}/credits", access: member, tab: "Credits", handle: creditsPage},
		{pattern: "POST /accounts/{id}/grants", access: staff, handle: grantCredits},
		{pattern: "POST /accounts/{id}/grants/{grant}/void", access: staff, handle: voidGrant},
	}
}

type creditsData struct {
	Grant *form // nil for owners, who may not grant
	// Voids are the void forms by grant id, for staff.
	Voids   map[string]*form
	Grants  []api.Grant
	History *historyData
}

type historyData struct {
	Form        *form
	Txns        []api.Transaction
	Next, First string
}

const grantFields = "kind amount unit currency expires_at priority category reason"

func grantForm(values url.Values) *form {
	return newForm("grant", values, strings.Fields(grantFields)...)
}

func voidForm(grantID string, values url.Values) *form {
	return newForm("void-"+grantID, values, "reason")
}

func creditsPage(q *request) error {
	return q.renderCredits(http.StatusOK, nil, "", nil)
}

// renderCredits draws the credits tab; failed is a form sent with errors
// (the grant form, or the void form of grant voided), redrawn with them.
func (q *request) renderCredits(status int, grant *form, voided string, void *form) error {
	d := &creditsData{Voids: map[string]*form{}}
	v, err := q.accountView(d)
	if err != nil {
		return err
	}
	call, err := q.call()
	if err != nil {
		return err
	}
	grants, err := q.c.svc.ListGrants(q.r.Context(), call, v.Account.ID, store.LotFilter{Page: store.Page{Limit: 100}, Status: ledger.LotActive})
	if err != nil {
		return err
	}
	d.Grants = grants.Data
	if q.sess.Staff() {
		d.Grant = grant
		if d.Grant == nil {
			d.Grant = grantForm(url.Values{"kind": {"monetary"}, "currency": {v.Account.Currency}, "priority": {"50"},
				"category": {"promotional"}})
		}
		for _, g := range d.Grants {
			if g.ID == voided && void != nil {
				d.Voids[g.ID] = void
			} else {
				d.Voids[g.ID] = voidForm(g.ID, nil)
			}
		}
	}
	if d.History, err = q.history(call, v.Account.ID); err != nil {
		return err
	}
	return q.renderView(status, "credits", v)
}

// history reads the page of transactions the query asks for.
func (q *request) history(call service.Call, accountID string) (*historyData, error) {
	qv := q.r.URL.Query()
	f := newForm("history", url.Values{"type": {qv.Get("type")}, "from": {qv.Get("from")}, "to": {qv.Get("to")}}, "type", "from", "to")
	h := &historyData{Form: f}
	filter := store.TxnFilter{Page: store.Page{Limit: pageSize, StartingAfter: qv.Get("starting_after")}}
	if t := qv.Get("type"); t != "" {
		filter.Types = []ledger.TxnType{ledger.TxnType(t)}
	}
	var err error
	if filter.From, err = parseDay("from", qv.Get("from"), 0); err == nil {
		filter.To, err = parseDay("to", qv.Get("to"), 24*time.Hour) // through the end of that day
	}
	var list *api.List[api.Transaction]
	if err == nil {
		list, err = q.c.svc.Transactions(q.r.Context(), call, accountID, filter)
	}
	if err != nil {
		if !f.fail(err) {
			return nil, err
		}
		return h, nil
	}
	h.Txns = list.Data
	last := ""
	if n := len(list.Data); n > 0 {
		last = list.Data[n-1].ID
	}
	h.Next, h.First = pagerLinks(qv, list.HasMore, last, "type", "from", "to")
	return h, nil
}

// parseDay reads a date field (YYYY-MM-DD, as a date input sends it) as
// that day's start in UTC, plus shift; empty is the zero time.
func parseDay(param, v string, shift time.Duration) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, coffer.Invalid(param, "must be a date such as 2030-01-31, got %q", v)
	}
	return d.Add(shift), nil
}

func grantCredits(q *request) error {
	id := q.r.PathValue("id")
	f := grantForm(q.r.PostForm)
	in, err := grantInput(f.Values)
	if err == nil {
		var call service.Call
		if call, err = q.mutation(); err == nil {
			var g *api.Grant
			g, err = service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.Grant, error) {
				return q.c.svc.CreateGrant(ctx, call, id, in)
			})
			if err == nil {
				return q.redirect("/accounts/"+id+"/credits", "Granted "+grantAmount(g)+".")
			}
		}
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	return q.renderCredits(coffer.HTTPStatus(coffer.ErrorCode(err)), f, "", nil)
}

// grantInput reads the grant form into the API's request, naming the
// field at fault as the API does.
func grantInput(v url.Values) (api.GrantCreate, error) {
	in := api.GrantCreate{Kind: v.Get("kind"), Category: v.Get("category"), Reason: v.Get("reason")}
	switch in.Kind {
	case "units":
		in.Unit = strings.TrimSpace(v.Get("unit"))
	default:
		in.Currency = strings.TrimSpace(v.Get("currency"))
	}
	a, err := money.Parse(strings.TrimSpace(v.Get("amount")))
	if err != nil {
		return in, coffer.Invalid("amount", "%s", err)
	}
	in.Amount = a
	if p := strings.TrimSpace(v.Get("priority")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return in, coffer.Invalid("priority", "must be a whole number, got %q", p)
		}
		in.Priority = &n
	}
	// A grant set to expire on a day expires as that day begins (UTC),
	// so the grants list shows the day that was chosen.
	exp, err := parseDay("expires_at", v.Get("expires_at"), 0)
	if err != nil {
		return in, err
	}
	if !exp.IsZero() {
		in.ExpiresAt = &exp
	}
	return in, nil
}

func grantAmount(g *api.Grant) string {
	if g.Kind == "units" {
		return formatUnits(g.Amount) + " " + g.Unit
	}
	return g.Amount.String()
}

func voidGrant(q *request) error {
	id, grantID := q.r.PathValue("id"), q.r.PathValue("grant")
	f := voidForm(grantID, q.r.PostForm)
	call, err := q.mutation()
	if err != nil {
		return err
	}
	// The grant must be this account's: a path naming another account's
	// grant is not a page of this one.
	g, err := q.c.svc.GetGrant(q.r.Context(), call, grantID)
	if err == nil && g.AccountID != id {
		err = coffer.Errorf(coffer.ENotFound, "grant %s not found", grantID)
	}
	if err == nil {
		_, err = service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.Grant, error) {
			return q.c.svc.VoidGrant(ctx, call, grantID, api.GrantVoid{Reason: f.Values.Get("reason")})
		})
		if err == nil {
			return q.redirect("/accounts/"+id+"/credits", "Voided grant "+grantID+".")
		}
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	return q.renderCredits(coffer.HTTPStatus(coffer.ErrorCode(err)), nil, grantID, f)
}
