package service

import (
	"context"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/store"
)

// maxRedeliver bounds one range replay.
const maxRedeliver = 10_000

// ListEvents lists outbox events newest first. An admin sees every event;
// an account key only its own account's.
func (s *Service) ListEvents(ctx context.Context, c Call, f store.EventFilter) (*api.List[api.Event], error) {
	if c.Caller.Role != coffer.RoleAdmin {
		if f.AccountID == "" {
			f.AccountID = c.Caller.AccountID
		}
		if err := authorize(c.Caller, f.AccountID, readAccount); err != nil {
			return nil, err
		}
	}
	if f.AccountID != "" {
		if err := coffer.CheckID("account_id", coffer.PrefixAccount, f.AccountID); err != nil {
			return nil, err
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, coffer.Invalid("to", "must be after from")
	}
	p, err := page(f.Page, coffer.PrefixEvent)
	if err != nil {
		return nil, err
	}
	f.Page = p
	list, more, err := s.store.ListEvents(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &api.List[api.Event]{Data: []api.Event{}, HasMore: more}
	for _, e := range list {
		out.Data = append(out.Data, eventView(e))
	}
	return out, nil
}

// GetEvent shows an event with its deliveries and every attempt.
func (s *Service) GetEvent(ctx context.Context, c Call, id string) (*api.EventDetail, error) {
	if err := coffer.CheckID("id", coffer.PrefixEvent, id); err != nil {
		return nil, err
	}
	ev, err := s.store.GetEvent(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Caller.Role != coffer.RoleAdmin {
		if err := authorize(c.Caller, ev.AccountID, readAccount); err != nil || ev.AccountID == "" {
			return nil, coffer.Errorf(coffer.ENotFound, "event %s not found", id)
		}
	}
	out := &api.EventDetail{Event: eventView(ev), Deliveries: []api.Delivery{}}
	if c.Caller.Role != coffer.RoleAdmin {
		return out, nil // deliveries name the operator's endpoints
	}
	ds, atts, err := s.store.ListDeliveries(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		out.Deliveries = append(out.Deliveries, deliveryView(d, atts[d.ID]))
	}
	return out, nil
}

// RedeliverEvent sends one event again to every enabled endpoint that
// subscribes to it, or to the one named. The webhook-id stays the same, so
// a receiver that already processed it can tell. Admin only.
func (s *Service) RedeliverEvent(ctx context.Context, c Call, id string, in api.Redeliver) (*api.RedeliverResult, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixEvent, id); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name  string
		given bool
	}{{"from", in.From != nil}, {"to", in.To != nil}, {"types", len(in.Types) > 0}} {
		if f.given {
			return nil, coffer.Invalid(f.name, "belongs to POST /v1/events/redeliver; this form replays one event")
		}
	}
	ev, err := s.store.GetEvent(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.redeliver(ctx, []api.Event{eventView(ev)}, in.EndpointID)
}

// RedeliverRange replays every event created in [from, to), optionally of
// some types, at most 10,000 at once. Admin only.
func (s *Service) RedeliverRange(ctx context.Context, c Call, in api.Redeliver) (*api.RedeliverResult, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if in.From == nil {
		return nil, coffer.Invalid("from", "is required: with to, the range of creation times to replay")
	}
	if in.To == nil {
		return nil, coffer.Invalid("to", "is required: with from, the range of creation times to replay")
	}
	if err := checkEventTypes("types", in.Types); err != nil {
		return nil, err
	}
	for _, t := range in.Types {
		if err := checkEventType("types", t); err != nil {
			return nil, err
		}
	}
	var evs []api.Event
	f := store.EventFilter{Types: in.Types, From: *in.From, To: *in.To, Page: store.Page{Limit: 100}}
	for {
		list, err := s.ListEvents(ctx, c, f)
		if err != nil {
			return nil, err
		}
		evs = append(evs, list.Data...)
		if len(evs) > maxRedeliver {
			return nil, coffer.Invalid("from", "the range holds more than %d events; replay a shorter one", maxRedeliver)
		}
		if !list.HasMore {
			break
		}
		f.StartingAfter = list.Data[len(list.Data)-1].ID
	}
	return s.redeliver(ctx, evs, in.EndpointID)
}

func (s *Service) redeliver(ctx context.Context, evs []api.Event, endpointID string) (*api.RedeliverResult, error) {
	var eps []*coffer.WebhookEndpoint
	if endpointID != "" {
		if err := coffer.CheckID("endpoint_id", coffer.PrefixWebhookEndpoint, endpointID); err != nil {
			return nil, err
		}
		ep, err := s.store.GetWebhookEndpoint(ctx, endpointID)
		if err != nil {
			return nil, err
		}
		if !ep.Enabled {
			return nil, coffer.Invalid("endpoint_id", "endpoint %s is disabled; enable it first", endpointID)
		}
		eps = []*coffer.WebhookEndpoint{ep}
	} else {
		p := store.Page{Limit: 100}
		for {
			list, more, err := s.store.ListWebhookEndpoints(ctx, p)
			if err != nil {
				return nil, err
			}
			for _, ep := range list {
				if ep.Enabled {
					eps = append(eps, ep)
				}
			}
			if !more {
				break
			}
			p.StartingAfter = list[len(list)-1].ID
		}
	}
	now := s.now()
	var ds []*coffer.Delivery
	for _, ev := range evs {
		for _, ep := range eps {
			if endpointID == "" && !wants(ep, ev.Type) {
				continue
			}
			ds = append(ds, &coffer.Delivery{ID: s.ids.New(coffer.PrefixDelivery, now), EventID: ev.ID,
				Channel: coffer.ChannelWebhook, EndpointID: ep.ID, Status: coffer.DeliveryPending,
				NextAttemptAt: now, CreatedAt: now, UpdatedAt: now})
		}
	}
	if err := s.store.ScheduleDeliveries(ctx, ds); err != nil {
		return nil, err
	}
	if s.notifier != nil {
		s.notifier.poke()
	}
	return &api.RedeliverResult{Object: "redelivery", Events: len(evs), Deliveries: len(ds)}, nil
}
