package client

import (
	"context"
	"net/http"

	"github.com/cofferdev/coffer/api"
)

// Debit records usage against an account. A strict debit that would cross
// the account's floor is refused whole with code insufficient_balance; a
// repeat of an event id already debited answers the first debit with
// Replayed set.
func (c *Client) Debit(ctx context.Context, in api.DebitCreate, opts ...CallOption) (*api.Debit, error) {
	var out api.Debit
	// The event_id makes a retried debit safe on its own: the server
	// answers a repeat with the first debit (replayed: true) and refuses
	// one with other figures. A random Idempotency-Key would add nothing
	// but a stored answer per debit; a caller's own key is still sent.
	opts = append([]CallOption{func(cc *callConfig) { cc.keyedByBody = true }}, opts...)
	if err := c.do(ctx, http.MethodPost, "/v1/debits", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// DebitBatch records several debits in one request. The call succeeds as a
// whole even when some debits are refused: each item of the answer has its
// own status and either a Debit or an Error.
func (c *Client) DebitBatch(ctx context.Context, in api.DebitBatch, opts ...CallOption) (*api.DebitBatchResult, error) {
	var out api.DebitBatchResult
	if err := c.do(ctx, http.MethodPost, "/v1/debits/batch", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateHold reserves an amount for work whose final cost is not known yet.
func (c *Client) CreateHold(ctx context.Context, in api.HoldCreate, opts ...CallOption) (*api.Hold, error) {
	var out api.Hold
	if err := c.do(ctx, http.MethodPost, "/v1/holds", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetHold returns one hold.
func (c *Client) GetHold(ctx context.Context, id string, opts ...CallOption) (*api.Hold, error) {
	return c.hold(ctx, http.MethodGet, id, "", nil, opts)
}

// CaptureHold settles a hold for its final amount, which may be more or
// less than the amount held.
func (c *Client) CaptureHold(ctx context.Context, id string, in api.HoldCapture, opts ...CallOption) (*api.Hold, error) {
	return c.hold(ctx, http.MethodPost, id, "/capture", in, opts)
}

// ReleaseHold frees a hold without charging anything.
func (c *Client) ReleaseHold(ctx context.Context, id string, opts ...CallOption) (*api.Hold, error) {
	return c.hold(ctx, http.MethodPost, id, "/release", nil, opts)
}

func (c *Client) hold(ctx context.Context, method, id, suffix string, in any, opts []CallOption) (*api.Hold, error) {
	if err := checkID("hold id", id); err != nil {
		return nil, err
	}
	var out api.Hold
	if err := c.do(ctx, method, "/v1/holds/"+escape(id)+suffix, in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// AdvanceClock moves a test server's clock (exactly one of in.To or in.By)
// and runs the work that fell due. Servers not started with --test-clock
// answer not_found.
func (c *Client) AdvanceClock(ctx context.Context, in api.ClockAdvance, opts ...CallOption) (*api.Clock, error) {
	var out api.Clock
	if err := c.do(ctx, http.MethodPost, "/v1/test_clock/advance", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}
