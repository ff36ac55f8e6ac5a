package service

import (
	"slices"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
)

// EventTypes is every type of event Coffer writes to the outbox, in the
// order docs/events.md lists them. Webhook subscriptions and replays are
// checked against it, so a typo is refused instead of matching nothing
// for ever. A new event type must be added here (event_types_test.go
// fails until it is).
func EventTypes() []string {
	return []string{
		EventAccountCreated,
		ledger.EventGranted,
		ledger.EventVoided,
		ledger.EventExpired,
		ledger.EventDepleted,
		ledger.EventCreditLimit,
		ledger.EventAlertTriggered,
		EventRechargeSucceeded,
		EventRechargeFailed,
		EventAccountSuspended,
		EventAccountReactivated,
		EventPurchaseSucceeded,
		EventPurchaseFailed,
		EventPaymentSucceeded,
		EventPaymentFailed,
		EventPaymentMethodRequired,
		ledger.EventGiftExhausted,
		EventInvoiceFinalized,
		EventInvoicePaid,
		EventInvoicePaymentFailed,
		EventInvoiceVoided,
	}
}

// checkSubscription checks a webhook endpoint's event_types entry: a known
// type, a prefix of known types ending in ".*" ("account.*"), or "*" for
// every type (wants).
func checkSubscription(t string) error {
	known := EventTypes()
	if t == "*" || slices.Contains(known, t) {
		return nil
	}
	if prefix, ok := strings.CutSuffix(t, "*"); ok && strings.HasSuffix(prefix, ".") {
		for _, k := range known {
			if strings.HasPrefix(k, prefix) {
				return nil
			}
		}
	}
	return coffer.Invalid("event_types", "%q is not an event type; an entry is one of %s, a prefix of them ending in \".*\" such as \"account.*\", or \"*\"",
		t, strings.Join(known, ", "))
}

// checkEventType checks one entry of a replay's types, which names events
// exactly (the store filters on equality).
func checkEventType(param, t string) error {
	known := EventTypes()
	if slices.Contains(known, t) {
		return nil
	}
	return coffer.Invalid(param, "%q is not an event type; the types are %s", t, strings.Join(known, ", "))
}
