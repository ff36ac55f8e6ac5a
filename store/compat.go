package store

import "github.com/cofferdev/coffer"

// The domain records moved to package coffer. These aliases and constants
// exist only until the end-to-end tests under cmd/coffer move to a package
// of their own and say coffer.X; delete this file then. Nothing else uses
// them.
//
// The constants are untyped copies of coffer's typed ones, not coffer.X
// itself: those tests compare them with the API's plain strings as well as
// put them in records, and only an untyped constant does both.
// TestCompatConstants holds each copy to its original.

// Account records.
type (
	Account    = coffer.Account    // Deprecated: use coffer.Account.
	Subaccount = coffer.Subaccount // Deprecated: use coffer.Subaccount.
	APIKey     = coffer.APIKey     // Deprecated: use coffer.APIKey.
)

// Payment records.
type (
	PaymentMethod = coffer.PaymentMethod // Deprecated: use coffer.PaymentMethod.
	Payment       = coffer.Payment       // Deprecated: use coffer.Payment.
	AutoRecharge  = coffer.AutoRecharge  // Deprecated: use coffer.AutoRecharge.
	Schedule      = coffer.Schedule      // Deprecated: use coffer.Schedule.
)

// Notification records.
type (
	AlertSettings   = coffer.AlertSettings   // Deprecated: use coffer.AlertSettings.
	Recommendation  = coffer.Recommendation  // Deprecated: use coffer.Recommendation.
	WebhookEndpoint = coffer.WebhookEndpoint // Deprecated: use coffer.WebhookEndpoint.
	Delivery        = coffer.Delivery        // Deprecated: use coffer.Delivery.
	Attempt         = coffer.Attempt         // Deprecated: use coffer.Attempt.
)

// Roles. Deprecated: use coffer.RoleAdmin and the rest.
const (
	RoleAdmin   = "admin"
	RoleUsage   = "usage"
	RoleAccount = "account"
)

// Payment method statuses. Deprecated: use coffer.MethodActive and the rest.
const (
	MethodActive     = "active"
	MethodUnverified = "unverified"
	MethodLocked     = "locked"
	MethodRemoved    = "removed"
)

// Payment sources. Deprecated: use coffer.SourcePurchase and the rest.
const (
	SourcePurchase     = "purchase"
	SourceAutoRecharge = "auto_recharge"
	SourceSchedule     = "schedule"
)

// Payment statuses. Deprecated: use coffer.PaymentProcessing and the rest.
const (
	PaymentProcessing = "processing"
	PaymentPending    = "pending"
	PaymentSucceeded  = "succeeded"
	PaymentFailed     = "failed"
)

// Delivery channels. Deprecated: use coffer.ChannelWebhook and coffer.ChannelEmail.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
)

// Delivery statuses. Deprecated: use coffer.DeliveryPending and the rest.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
	DeliveryCanceled  = "canceled"
)
