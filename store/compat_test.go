package store

import (
	"testing"

	"github.com/cofferdev/coffer"
)

// TestCompatConstants holds each untyped copy in compat.go to the coffer
// constant it stands for, so the two cannot drift apart.
func TestCompatConstants(t *testing.T) {
	for _, c := range []struct{ copy, orig string }{
		{RoleAdmin, string(coffer.RoleAdmin)},
		{RoleUsage, string(coffer.RoleUsage)},
		{RoleAccount, string(coffer.RoleAccount)},
		{MethodActive, string(coffer.MethodActive)},
		{MethodUnverified, string(coffer.MethodUnverified)},
		{MethodLocked, string(coffer.MethodLocked)},
		{MethodRemoved, string(coffer.MethodRemoved)},
		{SourcePurchase, string(coffer.SourcePurchase)},
		{SourceAutoRecharge, string(coffer.SourceAutoRecharge)},
		{SourceSchedule, string(coffer.SourceSchedule)},
		{PaymentProcessing, string(coffer.PaymentProcessing)},
		{PaymentPending, string(coffer.PaymentPending)},
		{PaymentSucceeded, string(coffer.PaymentSucceeded)},
		{PaymentFailed, string(coffer.PaymentFailed)},
		{ChannelWebhook, string(coffer.ChannelWebhook)},
		{ChannelEmail, string(coffer.ChannelEmail)},
		{DeliveryPending, string(coffer.DeliveryPending)},
		{DeliverySucceeded, string(coffer.DeliverySucceeded)},
		{DeliveryFailed, string(coffer.DeliveryFailed)},
		{DeliveryCanceled, string(coffer.DeliveryCanceled)},
	} {
		if c.copy != c.orig {
			t.Errorf("store's copy %q differs from coffer's %q", c.copy, c.orig)
		}
	}
}
