package store

import "github.com/cofferdev/coffer"

// The domain records moved to package coffer. These aliases and constants
// exist only until the end-to-end tests under cmd/coffer move to a package
// of their own and say coffer.X; delete this file then. Nothing else uses
// them.

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
	RoleAdmin   = coffer.RoleAdmin
	RoleUsage   = coffer.RoleUsage
	RoleAccount = coffer.RoleAccount
)

// Payment method statuses. Deprecated: use coffer.MethodActive and the rest.
const (
	MethodActive     = coffer.MethodActive
	MethodUnverified = coffer.MethodUnverified
	MethodLocked     = coffer.MethodLocked
	MethodRemoved    = coffer.MethodRemoved
)

// Payment sources. Deprecated: use coffer.SourcePurchase and the rest.
const (
	SourcePurchase     = coffer.SourcePurchase
	SourceAutoRecharge = coffer.SourceAutoRecharge
	SourceSchedule     = coffer.SourceSchedule
)

// Payment statuses. Deprecated: use coffer.PaymentProcessing and the rest.
const (
	PaymentProcessing = coffer.PaymentProcessing
	PaymentPending    = coffer.PaymentPending
	PaymentSucceeded  = coffer.PaymentSucceeded
	PaymentFailed     = coffer.PaymentFailed
)

// Delivery channels. Deprecated: use coffer.ChannelWebhook and coffer.ChannelEmail.
const (
	ChannelWebhook = coffer.ChannelWebhook
	ChannelEmail   = coffer.ChannelEmail
)

// Delivery statuses. Deprecated: use coffer.DeliveryPending and the rest.
const (
	DeliveryPending   = coffer.DeliveryPending
	DeliverySucceeded = coffer.DeliverySucceeded
	DeliveryFailed    = coffer.DeliveryFailed
	DeliveryCanceled  = coffer.DeliveryCanceled
)
