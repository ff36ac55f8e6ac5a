package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/payments"
)

func (h *harness) bank(acct, number string) *api.PaymentMethod {
	h.t.Helper()
	m, err := h.admin.AddPaymentMethod(h.ctx, acct, api.PaymentMethodCreate{Type: "us_bank_account",
		RoutingNumber: payments.TestRoutingNumber, AccountNumber: number, AccountHolderName: "Ada Owner"})
	if err != nil {
		h.t.Fatalf("add bank account: %v", err)
	}
	return m
}

func (h *harness) verifyBank(m *api.PaymentMethod) {
	h.t.Helper()
	code, err := h.admin.SandboxVerificationCode(h.ctx, m.ID)
	if err != nil {
		h.t.Fatalf("sandbox code: %v", err)
	}
	if v, err := h.admin.VerifyPaymentMethod(h.ctx, m.ID, code.Code); err != nil || v.Status != "active" {
		h.t.Fatalf("verify: %+v %v", v, err)
	}
}

// A bank account is verified with the 6-digit code of its deposit (wrong
// codes say how many tries are left; the third locks it). Its debits stay
// pending over a weekend and settle after four business days on Coffer's
// clock; the documented failing account number fails at settlement and
// credits nothing.
func TestPaymentsBankVerificationAndSettlement(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("bank", "")
		owner := h.ownerClient(a.ID)
		bank := h.bank(a.ID, payments.TestBankAccount)
		if bank.Status != "unverified" || bank.Default || bank.VerificationTriesLeft != 3 {
			t.Fatalf("new bank account %+v", bank)
		}
		_, err := h.admin.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("50.00"), PaymentMethodID: bank.ID})
		wantCode(t, err, "conflict")
		if !strings.Contains(err.Error(), "not verified yet") {
			t.Fatalf("unverified message: %v", err)
		}
		// Only an admin sees the sandbox's code.
		if _, err := owner.SandboxVerificationCode(h.ctx, bank.ID); client.ErrorCode(err) != "forbidden" {
			t.Fatalf("owner reading the code: %v", err)
		}
		code, err := h.admin.SandboxVerificationCode(h.ctx, bank.ID)
		if err != nil || len(code.Code) != 6 {
			t.Fatalf("code %+v %v", code, err)
		}
		wrong := "000000"
		if code.Code == wrong {
			wrong = "111111"
		}
		_, err = owner.VerifyPaymentMethod(h.ctx, bank.ID, wrong)
		wantCode(t, err, "invalid_request")
		if !strings.Contains(err.Error(), "2 tries left") {
			t.Fatalf("wrong code message: %v", err)
		}
		if v, err := owner.VerifyPaymentMethod(h.ctx, bank.ID, code.Code); err != nil || v.Status != "active" || !v.Default {
			t.Fatalf("verify %+v %v", v, err)
		}

		// Three wrong codes lock another bank account.
		other := h.bank(a.ID, payments.TestBankAccountFailed)
		for i := range 3 {
			_, err := owner.VerifyPaymentMethod(h.ctx, other.ID, wrong)
			if i < 2 {
				wantCode(t, err, "invalid_request")
			} else {
				wantCode(t, err, "conflict")
				if !strings.Contains(err.Error(), "locked") {
					t.Fatalf("lock message: %v", err)
				}
			}
		}
		if m, _ := owner.GetPaymentMethod(h.ctx, other.ID); m.Status != "locked" {
			t.Fatalf("after three wrong codes: %s", m.Status)
		}
		_, err = owner.VerifyPaymentMethod(h.ctx, other.ID, code.Code)
		wantCode(t, err, "conflict")

		// Friday 09:00: a purchase by bank debit is pending.
		h.advance("96h")
		p, err := owner.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("50.00"), PaymentMethodID: bank.ID})
		if err != nil || p.Status != string(coffer.PaymentPending) || p.SettlesAt == nil {
			t.Fatalf("bank purchase %+v %v", p, err)
		}
		thursday := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
		if !p.SettlesAt.Equal(thursday) {
			t.Fatalf("settles at %s, want four business days later, %s", p.SettlesAt, thursday)
		}
		// A failing account, verified, is debited too.
		failing := h.bank(a.ID, payments.TestBankAccountFailed)
		h.verifyBank(failing)
		pf, err := owner.CreatePurchase(h.ctx, a.ID, api.PurchaseCreate{Amount: amt("30.00"), PaymentMethodID: failing.ID})
		if err != nil || pf.Status != string(coffer.PaymentPending) {
			t.Fatalf("failing bank purchase %+v %v", pf, err)
		}
		wantAmount(t, "balance", h.balance(a.ID).Balance, "0")
		// Over the weekend and up to Wednesday: still pending, nothing credited.
		for _, by := range []string{"72h", "48h"} {
			h.advance(by)
			if got, _ := owner.GetPayment(h.ctx, p.ID); got.Status != string(coffer.PaymentPending) {
				t.Fatalf("after %s: %s", by, got.Status)
			}
			wantAmount(t, "balance", h.balance(a.ID).Balance, "0")
		}
		// Thursday: settled and credited; the failing one failed.
		h.advance("24h")
		got, err := owner.GetPayment(h.ctx, p.ID)
		if err != nil || got.Status != string(coffer.PaymentSucceeded) || got.GrantID == "" {
			t.Fatalf("on Thursday %+v %v", got, err)
		}
		gotf, _ := owner.GetPayment(h.ctx, pf.ID)
		if gotf.Status != string(coffer.PaymentFailed) || gotf.FailureCode != "insufficient_funds" {
			t.Fatalf("failing account on Thursday %+v", gotf)
		}
		wantAmount(t, "balance", h.balance(a.ID).Balance, "50.00")
	})
}

// A monthly schedule debits a verified bank account on its day (Coffer's
// clock); the debit is pending until it settles and is credited then.
func TestPaymentsMonthlyBankSchedule(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("scheduled", "")
		bank := h.bank(a.ID, payments.TestBankAccount)
		_, err := h.admin.CreatePaymentSchedule(h.ctx, a.ID, api.PaymentScheduleCreate{PaymentMethodID: bank.ID, DayOfMonth: 10, Amount: amt("75.00")})
		wantCode(t, err, "conflict") // not verified yet
		h.verifyBank(bank)
		card := h.card(a.ID, payments.TestCardSuccess)
		_, err = h.admin.CreatePaymentSchedule(h.ctx, a.ID, api.PaymentScheduleCreate{PaymentMethodID: card.ID, DayOfMonth: 10, Amount: amt("75.00")})
		wantCode(t, err, "invalid_request")
		sc, err := h.admin.CreatePaymentSchedule(h.ctx, a.ID, api.PaymentScheduleCreate{PaymentMethodID: bank.ID, DayOfMonth: 10, Amount: amt("75.00")})
		if err != nil || sc.NextRunAt == nil || !sc.NextRunAt.Equal(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("schedule %+v %v", sc, err)
		}
		// Tuesday 10 March, 00:00: the debit is made, pending.
		h.advance("183h")
		ps := h.payments(a.ID, string(coffer.SourceSchedule))
		if len(ps) != 1 || ps[0].Status != string(coffer.PaymentPending) || ps[0].ScheduleID != sc.ID || ps[0].Amount != amt("75.00") {
			t.Fatalf("scheduled debits %+v", ps)
		}
		// Four business days later, Monday 16 March, it settles.
		if !ps[0].SettlesAt.Equal(time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("settles at %s", ps[0].SettlesAt)
		}
		h.advance("96h") // Saturday
		wantAmount(t, "balance", h.balance(a.ID).Balance, "0")
		h.advance("48h") // Monday 00:00
		ps = h.payments(a.ID, string(coffer.SourceSchedule))
		if len(ps) != 1 || ps[0].Status != string(coffer.PaymentSucceeded) {
			t.Fatalf("after settlement %+v", ps)
		}
		wantAmount(t, "balance", h.balance(a.ID).Balance, "75.00")
		l, err := h.admin.ListPaymentSchedules(h.ctx, a.ID)
		if err != nil || len(l.Data) != 1 || !l.Data[0].NextRunAt.Equal(time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("next run %+v %v", l, err)
		}
		// The bank account a schedule debits cannot be removed; cancel first.
		_, err = h.admin.RemovePaymentMethod(h.ctx, bank.ID)
		wantCode(t, err, "conflict")
		if c, err := h.admin.CancelPaymentSchedule(h.ctx, sc.ID); err != nil || c.Status != "canceled" {
			t.Fatalf("cancel %+v %v", c, err)
		}
		h.advance("720h")
		if ps := h.payments(a.ID, string(coffer.SourceSchedule)); len(ps) != 1 {
			t.Fatalf("a canceled schedule debited again: %d", len(ps))
		}
	})
}
