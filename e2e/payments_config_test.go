package e2e

import (
	"strings"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/stripe/stripetest"
)

// startConfigured starts a server like start, with its configuration changed.
func startConfigured(t *testing.T, dsn string, change func(*app.ServerConfig)) *harness {
	t.Helper()
	cfg := app.ServerConfig{Addr: "127.0.0.1:0", DB: dsn, TestClock: true, ClockAt: clockStart}
	change(&cfg)
	srv, err := app.StartServer(t.Context(), cfg)
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	h := &harness{t: t, dsn: dsn, srv: srv, ctx: t.Context()}
	t.Cleanup(func() {
		h.check()
		srv.Close()
	})
	h.spec = newSpecChecker(t, srv.URL())
	h.admin = h.client(client.WithAPIKey(srv.AdminKey))
	return h
}

// A deployment like the prepaid API billing reference: minimum purchase
// 5.00, its own trust-tier maximums, and purchased credit that never
// expires.
func TestPaymentsDeploymentSettings(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := startConfigured(t, dsn, func(c *app.ServerConfig) {
			c.Service.Payments.MinPurchase = money.MustParse("5.00")
			c.Service.Payments.TierMax = map[int]money.Amount{1: money.MustParse("250.00")}
			c.Service.Payments.PurchaseExpiry = -1
		})
		a := h.account("api-user", "")
		h.card(a.ID, payments.TestCardSuccess)
		_, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("4.99")})
		if client.ErrorCode(err) != "invalid_request" || !strings.Contains(err.Error(), "at least 5.00 USD") {
			t.Fatalf("below the minimum: %v", err)
		}
		p, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("5.00")})
		if err != nil {
			t.Fatal(err)
		}
		g, err := h.admin.GetGrant(h.ctx, p.GrantID)
		if err != nil || g.ExpiresAt != nil {
			t.Fatalf("grant %+v %v: purchased credit must never expire here", g, err)
		}
		_, err = h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("250.01")})
		if !strings.Contains(fmtErr(err), "more than 250.00 USD") {
			t.Fatalf("above the tier maximum: %v", err)
		}
		tier := 0
		if _, err := h.admin.UpdateAccount(h.ctx, a.ID, api.AccountUpdate{TrustTier: &tier}); err != nil {
			t.Fatal(err)
		}
		_, err = h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("5.00")})
		if !strings.Contains(fmtErr(err), "trust tier 0, which may not buy credit") {
			t.Fatalf("a tier with no maximum: %v", err)
		}
	})
}

func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// With --payment-gateway=stripe the server sets payment methods up and
// charges through Stripe (here stripe-mock, which is stateless: its
// PaymentIntents never succeed, so the purchase is a clean decline that
// changes no balance).
func TestPaymentsStripeGatewaySelected(t *testing.T) {
	t.Parallel()
	mock := stripetest.Start(t)
	h := startConfigured(t, t.TempDir()+"/coffer.db", func(c *app.ServerConfig) {
		c.Gateway = app.GatewayConfig{Name: "stripe", StripeKey: "sk_test_123", StripeURL: mock}
	})
	a := h.account("stripe", "")
	m, err := h.admin.AddPaymentMethod(h.ctx, a.ID, api.PaymentMethodCreate{Type: "card", CardNumber: "4242424242424242", ExpMonth: 12, ExpYear: 2030})
	if err != nil || m.Status != "active" || !m.Default {
		t.Fatalf("card through Stripe: %+v %v", m, err)
	}
	bank, err := h.admin.AddPaymentMethod(h.ctx, a.ID, api.PaymentMethodCreate{Type: "us_bank_account", RoutingNumber: "110000000",
		AccountNumber: "000123456789", AccountHolderName: "Ada"})
	if err != nil {
		t.Fatalf("bank through Stripe: %v", err)
	}
	// Only the sandbox reveals codes.
	if _, err := h.admin.SandboxVerificationCode(h.ctx, bank.ID); client.ErrorCode(err) != "not_found" {
		t.Fatalf("sandbox code with Stripe: %v", err)
	}
	_, err = h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("25.00")})
	wantCode(t, err, "payment_failed")
	ps := h.payments(a.ID, string(coffer.SourcePurchase))
	if len(ps) != 1 || ps[0].Status != string(coffer.PaymentFailed) || !strings.HasPrefix(ps[0].ChargeID, "pi_") {
		t.Fatalf("payments %+v", ps)
	}
	wantAmount(t, "balance", h.balance(a.ID).Balance, "0")
}
