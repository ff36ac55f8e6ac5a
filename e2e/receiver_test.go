package e2e

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
)

// receiver is a webhook endpoint on loopback. It verifies every request's
// signature with the official Standard Webhooks library (never Coffer's own
// code), records every request by webhook-id, and fails a share of them.
type receiver struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	verifier *standardwebhooks.Webhook
	failRate float64              // share of requests answered 500
	maxFails int                  // a message that failed this often in a row gets through
	requests map[string]int       // webhook-id → requests received
	fails    map[string]int       // webhook-id → failures in a row
	got      map[string]api.Event // webhook-id → the event, once answered 2xx
	byEvent  map[string][]string  // event id → webhook-ids it arrived under
	block    chan struct{}        // when set, requests wait on it (or on the client giving up)
	arrived  chan string          // webhook-id of each request, if anyone listens
}

func newReceiver(t *testing.T, failRate float64) *receiver {
	r := &receiver{t: t, failRate: failRate, maxFails: 10, requests: map[string]int{}, fails: map[string]int{},
		got: map[string]api.Event{}, byEvent: map[string][]string{}, arrived: make(chan string, 1000)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// setSecret is the endpoint's secret, known once the endpoint is created.
func (r *receiver) setSecret(secret string) {
	v, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		r.t.Fatalf("secret %q: %v", secret, err)
	}
	r.mu.Lock()
	r.verifier = v
	r.mu.Unlock()
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get("webhook-id")
	select {
	case r.arrived <- id:
	default:
	}
	r.mu.Lock()
	block := r.block
	r.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-req.Context().Done():
			return
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[id]++
	if r.verifier == nil {
		r.t.Errorf("webhook %s arrived before the test knew the secret", id)
		http.Error(w, "no secret", http.StatusInternalServerError)
		return
	}
	if err := r.verifier.Verify(body, req.Header); err != nil {
		r.t.Errorf("webhook %s: signature refused by the official library: %v", id, err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if r.fails[id] < r.maxFails && rand.Float64() < r.failRate {
		r.fails[id]++
		http.Error(w, "receiver is having a bad day", http.StatusInternalServerError)
		return
	}
	r.fails[id] = 0
	var ev api.Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" || ev.Type == "" {
		r.t.Errorf("webhook %s: body %s is not an event: %v", id, body, err)
	}
	if _, seen := r.got[id]; !seen {
		r.byEvent[ev.ID] = append(r.byEvent[ev.ID], id)
	}
	r.got[id] = ev
	w.WriteHeader(http.StatusNoContent)
}

// missing returns the events not yet received.
func (r *receiver) missing(ids []string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, id := range ids {
		if len(r.byEvent[id]) == 0 {
			out = append(out, id)
		}
	}
	return out
}

func (r *receiver) requestsFor(webhookID string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[webhookID]
}

func (r *receiver) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.requests {
		n += c
	}
	return n
}

// allEvents lists every event id the server holds, paging through.
func (h *harness) allEvents(p client.EventParams) []api.Event {
	h.t.Helper()
	var out []api.Event
	for {
		page, err := h.admin.ListEvents(h.ctx, p)
		if err != nil {
			h.t.Fatalf("list events: %v", err)
		}
		out = append(out, page.Data...)
		if !page.HasMore {
			return out
		}
		p.StartingAfter = page.Data[len(page.Data)-1].ID
	}
}

// eventsOf filters events by account and type.
func eventsOf(accountID, typ string) client.EventParams {
	return client.EventParams{AccountID: accountID, Types: []string{typ}}
}

func eventIDs(evs []api.Event) []string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	return ids
}

// waitRecorded waits until every delivery of the events is recorded as
// succeeded. A receiver has a request before its sender has recorded the
// answer, so "the receiver got it" is not yet "Coffer knows it was
// delivered".
func waitRecorded(t *testing.T, c *client.Client, ids []string) {
	t.Helper()
	waitFor(t, "every delivery recorded as succeeded", func() bool {
		for _, id := range ids {
			d, err := c.GetEvent(t.Context(), id)
			if err != nil {
				t.Fatalf("event %s: %v", id, err)
			}
			if len(d.Deliveries) == 0 {
				return false
			}
			for _, dl := range d.Deliveries {
				if dl.Status != "succeeded" {
					return false
				}
			}
		}
		return true
	})
}
