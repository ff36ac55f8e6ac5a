package app_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
)

// A server's /metrics answers in the Prometheus text format, which the
// Prometheus parser reads, with every main family present and counting
// what the test did: requests by route pattern, debits and holds accepted
// and refused by code, committer batches, store phases, the outbox, jobs,
// and the Go runtime and process.
func TestMetricsScrape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, err := app.StartServer(ctx, app.ServerConfig{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "coffer.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	if srv.MetricsURL() != srv.URL()+"/metrics" {
		t.Fatalf("metrics at %q, want the API's listener", srv.MetricsURL())
	}
	c := client.New(srv.URL(), client.WithAPIKey(srv.AdminKey), client.WithMaxAttempts(1))

	zero := money.Amount(0)
	acct, err := c.CreateAccount(ctx, api.AccountCreate{Name: "metrics", Currency: "USD", CreditLimit: &zero})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateGrant(ctx, acct.ID, api.GrantCreate{Amount: money.MustParse("1.00"), Category: "paid"}); err != nil {
		t.Fatal(err)
	}
	small, big := money.MustParse("0.25"), money.MustParse("100.00")
	for i, amt := range []*money.Amount{&small, &small, &big} {
		_, err := c.Debit(ctx, api.DebitCreate{AccountID: acct.ID, EventID: "ev" + string(rune('a'+i)), Amount: amt})
		if (err != nil) != (amt == &big) {
			t.Fatalf("debit %d of %s: %v", i, amt, err)
		}
	}
	if _, err := c.CreateHold(ctx, api.HoldCreate{AccountID: acct.ID, Amount: small, TTL: "1m"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateHold(ctx, api.HoldCreate{AccountID: acct.ID, Amount: big, TTL: "1m"}); err == nil {
		t.Fatal("a hold past the balance was placed")
	}
	if _, err := c.GetAccount(ctx, acct.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAccount(ctx, "acct_nosuchaccount"); err == nil {
		t.Fatal("an unknown account was found")
	}

	// The delivery job makes a first pass when it starts; wait for the
	// scrape that shows it, polling rather than sleeping.
	var fams map[string]*dto.MetricFamily
	deadline := time.NewTimer(time.Minute)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		fams = scrape(t, srv.MetricsURL())
		if sum(fams, "coffer_job_runs_total", map[string]string{"job": "delivery"}) >= 1 {
			break
		}
		select {
		case <-deadline.C:
			t.Fatal("no run of the delivery job was counted")
		case <-tick.C:
		}
	}

	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "coffer_committer_queue_depth",
		"coffer_committers", "coffer_outbox_backlog", "coffer_outbox_oldest_age_seconds", "coffer_job_last_success_timestamp_seconds"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	check := func(name string, labels map[string]string, min float64) {
		t.Helper()
		if got := sum(fams, name, labels); got < min {
			t.Errorf("%s%v = %v, want at least %v", name, labels, got, min)
		}
	}
	check("coffer_http_requests_total", map[string]string{"route": "POST /v1/debits", "status": "201"}, 2)
	check("coffer_http_requests_total", map[string]string{"route": "GET /v1/accounts/{id}", "status": "200"}, 1)
	check("coffer_http_requests_total", map[string]string{"route": "GET /v1/accounts/{id}"}, 2) // the unknown one too
	check("coffer_http_request_duration_seconds", map[string]string{"route": "POST /v1/debits"}, 3)
	check("coffer_debits_total", map[string]string{"result": "accepted"}, 2)
	check("coffer_debits_total", map[string]string{"result": "refused", "code": coffer.EInsufficientBalance}, 1)
	check("coffer_holds_total", map[string]string{"result": "accepted"}, 1)
	check("coffer_holds_total", map[string]string{"result": "refused", "code": coffer.EInsufficientBalance}, 1)
	check("coffer_committer_batch_size", nil, 6)
	check("coffer_committer_busy_seconds_total", nil, 0)
	check("coffer_store_batch_phase_seconds", map[string]string{"phase": "commit"}, 6)
	check("coffer_job_runs_total", map[string]string{"job": "delivery"}, 1)
	for _, m := range fams["coffer_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" && strings.Contains(l.GetValue(), "acct_") {
				t.Errorf("a route label carries a raw path: %q", l.GetValue())
			}
		}
	}
	if got := sum(fams, "coffer_committer_queue_depth", nil); got != 0 {
		t.Errorf("queue depth %v at rest, want 0", got)
	}
	if got := sum(fams, "coffer_committer_busy_seconds_total", nil); got <= 0 {
		t.Errorf("busy seconds %v after batches, want above 0", got)
	}
}

// A server told --metrics-addr=off serves no /metrics, and one given an
// address serves them there and not beside the API.
func TestMetricsAddr(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	off, err := app.StartServer(ctx, app.ServerConfig{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "off.db"),
		Metrics: app.MetricsConfig{Addr: app.MetricsOff}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = off.Close() })
	if off.MetricsURL() != "" || status(t, off.URL()+"/metrics") != http.StatusNotFound {
		t.Error("metrics served while off")
	}
	own, err := app.StartServer(ctx, app.ServerConfig{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "own.db"),
		Metrics: app.MetricsConfig{Addr: "127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = own.Close() })
	if status(t, own.URL()+"/metrics") != http.StatusNotFound {
		t.Error("metrics served on the API's listener as well as their own")
	}
	if fams := scrape(t, own.MetricsURL()); fams["coffer_committers"] == nil {
		t.Error("no coffer_committers on the metrics listener")
	}
}

func status(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// scrape reads url with the Prometheus text parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return fams
}

// sum adds the values of a family's series whose labels include want: a
// counter's or gauge's value, a histogram's count.
func sum(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	total := 0.0
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			total += m.Counter.GetValue()
		case m.Gauge != nil:
			total += m.Gauge.GetValue()
		case m.Histogram != nil:
			total += float64(m.Histogram.GetSampleCount())
		}
	}
	return total
}
