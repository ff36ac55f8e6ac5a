package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
)

const (
	tagAccounts    = "Accounts"
	tagSubaccounts = "Subaccounts"
)

func (h *handler) registerAccounts(a huma.API) {
	register(a, mutate(http.MethodPost, http.StatusCreated, "createAccount", "/v1/accounts", tagAccounts,
		"Create an account", "Creates a customer account with its currency, billing mode and floor. Admin keys only."),
		func(ctx context.Context, in *struct {
			Body api.AccountCreate
		}) (*api.Account, error) {
			return h.svc.CreateAccount(ctx, callFrom(ctx), in.Body)
		})

	register(a, get("listAccounts", "/v1/accounts", tagAccounts,
		"List accounts", "Lists accounts in creation order. An account key sees only its own."),
		func(ctx context.Context, in *struct {
			PageQuery
		}) (*api.List[api.Account], error) {
			p, err := in.page(coffer.PrefixAccount)
			if err != nil {
				return nil, err
			}
			return h.svc.ListAccounts(ctx, callFrom(ctx), p)
		})

	register(a, get("getAccount", "/v1/accounts/{id}", tagAccounts, "Retrieve an account",
		"Returns the account: its currency, status, billing mode, floor and metadata. An account key can read only its own."),
		func(ctx context.Context, in *struct {
			AccountPath
		}) (*api.Account, error) {
			return h.svc.GetAccount(ctx, callFrom(ctx), in.ID)
		})

	register(a, mutate(http.MethodPatch, http.StatusOK, "updateAccount", "/v1/accounts/{id}", tagAccounts,
		"Update an account", "Changes the fields sent; absent fields stay as they are."),
		func(ctx context.Context, in *struct {
			AccountPath
			Body api.AccountUpdate
		}) (*api.Account, error) {
			return h.svc.UpdateAccount(ctx, callFrom(ctx), in.ID, in.Body)
		})

	register(a, mutate(http.MethodPost, http.StatusOK, "closeAccount", "/v1/accounts/{id}/close", tagAccounts,
		"Close an account", "Closes the account for good: nothing moves on it any more."),
		func(ctx context.Context, in *struct {
			AccountPath
		}) (*api.Account, error) {
			return h.svc.CloseAccount(ctx, callFrom(ctx), in.ID)
		})

	register(a, mutate(http.MethodPost, http.StatusCreated, "createSubaccount", "/v1/accounts/{id}/subaccounts", tagSubaccounts,
		"Create a subaccount", "Creates a subaccount that draws on the account's balance. "+
			"The answer carries the auth token, shown this once."),
		func(ctx context.Context, in *struct {
			AccountPath
			Body api.SubaccountCreate
		}) (*api.Subaccount, error) {
			return h.svc.CreateSubaccount(ctx, callFrom(ctx), in.ID, in.Body)
		})

	register(a, get("listSubaccounts", "/v1/accounts/{id}/subaccounts", tagSubaccounts, "List an account's subaccounts",
		"Lists the account's subaccounts in creation order, enabled or not. Auth tokens are never listed: they are shown once, when the subaccount is made."),
		func(ctx context.Context, in *struct {
			AccountPath
			PageQuery
		}) (*api.List[api.Subaccount], error) {
			p, err := in.page(coffer.PrefixSubaccount)
			if err != nil {
				return nil, err
			}
			return h.svc.ListSubaccounts(ctx, callFrom(ctx), in.ID, p)
		})

	register(a, get("getSubaccount", "/v1/subaccounts/{id}", tagSubaccounts, "Retrieve a subaccount",
		"Returns the subaccount: its name, its auth id and whether it is enabled. The auth token is not shown again after creation."),
		func(ctx context.Context, in *struct {
			SubaccountPath
		}) (*api.Subaccount, error) {
			return h.svc.GetSubaccount(ctx, callFrom(ctx), in.ID)
		})

	register(a, mutate(http.MethodPatch, http.StatusOK, "updateSubaccount", "/v1/subaccounts/{id}", tagSubaccounts,
		"Update a subaccount", "Renames, enables or disables a subaccount."),
		func(ctx context.Context, in *struct {
			SubaccountPath
			Body api.SubaccountUpdate
		}) (*api.Subaccount, error) {
			return h.svc.UpdateSubaccount(ctx, callFrom(ctx), in.ID, in.Body)
		})

	register(a, mutate(http.MethodDelete, http.StatusOK, "deleteSubaccount", "/v1/subaccounts/{id}", tagSubaccounts,
		"Delete a subaccount", "Deletes the subaccount: its credentials stop working. Its past usage stays in the ledger."),
		func(ctx context.Context, in *struct {
			SubaccountPath
		}) (*api.Subaccount, error) {
			return h.svc.DeleteSubaccount(ctx, callFrom(ctx), in.ID)
		})
}
