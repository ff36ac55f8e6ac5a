package service

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/store"
)

// EndpointDelivery is one delivery to a webhook endpoint, with the event
// it carries, as the console's endpoint page shows it.
type EndpointDelivery struct {
	api.Delivery
	EventID   string
	EventType string
	CreatedAt time.Time
}

// ListEndpointDeliveries lists an endpoint's deliveries newest first,
// each with its event and every attempt. Admin only, like the endpoints
// and the deliveries GET /v1/events/{id} shows.
func (s *Service) ListEndpointDeliveries(ctx context.Context, c Call, endpointID string, p store.Page) (*api.List[EndpointDelivery], error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixWebhookEndpoint, endpointID); err != nil {
		return nil, err
	}
	p, err := page(p, coffer.PrefixDelivery)
	if err != nil {
		return nil, err
	}
	// A deleted endpoint's deliveries stay on record, but it has no page.
	if _, err := s.store.GetWebhookEndpoint(ctx, endpointID); err != nil {
		return nil, err
	}
	ds, more, atts, err := s.store.ListEndpointDeliveries(ctx, endpointID, p)
	if err != nil {
		return nil, err
	}
	out := &api.List[EndpointDelivery]{Data: []EndpointDelivery{}, HasMore: more}
	types := map[string]string{} // event id → type, read once per event
	for _, d := range ds {
		typ, ok := types[d.EventID]
		if !ok {
			ev, err := s.store.GetEvent(ctx, d.EventID)
			if err != nil {
				return nil, err
			}
			typ, types[d.EventID] = ev.Type, ev.Type
		}
		out.Data = append(out.Data, EndpointDelivery{Delivery: deliveryView(d, atts[d.ID]), EventID: d.EventID,
			EventType: typ, CreatedAt: d.CreatedAt})
	}
	return out, nil
}

// deliveryView is a delivery with its attempts as the API shows it.
func deliveryView(d *coffer.Delivery, atts []*coffer.Attempt) api.Delivery {
	v := api.Delivery{ID: d.ID, Channel: string(d.Channel), EndpointID: d.EndpointID, Status: string(d.Status),
		LastError: d.LastError, Attempts: []api.Attempt{}}
	if !d.NextAttemptAt.IsZero() {
		at := d.NextAttemptAt
		v.NextAttemptAt = &at
	}
	for _, a := range atts {
		v.Attempts = append(v.Attempts, api.Attempt{N: a.N, StatusCode: a.StatusCode, LatencyMS: a.Latency.Milliseconds(),
			Response: a.Response, Succeeded: a.Succeeded, AttemptedAt: a.AttemptedAt})
	}
	return v
}
