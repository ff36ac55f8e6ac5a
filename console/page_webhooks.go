package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/store"
)

// Webhook endpoints, for staff: the list, a form to add one (its signing
// secret shown on that answer only), and an endpoint's page with enable,
// disable, delete after a confirmation, and its deliveries with every
// attempt's outcome and a replay of each. The service allows all of it to
// admin callers only.

func webhooksRoutes() []route {
	return []route{
		{pattern: "GET /webhooks", access: staff, nav: "Webhooks", handle: webhooksPage},
		{pattern: "POST /webhooks", access: staff, handle: createWebhook},
		{pattern: "GET /webhooks/{ep}", access: staff, handle: webhookPage},
		{pattern: "POST /webhooks/{ep}/enable", access: staff, handle: enableWebhook(true)},
		{pattern: "POST /webhooks/{ep}/disable", access: staff, handle: enableWebhook(false)},
		{pattern: "POST /webhooks/{ep}/events/{event}/replay", access: staff, handle: replayDelivery},
		{pattern: "GET /webhooks/{ep}/delete", access: staff, handle: confirmDeleteWebhook},
		{pattern: "POST /webhooks/{ep}/delete", access: staff, handle: deleteWebhook},
	}
}

type webhooksData struct {
	Create *form
	// Created is the endpoint this answer made; its Secret is set only on
	// the answer that made it, not on a form sent again.
	Created     *api.WebhookEndpoint
	Endpoints   []*api.WebhookEndpoint
	Next, First string
}

const webhookFields = "url description event_types"

func webhookForm(values url.Values) *form {
	return newForm("endpoint", values, strings.Fields(webhookFields)...)
}

func webhooksPage(q *request) error {
	return q.renderWebhooks(http.StatusOK, &webhooksData{Create: webhookForm(nil)})
}

func (q *request) renderWebhooks(status int, d *webhooksData) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	qv := q.r.URL.Query()
	list, err := q.c.svc.ListWebhookEndpoints(q.r.Context(), call, store.Page{Limit: pageSize, StartingAfter: qv.Get("starting_after")})
	if err != nil {
		return err
	}
	d.Endpoints = list.Data
	last := ""
	if n := len(list.Data); n > 0 {
		last = list.Data[n-1].ID
	}
	d.Next, d.First = pagerLinks(qv, list.HasMore, last)
	return q.render(status, "webhooks", d)
}

func createWebhook(q *request) error {
	f := webhookForm(q.r.PostForm)
	in := api.WebhookEndpointCreate{URL: strings.TrimSpace(f.Values.Get("url")), Description: strings.TrimSpace(f.Values.Get("description")),
		EventTypes: eventTypeList(f.Values.Get("event_types"))}
	call, err := q.mutation()
	if err != nil {
		return err
	}
	ep, err := service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.WebhookEndpoint, error) {
		return q.c.svc.CreateWebhookEndpoint(ctx, call, in)
	})
	if err == nil {
		// The secret is on this answer only, never in a redirect.
		return q.renderWebhooks(http.StatusCreated, &webhooksData{Create: webhookForm(nil), Created: ep})
	}
	if !f.fail(err) {
		return err
	}
	return q.renderWebhooks(coffer.HTTPStatus(coffer.ErrorCode(err)), &webhooksData{Create: f})
}

// eventTypeList reads the event types field: types separated by commas or
// spaces; none subscribes to every event, as the API's empty list does.
func eventTypeList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r' })
}

type webhookData struct {
	Endpoint *api.WebhookEndpoint
	Toggle   *form // enable or disable
	// Deliveries are the endpoint's, newest first, each with its replay
	// form.
	Deliveries  []deliveryRow
	Next, First string
}

type deliveryRow struct {
	service.EndpointDelivery
	// LastCode is the HTTP status of the last attempt; 0 when none came.
	LastCode int
	Replay   *form
}

func webhookPage(q *request) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	id := q.r.PathValue("ep")
	ep, err := q.c.svc.GetWebhookEndpoint(q.r.Context(), call, id)
	if err != nil {
		return err
	}
	qv := q.r.URL.Query()
	list, err := q.c.svc.ListEndpointDeliveries(q.r.Context(), call, id, store.Page{Limit: pageSize, StartingAfter: qv.Get("starting_after")})
	if err != nil {
		return err
	}
	d := &webhookData{Endpoint: ep, Toggle: newForm("toggle", nil)}
	for _, del := range list.Data {
		row := deliveryRow{EndpointDelivery: del, Replay: newForm("replay-"+del.ID, nil)}
		if n := len(del.Attempts); n > 0 {
			row.LastCode = del.Attempts[n-1].StatusCode
		}
		d.Deliveries = append(d.Deliveries, row)
	}
	last := ""
	if n := len(list.Data); n > 0 {
		last = list.Data[n-1].ID
	}
	d.Next, d.First = pagerLinks(qv, list.HasMore, last)
	return q.render(http.StatusOK, "webhook", d)
}

func enableWebhook(enabled bool) func(*request) error {
	return func(q *request) error {
		call, err := q.mutation()
		if err != nil {
			return err
		}
		id := q.r.PathValue("ep")
		ep, err := service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.WebhookEndpoint, error) {
			return q.c.svc.UpdateWebhookEndpoint(ctx, call, id, api.WebhookEndpointUpdate{Enabled: &enabled})
		})
		if err != nil {
			return err
		}
		done := "Disabled: no new deliveries are made to it."
		if enabled {
			done = "Enabled: new events are delivered to it."
		}
		return q.redirect("/webhooks/"+ep.ID, done)
	}
}

func replayDelivery(q *request) error {
	call, err := q.mutation()
	if err != nil {
		return err
	}
	id, eventID := q.r.PathValue("ep"), q.r.PathValue("event")
	res, err := service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.RedeliverResult, error) {
		return q.c.svc.RedeliverEvent(ctx, call, eventID, api.Redeliver{EndpointID: id})
	})
	if err != nil {
		return err
	}
	notice := "Event " + eventID + " is sent again; the attempt shows here once it is made."
	if res.Deliveries == 0 {
		notice = "Event " + eventID + " was not sent again."
	}
	return q.redirect("/webhooks/"+id, notice)
}

func confirmDeleteWebhook(q *request) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	ep, err := q.c.svc.GetWebhookEndpoint(q.r.Context(), call, q.r.PathValue("ep"))
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "confirm-removal", &removalData{
		Title:  "Delete the webhook endpoint " + ep.URL + "?",
		Lead:   "Its pending deliveries are canceled and no event is sent to it again. Past attempts stay on each event's record.",
		Action: "/webhooks/" + ep.ID + "/delete",
		Button: "Delete endpoint",
		Back:   "/webhooks/" + ep.ID,
		Form:   newForm("delete", nil),
	})
}

func deleteWebhook(q *request) error {
	call, err := q.mutation()
	if err != nil {
		return err
	}
	id := q.r.PathValue("ep")
	if _, err := service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*struct{}, error) {
		return &struct{}{}, q.c.svc.DeleteWebhookEndpoint(ctx, call, id)
	}); err != nil {
		return err
	}
	return q.redirect("/webhooks", "Deleted the webhook endpoint "+id+".")
}
