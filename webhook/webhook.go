// Package webhook sends events to HTTP endpoints the way the Standard
// Webhooks specification (https://www.standardwebhooks.com) describes: a
// JSON body, and three headers — webhook-id (stable per message, so a
// receiver can drop repeats), webhook-timestamp (unix seconds) and
// webhook-signature ("v1," + base64 of HMAC-SHA256 over
// "id.timestamp.body", keyed with the secret's decoded bytes).
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

// NewSecret returns a fresh signing secret: whsec_ and 32 random bytes in
// base64.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("webhook: crypto/rand failed: " + err.Error())
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// Sign returns the webhook-signature header value for a message.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil {
		return "", fmt.Errorf("webhook secret is not base64 after %s: %w", SecretPrefix, err)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.", id, ts.Unix())
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Result is what one attempt to deliver came to.
type Result struct {
	StatusCode int // 0 when no HTTP answer came
	Latency    time.Duration
	Response   string // the start of the answer's body, or the error
	OK         bool   // a 2xx answer
}

// MaxResponse is how much of an answer a Result keeps.
const MaxResponse = 1024

// Sender posts signed messages.
type Sender struct {
	Client *http.Client
	// Now is the wall clock for webhook-timestamp. Receivers compare it
	// with their own wall clock (usually within five minutes), so it is
	// never Coffer's test clock.
	Now func() time.Time
}

// NewSender returns a sender with a 10-second timeout per attempt.
func NewSender() *Sender {
	return &Sender{Client: &http.Client{Timeout: 10 * time.Second}, Now: time.Now}
}

// Send posts body to url signed with secret under message id. A transport
// error or a non-2xx answer is a failed attempt, not an error: err is set
// only when the message could not be built.
func (s *Sender) Send(ctx context.Context, url, secret, id string, body []byte) (Result, error) {
	ts := s.Now()
	sig, err := Sign(secret, id, ts, body)
	if err != nil {
		return Result{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{}, fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Coffer-Webhooks/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	start := time.Now() // the request's latency: a duration on the monotonic wall clock, not Coffer's
	resp, err := s.Client.Do(req)
	lat := time.Since(start)
	if err != nil {
		var msg string
		if errors.Is(err, context.DeadlineExceeded) {
			msg = "timed out: " + err.Error()
		} else {
			msg = err.Error()
		}
		return Result{Latency: lat, Response: clip(msg)}, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponse))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	return Result{StatusCode: resp.StatusCode, Latency: lat, Response: clip(string(b)),
		OK: resp.StatusCode >= 200 && resp.StatusCode < 300}, nil
}

// clip keeps at most MaxResponse bytes of valid UTF-8.
func clip(s string) string {
	if len(s) > MaxResponse {
		s = s[:MaxResponse]
	}
	return strings.ToValidUTF8(s, string(utf8.RuneError))
}
