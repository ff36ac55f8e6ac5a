package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cofferdev/coffer/api"
)

// GrantListParams filters and pages an account's grants. Empty fields do
// not filter.
type GrantListParams struct {
	ListParams
	Kind     string // monetary or units
	Category string // paid or promotional
	Status   string // active, depleted, expired or voided
	Unit     string
}

func (p GrantListParams) values() url.Values {
	q := p.ListParams.values()
	setIf(q, "kind", p.Kind)
	setIf(q, "category", p.Category)
	setIf(q, "status", p.Status)
	setIf(q, "unit", p.Unit)
	return q
}

// TransactionListParams filters and pages an account's history. From is
// inclusive, To exclusive; zero times leave that end open.
type TransactionListParams struct {
	ListParams
	Types        []string // grant, debit, capture, void, expire, invoice_credit, invoice_void, true_up; empty means all
	From, To     time.Time
	SubaccountID string
}

func (p TransactionListParams) values() url.Values {
	q := p.ListParams.values()
	if len(p.Types) > 0 {
		q.Set("type", strings.Join(p.Types, ","))
	}
	setTime(q, "from", p.From)
	setTime(q, "to", p.To)
	setIf(q, "subaccount_id", p.SubaccountID)
	return q
}

// BalanceParams asks for a balance. A zero At means now; otherwise the
// balance as it stood at that instant.
type BalanceParams struct {
	At time.Time
}

func setIf(q url.Values, name, v string) {
	if v != "" {
		q.Set(name, v)
	}
}

func setTime(q url.Values, name string, t time.Time) {
	if !t.IsZero() {
		q.Set(name, t.Format(time.RFC3339Nano))
	}
}

// CreateGrant adds a lot of credit to an account.
func (c *Client) CreateGrant(ctx context.Context, accountID string, in api.GrantCreate, opts ...CallOption) (*api.Grant, error) {
	if err := checkID("account id", accountID); err != nil {
		return nil, err
	}
	var out api.Grant
	if err := c.do(ctx, http.MethodPost, "/v1/accounts/"+escape(accountID)+"/grants", in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListGrants returns one page of an account's grants.
func (c *Client) ListGrants(ctx context.Context, accountID string, p GrantListParams, opts ...CallOption) (*api.List[api.Grant], error) {
	if err := checkID("account id", accountID); err != nil {
		return nil, err
	}
	var out api.List[api.Grant]
	path := withQuery("/v1/accounts/"+escape(accountID)+"/grants", p.values())
	if err := c.do(ctx, http.MethodGet, path, nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetGrant returns one grant.
func (c *Client) GetGrant(ctx context.Context, id string, opts ...CallOption) (*api.Grant, error) {
	return c.grant(ctx, http.MethodGet, id, "", nil, opts)
}

// VoidGrant withdraws what remains of a grant.
func (c *Client) VoidGrant(ctx context.Context, id string, in api.GrantVoid, opts ...CallOption) (*api.Grant, error) {
	return c.grant(ctx, http.MethodPost, id, "/void", in, opts)
}

func (c *Client) grant(ctx context.Context, method, id, suffix string, in any, opts []CallOption) (*api.Grant, error) {
	if err := checkID("grant id", id); err != nil {
		return nil, err
	}
	var out api.Grant
	if err := c.do(ctx, method, "/v1/grants/"+escape(id)+suffix, in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetBalance returns an account's balance, now or at p.At.
func (c *Client) GetBalance(ctx context.Context, accountID string, p BalanceParams, opts ...CallOption) (*api.Balance, error) {
	if err := checkID("account id", accountID); err != nil {
		return nil, err
	}
	q := url.Values{}
	setTime(q, "at", p.At)
	var out api.Balance
	if err := c.do(ctx, http.MethodGet, withQuery("/v1/accounts/"+escape(accountID)+"/balance", q), nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListTransactions returns one page of an account's ledger history.
func (c *Client) ListTransactions(ctx context.Context, accountID string, p TransactionListParams, opts ...CallOption) (*api.List[api.Transaction], error) {
	if err := checkID("account id", accountID); err != nil {
		return nil, err
	}
	var out api.List[api.Transaction]
	path := withQuery("/v1/accounts/"+escape(accountID)+"/transactions", p.values())
	if err := c.do(ctx, http.MethodGet, path, nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}
