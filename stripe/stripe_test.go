package stripe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/stripe/stripetest"
)

// recorder proxies to stripe-mock and keeps each request's method, path
// and Idempotency-Key.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) start(t *testing.T, target string) string {
	u, _ := url.Parse(target)
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.seen = append(r.seen, req.Method+" "+req.URL.Path+" key="+req.Header.Get("Idempotency-Key"))
		r.mu.Unlock()
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (r *recorder) has(prefix string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.seen {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func TestAgainstStripeMock(t *testing.T) {
	mock := stripetest.Start(t)
	rec := &recorder{}
	g := New("sk_test_123", rec.start(t, mock), coffer.NewTestClock(time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC)))
	ctx := context.Background()

	card, err := g.SetupMethod(ctx, payments.MethodSetup{Type: payments.Card, CardNumber: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123"})
	if err != nil {
		t.Fatalf("set up card: %v", err)
	}
	parts := strings.Split(card.Token, "/")
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "cus_") || !strings.HasPrefix(parts[1], "pm_") || card.NeedsVerification {
		t.Fatalf("card token %q (verification %v)", card.Token, card.NeedsVerification)
	}
	if !rec.has("POST /v1/payment_methods ") || !rec.has("POST /v1/customers ") || !rec.has("POST /v1/payment_methods/"+parts[1]+"/attach") {
		t.Fatalf("requests %v", rec.seen)
	}

	// A token made client-side (Stripe.js) is attached, not created.
	tok, err := g.SetupMethod(ctx, payments.MethodSetup{Type: payments.Card, Token: "pm_card_visa"})
	if err != nil || !strings.HasSuffix(tok.Token, "/pm_card_visa") && !strings.Contains(tok.Token, "/pm_") {
		t.Fatalf("token setup %+v %v", tok, err)
	}

	bank, err := g.SetupMethod(ctx, payments.MethodSetup{Type: payments.USBankAccount, RoutingNumber: "110000000",
		AccountNumber: "000123456789", AccountHolder: "Ada Owner"})
	if err != nil {
		t.Fatalf("set up bank account: %v", err)
	}
	if bp := strings.Split(bank.Token, "/"); len(bp) != 3 || !strings.HasPrefix(bp[2], "seti_") {
		t.Fatalf("bank token %q", bank.Token)
	}
	if err := g.Verify(ctx, bank.Token, "SM11AA"); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rec.has("POST /v1/setup_intents/") {
		t.Fatalf("no microdeposit verification sent: %v", rec.seen)
	}

	ch, err := g.Charge(ctx, payments.ChargeRequest{IdempotencyKey: "pay_test_1", Token: card.Token, MethodType: payments.Card,
		Amount: money.MustParse("25.00"), Currency: "USD", Description: "test"})
	if err != nil {
		t.Fatalf("charge: %v", err)
	}
	if !strings.HasPrefix(ch.ID, "pi_") || ch.Status == "" {
		t.Fatalf("charge %+v", ch)
	}
	if !rec.has("POST /v1/payment_intents key=pay_test_1") {
		t.Fatalf("the charge did not carry its idempotency key: %v", rec.seen)
	}
	st, err := g.Status(ctx, ch.ID)
	if err != nil || st.ID != ch.ID || st.Status != ch.Status {
		t.Fatalf("status %+v %v (charge %+v)", st, err, ch)
	}
	r, err := g.Refund(ctx, ch.ID, 0, "refund-pay_test_1")
	if err != nil || !strings.HasPrefix(r.ID, "re_") {
		t.Fatalf("refund %+v %v", r, err)
	}
	if !rec.has("POST /v1/refunds key=refund-pay_test_1") {
		t.Fatalf("the refund did not carry its idempotency key: %v", rec.seen)
	}
	if _, err := g.Charge(ctx, payments.ChargeRequest{IdempotencyKey: "k", Token: "nonsense"}); err == nil {
		t.Fatal("a malformed token was charged")
	}
}

func TestMinorUnits(t *testing.T) {
	for _, tc := range []struct {
		amount string
		cur    money.Currency
		want   int64
		ok     bool
	}{
		{"25.00", "USD", 2500, true},
		{"11.50", "USD", 1150, true},
		{"0.015", "USD", 0, false},
		{"500", "JPY", 500, true},
		{"500.5", "JPY", 0, false},
		{"1.234", "KWD", 1234, true},
	} {
		got, err := MinorUnits(money.MustParse(tc.amount), tc.cur)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("MinorUnits(%s %s) = %d, %v; want %d ok=%v", tc.amount, tc.cur, got, err, tc.want, tc.ok)
		}
	}
}

// The mapping of Stripe's PaymentIntent states to Coffer's charge states.
func TestChargeStatus(t *testing.T) {
	friday := time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC)
	g := New("sk_test", "http://127.0.0.1:1", coffer.NewTestClock(friday))
	for _, tc := range []struct {
		pi     stripe.PaymentIntent
		status string
		code   string
	}{
		{stripe.PaymentIntent{ID: "pi_1", Status: stripe.PaymentIntentStatusSucceeded}, payments.Succeeded, ""},
		{stripe.PaymentIntent{ID: "pi_2", Status: stripe.PaymentIntentStatusProcessing}, payments.Pending, ""},
		{stripe.PaymentIntent{ID: "pi_3", Status: stripe.PaymentIntentStatusRequiresAction}, payments.Failed, "authentication_required"},
		{stripe.PaymentIntent{ID: "pi_4", Status: stripe.PaymentIntentStatusRequiresPaymentMethod,
			LastPaymentError: &stripe.Error{Code: "card_declined", DeclineCode: "insufficient_funds", Msg: "Your card has insufficient funds."}},
			payments.Failed, "insufficient_funds"},
	} {
		c := g.charge(&tc.pi)
		if c.ID != tc.pi.ID || c.Status != tc.status || c.FailureCode != tc.code {
			t.Errorf("%s: %+v, want %s %s", tc.pi.Status, c, tc.status, tc.code)
		}
		if c.Status == payments.Pending && !c.SettlesAt.Equal(time.Date(2026, 3, 12, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("processing settles at %s, want four business days later", c.SettlesAt)
		}
	}
}
