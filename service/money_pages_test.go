package service_test

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// moneyPagesService is a service on a fresh SQLite store and a test clock
// in January 2026, with an admin call and an owner's call on one account.
func moneyPagesService(t *testing.T) (svc *service.Service, admin, owner service.Call, acct, other *api.Account) {
	t.Helper()
	ctx := t.Context()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "coffer.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc = service.New(st, coffer.NewTestClock(time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)), slog.New(slog.DiscardHandler), service.DefaultConfig())
	t.Cleanup(func() { svc.Close(); st.Close() })
	admin = service.Call{Caller: &service.Caller{KeyID: "key_test", Role: coffer.RoleAdmin}}
	if acct, err = svc.CreateAccount(ctx, admin, api.AccountCreate{Name: "Limited", Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	if other, err = svc.CreateAccount(ctx, admin, api.AccountCreate{Name: "Other", Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	owner = service.Call{Caller: &service.Caller{KeyID: "key_owner", Role: coffer.RoleAccount, AccountID: acct.ID}}
	return svc, admin, owner, acct, other
}

// The limits read are the ones a purchase is held to: the deployment's
// minimum and the trust tier's maximum, a tier that may not buy said so;
// the owner reads its own and is told another account does not exist.
func TestPurchaseLimits(t *testing.T) {
	ctx := t.Context()
	svc, admin, owner, acct, other := moneyPagesService(t)
	l, err := svc.PurchaseLimits(ctx, owner, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if l.Min != money.FromInt(25) || l.Max != money.FromInt(1000) || !l.CanBuy || l.TrustTier != 1 || l.Currency != "USD" {
		t.Fatalf("a new account's limits: %+v", l)
	}
	card, err := svc.AddPaymentMethod(ctx, owner, acct.ID, api.PaymentMethodCreate{Type: payments.Card,
		CardNumber: payments.TestCardSuccess, ExpMonth: 12, ExpYear: 2030, CVC: "123"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []money.Amount{l.Min, l.Max} {
		if _, err := svc.CreatePurchase(ctx, owner, acct.ID, api.PurchaseCreate{Amount: a, PaymentMethodID: card.ID}); err != nil {
			t.Fatalf("a purchase of %s, within the limits read: %v", a, err)
		}
	}
	for _, a := range []money.Amount{l.Min - 1, l.Max + 1} {
		if _, err := svc.CreatePurchase(ctx, owner, acct.ID, api.PurchaseCreate{Amount: a, PaymentMethodID: card.ID}); coffer.ErrorCode(err) != coffer.EInvalid {
			t.Fatalf("a purchase of %s, outside the limits read: %v", a, err)
		}
	}
	tier := 0
	if _, err := svc.UpdateAccount(ctx, admin, acct.ID, api.AccountUpdate{TrustTier: &tier}); err != nil {
		t.Fatal(err)
	}
	if l, err = svc.PurchaseLimits(ctx, admin, acct.ID); err != nil || l.Max != money.FromInt(100) || !l.CanBuy {
		t.Fatalf("tier 0's limits: %+v %v", l, err)
	}
	if _, err := svc.PurchaseLimits(ctx, owner, other.ID); coffer.ErrorCode(err) != coffer.ENotFound {
		t.Fatalf("an owner reading another account's limits: %v", err)
	}
	usage := service.Call{Caller: &service.Caller{KeyID: "key_usage", Role: coffer.RoleUsage}}
	if _, err := svc.PurchaseLimits(ctx, usage, acct.ID); coffer.ErrorCode(err) != coffer.EForbidden {
		t.Fatalf("a usage key reading purchase limits: %v", err)
	}
}

// An account's auto-recharge follows a program from its enrolment, with
// the program's levels, until it leaves; an ordinary one follows none.
func TestAutoRechargeProgram(t *testing.T) {
	ctx := t.Context()
	svc, admin, owner, acct, other := moneyPagesService(t)
	if p, err := svc.AutoRechargeProgram(ctx, owner, acct.ID); err != nil || p != nil {
		t.Fatalf("before any settings: %+v %v", p, err)
	}
	if _, err := svc.AddPaymentMethod(ctx, owner, acct.ID, api.PaymentMethodCreate{Type: payments.Card,
		CardNumber: payments.TestCardSuccess, ExpMonth: 12, ExpYear: 2030, CVC: "123"}); err != nil {
		t.Fatal(err)
	}
	on, threshold, amount := true, money.FromInt(10), money.FromInt(25)
	if _, err := svc.PutAutoRecharge(ctx, owner, acct.ID, api.AutoRechargeUpdate{Enabled: &on, Threshold: &threshold, Amount: &amount}); err != nil {
		t.Fatal(err)
	}
	if p, err := svc.AutoRechargeProgram(ctx, owner, acct.ID); err != nil || p != nil {
		t.Fatalf("the owner's own settings: %+v %v", p, err)
	}
	prog, err := svc.CreateProgram(ctx, admin, api.ProgramCreate{Name: "Impact", Currency: "USD", Gift: money.FromInt(500), StartsOn: "2026-01"})
	if err != nil {
		t.Fatal(err)
	}
	en, err := svc.Enroll(ctx, admin, prog.ID, api.EnrollmentCreate{AccountID: acct.ID})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.AutoRechargeProgram(ctx, owner, acct.ID)
	if err != nil || p == nil || p.ProgramID != prog.ID || p.PaymentMethodRequiredAt != prog.PaymentMethodRequiredAt || p.SuspendAt != prog.SuspendAt {
		t.Fatalf("enrolled in %+v: %+v %v", prog, p, err)
	}
	if _, err := svc.AutoRechargeProgram(ctx, owner, other.ID); coffer.ErrorCode(err) != coffer.ENotFound {
		t.Fatalf("an owner reading another account's: %v", err)
	}
	if _, err := svc.Unenroll(ctx, admin, en.ID); err != nil {
		t.Fatal(err)
	}
	if p, err := svc.AutoRechargeProgram(ctx, admin, acct.ID); err != nil || p != nil {
		t.Fatalf("after leaving the program: %+v %v", p, err)
	}
}
