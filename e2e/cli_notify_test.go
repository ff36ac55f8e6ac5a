package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/api"
)

// cli runs the coffer binary against the harness's server with its admin
// key, given as flags.
func (h *harness) cli(args ...string) (string, error) {
	h.t.Helper()
	out, errOut, err := runCoffer(h.t, nil, append(args, "--url", h.srv.URL(), "--api-key", h.srv.AdminKey)...)
	return out + errOut, err
}

// TestNotifyCLI drives alerts, webhook endpoints and events through the
// command line against a real server.
func TestNotifyCLI(t *testing.T) {
	t.Parallel()
	h := startWith(t, filepath.Join(t.TempDir(), "coffer.db"), nil)
	rcv := newReceiver(t, 0)
	a := h.account("CLI", "")

	out, err := h.cli("alerts", "set", a.ID, "--threshold", "75", "--threshold", "20", "--email", "cfo@cli.test")
	if err != nil || !strings.Contains(out, "owner") || !strings.Contains(out, "75.00 USD") || !strings.Contains(out, "cfo@cli.test") {
		t.Fatalf("alerts set: %v\n%s", err, out)
	}
	out, err = h.cli("alerts", "set", a.ID, "--threshold", "1", "--threshold", "2", "--threshold", "3", "--threshold", "4")
	if err == nil || !strings.Contains(err.Error(), "has 4 thresholds; an account may have at most 3") {
		t.Fatalf("a fourth threshold: %v\n%s", err, out)
	}

	out, err = h.cli("webhooks", "create", "--endpoint-url", rcv.srv.URL, "--json")
	if err != nil {
		t.Fatalf("webhooks create: %v\n%s", err, out)
	}
	var ep api.WebhookEndpoint
	if err := json.Unmarshal([]byte(out), &ep); err != nil || !strings.HasPrefix(ep.Secret, "whsec_") {
		t.Fatalf("created %q: %v", out, err)
	}
	rcv.setSecret(ep.Secret)
	out, err = h.cli("webhooks", "list")
	if err != nil || !strings.Contains(out, ep.ID) || !strings.Contains(out, "enabled") || strings.Contains(out, "whsec_") {
		t.Fatalf("webhooks list: %v\n%s", err, out)
	}

	h.grant(a.ID, api.GrantCreate{Amount: amt("100.00")})
	if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "1", Amount: amtp("30.00")}); err != nil {
		t.Fatal(err)
	}
	out, err = h.cli("events", "list", "--type", "balance.alert_triggered", "--account", a.ID)
	if err != nil || strings.Count(out, "balance.alert_triggered") != 1 {
		t.Fatalf("events list: %v\n%s", err, out)
	}
	alerts := h.allEvents(eventsOf(a.ID, "balance.alert_triggered"))
	waitFor(t, "the alert webhook", func() bool { return len(rcv.missing(eventIDs(alerts))) == 0 })
	waitRecorded(t, h.admin, eventIDs(alerts))
	out, err = h.cli("events", "get", alerts[0].ID)
	if err != nil || !strings.Contains(out, "threshold=75.00") || !strings.Contains(out, "succeeded") || !strings.Contains(out, "204") {
		t.Fatalf("events get: %v\n%s", err, out)
	}
	out, err = h.cli("events", "redeliver", alerts[0].ID)
	if err != nil || !strings.Contains(out, "Deliveries  1") {
		t.Fatalf("events redeliver: %v\n%s", err, out)
	}
	out, err = h.cli("webhooks", "update", ep.ID, "--rotate-secret", "--disable")
	if err != nil || !strings.Contains(out, "disabled") || !strings.Contains(out, "whsec_") {
		t.Fatalf("webhooks update: %v\n%s", err, out)
	}
	out, err = h.cli("webhooks", "delete", ep.ID)
	if err != nil || !strings.Contains(out, "deleted") {
		t.Fatalf("webhooks delete: %v\n%s", err, out)
	}
}
