package e2e

import (
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
)

var (
	apr2026 = time.Date(2026, 4, 1, 0, 2, 0, 0, time.UTC)
	may2026 = time.Date(2026, 5, 1, 0, 2, 0, 0, time.UTC)
)

// trueUps is the account's true_up transactions, newest first.
func (h *harness) trueUps(acct string) []api.Transaction {
	h.t.Helper()
	l, err := h.admin.ListTransactions(h.ctx, acct, client.TransactionListParams{ListParams: client.ListParams{Limit: 100}, Types: []string{"true_up"}})
	if err != nil {
		h.t.Fatalf("list true-ups: %v", err)
	}
	return l.Data
}

// wantTrueUps checks the account's true-ups: one per month named, each
// crediting the amount given, newest first.
func (h *harness) wantTrueUps(acct string, want ...string) {
	h.t.Helper()
	got := h.trueUps(acct)
	if len(got) != len(want)/2 {
		h.t.Fatalf("%d true-ups, want %d: %+v", len(got), len(want)/2, got)
	}
	for i, x := range got {
		if x.Metadata["month"] != want[2*i] || x.Amount != amt(want[2*i+1]) {
			h.t.Fatalf("true-up %d: %s for %q, want %s for %s", i, x.Amount, x.Metadata["month"], want[2*i+1], want[2*i])
		}
	}
}

// breakage is what a transaction posted to the breakage book. A gift is
// no part of the balance, so its expiry or void moves value from the gift
// to breakage and leaves the balance (the transaction's amount) alone.
func breakage(x api.Transaction) money.Amount {
	var sum money.Amount
	for _, p := range x.Postings {
		if p.Book == "breakage" {
			sum += p.Amount
		}
	}
	if x.Amount != 0 {
		return -1 // not a move from a gift
	}
	return sum
}

// programAccount makes a program and enrols a new account with a card
// that works in it.
func (h *harness) programAccount(in api.ProgramCreate) (*api.Account, *api.Enrollment) {
	h.t.Helper()
	p, err := h.admin.CreateProgram(h.ctx, in)
	if err != nil {
		h.t.Fatalf("program: %v", err)
	}
	a := h.account(in.Name+" member", "")
	h.card(a.ID, payments.TestCardSuccess)
	e, err := h.admin.Enroll(h.ctx, p.ID, api.EnrollmentCreate{AccountID: a.ID})
	if err != nil {
		h.t.Fatalf("enrol: %v", err)
	}
	return a, e
}

// TestProgramCreditedPeriodEnds: a program credited for January and
// February only. January's and February's usage are credited on February
// 1 and March 1; the gift's rest expires into breakage a day into March
// (its grant's expires_at), and March's usage is not credited on April 1.
func TestProgramCreditedPeriodEnds(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := startWith(t, dsn, func(c *app.ServerConfig) { c.ClockAt = jan2026 })
		a, e := h.programAccount(api.ProgramCreate{Name: "Seasonal", Currency: "USD", Gift: amt("500.00"), StartsOn: "2026-01", EndsOn: "2026-02"})
		g, err := h.admin.GetGrant(h.ctx, e.GrantID)
		if err != nil {
			t.Fatal(err)
		}
		expiry := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		if g.Application != "true_up" || g.Amount != amt("500.00") || g.ExpiresAt == nil || !g.ExpiresAt.Equal(expiry) {
			t.Fatalf("gift grant %+v, want a true_up grant of 500.00 expiring at %s", g, expiry)
		}
		if e.Gift.CreditedPeriod != "2026-01 to 2026-02" {
			t.Fatalf("credited period %q", e.Gift.CreditedPeriod)
		}

		h.mustDebit(a.ID, "jan", "100.00")
		h.advanceTo(feb2026)
		b := h.balance(a.ID)
		wantAmount(t, "balance after the February true-up", b.Balance, "0.00")
		wantAmount(t, "gift after the February true-up", b.GiftedRemaining, "400.00")
		h.wantTrueUps(a.ID, "2026-01", "100.00")

		h.mustDebit(a.ID, "feb", "50.00")
		h.advanceTo(mar2026)
		b = h.balance(a.ID)
		wantAmount(t, "balance after the March true-up", b.Balance, "0.00")
		wantAmount(t, "gift after the March true-up", b.GiftedRemaining, "350.00")
		if b.Gift == nil || b.Gift.CreditLastApplied != "2026-02" {
			t.Fatalf("gift in the balance: %+v", b.Gift)
		}
		h.wantTrueUps(a.ID, "2026-02", "50.00", "2026-01", "100.00")
		if g, _ = h.admin.GetGrant(h.ctx, e.GrantID); g.Status != "active" || g.Remaining != amt("350.00") {
			t.Fatalf("gift grant before its expiry %+v", g)
		}

		// A day into March the rest of the gift expires: breakage.
		h.advanceTo(expiry.Add(time.Minute))
		if g, _ = h.admin.GetGrant(h.ctx, e.GrantID); g.Status != "expired" || g.Remaining != 0 {
			t.Fatalf("gift grant after its expiry %+v, want expired with nothing left", g)
		}
		b = h.balance(a.ID)
		wantAmount(t, "gift after its expiry", b.GiftedRemaining, "0.00")
		wantAmount(t, "balance after the gift expired", b.Balance, "0.00")
		exp, err := h.admin.ListTransactions(h.ctx, a.ID, client.TransactionListParams{Types: []string{"expire"}})
		if err != nil || len(exp.Data) != 1 || exp.Data[0].GrantID != e.GrantID || breakage(exp.Data[0]) != amt("350.00") {
			t.Fatalf("expire transactions %+v %v", exp, err)
		}

		// March is outside the credited period: April 1 credits nothing
		// from the gift. The 30.00 March left owing is auto-recharge's to
		// collect (the program's auto-payment, with no gift left, refills
		// to 20.00 above a balance with credits of 0.00), so March's
		// statement bills none of it and nothing is charged twice.
		h.mustDebit(a.ID, "mar", "30.00")
		h.advanceTo(apr2026)
		h.wantTrueUps(a.ID, "2026-02", "50.00", "2026-01", "100.00")
		b = h.balance(a.ID)
		wantAmount(t, "gift after April 1", b.GiftedRemaining, "0.00")
		for _, inv := range h.invoices(a.ID) {
			if inv.AmountDue != 0 || inv.Status != "paid" {
				t.Fatalf("statement %+v, want nothing due: auto-recharge collects the debt", inv)
			}
		}
		pays := h.rechargeAttempts(a.ID, 1)
		wantAmount(t, "auto-payment", pays[0].Amount, "50.00")
		if inv := h.payments(a.ID, "invoice"); len(inv) != 0 {
			t.Fatalf("invoice payments %+v, want none", inv)
		}
		wantAmount(t, "balance after April 1", h.balance(a.ID).Balance, "20.00")
	})
}

// TestProgramUnenroll: unenrolling voids the rest of the gift into
// breakage, gives the account back its floor and turns off the program's
// auto-recharge; the month's usage so far is never credited.
func TestProgramUnenroll(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := startWith(t, dsn, func(c *app.ServerConfig) { c.ClockAt = jan2026 })
		a, e := h.programAccount(api.ProgramCreate{Name: "Leaving", Currency: "USD", Gift: amt("200.00"), StartsOn: "2026-01"})
		h.mustDebit(a.ID, "jan", "60.00")
		h.advanceTo(feb2026)
		h.wantTrueUps(a.ID, "2026-01", "60.00")
		h.mustDebit(a.ID, "feb", "25.00")
		if ar, _ := h.admin.GetAutoRecharge(h.ctx, a.ID); !ar.Enabled || !ar.Locked {
			t.Fatalf("auto-recharge while enrolled %+v", ar)
		}

		ended, err := h.admin.Unenroll(h.ctx, e.ID)
		if err != nil {
			t.Fatalf("unenrol: %v", err)
		}
		if ended.Status != "ended" || ended.EndedAt == nil || ended.Gift.Remaining != 0 {
			t.Fatalf("ended enrollment %+v", ended)
		}
		g, err := h.admin.GetGrant(h.ctx, e.GrantID)
		if err != nil || g.Status != "voided" || g.Remaining != 0 {
			t.Fatalf("gift grant after unenrolment %+v %v, want voided", g, err)
		}
		voids, err := h.admin.ListTransactions(h.ctx, a.ID, client.TransactionListParams{Types: []string{"void"}})
		if err != nil || len(voids.Data) != 1 || voids.Data[0].GrantID != e.GrantID || breakage(voids.Data[0]) != amt("140.00") {
			t.Fatalf("void transactions %+v %v", voids, err)
		}
		b := h.balance(a.ID)
		wantAmount(t, "gift after unenrolment", b.GiftedRemaining, "0.00")
		wantAmount(t, "balance after unenrolment", b.Balance, "-25.00")
		wantAmount(t, "floor after unenrolment", b.MinBalance, "0.00")
		if b.Gift != nil {
			t.Fatalf("the balance still shows a gift: %+v", b.Gift)
		}
		ar, err := h.admin.GetAutoRecharge(h.ctx, a.ID)
		if err != nil || ar.Enabled || ar.Locked {
			t.Fatalf("auto-recharge after unenrolment %+v %v, want off and unlocked", ar, err)
		}
		owner := h.ownerClient(a.ID)
		if _, err := owner.PutAutoRecharge(h.ctx, a.ID, api.AutoRechargeUpdate{Enabled: boolp(false)}); err != nil {
			t.Fatalf("owner's auto-recharge after unenrolment: %v", err)
		}
		_, err = h.admin.Unenroll(h.ctx, e.ID)
		wantCode(t, err, "conflict")

		// No true-up any more: February's 25.00 is not credited from the
		// gift but billed on February's statement.
		h.advanceTo(mar2026)
		h.advanceTo(apr2026)
		h.wantTrueUps(a.ID, "2026-01", "60.00")
		var billed money.Amount
		for _, inv := range h.invoices(a.ID) {
			billed += inv.AmountDue
			if inv.PeriodStart.Month() == time.February && (inv.AmountDue != amt("25.00") || inv.Status != "paid") {
				t.Fatalf("February statement %+v, want 25.00 paid", inv)
			}
		}
		wantAmount(t, "billed in all", billed, "25.00")
		wantAmount(t, "balance after later months", h.balance(a.ID).Balance, "0.00")
		if n := len(h.payments(a.ID, "auto_recharge")); n != 0 {
			t.Fatalf("%d auto-recharges after unenrolment", n)
		}
		got, err := h.admin.ListEnrollments(h.ctx, ended.ProgramID, client.ListParams{})
		if err != nil || len(got.Data) != 1 || got.Data[0].Status != "ended" || got.Data[0].Gift.CreditLastApplied != "2026-01" {
			t.Fatalf("enrollments after unenrolment %+v %v", got, err)
		}
	})
}
