package httpapi

import (
	"strings"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
)

// An event type Coffer does not know is refused wherever a request names
// one, with a 400 naming the field and listing the types there are.
func TestUnknownEventTypesRefused(t *testing.T) {
	t.Parallel()
	s := newLiveServer(t, true)
	refused := func(r response, param string) {
		t.Helper()
		e := errorOf(t, r)
		if e.Code != coffer.EInvalid || e.Type != "invalid_request_error" || e.Param != param {
			t.Errorf("error %+v, want invalid_request on %s", e, param)
		}
		for _, typ := range service.EventTypes() {
			if !strings.Contains(e.Message, typ) {
				t.Errorf("message %q does not list %s", e.Message, typ)
			}
		}
	}

	for _, bad := range []string{"account.nope", "nope.*", "balance.alert"} {
		r := s.call(t, "POST", "/v1/webhook_endpoints",
			`{"url":"https://example.com/hooks","enabled":false,"event_types":["account.created","`+bad+`"]}`, 400, nil)
		refused(r, "event_types")
	}
	var ep api.WebhookEndpoint
	s.call(t, "POST", "/v1/webhook_endpoints",
		`{"url":"https://example.com/hooks","enabled":false,"event_types":["account.*","balance.alert_triggered","*"]}`, 201, &ep)
	r := s.call(t, "PATCH", "/v1/webhook_endpoints/"+ep.ID, `{"event_types":["purchase.nope"]}`, 400, nil)
	refused(r, "event_types")
	s.call(t, "PATCH", "/v1/webhook_endpoints/"+ep.ID, `{"event_types":["purchase.failed"]}`, 200, &ep)
	if len(ep.EventTypes) != 1 || ep.EventTypes[0] != "purchase.failed" {
		t.Errorf("event types %v after the update", ep.EventTypes)
	}

	rng := `"from":"2026-03-01T00:00:00Z","to":"2026-03-03T00:00:00Z"`
	r = s.call(t, "POST", "/v1/events/redeliver", `{`+rng+`,"types":["account.created","account.nope"]}`, 400, nil)
	refused(r, "types")
	s.call(t, "POST", "/v1/events/redeliver", `{`+rng+`,"types":["account.created"]}`, 200, nil)
}
