package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cofferdev/coffer/api"
)

// call is one request whose answer decodes into T.
func call[T any](ctx context.Context, c *Client, method, path string, in any, opts []CallOption) (*T, error) {
	var out T
	if err := c.do(ctx, method, path, in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

func accountPath(accountID, suffix string) (string, error) {
	if err := checkID("account id", accountID); err != nil {
		return "", err
	}
	return "/v1/accounts/" + escape(accountID) + suffix, nil
}

func idPath(what, base, id, suffix string) (string, error) {
	if err := checkID(what, id); err != nil {
		return "", err
	}
	return base + escape(id) + suffix, nil
}

// AddPaymentMethod sets up a card, PayPal account or bank account.
func (c *Client) AddPaymentMethod(ctx context.Context, accountID string, in api.PaymentMethodCreate, opts ...CallOption) (*api.PaymentMethod, error) {
	p, err := accountPath(accountID, "/payment_methods")
	if err != nil {
		return nil, err
	}
	return call[api.PaymentMethod](ctx, c, http.MethodPost, p, in, opts)
}

// ListPaymentMethods lists an account's payment methods.
func (c *Client) ListPaymentMethods(ctx context.Context, accountID string, opts ...CallOption) (*api.List[api.PaymentMethod], error) {
	p, err := accountPath(accountID, "/payment_methods")
	if err != nil {
		return nil, err
	}
	return call[api.List[api.PaymentMethod]](ctx, c, http.MethodGet, p, nil, opts)
}

// GetPaymentMethod returns a payment method.
func (c *Client) GetPaymentMethod(ctx context.Context, id string, opts ...CallOption) (*api.PaymentMethod, error) {
	return c.method(ctx, http.MethodGet, id, "", nil, opts)
}

// VerifyPaymentMethod confirms a bank account with its deposit's code.
func (c *Client) VerifyPaymentMethod(ctx context.Context, id, code string, opts ...CallOption) (*api.PaymentMethod, error) {
	return c.method(ctx, http.MethodPost, id, "/verify", api.PaymentMethodVerify{Code: code}, opts)
}

// SetDefaultPaymentMethod makes a method the account's default.
func (c *Client) SetDefaultPaymentMethod(ctx context.Context, id string, opts ...CallOption) (*api.PaymentMethod, error) {
	return c.method(ctx, http.MethodPost, id, "/set_default", nil, opts)
}

// RemovePaymentMethod removes a payment method.
func (c *Client) RemovePaymentMethod(ctx context.Context, id string, opts ...CallOption) (*api.PaymentMethod, error) {
	return c.method(ctx, http.MethodDelete, id, "", nil, opts)
}

func (c *Client) method(ctx context.Context, method, id, suffix string, in any, opts []CallOption) (*api.PaymentMethod, error) {
	p, err := idPath("payment method id", "/v1/payment_methods/", id, suffix)
	if err != nil {
		return nil, err
	}
	return call[api.PaymentMethod](ctx, c, method, p, in, opts)
}

// SandboxVerificationCode reveals the sandbox's code for a bank account
// (admin key, sandbox gateway).
func (c *Client) SandboxVerificationCode(ctx context.Context, id string, opts ...CallOption) (*api.VerificationCode, error) {
	p, err := idPath("payment method id", "/v1/payment_methods/", id, "/sandbox_verification_code")
	if err != nil {
		return nil, err
	}
	return call[api.VerificationCode](ctx, c, http.MethodGet, p, nil, opts)
}

// CreatePurchase buys credit. Retried with the same Idempotency-Key (the
// client's retries always are), it charges once.
func (c *Client) CreatePurchase(ctx context.Context, accountID string, in api.PurchaseCreate, opts ...CallOption) (*api.Payment, error) {
	p, err := accountPath(accountID, "/purchases")
	if err != nil {
		return nil, err
	}
	return call[api.Payment](ctx, c, http.MethodPost, p, in, opts)
}

// ListPurchases returns one page of an account's purchases.
func (c *Client) ListPurchases(ctx context.Context, accountID string, lp ListParams, opts ...CallOption) (*api.List[api.Payment], error) {
	p, err := accountPath(accountID, "/purchases")
	if err != nil {
		return nil, err
	}
	return call[api.List[api.Payment]](ctx, c, http.MethodGet, withQuery(p, lp.values()), nil, opts)
}

// PaymentListParams filters an account's payments by source (purchase,
// auto_recharge or schedule; empty for all).
type PaymentListParams struct {
	ListParams
	Source string
}

func (p PaymentListParams) values() url.Values {
	q := p.ListParams.values()
	setIf(q, "source", p.Source)
	return q
}

// ListPayments returns one page of an account's payments of every source.
func (c *Client) ListPayments(ctx context.Context, accountID string, lp PaymentListParams, opts ...CallOption) (*api.List[api.Payment], error) {
	p, err := accountPath(accountID, "/payments")
	if err != nil {
		return nil, err
	}
	return call[api.List[api.Payment]](ctx, c, http.MethodGet, withQuery(p, lp.values()), nil, opts)
}

// GetPayment returns a payment.
func (c *Client) GetPayment(ctx context.Context, id string, opts ...CallOption) (*api.Payment, error) {
	p, err := idPath("payment id", "/v1/payments/", id, "")
	if err != nil {
		return nil, err
	}
	return call[api.Payment](ctx, c, http.MethodGet, p, nil, opts)
}

// GetAutoRecharge returns an account's auto-recharge settings.
func (c *Client) GetAutoRecharge(ctx context.Context, accountID string, opts ...CallOption) (*api.AutoRecharge, error) {
	p, err := accountPath(accountID, "/auto_recharge")
	if err != nil {
		return nil, err
	}
	return call[api.AutoRecharge](ctx, c, http.MethodGet, p, nil, opts)
}

// PutAutoRecharge changes an account's auto-recharge settings.
func (c *Client) PutAutoRecharge(ctx context.Context, accountID string, in api.AutoRechargeUpdate, opts ...CallOption) (*api.AutoRecharge, error) {
	p, err := accountPath(accountID, "/auto_recharge")
	if err != nil {
		return nil, err
	}
	return call[api.AutoRecharge](ctx, c, http.MethodPut, p, in, opts)
}

// CreatePaymentSchedule starts a monthly bank debit.
func (c *Client) CreatePaymentSchedule(ctx context.Context, accountID string, in api.PaymentScheduleCreate, opts ...CallOption) (*api.PaymentSchedule, error) {
	p, err := accountPath(accountID, "/payment_schedules")
	if err != nil {
		return nil, err
	}
	return call[api.PaymentSchedule](ctx, c, http.MethodPost, p, in, opts)
}

// ListPaymentSchedules lists an account's schedules.
func (c *Client) ListPaymentSchedules(ctx context.Context, accountID string, opts ...CallOption) (*api.List[api.PaymentSchedule], error) {
	p, err := accountPath(accountID, "/payment_schedules")
	if err != nil {
		return nil, err
	}
	return call[api.List[api.PaymentSchedule]](ctx, c, http.MethodGet, p, nil, opts)
}

// CancelPaymentSchedule stops a schedule.
func (c *Client) CancelPaymentSchedule(ctx context.Context, id string, opts ...CallOption) (*api.PaymentSchedule, error) {
	p, err := idPath("payment schedule id", "/v1/payment_schedules/", id, "")
	if err != nil {
		return nil, err
	}
	return call[api.PaymentSchedule](ctx, c, http.MethodDelete, p, nil, opts)
}
