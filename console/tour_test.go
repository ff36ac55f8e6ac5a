package console_test

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/console"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/store"
)

// toured is what the tour seeded, by the name of the path value that
// stands for it in the console's routes.
type toured map[string]string

// seedTour gives one account something for every page, its creation
// delivered to a webhook endpoint of the test's: postpaid through
// January with a declining card, a promotional grant and 30.00 of usage,
// so January's invoice and its failed payment; the invoice paid on a
// second card, prepaid from February and enrolled in a program; a balance alert, a subaccount, an account API
// key, a webhook endpoint and an owner user. It returns the path values
// and the owner's temporary password.
func (s *site) seedTour() (toured, string) {
	s.t.Helper()
	ctx, svc := s.t.Context(), s.srv.Service()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	s.t.Cleanup(hook.Close)
	ep, err := svc.CreateWebhookEndpoint(ctx, s.admin, api.WebhookEndpointCreate{URL: hook.URL, Description: "Billing sync",
		EventTypes: []string{service.EventAccountCreated}})
	s.must(err)
	a, err := svc.CreateAccount(ctx, s.admin, api.AccountCreate{Name: "Acme Rockets", Currency: "USD", BillingMode: "postpaid",
		Email: "billing@acme.test"})
	s.must(err)
	_, err = svc.AddPaymentMethod(ctx, s.admin, a.ID, api.PaymentMethodCreate{Type: payments.Card, CardNumber: payments.TestCardDecline,
		ExpMonth: 12, ExpYear: 2035, CVC: "123"})
	s.must(err)
	_, err = svc.CreateGrant(ctx, s.admin, a.ID, api.GrantCreate{Amount: money.MustParse("5"), Category: "promotional", Reason: "Welcome credit"})
	s.must(err)
	thirty := money.MustParse("30")
	_, err = svc.Debit(ctx, s.admin, api.DebitCreate{AccountID: a.ID, EventID: "ev-tour", Amount: &thirty, AllowNegative: true})
	s.must(err)

	feb := time.Date(2030, 2, 1, 1, 0, 0, 0, time.UTC)
	_, err = svc.AdvanceClock(ctx, s.admin, api.ClockAdvance{To: &feb})
	s.must(err)
	invs, err := svc.ListInvoices(ctx, s.admin, service.InvoiceFilter{AccountID: a.ID}, store.Page{Limit: 10})
	s.must(err)
	if len(invs.Data) != 1 || invs.Data[0].Status != "payment_failed" {
		s.t.Fatalf("after January closed the account has the invoices %+v", invs.Data)
	}

	// Paid on a second card, the invoice lets the account turn prepaid.
	good, err := svc.AddPaymentMethod(ctx, s.admin, a.ID, api.PaymentMethodCreate{Type: payments.Card, CardNumber: payments.TestCardSuccess,
		ExpMonth: 12, ExpYear: 2035, CVC: "123"})
	s.must(err)
	_, err = svc.PayInvoice(ctx, s.admin, invs.Data[0].ID, api.InvoicePay{PaymentMethodID: good.ID})
	s.must(err)
	prepaid := "prepaid"
	_, err = svc.UpdateAccount(ctx, s.admin, a.ID, api.AccountUpdate{BillingMode: &prepaid})
	s.must(err)
	no := false
	prog, err := svc.CreateProgram(ctx, s.admin, api.ProgramCreate{Name: "Impact Access", Gift: money.MustParse("500"), StartsOn: "2030-01",
		RequiresPaymentMethod: &no})
	s.must(err)
	_, err = svc.Enroll(ctx, s.admin, prog.ID, api.EnrollmentCreate{AccountID: a.ID})
	s.must(err)
	_, err = svc.PutBalanceAlerts(ctx, s.admin, a.ID, api.BalanceAlertsUpdate{Thresholds: []money.Amount{money.MustParse("40")}})
	s.must(err)
	sub, err := svc.CreateSubaccount(ctx, s.admin, a.ID, api.SubaccountCreate{Name: "Support bot"})
	s.must(err)
	key, err := svc.CreateAPIKeyCall(ctx, s.admin, api.APIKeyCreate{Role: "account", AccountID: a.ID, Name: "Billing worker"})
	s.must(err)
	// The endpoint's one delivery, delivered, is on its page.
	s.delivery(ep.ID, 1)
	temp := s.user("owner@acme.test", coffer.UserOwner, a.ID)
	return toured{"id": a.ID, "inv": invs.Data[0].ID, "prog": prog.ID, "sub": sub.ID, "ep": ep.ID, "key": key.ID}, temp
}

// path is a route pattern's path with its values filled from what the
// tour seeded.
func (v toured) path(t *testing.T, pattern string) string {
	t.Helper()
	_, p, _ := strings.Cut(pattern, " ")
	p = strings.TrimSuffix(p, "{$}")
	for {
		i := strings.Index(p, "{")
		if i < 0 {
			return p
		}
		j := strings.Index(p[i:], "}")
		name := p[i+1 : i+j]
		val, ok := v[name]
		if !ok {
			t.Fatalf("%s: the tour seeds nothing for {%s}", pattern, name)
		}
		p = p[:i] + val + p[i+j+1:]
	}
}

// The tour, on PostgreSQL: staff open every GET route of the console on
// an account with something for every page, and its owner every one too,
// getting its own account's pages and a 403 for the staff's. Each page
// answers as expected and passes axe; each download answers with its
// file. console.Tour lists the routes, and TestRoutesAreAllToured keeps
// it complete.
func TestTourOnPostgres(t *testing.T) {
	t.Parallel()
	s := launch(t, "postgres", app.ServerConfig{TestClock: true, ClockAt: billingStart})
	vals, temp := s.seedTour()
	patterns := make([]string, 0, len(console.Tour))
	for p := range console.Tour {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	for _, role := range []string{"staff", "owner"} {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			b := openTab(t, s)
			if role == "staff" {
				b.firstSignIn(s.srv.StaffEmail, s.srv.StaffPassword)
			} else {
				b.firstSignIn("owner@acme.test", temp)
			}
			for _, pattern := range patterns {
				stop := console.Tour[pattern]
				want := http.StatusOK
				if role == "owner" {
					want = stop.Owner
				}
				path := vals.path(t, pattern)
				if stop.File != "" {
					f := b.fetchPath(path)
					if f.Status != want {
						t.Errorf("%s answered %d, want %d", path, f.Status, want)
					} else if want == http.StatusOK && !strings.HasPrefix(f.ContentType, stop.File) {
						t.Errorf("%s answered %q, want %s", path, f.ContentType, stop.File)
					}
					continue
				}
				if st := b.visit(path); st != want {
					t.Errorf("%s answered %d, want %d: %.300q", path, st, want, b.text("body"))
					continue
				}
				if want == http.StatusOK && stop.Shows != "" {
					if body := b.text("body"); !strings.Contains(body, stop.Shows) {
						t.Errorf("%s does not show %q: %.500q", path, stop.Shows, body)
					}
				}
			}
		})
	}
}
