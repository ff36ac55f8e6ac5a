package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cofferdev/coffer/api"
)

// GetBalanceAlerts returns an account's alert thresholds, recipients and
// recommendation.
func (c *Client) GetBalanceAlerts(ctx context.Context, accountID string, opts ...CallOption) (*api.BalanceAlerts, error) {
	var out api.BalanceAlerts
	if err := c.do(ctx, http.MethodGet, "/v1/accounts/"+url.PathEscape(accountID)+"/balance_alerts", nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// SetBalanceAlerts replaces an account's alerts with the owner's.
func (c *Client) SetBalanceAlerts(ctx context.Context, accountID string, in api.BalanceAlertsUpdate, opts ...CallOption) (*api.BalanceAlerts, error) {
	var out api.BalanceAlerts
	if err := c.do(ctx, http.MethodPut, "/v1/accounts/"+url.PathEscape(accountID)+"/balance_alerts", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateWebhookEndpoint adds an endpoint; the answer carries its secret,
// shown only this once.
func (c *Client) CreateWebhookEndpoint(ctx context.Context, in api.WebhookEndpointCreate, opts ...CallOption) (*api.WebhookEndpoint, error) {
	var out api.WebhookEndpoint
	if err := c.do(ctx, http.MethodPost, "/v1/webhook_endpoints", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListWebhookEndpoints returns one page of endpoints.
func (c *Client) ListWebhookEndpoints(ctx context.Context, p ListParams, opts ...CallOption) (*api.List[api.WebhookEndpoint], error) {
	var out api.List[api.WebhookEndpoint]
	if err := c.do(ctx, http.MethodGet, withQuery("/v1/webhook_endpoints", p.values()), nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetWebhookEndpoint returns one endpoint, without its secret.
func (c *Client) GetWebhookEndpoint(ctx context.Context, id string, opts ...CallOption) (*api.WebhookEndpoint, error) {
	var out api.WebhookEndpoint
	if err := c.do(ctx, http.MethodGet, "/v1/webhook_endpoints/"+url.PathEscape(id), nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateWebhookEndpoint changes the fields of in that are set.
func (c *Client) UpdateWebhookEndpoint(ctx context.Context, id string, in api.WebhookEndpointUpdate, opts ...CallOption) (*api.WebhookEndpoint, error) {
	var out api.WebhookEndpoint
	if err := c.do(ctx, http.MethodPatch, "/v1/webhook_endpoints/"+url.PathEscape(id), in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteWebhookEndpoint removes an endpoint.
func (c *Client) DeleteWebhookEndpoint(ctx context.Context, id string, opts ...CallOption) error {
	var out struct{}
	return c.do(ctx, http.MethodDelete, "/v1/webhook_endpoints/"+url.PathEscape(id), nil, &out, opts)
}

// EventParams filters a list of events.
type EventParams struct {
	ListParams
	Types     []string
	AccountID string
	From, To  time.Time
}

func (p EventParams) values() url.Values {
	q := p.ListParams.values()
	if len(p.Types) > 0 {
		q.Set("type", strings.Join(p.Types, ","))
	}
	if p.AccountID != "" {
		q.Set("account_id", p.AccountID)
	}
	if !p.From.IsZero() {
		q.Set("from", p.From.Format(time.RFC3339Nano))
	}
	if !p.To.IsZero() {
		q.Set("to", p.To.Format(time.RFC3339Nano))
	}
	return q
}

// ListEvents returns one page of events, newest first.
func (c *Client) ListEvents(ctx context.Context, p EventParams, opts ...CallOption) (*api.List[api.Event], error) {
	var out api.List[api.Event]
	if err := c.do(ctx, http.MethodGet, withQuery("/v1/events", p.values()), nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetEvent returns an event with its deliveries and attempts.
func (c *Client) GetEvent(ctx context.Context, id string, opts ...CallOption) (*api.EventDetail, error) {
	var out api.EventDetail
	if err := c.do(ctx, http.MethodGet, "/v1/events/"+url.PathEscape(id), nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// RedeliverEvent replays one event.
func (c *Client) RedeliverEvent(ctx context.Context, id string, in api.Redeliver, opts ...CallOption) (*api.RedeliverResult, error) {
	var out api.RedeliverResult
	if err := c.do(ctx, http.MethodPost, "/v1/events/"+url.PathEscape(id)+"/redeliver", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// RedeliverEvents replays every event of a time range.
func (c *Client) RedeliverEvents(ctx context.Context, in api.Redeliver, opts ...CallOption) (*api.RedeliverResult, error) {
	var out api.RedeliverResult
	if err := c.do(ctx, http.MethodPost, "/v1/events/redeliver", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}
