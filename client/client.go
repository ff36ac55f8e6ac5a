// Package client is a Go client for Coffer's v1 HTTP API.
//
// It has one method per route, takes and returns the wire types of package
// api, and reports every non-2xx answer as an *Error carrying the server's
// error code. Every mutating call carries an Idempotency-Key: the caller's
// own (WithIdempotencyKey) or a random one made once per call; a debit,
// whose required event_id already plays that part, carries only the
// caller's. A call that fails on the network or gets 503 or 429 is retried with
// the same key (or event_id), so a retry can never apply a change twice.
//
//	c := client.New("http://127.0.0.1:8080", client.WithAPIKey(key))
//	d, err := c.Debit(ctx, api.DebitCreate{AccountID: id, EventID: "req-42", Amount: &amt})
//	if client.ErrorCode(err) == "insufficient_balance" { ... }
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultUserAgent is sent when WithUserAgent is not given.
const DefaultUserAgent = "coffer-go"

// Defaults for retries. A retry waits the server's Retry-After, or else a
// backoff that doubles from minBackoff; a server asking for more than
// maxRetryWait gets its error returned instead of a long silent wait.
const (
	defaultMaxAttempts = 4
	minBackoff         = 200 * time.Millisecond
	maxRetryWait       = 30 * time.Second
	maxBodyBytes       = 64 << 20
)

// Client talks to one Coffer server. It is safe for concurrent use.
type Client struct {
	base        string // without trailing slash
	hc          *http.Client
	apiKey      string
	authID      string
	authToken   string
	userAgent   string
	maxAttempts int
	backoff     time.Duration
}

// Option configures a Client.
type Option func(*Client)

// WithAPIKey authenticates with an API key sent as a bearer token.
func WithAPIKey(key string) Option {
	return func(c *Client) { c.apiKey, c.authID, c.authToken = key, "", "" }
}

// WithSubaccount authenticates as a subaccount with HTTP Basic, using its
// auth id and token.
func WithSubaccount(authID, token string) Option {
	return func(c *Client) { c.apiKey, c.authID, c.authToken = "", authID, token }
}

// WithHTTPClient sets the *http.Client used for requests. The default has a
// 60 second timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.hc = hc }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// WithMaxAttempts bounds how many times one call is sent when it fails on
// the network or gets 503 (default 4). 1 turns retries off.
func WithMaxAttempts(n int) Option {
	return func(c *Client) { c.maxAttempts = max(n, 1) }
}

// New returns a client for the server at baseURL, such as
// "http://127.0.0.1:8080". Routes are appended to it, so a base URL with a
// path prefix works behind a proxy.
func New(baseURL string, opts ...Option) *Client {
	c := &Client{
		base:        strings.TrimRight(baseURL, "/"),
		hc:          &http.Client{Timeout: 60 * time.Second},
		userAgent:   DefaultUserAgent,
		maxAttempts: defaultMaxAttempts,
		backoff:     minBackoff,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// CallOption configures one call.
type CallOption func(*callConfig)

type callConfig struct {
	idempotencyKey string
	// keyedByBody: the request carries its own idempotency key (a debit's
	// event_id), so without a caller's key none is made up for it.
	keyedByBody bool
}

// WithIdempotencyKey sends key as the call's Idempotency-Key instead of a
// random one. Repeating a call with the same key and body returns the first
// answer and changes nothing; the same key with a different body is refused
// with code idempotency_key_reused. Calls that change nothing ignore it.
func WithIdempotencyKey(key string) CallOption {
	return func(cc *callConfig) { cc.idempotencyKey = key }
}

// NewIdempotencyKey returns a random key, fit for WithIdempotencyKey when a
// caller wants to keep the key and repeat a call later.
func NewIdempotencyKey() string { return "ik_" + strings.ToLower(rand.Text()) }

// do sends one logical call: method and path (with query) relative to the
// base URL, in encoded as the JSON body when non-nil, the answer decoded
// into out when non-nil and the answer has a body. Mutations (anything but
// GET) carry an Idempotency-Key that stays the same across retries.
func (c *Client) do(ctx context.Context, method, path string, in, out any, opts []CallOption) error {
	var cc callConfig
	for _, o := range opts {
		o(&cc)
	}
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
	}
	key := ""
	if method != http.MethodGet {
		key = cc.idempotencyKey
		if key == "" && !cc.keyedByBody {
			key = NewIdempotencyKey()
		}
	}
	for attempt := 1; ; attempt++ {
		status, header, data, err := c.send(ctx, method, path, body, key)
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return err
			}
			wait = c.backoffFor(attempt)
		case status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests:
			// Neither answer did anything: a retry with the same key is safe.
			err = decodeError(status, data)
			var ok bool
			if wait, ok = retryAfter(header.Get("Retry-After")); !ok {
				wait = c.backoffFor(attempt)
			}
		case status < 200 || status > 299:
			return decodeError(status, data)
		default:
			if out == nil || len(bytes.TrimSpace(data)) == 0 {
				return nil
			}
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
			}
			return nil
		}
		if attempt >= c.maxAttempts || wait > maxRetryWait {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// send makes one HTTP exchange and reads the whole answer. An error while
// reading the body counts as a network error: the request may have been
// applied, and the retry's same Idempotency-Key makes that safe.
func (c *Client) send(ctx context.Context, method, path string, body []byte, key string) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	switch {
	case c.apiKey != "":
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	case c.authID != "":
		req.SetBasicAuth(c.authID, c.authToken)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return resp.StatusCode, resp.Header, data, nil
}

// backoffFor returns the wait before retry number attempt: the base backoff
// doubled per attempt, plus up to half again of jitter so that many clients
// refused together do not come back together.
func (c *Client) backoffFor(attempt int) time.Duration {
	d := c.backoff << (attempt - 1)
	return d + mathrand.N(d/2+1)
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// escape makes an id safe as one path segment.
func escape(id string) string { return url.PathEscape(id) }

// withQuery appends q to path when it is not empty.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

var errEmptyID = errors.New("id is empty")

// checkID refuses an empty id before it turns into a different route
// (GET /v1/accounts/ is not GET /v1/accounts/{id}).
func checkID(name, id string) error {
	if id == "" {
		return fmt.Errorf("%s: %w", name, errEmptyID)
	}
	return nil
}
