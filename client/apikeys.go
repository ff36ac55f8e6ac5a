package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cofferdev/coffer/api"
)

// CreateAPIKey makes an API key; the answer carries its secret, shown only
// this once.
func (c *Client) CreateAPIKey(ctx context.Context, in api.APIKeyCreate, opts ...CallOption) (*api.APIKey, error) {
	var out api.APIKey
	if err := c.do(ctx, http.MethodPost, "/v1/api_keys", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAPIKeys returns one page of keys, without secrets.
func (c *Client) ListAPIKeys(ctx context.Context, p ListParams, opts ...CallOption) (*api.List[api.APIKey], error) {
	var out api.List[api.APIKey]
	if err := c.do(ctx, http.MethodGet, withQuery("/v1/api_keys", p.values()), nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetAPIKey returns one key, without its secret.
func (c *Client) GetAPIKey(ctx context.Context, id string, opts ...CallOption) (*api.APIKey, error) {
	var out api.APIKey
	if err := c.do(ctx, http.MethodGet, "/v1/api_keys/"+url.PathEscape(id), nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// RevokeAPIKey ends a key; it is refused from then on.
func (c *Client) RevokeAPIKey(ctx context.Context, id string, opts ...CallOption) (*api.APIKey, error) {
	var out api.APIKey
	if err := c.do(ctx, http.MethodDelete, "/v1/api_keys/"+url.PathEscape(id), nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// RotateAPIKey makes a key's successor, with its secret shown this once,
// and lets the old key work for the overlap only.
func (c *Client) RotateAPIKey(ctx context.Context, id string, in api.APIKeyRotate, opts ...CallOption) (*api.APIKey, error) {
	var out api.APIKey
	if err := c.do(ctx, http.MethodPost, "/v1/api_keys/"+url.PathEscape(id)+"/rotate", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}
