package payments

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
)

func TestSandboxCards(t *testing.T) {
	ctx := context.Background()
	sb := NewSandbox(coffer.NewTestClock(time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC)))
	for _, tc := range []struct {
		number, status, code string
	}{
		{TestCardSuccess, Succeeded, ""},
		{TestCardDecline, Failed, "card_declined"},
		{TestCardInsufficientFunds, Failed, "insufficient_funds"},
	} {
		m, err := sb.SetupMethod(ctx, MethodSetup{Type: Card, CardNumber: tc.number, ExpMonth: 12, ExpYear: 2030})
		if err != nil {
			t.Fatalf("%s: %v", tc.number, err)
		}
		c, err := sb.Charge(ctx, ChargeRequest{IdempotencyKey: "k-" + tc.number, Token: m.Token, Amount: money.MustParse("25")})
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != tc.status || c.FailureCode != tc.code {
			t.Errorf("%s: charge %s %s, want %s %s", tc.number, c.Status, c.FailureCode, tc.status, tc.code)
		}
		again, _ := sb.Charge(ctx, ChargeRequest{IdempotencyKey: "k-" + tc.number, Token: m.Token, Amount: money.MustParse("25")})
		if again.ID != c.ID {
			t.Errorf("a repeated key made a new charge %s (first %s)", again.ID, c.ID)
		}
	}
	if _, err := sb.SetupMethod(ctx, MethodSetup{Type: Card, CardNumber: "4242424242424241", ExpMonth: 1, ExpYear: 2030}); err == nil {
		t.Error("a number failing the Luhn check was accepted")
	}
}

func TestSandboxBankSettlesAfterBusinessDays(t *testing.T) {
	ctx := context.Background()
	friday := time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC)
	clock := coffer.NewTestClock(friday)
	sb := NewSandbox(clock)
	ok, _ := sb.SetupMethod(ctx, MethodSetup{Type: USBankAccount, RoutingNumber: TestRoutingNumber, AccountNumber: TestBankAccount})
	bad, _ := sb.SetupMethod(ctx, MethodSetup{Type: USBankAccount, RoutingNumber: TestRoutingNumber, AccountNumber: TestBankAccountFailed})
	code, err := sb.VerificationCode(ok.Token)
	if err != nil || len(code) != 6 {
		t.Fatalf("code %q %v", code, err)
	}
	if err := sb.Verify(ctx, ok.Token, "000000x"); !errors.Is(err, ErrWrongCode) {
		t.Fatalf("wrong code: %v", err)
	}
	if err := sb.Verify(ctx, ok.Token, code); err != nil {
		t.Fatal(err)
	}
	c1, _ := sb.Charge(ctx, ChargeRequest{IdempotencyKey: "a", Token: ok.Token, Amount: money.MustParse("50")})
	c2, _ := sb.Charge(ctx, ChargeRequest{IdempotencyKey: "b", Token: bad.Token, Amount: money.MustParse("50")})
	if want := time.Date(2026, 3, 12, 12, 0, 0, 0, time.UTC); !c1.SettlesAt.Equal(want) || c1.Status != Pending {
		t.Fatalf("settles %s %s, want pending until Thursday %s", c1.Status, c1.SettlesAt, want)
	}
	_ = clock.Set(time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC))
	if st, _ := sb.Status(ctx, c1.ID); st.Status != Pending {
		t.Fatalf("after 3 business days: %s", st.Status)
	}
	_ = clock.Set(time.Date(2026, 3, 12, 12, 0, 0, 0, time.UTC))
	if st, _ := sb.Status(ctx, c1.ID); st.Status != Succeeded {
		t.Fatalf("after 4 business days: %s", st.Status)
	}
	if st, _ := sb.Status(ctx, c2.ID); st.Status != Failed || st.FailureCode != "insufficient_funds" {
		t.Fatalf("failing account: %s %s", st.Status, st.FailureCode)
	}
}
