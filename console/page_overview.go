package console

import (
	"net/http"
	"slices"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
)

// The account's billing overview: what staff see first on an account, and
// what its owner sees as its billing page.

func overviewRoutes() []route {
	return []route{{pattern: "GET /accounts/{id}", access: member, tab: "Overview", handle: overviewPage}}
}

type overviewData struct {
	Balance *api.Balance
	Credits []amountRow // by category
	Units   []amountRow // by unit
	Charts  *accountCharts
}

type amountRow struct {
	Name   string
	Amount money.Amount
}

func overviewPage(q *request) error {
	d := &overviewData{}
	v, err := q.accountView(d)
	if err != nil {
		return err
	}
	call, err := q.call()
	if err != nil {
		return err
	}
	if d.Balance, err = q.c.svc.Balance(q.r.Context(), call, v.Account.ID, nil); err != nil {
		return err
	}
	d.Credits, d.Units = rows(d.Balance.Credits), rows(d.Balance.Units)
	if d.Charts, err = q.accountCharts(call, v.Account.ID); err != nil {
		return err
	}
	return q.renderView(http.StatusOK, "overview", v)
}

// rows turns an amount map into rows sorted by name.
func rows(m map[string]money.Amount) []amountRow {
	out := make([]amountRow, 0, len(m))
	for k, a := range m {
		out = append(out, amountRow{Name: k, Amount: a})
	}
	slices.SortFunc(out, func(a, b amountRow) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}
