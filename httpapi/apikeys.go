package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
)

const tagAPIKeys = "API keys"

// APIKeyPath is the {id} of an API key route.
type APIKeyPath struct {
	ID string `path:"id" doc:"The API key's id (key_…)."`
}

func (h *handler) registerAPIKeys(a huma.API) {
	a.OpenAPI().Tags = append(a.OpenAPI().Tags,
		&huma.Tag{Name: tagAPIKeys, Description: "Bearer credentials: admin, usage, or scoped to one account. The secret is shown once, when the key is made. " +
			"A revoked or expired key is refused with 401 on every process within about a second. To rotate without a gap: rotate the key (or create a new one), " +
			"switch the callers to the new secret, then let the old one expire or revoke it. Admin only."})

	register(a, mutate(http.MethodPost, http.StatusCreated, "createApiKey", "/v1/api_keys", tagAPIKeys, "Create an API key",
		"The answer carries the secret (ck_…), shown only here: a replay of the same Idempotency-Key answers without it."),
		func(ctx context.Context, in *struct {
			Body api.APIKeyCreate
		}) (*api.APIKey, error) {
			return h.svc.CreateAPIKeyCall(ctx, callFrom(ctx), in.Body)
		})
	register(a, get("listApiKeys", "/v1/api_keys", tagAPIKeys, "List API keys",
		"Oldest first, revoked and expired keys included, never with their secrets."),
		func(ctx context.Context, in *struct{ PageQuery }) (*api.List[*api.APIKey], error) {
			p, err := in.page(coffer.PrefixKey)
			if err != nil {
				return nil, err
			}
			return h.svc.ListAPIKeys(ctx, callFrom(ctx), p)
		})
	register(a, get("getApiKey", "/v1/api_keys/{id}", tagAPIKeys, "Retrieve an API key", "The key without its secret."),
		func(ctx context.Context, in *struct{ APIKeyPath }) (*api.APIKey, error) {
			return h.svc.GetAPIKey(ctx, callFrom(ctx), in.ID)
		})
	register(a, mutate(http.MethodDelete, http.StatusOK, "revokeApiKey", "/v1/api_keys/{id}", tagAPIKeys, "Revoke an API key",
		"The key stops working at once on this process and within about a second on every other; it stays listed with revoked_at. Revoking a revoked key changes nothing."),
		func(ctx context.Context, in *struct{ APIKeyPath }) (*api.APIKey, error) {
			return h.svc.RevokeAPIKey(ctx, callFrom(ctx), in.ID)
		})
	register(a, mutate(http.MethodPost, http.StatusCreated, "rotateApiKey", "/v1/api_keys/{id}/rotate", tagAPIKeys, "Rotate an API key",
		"Makes the key's successor, with its role and account, and lets the old key work for the overlap only (24h unless told). "+
			"The answer is the successor with its secret, shown only here. A revoked, expired or already rotated key is refused with 409."),
		func(ctx context.Context, in *struct {
			APIKeyPath
			Body api.APIKeyRotate
		}) (*api.APIKey, error) {
			return h.svc.RotateAPIKey(ctx, callFrom(ctx), in.ID, in.Body)
		})
}
