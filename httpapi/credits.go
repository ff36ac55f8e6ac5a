package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

const (
	tagBalances = "Balances"
	tagGrants   = "Grants"
)

func (h *handler) registerCredits(a huma.API) {
	register(a, get("getBalance", "/v1/accounts/{id}/balance", tagBalances, "Retrieve an account's balance",
		"The balance, what is available to spend, holds, debt and credits by category. "+
			"With at, the balance as of a past instant."),
		func(ctx context.Context, in *struct {
			AccountPath
			At time.Time `query:"at" doc:"An RFC 3339 instant: the balance as it was then."`
		}) (*api.Balance, error) {
			var at *time.Time
			if !in.At.IsZero() {
				at = &in.At
			}
			return h.svc.Balance(ctx, callFrom(ctx), in.ID, at)
		})

	register(a, get("listTransactions", "/v1/accounts/{id}/transactions", tagBalances, "List an account's transactions",
		"The account's ledger history, newest last, with filters."),
		func(ctx context.Context, in *struct {
			AccountPath
			Type         []string  `query:"type,explode" doc:"Only these types: grant, debit, capture, void, expire, invoice_credit, invoice_void, true_up. Repeat the parameter or give a comma-separated list."`
			From         time.Time `query:"from" doc:"Only transactions at or after this RFC 3339 instant."`
			To           time.Time `query:"to" doc:"Only transactions before this RFC 3339 instant."`
			SubaccountID string    `query:"subaccount_id" doc:"Only usage tagged with this subaccount."`
			PageQuery
		}) (*api.List[api.Transaction], error) {
			types, err := parseTxnTypes(in.Type)
			if err != nil {
				return nil, err
			}
			if in.SubaccountID != "" {
				if err := coffer.CheckID("subaccount_id", coffer.PrefixSubaccount, in.SubaccountID); err != nil {
					return nil, err
				}
			}
			if !in.From.IsZero() && !in.To.IsZero() && !in.From.Before(in.To) {
				return nil, coffer.Invalid("to", "must be after from")
			}
			p, err := in.page(coffer.PrefixTxn)
			if err != nil {
				return nil, err
			}
			return h.svc.Transactions(ctx, callFrom(ctx), in.ID, store.TxnFilter{
				Page: p, Types: types, From: in.From, To: in.To, SubaccountID: in.SubaccountID,
			})
		})

	register(a, mutate(http.MethodPost, http.StatusCreated, "createGrant", "/v1/accounts/{id}/grants", tagGrants,
		"Grant credits", "Adds a lot of credit to the account: monetary or units, paid or promotional, "+
			"with a priority and an optional expiry. It repays any debt first."),
		func(ctx context.Context, in *struct {
			AccountPath
			Body api.GrantCreate
		}) (*api.Grant, error) {
			return h.svc.CreateGrant(ctx, callFrom(ctx), in.ID, in.Body)
		})

	register(a, get("listGrants", "/v1/accounts/{id}/grants", tagGrants, "List an account's grants",
		"Lists the account's grants (credit lots) with what remains of each, optionally only one kind, category, status or unit."),
		func(ctx context.Context, in *struct {
			AccountPath
			Kind     string `query:"kind" enum:"monetary,units" doc:"Only this kind."`
			Category string `query:"category" enum:"paid,promotional" doc:"Only this category."`
			Status   string `query:"status" enum:"active,depleted,expired,voided" doc:"Only this status."`
			Unit     string `query:"unit" doc:"Only unit credits of this unit."`
			PageQuery
		}) (*api.List[api.Grant], error) {
			p, err := in.page(coffer.PrefixLot)
			if err != nil {
				return nil, err
			}
			return h.svc.ListGrants(ctx, callFrom(ctx), in.ID, store.LotFilter{
				Page:     p,
				Kind:     ledger.Kind(in.Kind),
				Category: ledger.Category(in.Category),
				Status:   ledger.LotStatus(in.Status),
				Unit:     in.Unit,
			})
		})

	register(a, get("getGrant", "/v1/grants/{id}", tagGrants, "Retrieve a grant",
		"Returns the grant: what it credited, what remains, its category, priority, status and expiry, and what made it."),
		func(ctx context.Context, in *struct {
			GrantPath
		}) (*api.Grant, error) {
			return h.svc.GetGrant(ctx, callFrom(ctx), in.ID)
		})

	register(a, mutate(http.MethodPost, http.StatusOK, "voidGrant", "/v1/grants/{id}/void", tagGrants,
		"Void a grant", "Withdraws what remains of the grant. What was already consumed stays consumed."),
		func(ctx context.Context, in *struct {
			GrantPath
			Body *api.GrantVoid
		}) (*api.Grant, error) {
			var body api.GrantVoid
			if in.Body != nil {
				body = *in.Body
			}
			return h.svc.VoidGrant(ctx, callFrom(ctx), in.ID, body)
		})
}

// parseTxnTypes reads the type filter, given as repeated parameters, a
// comma-separated list, or both.
func parseTxnTypes(raw []string) ([]ledger.TxnType, error) {
	var out []ledger.TxnType
	for _, r := range raw {
		for _, s := range strings.Split(r, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			t := ledger.TxnType(s)
			if !slices.Contains(txnTypes, t) {
				return nil, coffer.Invalid("type", "must be one of grant, debit, capture, void, expire, invoice_credit, invoice_void, true_up; got %q", s)
			}
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out, nil
}
