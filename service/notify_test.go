package service

import (
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/mail"
	"github.com/cofferdev/coffer/money"
)

func TestEmailTemplateByEvent(t *testing.T) {
	tests := []struct {
		typ  string
		data map[string]any
		want string
	}{
		{ledger.EventAlertTriggered, nil, mail.LowBalance},
		{ledger.EventDepleted, nil, mail.Depleted},
		{"recharge.failed", map[string]any{"failure_code": "card_declined"}, mail.RechargeFailed},
		{"recharge.failed", map[string]any{"failure_code": "expired_card"}, mail.PaymentMethodNeeded},
		{"recharge.failed", map[string]any{"failure_code": "no_payment_method"}, mail.PaymentMethodNeeded},
		{"account.suspended", map[string]any{"reason": "auto_recharge_failed"}, mail.Suspended},
		{"payment_method.required", nil, mail.PaymentMethodNeeded},
		{ledger.EventGranted, nil, ""},
		{"account.created", nil, ""},
	}
	for _, tt := range tests {
		if got := emailTemplate(&ledger.Event{Type: tt.typ, Data: tt.data}); got != tt.want {
			t.Errorf("%s %v: template %q, want %q", tt.typ, tt.data, got, tt.want)
		}
	}
}

func TestEndpointFilter(t *testing.T) {
	ep := &coffer.WebhookEndpoint{EventTypes: []string{"account.*", "balance.alert_triggered"}}
	for typ, want := range map[string]bool{
		"account.created": true, "account.credits.granted": true, "balance.alert_triggered": true,
		"recharge.failed": false, "accounts.x": false,
	} {
		if got := wants(ep, typ); got != want {
			t.Errorf("%s: %v, want %v", typ, got, want)
		}
	}
	if !wants(&coffer.WebhookEndpoint{}, "anything") {
		t.Error("an endpoint without a filter must take every type")
	}
}

func TestDailyAverage(t *testing.T) {
	created := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		usage string
		age   int64 // in hours
		want  string
	}{
		{"0", 100, "0.00"},
		{"600", 1, "600.00"},  // younger than a day counts as one day
		{"900", 48, "450.00"}, // two days
		{"900", 49, "300.00"}, // into the third day
		{"90", 1000, "3.00"},  // capped at 30 days
		{"100", 720, "3.34"},  // 3.333… rounds up to the cent
		{"0.01", 720, "0.01"}, // never rounds a real usage down to zero
	}
	for _, tt := range tests {
		now := created.Add(time.Duration(tt.age) * time.Hour)
		if got := dailyAverage(money.MustParse(tt.usage), created, now); got.String() != tt.want {
			t.Errorf("usage %s over %dh: %s, want %s", tt.usage, tt.age, got, tt.want)
		}
	}
}
