package store

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

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
type Router func(ev *ledger.Event, endpoints []*coffer.WebhookEndpoint) []*coffer.Delivery

// Notifications is what balance alerts and event delivery keep.
type Notifications interface {
	// GetAlertSettings returns the account's alert row, or ENotFound when
	// the account runs on the deployment defaults.
	GetAlertSettings(ctx context.Context, accountID string) (*coffer.AlertSettings, error)
	// PutAlertSettings saves the owner's settings (OwnerSet is set).
	PutAlertSettings(ctx context.Context, s *coffer.AlertSettings) error
	// AccountsToRecommend lists up to limit open accounts, ids after
	// `after`, whose recommendation was last computed at or before
	// `before` (or never).
	AccountsToRecommend(ctx context.Context, before time.Time, after string, limit int) ([]string, error)
	// UsageBetween sums, per account, the money debits and captures took
	// in [from, to): value drawn from monetary lots plus debt incurred.
	UsageBetween(ctx context.Context, accountIDs []string, from, to time.Time) (map[string]money.Amount, error)
	// SaveRecommendations records the job's figures; rows the owner set
	// keep their thresholds.
	SaveRecommendations(ctx context.Context, recs []coffer.Recommendation, now time.Time) error

	// CreateWebhookEndpoint inserts the endpoint and, when idem is not
	// nil, the request's idempotent answer in the same transaction.
	CreateWebhookEndpoint(ctx context.Context, e *coffer.WebhookEndpoint, idem *Idempotency) error
	GetWebhookEndpoint(ctx context.Context, id string) (*coffer.WebhookEndpoint, error)
	ListWebhookEndpoints(ctx context.Context, p Page) ([]*coffer.WebhookEndpoint, bool, error)
	// UpdateWebhookEndpoint locks the endpoint, calls fn and saves it with
	// the idempotent answer, if any.
	UpdateWebhookEndpoint(ctx context.Context, id string, fn func(*coffer.WebhookEndpoint) error, idem *Idempotency) (*coffer.WebhookEndpoint, error)
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
	ScheduleDeliveries(ctx context.Context, ds []*coffer.Delivery) error
	// ClaimDeliveries takes up to limit pending deliveries due at now,
	// oldest due first, and moves their next attempt to leaseUntil so no
	// other worker takes them meanwhile.
	ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*coffer.Delivery, error)
	// RecordAttempt saves an attempt (when a is not nil), numbered after
	// the last one, and the delivery's new state — unless the delivery
	// was scheduled again (replayed) since it was claimed under
	// d.LeaseUntil, in which case it stays pending. When failing is not
	// nil the endpoint's failing mark is set (true, at d.UpdatedAt) or
	// cleared (false).
	RecordAttempt(ctx context.Context, a *coffer.Attempt, d *coffer.Delivery, failing *bool) error
	// ListDeliveries returns an event's deliveries with their attempts.
	ListDeliveries(ctx context.Context, eventID string) ([]*coffer.Delivery, map[string][]*coffer.Attempt, error)
	// ListEndpointDeliveries returns a page of an endpoint's deliveries,
	// newest first, with their attempts.
	ListEndpointDeliveries(ctx context.Context, endpointID string, p Page) ([]*coffer.Delivery, bool, map[string][]*coffer.Attempt, error)
}
