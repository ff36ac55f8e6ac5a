package console_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/store"
	"github.com/cofferdev/coffer/webhook"
)

// receiver is a webhook endpoint of the test's own: it answers the first
// delivery with a 500 and the rest with a 200, and keeps what it got.
type receiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []*received
	recv chan struct{} // signalled on each delivery
}

type received struct {
	id, timestamp, signature string
	body                     []byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{recv: make(chan struct{}, 10)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, &received{id: r.Header.Get("webhook-id"), timestamp: r.Header.Get("webhook-timestamp"),
			signature: r.Header.Get("webhook-signature"), body: body})
		first := len(rc.got) == 1
		rc.mu.Unlock()
		rc.recv <- struct{}{}
		if first {
			http.Error(w, "not ready yet", http.StatusInternalServerError)
		}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// wait waits for the n-th delivery to arrive and returns it.
func (rc *receiver) wait(t *testing.T, n int) *received {
	t.Helper()
	for {
		rc.mu.Lock()
		k := len(rc.got)
		rc.mu.Unlock()
		if k >= n {
			rc.mu.Lock()
			defer rc.mu.Unlock()
			return rc.got[n-1]
		}
		select {
		case <-rc.recv:
		case <-time.After(20 * time.Second):
			t.Fatalf("delivery %d never came", n)
		}
	}
}

// startSiteOnTestClock starts Coffer as startSite does, on a test clock
// that moves only when told: a failed delivery's retry never falls due by
// itself, so what a test sees delivered again is its replay.
func startSiteOnTestClock(t *testing.T) *site {
	t.Helper()
	return launch(t, "sqlite", app.ServerConfig{TestClock: true})
}

// delivery waits until the endpoint's newest delivery has n attempts
// recorded and returns it. The receiver answers before Coffer records the
// attempt, so a test that saw the request still waits for the record.
func (s *site) delivery(endpointID string, n int) service.EndpointDelivery {
	s.t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(20 * time.Second)
	for {
		list, err := s.srv.Service().ListEndpointDeliveries(s.t.Context(), s.admin, endpointID, store.Page{Limit: 1})
		if err != nil {
			s.t.Fatal(err)
		}
		// An attempt is recorded with the delivery's new state at once.
		if len(list.Data) == 1 && len(list.Data[0].Attempts) >= n {
			return list.Data[0]
		}
		select {
		case <-tick.C:
		case <-deadline:
			s.t.Fatalf("attempt %d at endpoint %s was never recorded: %+v", n, endpointID, list.Data)
		}
	}
}

// Staff add an endpoint pointing at a real receiver and see its signing
// secret once; a grant's event reaches the receiver, signed with that
// secret, and its failed attempt (500) shows on the endpoint's page with
// the retry it waits for; a replay sends it again with the same
// webhook-id and shows it succeeded. Disabling, then deleting after a
// confirmation, take the endpoint out of service.
func TestWebhookEndpointDeliveriesAndReplay(t *testing.T) {
	t.Parallel()
	s := startSiteOnTestClock(t)
	a := s.account("Acme Rockets")
	rc := newReceiver(t)
	b := openTab(t, s)
	b.allowClipboard()
	b.firstSignIn(s.srv.StaffEmail, s.srv.StaffPassword)
	if st := b.visit("/webhooks"); st != http.StatusOK {
		t.Fatalf("the webhooks page answered %d", st)
	}
	b.fill(map[string]string{"#endpoint-url": rc.srv.URL, "#endpoint-event_types": "account.credits.grantd"})
	if st := b.submit("form[action='/webhooks'] button[type=submit]"); st != http.StatusBadRequest {
		t.Fatalf("a misspelt event type answered %d", st)
	}
	if msg := b.text("#endpoint-event_types-error"); !strings.Contains(msg, "not an event type") {
		t.Fatalf("the events' error says %q", msg)
	}
	b.fill(map[string]string{"#endpoint-event_types": "account.credits.granted", "#endpoint-description": "Billing sync"})
	if st := b.submit("form[action='/webhooks'] button[type=submit]"); st != http.StatusCreated {
		t.Fatalf("adding an endpoint answered %d", st)
	}
	if w := b.text(".secret-once"); !strings.Contains(w, "will not be shown again") {
		t.Fatalf("the signing secret's box says %q", w)
	}
	b.shoot("webhook-created")
	secret := b.copySecret("new-signing-secret")
	eps, err := s.srv.Service().ListWebhookEndpoints(t.Context(), s.admin, store.Page{})
	if err != nil || len(eps.Data) != 1 {
		t.Fatalf("endpoints %+v %v", eps, err)
	}
	ep := eps.Data[0]
	b.visit("/webhooks")
	if n, err := b.count("#new-signing-secret"); err != nil || n != 0 {
		t.Fatalf("the signing secret is shown again (%d, %v)", n, err)
	}
	b.shoot("webhooks")

	if _, err := s.srv.Service().CreateGrant(t.Context(), s.admin, a.ID,
		api.GrantCreate{Kind: "monetary", Amount: money.MustParse("10"), Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	first := rc.wait(t, 1)
	ts, _ := strconv.ParseInt(first.timestamp, 10, 64)
	if want, err := webhook.Sign(secret, first.id, time.Unix(ts, 0), first.body); err != nil || want != first.signature {
		t.Fatalf("the delivery is not signed with the secret shown (%v)", err)
	}
	failed := s.delivery(ep.ID, 1)
	if failed.Status != "pending" || failed.NextAttemptAt == nil {
		t.Fatalf("the failed delivery reads %+v", failed)
	}
	b.visit("/webhooks/" + ep.ID)
	row := b.text("#deliveries-title ~ .table-wrap tbody")
	for _, want := range []string{"account.credits.granted", "Pending", "500", "HTTP 500", formatTime(*failed.NextAttemptAt)} {
		if !strings.Contains(row, want) {
			t.Fatalf("the failed delivery's row lacks %q: %q", want, row)
		}
	}
	b.shoot("webhook")

	b.submit("form[action$='/replay'] button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "sent again") {
		t.Fatalf("after the replay: %q", n)
	}
	if again := rc.wait(t, 2); again.id != first.id {
		t.Fatalf("the replay's webhook-id is %s, the first delivery's %s", again.id, first.id)
	}
	s.delivery(ep.ID, 2)
	b.visit("/webhooks/" + ep.ID)
	row = b.text("#deliveries-title ~ .table-wrap tbody")
	for _, want := range []string{"Succeeded", "200"} {
		if !strings.Contains(row, want) {
			t.Fatalf("the replayed delivery's row lacks %q: %q", want, row)
		}
	}

	b.submit("form[action$='/disable'] button[type=submit]")
	if h := b.text("h1"); !strings.Contains(h, "Disabled") {
		t.Fatalf("a disabled endpoint is headed %q", h)
	}
	b.submit("a[href$='/delete']")
	b.submit("form[action$='/delete'] button[type=submit]")
	if n := b.text(".notice"); !strings.Contains(n, "Deleted the webhook endpoint") {
		t.Fatalf("after deleting: %q", n)
	}
	if st := b.visit("/webhooks/" + ep.ID); st != http.StatusNotFound {
		t.Fatalf("a deleted endpoint's page answered %d", st)
	}
}

// formatTime is an instant as the console shows it.
func formatTime(t time.Time) string { return t.UTC().Format("Jan 2, 2006 15:04 UTC") }
