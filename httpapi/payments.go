package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer/api"
)

const (
	tagPaymentMethods = "Payment methods"
	tagPurchases      = "Purchases"
	tagAutoRecharge   = "Auto-recharge"
)

// Path parameters of payment routes.
type (
	// PaymentMethodPath is the {id} of a payment method route.
	PaymentMethodPath struct {
		ID string `path:"id" doc:"The payment method's id (pm_…)."`
	}
	// PaymentPath is the {id} of a payment route.
	PaymentPath struct {
		ID string `path:"id" doc:"The payment's id (pay_…)."`
	}
	// SchedulePath is the {id} of a payment schedule route.
	SchedulePath struct {
		ID string `path:"id" doc:"The schedule's id (psch_…)."`
	}
)

func (h *handler) registerPayments(a huma.API) {
	a.OpenAPI().Tags = append(a.OpenAPI().Tags,
		&huma.Tag{Name: tagPaymentMethods, Description: "Cards, PayPal accounts and US bank accounts. A bank account is usable once verified with the 6-digit code of a small deposit."},
		&huma.Tag{Name: tagPurchases, Description: "Buying credit. A purchase repays any debt first; the rest is a paid grant that expires after the deployment's purchase expiry. Retrying with the same Idempotency-Key never charges twice."},
		&huma.Tag{Name: tagAutoRecharge, Description: "Charging automatically when the balance falls below a threshold, with a failure ladder, a daily cap, and monthly bank debits."})

	register(a, mutate(http.MethodPost, http.StatusCreated, "createPaymentMethod", "/v1/accounts/{id}/payment_methods", tagPaymentMethods,
		"Add a payment method", "Sets up a card, PayPal account or bank account with the gateway. A bank account starts unverified."),
		func(ctx context.Context, in *struct {
			AccountPath
			Body api.PaymentMethodCreate
		}) (*api.PaymentMethod, error) {
			return h.svc.AddPaymentMethod(ctx, callFrom(ctx), in.ID, in.Body)
		})
	register(a, get("listPaymentMethods", "/v1/accounts/{id}/payment_methods", tagPaymentMethods, "List an account's payment methods",
		"Lists every payment method saved on the account, cards and bank accounts, with their status and which one is the default. Not paginated."),
		func(ctx context.Context, in *struct{ AccountPath }) (*api.List[api.PaymentMethod], error) {
			return h.svc.ListPaymentMethods(ctx, callFrom(ctx), in.ID)
		})
	register(a, get("getPaymentMethod", "/v1/payment_methods/{id}", tagPaymentMethods, "Retrieve a payment method",
		"Returns the payment method: its type and status, its display details (brand and last digits, or the account holder), verification tries left for a bank account, and whether it is the default."),
		func(ctx context.Context, in *struct{ PaymentMethodPath }) (*api.PaymentMethod, error) {
			return h.svc.GetPaymentMethod(ctx, callFrom(ctx), in.ID)
		})
	register(a, mutate(http.MethodPost, http.StatusOK, "verifyPaymentMethod", "/v1/payment_methods/{id}/verify", tagPaymentMethods,
		"Verify a bank account", "Confirms the bank account with the 6-digit code of its verification deposit. Three wrong codes lock it."),
		func(ctx context.Context, in *struct {
			PaymentMethodPath
			Body api.PaymentMethodVerify
		}) (*api.PaymentMethod, error) {
			return h.svc.VerifyPaymentMethod(ctx, callFrom(ctx), in.ID, in.Body)
		})
	register(a, mutate(http.MethodPost, http.StatusOK, "setDefaultPaymentMethod", "/v1/payment_methods/{id}/set_default", tagPaymentMethods,
		"Make a payment method the default", "Purchases without a payment_method_id charge the default."),
		func(ctx context.Context, in *struct{ PaymentMethodPath }) (*api.PaymentMethod, error) {
			return h.svc.SetDefaultPaymentMethod(ctx, callFrom(ctx), in.ID)
		})
	register(a, mutate(http.MethodDelete, http.StatusOK, "removePaymentMethod", "/v1/payment_methods/{id}", tagPaymentMethods,
		"Remove a payment method", "The method auto-recharge charges, or a schedule debits, must be replaced there first."),
		func(ctx context.Context, in *struct{ PaymentMethodPath }) (*api.PaymentMethod, error) {
			return h.svc.RemovePaymentMethod(ctx, callFrom(ctx), in.ID)
		})
	register(a, get("getSandboxVerificationCode", "/v1/payment_methods/{id}/sandbox_verification_code", tagPaymentMethods,
		"Reveal a sandbox verification code", "Admin only, sandbox gateway only: the 6-digit code the sandbox's deposit to this bank account carried, standing in for the customer's bank statement."),
		func(ctx context.Context, in *struct{ PaymentMethodPath }) (*api.VerificationCode, error) {
			return h.svc.SandboxVerificationCode(ctx, callFrom(ctx), in.ID)
		})

	buy := mutate(http.MethodPost, http.StatusCreated, "createPurchase", "/v1/accounts/{id}/purchases", tagPurchases,
		"Buy credit", "Charges the payment method (the default when none is named) and credits the account: debt is repaid first, "+
			"the rest becomes a paid grant. The minimum is a deployment setting; the maximum comes from the account's trust tier. "+
			"A declined payment answers 402 payment_failed and changes nothing. A bank debit answers with status pending and is credited when it settles.")
	buy.Errors = moneyErrors // 402 for a decline, 503 for a gateway that did not answer
	register(a, buy,
		func(ctx context.Context, in *struct {
			AccountPath
			Body api.PurchaseCreate
		}) (*api.Payment, error) {
			return h.svc.CreatePurchase(ctx, callFrom(ctx), in.ID, in.Body)
		})
	register(a, get("listPurchases", "/v1/accounts/{id}/purchases", tagPurchases, "List an account's purchases",
		"Lists the payments made to buy credits. Auto-recharges and scheduled debits are not purchases: the list of payments has every charge."),
		func(ctx context.Context, in *struct {
			AccountPath
			PageQuery
		}) (*api.List[api.Payment], error) {
			p, err := in.page("pay")
			if err != nil {
				return nil, err
			}
			return h.svc.ListPurchases(ctx, callFrom(ctx), in.ID, "purchase", p)
		})
	register(a, get("listPayments", "/v1/accounts/{id}/payments", tagPurchases, "List an account's payments",
		"Every charge: purchases, auto-recharges (each attempt, failures included) and scheduled debits."),
		func(ctx context.Context, in *struct {
			AccountPath
			Source string `query:"source" enum:"purchase,auto_recharge,schedule,invoice" doc:"Only payments from this source."`
			PageQuery
		}) (*api.List[api.Payment], error) {
			p, err := in.page("pay")
			if err != nil {
				return nil, err
			}
			return h.svc.ListPurchases(ctx, callFrom(ctx), in.ID, in.Source, p)
		})
	register(a, get("getPayment", "/v1/payments/{id}", tagPurchases, "Retrieve a payment",
		"Returns one payment (a purchase, an auto-recharge attempt, a scheduled debit or an invoice payment): its amount, status, what it credited, and why it failed if it did."),
		func(ctx context.Context, in *struct{ PaymentPath }) (*api.Payment, error) {
			return h.svc.GetPayment(ctx, callFrom(ctx), in.ID)
		})

	register(a, get("getAutoRecharge", "/v1/accounts/{id}/auto_recharge", tagAutoRecharge, "Retrieve auto-recharge settings",
		"Returns the account's auto-recharge settings and state: idle, retrying (the next try runs when the balance falls to retry_at_balance) or exhausted. "+
			"An account that never set them has them disabled. amount, target, daily_cap and retry_at_balance are always present, null when not set."),
		func(ctx context.Context, in *struct{ AccountPath }) (*api.AutoRecharge, error) {
			return h.svc.GetAutoRecharge(ctx, callFrom(ctx), in.ID)
		})
	register(a, mutate(http.MethodPut, http.StatusOK, "putAutoRecharge", "/v1/accounts/{id}/auto_recharge", tagAutoRecharge,
		"Change auto-recharge settings", "Absent fields keep their value. When a debit leaves the balance below threshold, "+
			"a fixed amount is charged again and again until the balance is at or above the threshold, or the difference to target once. "+
			"Turning off a locked auto-recharge is a 409."),
		func(ctx context.Context, in *struct {
			AccountPath
			Body api.AutoRechargeUpdate
		}) (*api.AutoRecharge, error) {
			return h.svc.PutAutoRecharge(ctx, callFrom(ctx), in.ID, in.Body)
		})

	register(a, mutate(http.MethodPost, http.StatusCreated, "createPaymentSchedule", "/v1/accounts/{id}/payment_schedules", tagAutoRecharge,
		"Schedule a monthly bank debit", "On day_of_month (00:00 UTC, Coffer's clock) debits amount from a verified bank account; credited when it settles."),
		func(ctx context.Context, in *struct {
			AccountPath
			Body api.PaymentScheduleCreate
		}) (*api.PaymentSchedule, error) {
			return h.svc.CreateSchedule(ctx, callFrom(ctx), in.ID, in.Body)
		})
	register(a, get("listPaymentSchedules", "/v1/accounts/{id}/payment_schedules", tagAutoRecharge, "List an account's payment schedules",
		"Lists the account's monthly bank debits, active and canceled, in creation order. Not paginated."),
		func(ctx context.Context, in *struct{ AccountPath }) (*api.List[api.PaymentSchedule], error) {
			return h.svc.ListSchedules(ctx, callFrom(ctx), in.ID)
		})
	register(a, mutate(http.MethodDelete, http.StatusOK, "cancelPaymentSchedule", "/v1/payment_schedules/{id}", tagAutoRecharge,
		"Cancel a payment schedule", "Debits already made still settle."),
		func(ctx context.Context, in *struct{ SchedulePath }) (*api.PaymentSchedule, error) {
			return h.svc.CancelSchedule(ctx, callFrom(ctx), in.ID)
		})
}
