package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/payments"
)

// bodylessOp is a mutation whose operation declares no request body, as
// the OpenAPI document lists it.
type bodylessOp struct{ id, method, path string }

// bodylessOps walks the server's OpenAPI document for every POST, PUT,
// PATCH and DELETE without a requestBody, so a route added later is
// covered without this test naming it.
func (h *harness) bodylessOps() []bodylessOp {
	h.t.Helper()
	var ops []bodylessOp
	for _, op := range h.documentedOperations() {
		if op.method != http.MethodGet && !op.hasBody {
			ops = append(ops, bodylessOp{op.id, op.method, op.path})
		}
	}
	return ops
}

// adminRaw sends body as is with the admin key and returns the status and
// the answer's bytes.
func (h *harness) adminRaw(method, path, body string) (int, []byte) {
	h.t.Helper()
	status, _, b := h.raw(method, path, []byte(body), "Bearer "+h.srv.AdminKey, nil)
	return status, b
}

// An operation that takes no body (closing an account, releasing a hold,
// making a payment method the default, the deletes) refuses one with a
// 400 in the API's error shape and changes nothing: the account stays
// open, the hold active, the payment method not the default. The same
// request without the body then does what it says, which it could not if
// the refused one had acted. An empty body, whitespace or {} is accepted.
func TestBodylessOperationsRefuseABody(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Bodyless", "")
		h.grant(a.ID, api.GrantCreate{Amount: amt("50.00")})

		// fixtures gives each operation a resource it may act on, and a
		// check that the resource is as it was before.
		fixtures := map[string]func() (id string, unchanged func() bool){
			"closeAccount": func() (string, func() bool) {
				acct := h.account("To close", "")
				return acct.ID, func() bool {
					got, err := h.admin.GetAccount(h.ctx, acct.ID)
					return err == nil && got.Status == "active"
				}
			},
			"releaseHold": func() (string, func() bool) {
				hold, err := h.admin.CreateHold(h.ctx, api.HoldCreate{AccountID: a.ID, Amount: amt("1.00"), TTL: "1h"})
				if err != nil {
					t.Fatal(err)
				}
				return hold.ID, func() bool {
					got, err := h.admin.GetHold(h.ctx, hold.ID)
					return err == nil && got.Status == "active"
				}
			},
			"setDefaultPaymentMethod": func() (string, func() bool) {
				h.card(a.ID, payments.TestCardSuccess)
				second := h.card(a.ID, payments.TestCardSuccess)
				return second.ID, func() bool {
					got, err := h.admin.GetPaymentMethod(h.ctx, second.ID)
					return err == nil && !got.Default && got.Status == "active"
				}
			},
			"removePaymentMethod": func() (string, func() bool) {
				m := h.card(a.ID, payments.TestCardSuccess)
				return m.ID, func() bool {
					got, err := h.admin.GetPaymentMethod(h.ctx, m.ID)
					return err == nil && got.Status == "active"
				}
			},
			"deleteSubaccount": func() (string, func() bool) {
				sub, err := h.admin.CreateSubaccount(h.ctx, a.ID, api.SubaccountCreate{Name: "kept"})
				if err != nil {
					t.Fatal(err)
				}
				return sub.ID, func() bool {
					got, err := h.admin.GetSubaccount(h.ctx, sub.ID)
					return err == nil && got.Enabled
				}
			},
			"cancelPaymentSchedule": func() (string, func() bool) {
				bank := h.bank(a.ID, payments.TestBankAccount)
				h.verifyBank(bank)
				sc, err := h.admin.CreatePaymentSchedule(h.ctx, a.ID, api.PaymentScheduleCreate{PaymentMethodID: bank.ID, DayOfMonth: 10, Amount: amt("30.00")})
				if err != nil {
					t.Fatal(err)
				}
				return sc.ID, func() bool {
					l, err := h.admin.ListPaymentSchedules(h.ctx, a.ID)
					return err == nil && slices.ContainsFunc(l.Data, func(s api.PaymentSchedule) bool {
						return s.ID == sc.ID && s.Status == "active"
					})
				}
			},
			"deleteEnrollment": func() (string, func() bool) {
				e := h.enrolled("bodyless")
				return e.ID, func() bool {
					l, err := h.admin.ListEnrollments(h.ctx, e.ProgramID, client.ListParams{})
					return err == nil && len(l.Data) == 1 && l.Data[0].Status == "active"
				}
			},
			"revokeApiKey": func() (string, func() bool) {
				k, err := h.admin.CreateAPIKey(h.ctx, api.APIKeyCreate{Role: "usage"})
				if err != nil {
					t.Fatal(err)
				}
				return k.ID, func() bool {
					got, err := h.admin.GetAPIKey(h.ctx, k.ID)
					return err == nil && got.Status == "active"
				}
			},
			"deleteWebhookEndpoint": func() (string, func() bool) {
				off := false
				e, err := h.admin.CreateWebhookEndpoint(h.ctx, api.WebhookEndpointCreate{URL: "http://127.0.0.1:9/hooks", Enabled: &off})
				if err != nil {
					t.Fatal(err)
				}
				return e.ID, func() bool {
					_, err := h.admin.GetWebhookEndpoint(h.ctx, e.ID)
					return err == nil
				}
			},
		}

		ops := h.bodylessOps()
		for _, want := range []string{"closeAccount", "releaseHold", "setDefaultPaymentMethod"} {
			if !slices.ContainsFunc(ops, func(op bodylessOp) bool { return op.id == want }) {
				t.Fatalf("%s is not among the operations without a body: %v", want, ops)
			}
		}
	next:
		for _, op := range ops {
			fixture, ok := fixtures[op.id]
			if !ok {
				t.Errorf("%s %s (%s) takes no body but has no fixture here; add one", op.method, op.path, op.id)
				continue
			}
			id, unchanged := fixture()
			path := strings.Replace(op.path, "{id}", id, 1)
			for _, body := range []string{`{"amount":`, `{"amount":"5.00"}`, `null`, `[]`, `x`} {
				status, b := h.adminRaw(op.method, path, body)
				var e api.ErrorBody
				if err := json.Unmarshal(b, &e); status != http.StatusBadRequest || err != nil || e.Error.Code != coffer.EInvalid ||
					e.Error.Type == "" || !strings.Contains(e.Error.Message, "takes no request body") {
					t.Errorf("%s %s with body %s: status %d, %s; want 400 invalid_request saying it takes no body", op.method, path, body, status, b)
				}
				if !unchanged() {
					t.Errorf("%s %s with body %s changed the resource", op.method, path, body)
					continue next
				}
			}
			if status, b := h.adminRaw(op.method, path, ""); status != http.StatusOK {
				t.Errorf("%s %s without a body: status %d, %s; want 200", op.method, path, status, b)
			}
		}

		for _, body := range []string{"", " \r\n\t", "{}", " { \n} "} {
			acct := h.account("Closed with "+body, "")
			if status, b := h.adminRaw(http.MethodPost, "/v1/accounts/"+acct.ID+"/close", body); status != http.StatusOK {
				t.Errorf("close with body %q: status %d, %s; want 200", body, status, b)
			}
		}
	})
}
