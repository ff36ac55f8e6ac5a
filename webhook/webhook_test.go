package webhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/cofferdev/coffer/webhook"
)

// TestSignatureVerifiesWithTheOfficialLibrary checks Coffer's signing
// against the Standard Webhooks reference implementation, not itself.
func TestSignatureVerifiesWithTheOfficialLibrary(t *testing.T) {
	secret := webhook.NewSecret()
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q lacks whsec_", secret)
	}
	verifier, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- verifier.Verify(body, r.Header)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	res, err := webhook.NewSender().Send(context.Background(), srv.URL, secret, "msg_1", []byte(`{"type":"x"}`))
	if err != nil || !res.OK || res.StatusCode != 204 {
		t.Fatalf("send: %+v %v", res, err)
	}
	if err := <-got; err != nil {
		t.Fatalf("official library refused the signature: %v", err)
	}

	// A different secret must not verify.
	other, _ := standardwebhooks.NewWebhook(webhook.NewSecret())
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- other.Verify(body, r.Header)
	}))
	defer srv2.Close()
	if _, err := webhook.NewSender().Send(context.Background(), srv2.URL, secret, "msg_2", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err == nil {
		t.Fatal("a signature verified under the wrong secret")
	}
}

func TestFailedAttemptKeepsTheAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, strings.Repeat("no ", 1000), http.StatusBadGateway)
	}))
	defer srv.Close()
	res, err := webhook.NewSender().Send(context.Background(), srv.URL, webhook.NewSecret(), "msg_1", []byte(`{}`))
	if err != nil || res.OK || res.StatusCode != 502 || len(res.Response) != webhook.MaxResponse {
		t.Fatalf("%+v %v", res, err)
	}
	res, err = webhook.NewSender().Send(context.Background(), "http://127.0.0.1:1/", webhook.NewSecret(), "msg_1", []byte(`{}`))
	if err != nil || res.OK || res.StatusCode != 0 || res.Response == "" {
		t.Fatalf("unreachable: %+v %v", res, err)
	}
}
