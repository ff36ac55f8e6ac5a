package console

import (
	"net/http"
	"strings"
	"testing"
)

// TourStop is what the tour (tour_test.go) expects of one GET route on an
// account it seeded with something for every page.
type TourStop struct {
	// Owner is the status the account's owner gets: 200 for a page of its
	// own account or of its own (after any redirect), 403 for a staff page.
	Owner int
	// File is the Content-Type of a download, which the tour fetches
	// rather than opens; empty for a page, which it opens and checks with
	// axe.
	File string
	// Shows is a text the page shows of the seeded account (when its user
	// may open it); empty when there is nothing particular to check.
	Shows string
}

// Tour lists every GET route of the console by its pattern. The tour fills
// the path values by name from what it seeded: {id} the account, {inv} its
// invoice, {prog} its program, {sub} its subaccount, {ep} the webhook
// endpoint, {key} the API key. A page added to pageRoutes without a line
// here fails TestRoutesAreAllToured. (Exported for the tour, which is in
// package console_test with the other browser tests.)
var Tour = map[string]TourStop{
	"GET /{$}":      {Owner: 200, Shows: "Acme Rockets"},
	"GET /sign-in":  {Owner: 200, Shows: "Acme Rockets"}, // signed in: on to the user's start page; signed out, each sign-in opens it
	"GET /password": {Owner: 200, Shows: "Change password"},

	"GET /accounts":                               {Owner: 403, Shows: "Acme Rockets"},
	"GET /accounts/{id}":                          {Owner: 200, Shows: "$500.00"},
	"GET /accounts/{id}/credits":                  {Owner: 200, Shows: "Welcome credit"},
	"GET /accounts/{id}/invoices":                 {Owner: 200, Shows: "INV-000001"},
	"GET /accounts/{id}/invoices/{inv}":           {Owner: 200, Shows: "Paid"},
	"GET /accounts/{id}/invoices/{inv}/document":  {Owner: 200, Shows: "25.00"},
	"GET /accounts/{id}/invoices/{inv}/pdf":       {Owner: 200, File: "application/pdf"},
	"GET /accounts/{id}/payments":                 {Owner: 200, Shows: "•••• 4242"},
	"GET /accounts/{id}/payment-history":          {Owner: 200, Shows: "card_declined"},
	"GET /accounts/{id}/alerts":                   {Owner: 200, Shows: "$40.00"},
	"GET /accounts/{id}/subaccounts":              {Owner: 200, Shows: "Support bot"},
	"GET /accounts/{id}/subaccounts/{sub}/delete": {Owner: 200, Shows: "Support bot"},
	"GET /accounts/{id}/program":                  {Owner: 403, Shows: "Impact Access"},

	"GET /api-keys":              {Owner: 403, Shows: "Billing worker"},
	"GET /api-keys/{key}":        {Owner: 403, Shows: "Billing worker"},
	"GET /api-keys/{key}/revoke": {Owner: 403, Shows: "Billing worker"},

	"GET /webhooks":             {Owner: 403, Shows: "Billing sync"},
	"GET /webhooks/{ep}":        {Owner: 403, Shows: "Succeeded"},
	"GET /webhooks/{ep}/delete": {Owner: 403, Shows: "Delete the webhook endpoint"},

	"GET /programs":                   {Owner: 403, Shows: "Impact Access"},
	"GET /programs/{prog}":            {Owner: 403, Shows: "Acme Rockets"},
	"GET /programs/{prog}/report.csv": {Owner: 403, File: "text/csv"},

	"GET /reports":               {Owner: 403, Shows: "$30.00"},
	"GET /reports/credits.csv":   {Owner: 403, File: "text/csv"},
	"GET /reports/liability":     {Owner: 403},
	"GET /reports/liability.csv": {Owner: 403, File: "text/csv"},
	"GET /reports/usage":         {Owner: 403, Shows: "$30.00"},
	"GET /reports/usage.csv":     {Owner: 403, File: "text/csv"},
}

// Every GET route of the console is on the tour, with the status its
// access gives an owner, and the tour goes nowhere the console does not
// serve.
func TestRoutesAreAllToured(t *testing.T) {
	routes := map[string]bool{}
	for _, group := range new(Console).pageRoutes() {
		for _, rt := range group {
			if !strings.HasPrefix(rt.pattern, http.MethodGet+" ") {
				continue
			}
			routes[rt.pattern] = true
			stop, ok := Tour[rt.pattern]
			if !ok {
				t.Errorf("%s is not on the tour: add it to Tour (routes_test.go)", rt.pattern)
				continue
			}
			want := http.StatusOK
			if rt.access == staff {
				want = http.StatusForbidden
			}
			if stop.Owner != want {
				t.Errorf("the tour expects an owner to get %d from %s, but its access gives %d", stop.Owner, rt.pattern, want)
			}
		}
	}
	for pattern := range Tour {
		if !routes[pattern] {
			t.Errorf("the tour visits %s, which is not a GET route of the console", pattern)
		}
	}
}
