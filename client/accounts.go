package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cofferdev/coffer/api"
)

// ListParams pages through a list: at most Limit items (0 lets the server
// choose) after the item whose id is StartingAfter.
type ListParams struct {
	Limit         int
	StartingAfter string
}

// values encodes the page parameters that are set.
func (p ListParams) values() url.Values {
	q := url.Values{}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.StartingAfter != "" {
		q.Set("starting_after", p.StartingAfter)
	}
	return q
}

// CreateAccount creates an account.
func (c *Client) CreateAccount(ctx context.Context, in api.AccountCreate, opts ...CallOption) (*api.Account, error) {
	var out api.Account
	if err := c.do(ctx, http.MethodPost, "/v1/accounts", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAccounts returns one page of the accounts the caller can see.
func (c *Client) ListAccounts(ctx context.Context, p ListParams, opts ...CallOption) (*api.List[api.Account], error) {
	var out api.List[api.Account]
	if err := c.do(ctx, http.MethodGet, withQuery("/v1/accounts", p.values()), nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetAccount returns one account.
func (c *Client) GetAccount(ctx context.Context, id string, opts ...CallOption) (*api.Account, error) {
	return c.account(ctx, http.MethodGet, id, "", nil, opts)
}

// UpdateAccount changes the fields of in that are set and leaves the others.
func (c *Client) UpdateAccount(ctx context.Context, id string, in api.AccountUpdate, opts ...CallOption) (*api.Account, error) {
	return c.account(ctx, http.MethodPatch, id, "", in, opts)
}

// CloseAccount closes an account for good.
func (c *Client) CloseAccount(ctx context.Context, id string, opts ...CallOption) (*api.Account, error) {
	return c.account(ctx, http.MethodPost, id, "/close", nil, opts)
}

// account is a call on /v1/accounts/{id}[suffix] that answers an account.
func (c *Client) account(ctx context.Context, method, id, suffix string, in any, opts []CallOption) (*api.Account, error) {
	if err := checkID("account id", id); err != nil {
		return nil, err
	}
	var out api.Account
	if err := c.do(ctx, method, "/v1/accounts/"+escape(id)+suffix, in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateSubaccount creates a subaccount of an account. The answer's
// AuthToken is shown this once; keep it.
func (c *Client) CreateSubaccount(ctx context.Context, accountID string, in api.SubaccountCreate, opts ...CallOption) (*api.Subaccount, error) {
	if err := checkID("account id", accountID); err != nil {
		return nil, err
	}
	var out api.Subaccount
	if err := c.do(ctx, http.MethodPost, "/v1/accounts/"+escape(accountID)+"/subaccounts", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListSubaccounts returns one page of an account's subaccounts.
func (c *Client) ListSubaccounts(ctx context.Context, accountID string, p ListParams, opts ...CallOption) (*api.List[api.Subaccount], error) {
	if err := checkID("account id", accountID); err != nil {
		return nil, err
	}
	var out api.List[api.Subaccount]
	path := withQuery("/v1/accounts/"+escape(accountID)+"/subaccounts", p.values())
	if err := c.do(ctx, http.MethodGet, path, nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetSubaccount returns one subaccount (without its auth token).
func (c *Client) GetSubaccount(ctx context.Context, id string, opts ...CallOption) (*api.Subaccount, error) {
	return c.subaccount(ctx, http.MethodGet, id, nil, opts)
}

// UpdateSubaccount renames, enables or disables a subaccount.
func (c *Client) UpdateSubaccount(ctx context.Context, id string, in api.SubaccountUpdate, opts ...CallOption) (*api.Subaccount, error) {
	return c.subaccount(ctx, http.MethodPatch, id, in, opts)
}

// DeleteSubaccount deletes a subaccount; its past usage stays in the
// history. The answer is the deleted subaccount, or nil if the server sent
// no body.
func (c *Client) DeleteSubaccount(ctx context.Context, id string, opts ...CallOption) (*api.Subaccount, error) {
	if err := checkID("subaccount id", id); err != nil {
		return nil, err
	}
	var out *api.Subaccount
	if err := c.do(ctx, http.MethodDelete, "/v1/subaccounts/"+escape(id), nil, &out, opts); err != nil {
		return nil, err
	}
	return out, nil
}

// subaccount is a call on /v1/subaccounts/{id} that answers a subaccount.
func (c *Client) subaccount(ctx context.Context, method, id string, in any, opts []CallOption) (*api.Subaccount, error) {
	if err := checkID("subaccount id", id); err != nil {
		return nil, err
	}
	var out api.Subaccount
	if err := c.do(ctx, method, "/v1/subaccounts/"+escape(id), in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}
