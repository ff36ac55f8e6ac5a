package service

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/store"
	"github.com/cofferdev/coffer/webhook"
)

const (
	maxEndpointTypes = 50
	maxURL           = 2048
)

// CreateWebhookEndpoint adds an endpoint and shows its secret, once.
// Admin only.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, c Call, in api.WebhookEndpointCreate) (*api.WebhookEndpoint, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	now := s.now()
	secret := webhook.NewSecret()
	e := &coffer.WebhookEndpoint{ID: s.ids.New(coffer.PrefixWebhookEndpoint, now), URL: strings.TrimSpace(in.URL),
		Description: in.Description, EventTypes: in.EventTypes, Enabled: in.Enabled == nil || *in.Enabled,
		CreatedAt: now, UpdatedAt: now}
	e.Secret = sealSecret(s.cfg.Secrets, e.ID, secret)
	if err := checkEndpoint(e); err != nil {
		return nil, err
	}
	if err := checkSubscriptions(e.EventTypes); err != nil {
		return nil, err
	}
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.WebhookEndpoint) error) (*api.WebhookEndpoint, error) {
		v := endpointView(e)
		// A replay must not hand the secret out again: the stored answer
		// is the endpoint without it.
		if err := encode(v); err != nil {
			return nil, err
		}
		v.Secret = secret
		if err := s.store.CreateWebhookEndpoint(ctx, e, rec); err != nil {
			return nil, err
		}
		return v, nil
	})
}

// GetWebhookEndpoint shows an endpoint without its secret. Admin only.
func (s *Service) GetWebhookEndpoint(ctx context.Context, c Call, id string) (*api.WebhookEndpoint, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixWebhookEndpoint, id); err != nil {
		return nil, err
	}
	e, err := s.store.GetWebhookEndpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	return endpointView(e), nil
}

// ListWebhookEndpoints lists endpoints oldest first. Admin only.
func (s *Service) ListWebhookEndpoints(ctx context.Context, c Call, p store.Page) (*api.List[*api.WebhookEndpoint], error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	p, err := page(p, coffer.PrefixWebhookEndpoint)
	if err != nil {
		return nil, err
	}
	list, more, err := s.store.ListWebhookEndpoints(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &api.List[*api.WebhookEndpoint]{Data: []*api.WebhookEndpoint{}, HasMore: more}
	for _, e := range list {
		out.Data = append(out.Data, endpointView(e))
	}
	return out, nil
}

// UpdateWebhookEndpoint changes an endpoint; rotate_secret replaces the
// secret and shows the new one, once. Re-enabling an endpoint clears its
// failing mark. Admin only.
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, c Call, id string, in api.WebhookEndpointUpdate) (*api.WebhookEndpoint, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixWebhookEndpoint, id); err != nil {
		return nil, err
	}
	now := s.now()
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.WebhookEndpoint) error) (*api.WebhookEndpoint, error) {
		return s.updateEndpoint(ctx, id, in, now, rec, encode)
	})
}

func (s *Service) updateEndpoint(ctx context.Context, id string, in api.WebhookEndpointUpdate, now time.Time,
	rec *store.Idempotency, encode func(*api.WebhookEndpoint) error) (*api.WebhookEndpoint, error) {
	var v *api.WebhookEndpoint
	var secret string
	_, err := s.store.UpdateWebhookEndpoint(ctx, id, func(e *coffer.WebhookEndpoint) error {
		if in.URL != nil {
			e.URL = strings.TrimSpace(*in.URL)
		}
		if in.Description != nil {
			e.Description = *in.Description
		}
		if in.EventTypes != nil {
			if err := checkSubscriptions(*in.EventTypes); err != nil {
				return err
			}
			e.EventTypes = *in.EventTypes
		}
		if in.Enabled != nil {
			if *in.Enabled && !e.Enabled {
				e.FailingSince = time.Time{}
			}
			e.Enabled = *in.Enabled
		}
		secret = ""
		if in.RotateSecret {
			secret = webhook.NewSecret()
			e.Secret = sealSecret(s.cfg.Secrets, e.ID, secret)
		}
		e.UpdatedAt = now
		if err := checkEndpoint(e); err != nil {
			return err
		}
		// The answer is known before the save, so it is stored with it —
		// without the new secret, which a replay must not hand out again.
		v = endpointView(e)
		return encode(v)
	}, rec)
	if err != nil {
		return nil, err
	}
	v.Secret = secret
	return v, nil
}

// DeleteWebhookEndpoint removes an endpoint and cancels its pending
// deliveries. Admin only.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, c Call, id string) error {
	if err := adminOnly(c.Caller); err != nil {
		return err
	}
	if err := coffer.CheckID("id", coffer.PrefixWebhookEndpoint, id); err != nil {
		return err
	}
	return s.store.DeleteWebhookEndpoint(ctx, id, s.now())
}

func checkEndpoint(e *coffer.WebhookEndpoint) error {
	u, err := url.Parse(e.URL)
	if e.URL == "" {
		return coffer.Invalid("url", "is required")
	}
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(e.URL) > maxURL {
		return coffer.Invalid("url", "must be an absolute http or https URL such as \"https://example.com/hooks\", got %q", e.URL)
	}
	if err := checkText("description", e.Description, maxName); err != nil {
		return err
	}
	return checkEventTypes("event_types", e.EventTypes)
}

// checkSubscriptions checks the event_types a request sets. Only then:
// an endpoint saved before a type was dropped stays editable.
func checkSubscriptions(types []string) error {
	for _, t := range types {
		if err := checkSubscription(t); err != nil {
			return err
		}
	}
	return nil
}

func endpointView(e *coffer.WebhookEndpoint) *api.WebhookEndpoint {
	v := &api.WebhookEndpoint{ID: e.ID, Object: "webhook_endpoint", URL: e.URL, Description: e.Description,
		EventTypes: e.EventTypes, Enabled: e.Enabled, Status: "enabled", CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
	if v.EventTypes == nil {
		v.EventTypes = []string{}
	}
	if !e.Enabled {
		v.Status = "disabled"
	}
	if !e.FailingSince.IsZero() {
		at := e.FailingSince
		v.FailingSince = &at
		if e.Enabled {
			v.Status = "failing"
		}
	}
	return v
}
