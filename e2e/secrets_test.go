package e2e

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/secretbox"
)

// newSecretsKey is a fresh --secrets-key, in base64 or in hex.
func newSecretsKey(t *testing.T, asHex bool) (string, string) {
	t.Helper()
	b := make([]byte, 32)
	rand.Read(b)
	s := base64.StdEncoding.EncodeToString(b)
	if asHex {
		s = hex.EncodeToString(b)
	}
	k, err := secretbox.ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return s, k.ID()
}

// rawRow reads one text value with SQL straight from the store's database,
// behind Coffer's back.
func rawRow(t *testing.T, dsn, query string, args ...any) string {
	t.Helper()
	var v []byte
	if strings.HasPrefix(dsn, "postgres") {
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if err := conn.QueryRow(t.Context(), query, args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return string(v)
	}
	db, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRowContext(t.Context(), query, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return string(v)
}

func storedSecret(t *testing.T, dsn, endpointID string) string {
	return rawRow(t, dsn, "SELECT secret FROM webhook_endpoints WHERE id = $1", endpointID)
}

func storedAnswer(t *testing.T, dsn, idemKey string) string {
	return rawRow(t, dsn, "SELECT body FROM idempotency WHERE key = $1", idemKey)
}

// delivered raises an event (an account opened) and waits until the
// receiver got it with a signature the official library accepted.
func delivered(t *testing.T, h *harness, rcv *receiver, name string) {
	t.Helper()
	a := h.account(name, "")
	evs := h.allEvents(client.EventParams{AccountID: a.ID, Types: []string{"account.created"}})
	if len(evs) != 1 {
		t.Fatalf("events of %s: %+v", a.ID, evs)
	}
	waitFor(t, "the delivery of "+evs[0].ID, func() bool { return len(rcv.missing(eventIDs(evs))) == 0 })
}

// restarted starts a server on a store that already has its admin key.
func restarted(t *testing.T, dsn, adminKey string, keys app.SecretsKeys) (*harness, func()) {
	t.Helper()
	h, stop := startStoppable(t, dsn, func(c *app.ServerConfig) { c.Secrets = keys })
	h.admin = h.client(client.WithAPIKey(adminKey))
	return h, stop
}

// TestWebhookSecretsEncryptedAtRest: with --secrets-key the secrets column
// holds ciphertext, not the secret; neither the create's nor the rotate's
// saved idempotent answer holds the secret, and a replay answers without
// it; deliveries verify with the official library before and after the
// rotation.
func TestWebhookSecretsEncryptedAtRest(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		key, id := newSecretsKey(t, false)
		h := startWith(t, dsn, func(c *app.ServerConfig) { c.Secrets = app.SecretsKeys{Current: key} })
		rcv := newReceiver(t, 0)
		in := api.WebhookEndpointCreate{URL: rcv.srv.URL, EventTypes: []string{"account.created"}}
		ep, err := h.admin.CreateWebhookEndpoint(h.ctx, in, client.WithIdempotencyKey("ik_create_ep"))
		if err != nil || !strings.HasPrefix(ep.Secret, "whsec_") {
			t.Fatalf("create %+v %v", ep, err)
		}
		rcv.setSecret(ep.Secret)
		notIn := func(what, stored, secret string) {
			t.Helper()
			if stored == "" || strings.Contains(stored, secret) || strings.Contains(stored, strings.TrimPrefix(secret, "whsec_")) {
				t.Fatalf("%s holds the secret %s: %q", what, secret, stored)
			}
		}
		raw := storedSecret(t, dsn, ep.ID)
		notIn("the secret column", raw, ep.Secret)
		if !strings.HasPrefix(raw, "enc:v1:"+id+":") {
			t.Fatalf("the secret column %q is not sealed with key %s", raw, id)
		}
		notIn("the create's saved answer", storedAnswer(t, dsn, "ik_create_ep"), ep.Secret)
		again, err := h.admin.CreateWebhookEndpoint(h.ctx, in, client.WithIdempotencyKey("ik_create_ep"))
		if err != nil || again.ID != ep.ID || again.Secret != "" {
			t.Fatalf("replayed create %+v %v: want endpoint %s without its secret", again, err, ep.ID)
		}
		delivered(t, h, rcv, "Before rotation")

		rot, err := h.admin.UpdateWebhookEndpoint(h.ctx, ep.ID, api.WebhookEndpointUpdate{RotateSecret: true},
			client.WithIdempotencyKey("ik_rotate_ep"))
		if err != nil || rot.Secret == "" || rot.Secret == ep.Secret {
			t.Fatalf("rotate %+v %v", rot, err)
		}
		rcv.setSecret(rot.Secret)
		notIn("the secret column after rotation", storedSecret(t, dsn, ep.ID), rot.Secret)
		notIn("the rotate's saved answer", storedAnswer(t, dsn, "ik_rotate_ep"), rot.Secret)
		again, err = h.admin.UpdateWebhookEndpoint(h.ctx, ep.ID, api.WebhookEndpointUpdate{RotateSecret: true},
			client.WithIdempotencyKey("ik_rotate_ep"))
		if err != nil || again.Secret != "" {
			t.Fatalf("replayed rotate %+v %v: want no secret", again, err)
		}
		delivered(t, h, rcv, "After rotation")
	})
}

// TestSecretsKeyRotation walks the documented path: secrets written in the
// clear (as before encryption) keep working under a key and get encrypted
// by `coffer secrets rotate`; a new key beside the previous one opens both,
// and a rotation while the server runs moves every secret to the new key;
// deliveries verify throughout. A server started with the wrong key, or
// none, refuses to start naming --secrets-key.
func TestSecretsKeyRotation(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		k1, id1 := newSecretsKey(t, false)
		k2, id2 := newSecretsKey(t, true)
		rcv := newReceiver(t, 0)

		h, stop := startStoppable(t, dsn, nil)
		adminKey := h.srv.AdminKey
		ep, err := h.admin.CreateWebhookEndpoint(h.ctx, api.WebhookEndpointCreate{URL: rcv.srv.URL,
			EventTypes: []string{"account.created"}})
		if err != nil {
			t.Fatal(err)
		}
		rcv.setSecret(ep.Secret)
		if raw := storedSecret(t, dsn, ep.ID); raw != ep.Secret {
			t.Fatalf("without a key the column should hold the secret as is, got %q", raw)
		}
		stop()

		// The plaintext secret still signs under a key.
		h, stop = restarted(t, dsn, adminKey, app.SecretsKeys{Current: k1})
		delivered(t, h, rcv, "Plaintext under k1")
		stop()
		out, err := runAdmin(t, "secrets", "rotate", "--db", dsn, "--secrets-key", k1)
		if err != nil || !strings.Contains(out, "re-encrypted 1 ") {
			t.Fatalf("rotate to k1: %v\n%s", err, out)
		}
		if raw := storedSecret(t, dsn, ep.ID); !strings.HasPrefix(raw, "enc:v1:"+id1+":") || strings.Contains(raw, ep.Secret) {
			t.Fatalf("after the rotation the column holds %q, want it sealed with %s", raw, id1)
		}

		// A new key, with the previous one to decrypt; rotate while the
		// server runs.
		h, stop = restarted(t, dsn, adminKey, app.SecretsKeys{Current: k2, Previous: []string{k1}})
		delivered(t, h, rcv, "k1 under k2")
		out, err = runAdmin(t, "secrets", "rotate", "--db", dsn, "--secrets-key", k2, "--secrets-key-previous", k1)
		if err != nil || !strings.Contains(out, "re-encrypted 1 ") {
			t.Fatalf("rotate to k2: %v\n%s", err, out)
		}
		if raw := storedSecret(t, dsn, ep.ID); !strings.HasPrefix(raw, "enc:v1:"+id2+":") {
			t.Fatalf("after the second rotation the column holds %q, want it sealed with %s", raw, id2)
		}
		delivered(t, h, rcv, "Rotated to k2")
		out, err = runAdmin(t, "secrets", "rotate", "--db", dsn, "--secrets-key", k2)
		if err != nil || !strings.Contains(out, "re-encrypted 0 ") {
			t.Fatalf("a second rotate should change nothing: %v\n%s", err, out)
		}
		stop()

		// Wrong key, or none: a refusal naming the flag, before serving.
		for _, keys := range []app.SecretsKeys{{Current: k1}, {}} {
			_, err := app.StartServer(t.Context(), app.ServerConfig{Addr: "127.0.0.1:0", DB: dsn, Secrets: keys})
			if err == nil || !strings.Contains(err.Error(), "--secrets-key") || strings.Contains(err.Error(), k1) {
				t.Fatalf("start with keys %v: %v, want a refusal naming --secrets-key", keys, err)
			}
		}
		out, err = runAdmin(t, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--secrets-key", k1)
		if err == nil || !strings.Contains(err.Error(), "--secrets-key") {
			t.Fatalf("serve with the wrong key: %v\n%s", err, out)
		}
		h, stop = restarted(t, dsn, adminKey, app.SecretsKeys{Current: k2})
		delivered(t, h, rcv, "k2 alone")
		stop()
	})
}

func TestSecretsKeyFlags(t *testing.T) {
	t.Parallel()
	db := t.TempDir() + "/coffer.db"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--secrets-key", "c2hvcnQ="}, "--secrets-key (env COFFER_SECRETS_KEY) is not a key: it decodes to 5 bytes"},
		{[]string{"--secrets-key", strings.Repeat("g", 64)}, "--secrets-key (env COFFER_SECRETS_KEY) is not a key"},
		{[]string{"--secrets-key-previous", strings.Repeat("a", 64)}, "--secrets-key-previous needs --secrets-key"},
	} {
		out, err := runAdmin(t, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve %v: %v, want %q\n%s", tc.args, err, tc.want, out)
		}
	}
	if _, err := runAdmin(t, "secrets", "rotate", "--db", db); err == nil || !strings.Contains(err.Error(), "--secrets-key") {
		t.Errorf("rotate without a key: %v", err)
	}
}

// TestAdminKeyStaysOutOfTheLog runs `coffer serve` with the JSON log
// captured: the first admin key is in the banner on stdout and nowhere in
// the log on stderr, after requests that carry it (good, refused, failed),
// and the log warns that webhook secrets are stored in the clear.
func TestAdminKeyStaysOutOfTheLog(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		stdout, stderr := newProcOutput(), newProcOutput()
		ctx := t.Context()
		serve := exec.Command(cofferBin, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--log-format", "json", "--log-level", "debug")
		serve.Stdout, serve.Stderr = stdout, stderr
		if err := serve.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- serve.Wait() }()
		// A failed test leaves no server behind; after a clean exit this
		// does nothing.
		defer func() { _ = serve.Process.Kill() }()
		var url string
		select {
		case url = <-stderr.serving:
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s%s", err, stdout.String(), stderr.String())
		}
		// The banner is written before the serving line, but on another
		// pipe, copied by another goroutine: it may arrive after it.
		waitFor(t, "the admin key on stdout or stderr", func() bool { return stdout.adminKey() != "" || stderr.adminKey() != "" })
		key := stdout.adminKey()
		if key == "" || !strings.Contains(stdout.String(), "Created the first admin API key") {
			t.Errorf("no admin key in the banner on stdout:\n%s", stdout.String())
			// Go on with the key wherever it went, so the check of the
			// log below says whether it went there.
			if key = stderr.adminKey(); key == "" {
				t.FailNow()
			}
		}

		c := client.New(url, client.WithAPIKey(key))
		a, err := c.CreateAccount(ctx, api.AccountCreate{Name: "Logged", Currency: "USD"}, client.WithIdempotencyKey("ik_logged"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetAccount(ctx, "acct_missing"); client.ErrorCode(err) != "invalid_request" && client.ErrorCode(err) != "not_found" {
			t.Fatalf("missing account: %v", err)
		}
		if _, err := c.CreateAccount(ctx, api.AccountCreate{Name: "Other", Currency: "USD"}, client.WithIdempotencyKey("ik_logged")); err == nil {
			t.Fatal("a reused Idempotency-Key was accepted")
		}
		for _, authz := range []string{key, "Bearer " + key + "x", "Basic " + base64.StdEncoding.EncodeToString([]byte(a.ID+":"+key))} {
			if code := rawGet(t, url+"/v1/accounts/"+a.ID+"?api_key="+key, authz); code != 401 {
				t.Fatalf("Authorization %q: status %d, want 401", authz, code)
			}
		}
		// An interrupt, as from a terminal: the server shuts down and
		// the command exits cleanly.
		if err := serve.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("serve: %v", err)
		}

		log := stderr.String()
		if strings.Contains(log, key) || strings.Contains(log, strings.TrimPrefix(key, "ck_admin_")) {
			t.Fatalf("the admin key %s reached the log:\n%s", key, log)
		}
		var requests, warned int
		for _, line := range strings.Split(log, "\n") {
			if !strings.HasPrefix(line, "{") {
				continue
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line is not JSON: %v\n%s", err, line)
			}
			switch {
			case rec["msg"] == "http request":
				requests++
			case rec["level"] == "WARN" && strings.Contains(fmt.Sprint(rec["msg"]), "webhook signing secrets are stored in the clear"):
				warned++
			}
		}
		if requests < 6 || warned != 1 {
			t.Fatalf("log has %d request lines and %d clear-secrets warnings, want at least 6 and 1:\n%s", requests, warned, log)
		}
	})
}

// rawGet sends a GET with the Authorization header as given and returns
// the answer's status.
func rawGet(t *testing.T, url, authz string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", authz)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
