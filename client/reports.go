package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cofferdev/coffer/api"
)

// Report paths for Report.
const (
	ReportCredits   = "/v1/reports/credits"
	ReportLiability = "/v1/reports/liability"
	ReportUsage     = "/v1/reports/usage"
)

// Report fetches a report as the server renders it: JSON, or CSV with
// format=csv in q.
func (c *Client) Report(ctx context.Context, path string, q url.Values) ([]byte, error) {
	status, _, data, err := c.send(ctx, http.MethodGet, withQuery(path, q), nil, "")
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		return nil, decodeError(status, data)
	}
	return data, nil
}

// Runway returns how long an account's balance lasts at its burn rate.
func (c *Client) Runway(ctx context.Context, accountID string, opts ...CallOption) (*api.Runway, error) {
	p, err := idPath("account id", "/v1/accounts/", accountID, "/runway")
	if err != nil {
		return nil, err
	}
	return call[api.Runway](ctx, c, http.MethodGet, p, nil, opts)
}
