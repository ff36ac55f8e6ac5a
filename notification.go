package coffer

import (
	"time"

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

// Channel is how a delivery reaches its target.
type Channel string

// Delivery channels.
const (
	ChannelWebhook Channel = "webhook"
	ChannelEmail   Channel = "email"
)

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliverySucceeded DeliveryStatus = "succeeded"
	DeliveryFailed    DeliveryStatus = "failed"   // ran out of retries
	DeliveryCanceled  DeliveryStatus = "canceled" // its endpoint was deleted
)

// Delivery is one event on its way to one target. Its ID is the
// webhook-id: the same on every attempt and replay.
type Delivery struct {
	ID            string
	EventID       string
	Channel       Channel
	EndpointID    string // for ChannelWebhook
	Status        DeliveryStatus
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
