package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/store"
)

const (
	tagAlerts   = "Balance alerts"
	tagWebhooks = "Webhook endpoints"
	tagEvents   = "Events"
)

// Path parameters of notification routes.
type (
	// WebhookEndpointPath is the {id} of a webhook endpoint route.
	WebhookEndpointPath struct {
		ID string `path:"id" doc:"The endpoint's id (we_…)."`
	}
	// EventPath is the {id} of an event route.
	EventPath struct {
		ID string `path:"id" doc:"The event's id (evt_…)."`
	}
)

// Deleted is the answer to deleting a resource.
type Deleted struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

func (h *handler) registerNotify(a huma.API) {
	a.OpenAPI().Tags = append(a.OpenAPI().Tags,
		&huma.Tag{Name: tagAlerts, Description: "Low-balance alerts e-mailed to the account's recipients. Defaults 250.00, 100.00 and 10.00; up to three of the owner's own; a recommendation from the last 30 days of usage."},
		&huma.Tag{Name: tagWebhooks, Description: "Where events are sent, signed per the Standard Webhooks spec (webhook-id, webhook-timestamp, webhook-signature) and retried with backoff for about three days. Admin only."},
		&huma.Tag{Name: tagEvents, Description: "The outbox: every event, written in the same transaction as the change it reports, with its deliveries and every attempt. Replayable."})

	register(a, get("getBalanceAlerts", "/v1/accounts/{id}/balance_alerts", tagAlerts, "Retrieve balance alerts",
		"The thresholds in force, whether each is armed, the extra recipients, and the recommendation: the average daily usage over the last 30 days."),
		func(ctx context.Context, in *struct{ AccountPath }) (*api.BalanceAlerts, error) {
			return h.svc.GetBalanceAlerts(ctx, callFrom(ctx), in.ID)
		})
	register(a, mutate(http.MethodPut, http.StatusOK, "putBalanceAlerts", "/v1/accounts/{id}/balance_alerts", tagAlerts,
		"Set balance alerts", "Replaces the account's alerts with the owner's (at most three thresholds, each above zero) and extra recipients. "+
			"Coffer never changes an owner's alerts; an empty list turns them off. An alert fires once when the balance falls below it and re-arms when the balance is back at or above it."),
		func(ctx context.Context, in *struct {
			AccountPath
			Body api.BalanceAlertsUpdate
		}) (*api.BalanceAlerts, error) {
			return h.svc.PutBalanceAlerts(ctx, callFrom(ctx), in.ID, in.Body)
		})

	register(a, mutate(http.MethodPost, http.StatusCreated, "createWebhookEndpoint", "/v1/webhook_endpoints", tagWebhooks,
		"Add a webhook endpoint", "The answer carries the signing secret (whsec_…); it is shown only here and when rotated. A replay of the same Idempotency-Key answers without it."),
		func(ctx context.Context, in *struct {
			Body api.WebhookEndpointCreate
		}) (*api.WebhookEndpoint, error) {
			return h.svc.CreateWebhookEndpoint(ctx, callFrom(ctx), in.Body)
		})
	register(a, get("listWebhookEndpoints", "/v1/webhook_endpoints", tagWebhooks, "List webhook endpoints",
		"Oldest first. status is \"failing\" once a delivery ran out of retries, until one succeeds or the endpoint is re-enabled."),
		func(ctx context.Context, in *struct{ PageQuery }) (*api.List[*api.WebhookEndpoint], error) {
			p, err := in.page(coffer.PrefixWebhookEndpoint)
			if err != nil {
				return nil, err
			}
			return h.svc.ListWebhookEndpoints(ctx, callFrom(ctx), p)
		})
	register(a, get("getWebhookEndpoint", "/v1/webhook_endpoints/{id}", tagWebhooks, "Retrieve a webhook endpoint",
		"Returns the endpoint: its URL, the event types it receives, whether it is enabled and since when it is failing. The signing secret is shown only when it is made or rotated."),
		func(ctx context.Context, in *struct{ WebhookEndpointPath }) (*api.WebhookEndpoint, error) {
			return h.svc.GetWebhookEndpoint(ctx, callFrom(ctx), in.ID)
		})
	register(a, mutate(http.MethodPatch, http.StatusOK, "updateWebhookEndpoint", "/v1/webhook_endpoints/{id}", tagWebhooks,
		"Update a webhook endpoint", "Absent fields stay. rotate_secret replaces the signing secret and shows the new one in the answer, once: a replay of the same Idempotency-Key answers without it."),
		func(ctx context.Context, in *struct {
			WebhookEndpointPath
			Body api.WebhookEndpointUpdate
		}) (*api.WebhookEndpoint, error) {
			return h.svc.UpdateWebhookEndpoint(ctx, callFrom(ctx), in.ID, in.Body)
		})
	register(a, mutate(http.MethodDelete, http.StatusOK, "deleteWebhookEndpoint", "/v1/webhook_endpoints/{id}", tagWebhooks,
		"Delete a webhook endpoint", "Its pending deliveries are canceled; past attempts stay on record."),
		func(ctx context.Context, in *struct{ WebhookEndpointPath }) (*Deleted, error) {
			if err := h.svc.DeleteWebhookEndpoint(ctx, callFrom(ctx), in.ID); err != nil {
				return nil, err
			}
			return &Deleted{ID: in.ID, Object: "webhook_endpoint", Deleted: true}, nil
		})

	register(a, get("listEvents", "/v1/events", tagEvents, "List events",
		"Newest first. An account key sees only its own account's events."),
		func(ctx context.Context, in *struct {
			PageQuery
			Type      string    `query:"type" doc:"Only events of these types, comma-separated."`
			AccountID string    `query:"account_id" doc:"Only this account's events."`
			From      time.Time `query:"from" doc:"Only events at or after this RFC 3339 instant."`
			To        time.Time `query:"to" doc:"Only events before this RFC 3339 instant."`
		}) (*api.List[api.Event], error) {
			p, err := in.page(coffer.PrefixEvent)
			if err != nil {
				return nil, err
			}
			f := store.EventFilter{Page: p, AccountID: in.AccountID, From: in.From, To: in.To}
			for _, t := range strings.Split(in.Type, ",") {
				if t = strings.TrimSpace(t); t != "" {
					f.Types = append(f.Types, t)
				}
			}
			return h.svc.ListEvents(ctx, callFrom(ctx), f)
		})
	register(a, get("getEvent", "/v1/events/{id}", tagEvents, "Retrieve an event",
		"For an admin, with its deliveries (the delivery id is the webhook-id) and every attempt: status, latency, the start of the answer."),
		func(ctx context.Context, in *struct{ EventPath }) (*api.EventDetail, error) {
			return h.svc.GetEvent(ctx, callFrom(ctx), in.ID)
		})
	register(a, mutate(http.MethodPost, http.StatusOK, "redeliverEvent", "/v1/events/{id}/redeliver", tagEvents,
		"Replay an event", "Sends the event again to every enabled endpoint that subscribes to it, or to endpoint_id. The webhook-id stays the same. Admin only."),
		func(ctx context.Context, in *struct {
			EventPath
			Body *api.Redeliver
		}) (*api.RedeliverResult, error) {
			var body api.Redeliver
			if in.Body != nil {
				body = *in.Body
			}
			return h.svc.RedeliverEvent(ctx, callFrom(ctx), in.ID, body)
		})
	register(a, mutate(http.MethodPost, http.StatusOK, "redeliverEvents", "/v1/events/redeliver", tagEvents,
		"Replay a time range of events", "Sends every event created in [from, to), optionally only of some types, again (at most 10,000). Admin only."),
		func(ctx context.Context, in *struct {
			Body api.Redeliver
		}) (*api.RedeliverResult, error) {
			return h.svc.RedeliverRange(ctx, callFrom(ctx), in.Body)
		})
}
