package api

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// BalanceAlerts is GET|PUT /v1/accounts/{id}/balance_alerts: the
// thresholds in force, who chose them, the extra recipients, and the
// recommendation (average daily usage over the last 30 days).
type BalanceAlerts struct {
	Object    string `json:"object"`
	AccountID string `json:"account_id"`
	Currency  string `json:"currency"`
	// Source says where the thresholds come from: "default" (the
	// deployment's 250.00, 100.00, 10.00), "recommended" (the daily job:
	// one at the recommendation, then 100.00 and 10.00) or "owner".
	Source     string       `json:"source"`
	Thresholds []AlertState `json:"thresholds"`
	// Emails receive alerts beside the account's email and notification
	// emails.
	Emails []string `json:"emails"`
	// Recommended is the average daily usage over the last 30 days (over
	// the account's age when younger), computed daily; zero before the
	// first computation or without usage.
	Recommended   money.Amount `json:"recommended"`
	RecommendedAt *time.Time   `json:"recommended_at,omitempty"`
	Balance       money.Amount `json:"balance"`
}

// AlertState is one threshold and whether it is armed: an armed alert
// fires when the balance next falls below it.
type AlertState struct {
	Threshold money.Amount `json:"threshold"`
	Armed     bool         `json:"armed"`
}

// BalanceAlertsUpdate is the body of PUT /v1/accounts/{id}/balance_alerts.
// It replaces the owner's settings; from then on Coffer never changes the
// thresholds. An empty thresholds list turns the alerts off.
type BalanceAlertsUpdate struct {
	// At most three, each above zero; the service says so in words rather
	// than leave it to schema validation.
	Thresholds []money.Amount `json:"thresholds" doc:"At most three thresholds, each above zero, no repeats."`
	Emails     []string       `json:"emails,omitempty"`
}

// WebhookEndpoint is an endpoint as the API shows it. Secret is present
// only in the answers that created it or rotated its secret.
type WebhookEndpoint struct {
	ID           string     `json:"id"`
	Object       string     `json:"object"`
	URL          string     `json:"url"`
	Description  string     `json:"description"`
	EventTypes   []string   `json:"event_types"`
	Enabled      bool       `json:"enabled"`
	Status       string     `json:"status"` // "enabled", "disabled" or "failing"
	FailingSince *time.Time `json:"failing_since,omitempty"`
	Secret       string     `json:"secret,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// WebhookEndpointCreate is the body of POST /v1/webhook_endpoints.
type WebhookEndpointCreate struct {
	URL         string   `json:"url"`
	Description string   `json:"description,omitempty"`
	EventTypes  []string `json:"event_types,omitempty"` // empty: every type
	Enabled     *bool    `json:"enabled,omitempty"`     // default true
}

// WebhookEndpointUpdate is the body of PATCH /v1/webhook_endpoints/{id};
// absent fields stay. RotateSecret replaces the secret and shows the new
// one in the answer.
type WebhookEndpointUpdate struct {
	URL          *string   `json:"url,omitempty"`
	Description  *string   `json:"description,omitempty"`
	EventTypes   *[]string `json:"event_types,omitempty"`
	Enabled      *bool     `json:"enabled,omitempty"`
	RotateSecret bool      `json:"rotate_secret,omitempty"`
}

// Event is one outbox event, as delivered to webhooks: the webhook body is
// exactly this object.
type Event struct {
	ID        string         `json:"id"`
	Object    string         `json:"object"`
	Type      string         `json:"type"`
	AccountID string         `json:"account_id,omitempty"`
	Data      map[string]any `json:"data"`
	CreatedAt time.Time      `json:"created_at"`
}

// EventDetail is GET /v1/events/{id}: the event and its deliveries.
type EventDetail struct {
	Event
	Deliveries []Delivery `json:"deliveries"`
}

// Delivery is an event's way to one target; its ID is the webhook-id.
type Delivery struct {
	ID            string     `json:"id"`
	Channel       string     `json:"channel"` // "webhook" or "email"
	EndpointID    string     `json:"endpoint_id,omitempty"`
	Status        string     `json:"status"` // pending, succeeded, failed, canceled
	Attempts      []Attempt  `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
}

// Attempt is one try at a delivery.
type Attempt struct {
	N           int       `json:"n"`
	StatusCode  int       `json:"status_code"`
	LatencyMS   int64     `json:"latency_ms"`
	Response    string    `json:"response"`
	Succeeded   bool      `json:"succeeded"`
	AttemptedAt time.Time `json:"attempted_at"`
}

// Redeliver is the body of POST /v1/events/{id}/redeliver and of POST
// /v1/events/redeliver. EndpointID limits it to one endpoint; the range
// form needs From and To (at most 10,000 events) and may name Types.
type Redeliver struct {
	EndpointID string     `json:"endpoint_id,omitempty"`
	From       *time.Time `json:"from,omitempty"`
	To         *time.Time `json:"to,omitempty"`
	Types      []string   `json:"types,omitempty"`
}

// RedeliverResult says how many deliveries were scheduled again.
type RedeliverResult struct {
	Object     string `json:"object"`
	Events     int    `json:"events"`
	Deliveries int    `json:"deliveries"`
}
