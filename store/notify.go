package store

import (
	"context"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// AlertSettings are an account's balance alerts when they differ from the
// deployment defaults: set by the owner (OwnerSet), or by the daily job
// that puts one alert at the recommendation. The job never touches a row
// the owner set.
type AlertSettings struct {
	AccountID     string
	OwnerSet      bool
	Thresholds    []money.Amount // highest first
	Emails        []string       // recipients beside the account's own addresses
	Recommended   money.Amount   // average daily usage when the job last ran
	RecommendedAt time.Time      // zero until the job ran for the account
	UpdatedAt     time.Time
}

// Recommendation is the daily job's figure for one account.
type Recommendation struct {
	AccountID   string
	Recommended money.Amount
	// Thresholds replace the account's alerts unless the owner set them.
	Thresholds []money.Amount
}

// WebhookEndpoint is a URL that receives signed events.
type WebhookEndpoint struct {
	ID          string
	URL         string
	Description string
	EventTypes  []string // empty: every type
	Enabled     bool
	// Secret is the signing secret as the service stores it: sealed
	// (enc:v1:…, see package secretbox) when a key is configured, else
	// the whsec_… itself. The store keeps it as opaque text.
	Secret       string
	FailingSince time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Delivery channels.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
)

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"   // ran out of retries
	DeliveryCanceled  = "canceled" // its endpoint was deleted
)

// Delivery is one event on its way to one target. Its ID is the
// webhook-id: the same on every attempt and replay.
type Delivery struct {
	ID            string
	EventID       string
	Channel       string
	EndpointID    string // for ChannelWebhook
	Status        string
	Attempts      int
	NextAttemptAt time.Time // zero once finished
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// LeaseUntil is set by ClaimDeliveries: the claim RecordAttempt
	// finishes. A delivery replayed meanwhile is no longer under it.
	LeaseUntil time.Time
}

// Attempt is one try at a delivery.
type Attempt struct {
	DeliveryID  string
	N           int // 1 for the first attempt; the store numbers them as it records them
	StatusCode  int // 0 when no HTTP answer came
	Latency     time.Duration
	Response    string // the start of the answer, or the error
	Succeeded   bool
	AttemptedAt time.Time
}

// EventFilter narrows a list of outbox events. Events list newest first;
// StartingAfter pages to older ones.
type EventFilter struct {
	Page
	Types     []string
	AccountID string
	From, To  time.Time // From inclusive, To exclusive; zero means open
}

// Router decides the deliveries for one event given the enabled webhook
// endpoints. It must not do I/O.
type Router func(ev *ledger.Event, endpoints []*WebhookEndpoint) []*Delivery

// Notifications is what balance alerts and event delivery keep.
type Notifications interface {
	// GetAlertSettings returns the account's alert row, or ENotFound when
	// the account runs on the deployment defaults.
	GetAlertSettings(ctx context.Context, accountID string) (*AlertSettings, error)
	// PutAlertSettings saves the owner's settings (OwnerSet is set).
	PutAlertSettings(ctx context.Context, s *AlertSettings) error
	// AccountsToRecommend lists up to limit open accounts, ids after
	// `after`, whose recommendation was last computed at or before
	// `before` (or never).
	AccountsToRecommend(ctx context.Context, before time.Time, after string, limit int) ([]string, error)
	// UsageBetween sums, per account, the money debits and captures took
	// in [from, to): value drawn from monetary lots plus debt incurred.
	UsageBetween(ctx context.Context, accountIDs []string, from, to time.Time) (map[string]money.Amount, error)
	// SaveRecommendations records the job's figures; rows the owner set
	// keep their thresholds.
	SaveRecommendations(ctx context.Context, recs []Recommendation, now time.Time) error

	// CreateWebhookEndpoint inserts the endpoint and, when idem is not
	// nil, the request's idempotent answer in the same transaction.
	CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint, idem *Idempotency) error
	GetWebhookEndpoint(ctx context.Context, id string) (*WebhookEndpoint, error)
	ListWebhookEndpoints(ctx context.Context, p Page) ([]*WebhookEndpoint, bool, error)
	// UpdateWebhookEndpoint locks the endpoint, calls fn and saves it with
	// the idempotent answer, if any.
	UpdateWebhookEndpoint(ctx context.Context, id string, fn func(*WebhookEndpoint) error, idem *Idempotency) (*WebhookEndpoint, error)
	// DeleteWebhookEndpoint removes it and cancels its pending deliveries.
	DeleteWebhookEndpoint(ctx context.Context, id string, now time.Time) error

	GetEvent(ctx context.Context, id string) (*ledger.Event, error)
	ListEvents(ctx context.Context, f EventFilter) ([]*ledger.Event, bool, error)

	// DispatchEvents takes up to limit outbox events not yet dispatched,
	// oldest first, creates the deliveries route gives for each (a
	// delivery that already exists is kept), and marks them dispatched,
	// all in one transaction. It returns how many events it dispatched.
	DispatchEvents(ctx context.Context, now time.Time, limit int, route Router) (int, error)
	// ScheduleDeliveries creates the deliveries, or sets existing ones for
	// the same event and target pending again at their NextAttemptAt.
	ScheduleDeliveries(ctx context.Context, ds []*Delivery) error
	// ClaimDeliveries takes up to limit pending deliveries due at now,
	// oldest due first, and moves their next attempt to leaseUntil so no
	// other worker takes them meanwhile.
	ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*Delivery, error)
	// RecordAttempt saves an attempt (when a is not nil), numbered after
	// the last one, and the delivery's new state — unless the delivery
	// was scheduled again (replayed) since it was claimed under
	// d.LeaseUntil, in which case it stays pending. When failing is not
	// nil the endpoint's failing mark is set (true, at d.UpdatedAt) or
	// cleared (false).
	RecordAttempt(ctx context.Context, a *Attempt, d *Delivery, failing *bool) error
	// ListDeliveries returns an event's deliveries with their attempts.
	ListDeliveries(ctx context.Context, eventID string) ([]*Delivery, map[string][]*Attempt, error)
}
