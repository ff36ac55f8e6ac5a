package e2e

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/mail"
	"github.com/cofferdev/coffer/payments"
)

// The test clock starts on 2 March 2026; these are the months after.
var (
	april = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	may   = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
)

// advanceTo moves the test clock to t, running what fell due.
func (h *harness) advanceTo(t time.Time) {
	h.t.Helper()
	if _, err := h.admin.AdvanceClock(h.ctx, api.ClockAdvance{To: &t}); err != nil {
		h.t.Fatalf("advance clock to %s: %v", t, err)
	}
}

// invoices lists the account's invoices, oldest first.
func (h *harness) invoices(acct string) []api.Invoice {
	h.t.Helper()
	l, err := h.admin.ListInvoices(h.ctx, client.InvoiceListParams{AccountID: acct, ListParams: client.ListParams{Limit: 100}})
	if err != nil {
		h.t.Fatalf("list invoices: %v", err)
	}
	return l.Data
}

// onlyInvoice is the account's one invoice.
func (h *harness) onlyInvoice(acct string) api.Invoice {
	h.t.Helper()
	invs := h.invoices(acct)
	if len(invs) != 1 {
		h.t.Fatalf("account %s has %d invoices, want 1: %+v", acct, len(invs), invs)
	}
	return invs[0]
}

func linesOf(inv api.Invoice, kind string) []api.InvoiceLine {
	var out []api.InvoiceLine
	for _, l := range inv.Lines {
		if l.Kind == kind {
			out = append(out, l)
		}
	}
	return out
}

// TestPostpaidInvoice is the credit-grants guide's example over HTTP: a
// postpaid month of $150.00 of usage, a $50.00 credit applied, $100.00
// due and charged to the default card. The credit that expires soonest
// goes first, a paid credit that is not needed stays, and the invoice's
// documents show it all.
func TestPostpaidInvoice(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: "Acme Postpaid", Currency: "USD", Email: "billing@acme.test",
			BillingMode: "postpaid", CreditLimit: amtp("-500.00")})
		if err != nil {
			t.Fatal(err)
		}
		h.card(a.ID, payments.TestCardSuccess)
		soon := h.grant(a.ID, api.GrantCreate{Amount: amt("30.00"), Category: "promotional", ExpiresAt: ptr(clockStart.AddDate(0, 2, 0)), Reason: "welcome"})
		later := h.grant(a.ID, api.GrantCreate{Amount: amt("20.00"), Category: "promotional", ExpiresAt: ptr(clockStart.AddDate(1, 0, 0)), Reason: "referral"})
		h.grant(a.ID, api.GrantCreate{Amount: amt("500.00"), Category: "paid", Priority: ptr(90), Reason: "prepaid for later"})

		// Usage is served against the credit line and consumes nothing yet.
		for i, amount := range []string{"100.00", "50.00"} {
			h.mustDebit(a.ID, "call-"+string(rune('a'+i)), amount)
		}
		b := h.balance(a.ID)
		wantAmount(t, "debt", b.Debt, "150.00")
		wantAmount(t, "credits", b.Credits["promotional"], "50.00")

		up, err := h.admin.UpcomingInvoice(h.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if up.Status != "draft" || up.Number != "" {
			t.Fatalf("upcoming: status %s number %q", up.Status, up.Number)
		}
		wantAmount(t, "upcoming subtotal", up.Subtotal, "150.00")

		h.advanceTo(april.Add(2 * time.Minute))
		inv := h.onlyInvoice(a.ID)
		if inv.Status != "paid" || !strings.HasPrefix(inv.Number, "INV-") || inv.BillingMode != "postpaid" {
			t.Fatalf("invoice: status %s number %s mode %s", inv.Status, inv.Number, inv.BillingMode)
		}
		wantAmount(t, "subtotal", inv.Subtotal, "150.00")
		wantAmount(t, "amount_due", inv.AmountDue, "0.00")
		credits := linesOf(inv, "credit")
		// 30 soonest-expiring promotional, then 20 promotional, then the
		// paid credit (priority 90) takes the other 100.
		if len(credits) != 3 || credits[0].GrantID != soon.ID || credits[1].GrantID != later.ID {
			t.Fatalf("credit lines %+v: want %s, then %s, then the paid grant", credits, soon.ID, later.ID)
		}
		wantAmount(t, "credits_applied", inv.CreditsApplied, "150.00")
		wantAmount(t, "debt after the close", h.balance(a.ID).Debt, "0.00")

		// April: $150.00 of usage with only the paid credit's $400 left
		// ... voided, so $50 of new promotional credit covers a third.
		grants, err := h.admin.ListGrants(h.ctx, a.ID, client.GrantListParams{Status: "active"})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range grants.Data {
			if _, err := h.admin.VoidGrant(h.ctx, g.ID, api.GrantVoid{Reason: "end of the prepayment"}); err != nil {
				t.Fatal(err)
			}
		}
		h.grant(a.ID, api.GrantCreate{Amount: amt("50.00"), Category: "promotional", Reason: "service credit"})
		h.mustDebit(a.ID, "april-1", "150.00")
		h.advanceTo(may.Add(2 * time.Minute))
		invs := h.invoices(a.ID)
		if len(invs) != 2 {
			t.Fatalf("%d invoices after two months", len(invs))
		}
		inv = invs[1]
		wantAmount(t, "subtotal", inv.Subtotal, "150.00")
		wantAmount(t, "credits_applied", inv.CreditsApplied, "50.00")
		wantAmount(t, "amount_due", inv.AmountDue, "100.00")
		wantAmount(t, "amount_paid", inv.AmountPaid, "100.00")
		if inv.Status != "paid" || inv.PaymentID == "" || !inv.PeriodStart.Equal(april) || !inv.PeriodEnd.Equal(may) {
			t.Fatalf("second invoice: %+v", inv)
		}
		if invs[0].Number >= inv.Number {
			t.Fatalf("numbers %s then %s", invs[0].Number, inv.Number)
		}
		if pays := h.payments(a.ID, "invoice"); len(pays) != 1 || pays[0].Status != "succeeded" || pays[0].InvoiceID != inv.ID {
			t.Fatalf("invoice payments: %+v", pays)
		}
		wantAmount(t, "debt after payment", h.balance(a.ID).Debt, "0.00")

		// The documents.
		page, err := h.admin.InvoiceDocument(h.ctx, inv.ID, client.InvoiceHTML)
		if err != nil || !bytes.Contains(page, []byte(inv.Number)) || !bytes.Contains(page, []byte("Acme Postpaid")) {
			t.Fatalf("html page: %v\n%.300s", err, page)
		}
		pdf, err := h.admin.InvoiceDocument(h.ctx, inv.ID, client.InvoicePDF)
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("pdf: %v %.20q", err, pdf)
		}
		raw, err := h.admin.InvoiceDocument(h.ctx, inv.ID, client.InvoiceCSV)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
		if err != nil || len(rows) != len(inv.Lines)+1 || rows[0][0] != "kind" {
			t.Fatalf("csv: %v %q", err, rows)
		}
		// The hosted page needs its token, and nothing else.
		hosted, err := h.admin.GetInvoice(h.ctx, inv.ID)
		if err != nil || hosted.HostedURL == "" {
			t.Fatalf("hosted url: %+v %v", hosted, err)
		}
		if st, body := pageGet(t, h.srv.URL()+hosted.HostedURL); st != 200 || !strings.Contains(body, inv.Number) {
			t.Fatalf("hosted page: %d %.200s", st, body)
		}
		if st, _ := pageGet(t, h.srv.URL()+"/invoices/"+inv.ID+"?token=wrong"); st != 404 {
			t.Fatalf("hosted page with a wrong token: %d", st)
		}
		evs, err := h.admin.ListEvents(h.ctx, client.EventParams{AccountID: a.ID, Types: []string{"invoice.finalized", "invoice.paid"}})
		if err != nil || len(evs.Data) != 4 {
			t.Fatalf("invoice events: %d %v", len(evs.Data), err)
		}
	})
}

// TestInvoicePaymentFailure: a declining card leaves the invoice
// payment_failed with its credits pending, retries after 1, 3 and 5 days,
// suspends the account after the last, and a new card plus pay settles
// it and lifts the suspension.
func TestInvoicePaymentFailure(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: "Declines", Currency: "USD", Email: "d@example.com", BillingMode: "postpaid"})
		if err != nil {
			t.Fatal(err)
		}
		h.card(a.ID, payments.TestCardDecline)
		h.grant(a.ID, api.GrantCreate{Amount: amt("10.00"), Category: "promotional", Reason: "welcome"})
		h.mustDebit(a.ID, "u1", "40.00")
		h.advanceTo(april.Add(2 * time.Minute))
		inv := h.onlyInvoice(a.ID)
		if inv.Status != "payment_failed" || inv.Attempts != 1 || inv.FailureCode != "card_declined" {
			t.Fatalf("after the first attempt: %+v", inv)
		}
		wantAmount(t, "amount_due", inv.AmountDue, "30.00")
		b := h.balance(a.ID)
		wantAmount(t, "pending", b.Pending, "10.00")
		wantAmount(t, "debt", b.Debt, "30.00")
		if inv.NextAttemptAt == nil || !inv.NextAttemptAt.Equal(timeOf(inv.FinalizedAt).Add(24*time.Hour)) {
			t.Fatalf("next attempt %v, want a day after %v", inv.NextAttemptAt, inv.FinalizedAt)
		}
		fin := timeOf(inv.FinalizedAt)
		for i, day := range []int{1, 3, 5} {
			h.advanceTo(fin.Add(time.Duration(day)*24*time.Hour + time.Minute))
			inv = h.onlyInvoice(a.ID)
			if inv.Attempts != i+2 || inv.Status != "payment_failed" {
				t.Fatalf("day %d: attempts %d status %s", day, inv.Attempts, inv.Status)
			}
		}
		if inv.NextAttemptAt != nil {
			t.Fatalf("after the last retry a next attempt at %v", inv.NextAttemptAt)
		}
		if acct, _ := h.admin.GetAccount(h.ctx, a.ID); acct.Status != "suspended" {
			t.Fatalf("account %s after the last retry, want suspended", acct.Status)
		}
		wantCode(t, h.debit(a.ID, "while-suspended", "1.00"), coffer.EAccountSuspended)

		// The owner adds a working card; pay settles the invoice.
		m := h.card(a.ID, payments.TestCardSuccess)
		if _, err := h.admin.SetDefaultPaymentMethod(h.ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		paid, err := h.admin.PayInvoice(h.ctx, inv.ID, api.InvoicePay{})
		if err != nil || paid.Status != "paid" {
			t.Fatalf("pay: %+v %v", paid, err)
		}
		if acct, _ := h.admin.GetAccount(h.ctx, a.ID); acct.Status != "active" {
			t.Fatalf("account %s after paying, want active", acct.Status)
		}
		b = h.balance(a.ID)
		wantAmount(t, "pending after paying", b.Pending, "0.00")
		wantAmount(t, "debt after paying", b.Debt, "0.00")
		if pays := h.payments(a.ID, "invoice"); count(pays, "failed") != 4 || count(pays, "succeeded") != 1 {
			t.Fatalf("invoice payments: %+v", pays)
		}
	})
}

// TestPrepaidStatement: a prepaid month with two subaccounts. Usage was
// debited as it happened, so the statement is paid at once, with the
// usage by subaccount and the prepaid balance's share.
func TestPrepaidStatement(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Prepaid Co", "")
		h.grant(a.ID, api.GrantCreate{Amount: amt("100.00"), Reason: "top-up"})
		var subs []*api.Subaccount
		for _, name := range []string{"web", "mobile"} {
			s, err := h.admin.CreateSubaccount(h.ctx, a.ID, api.SubaccountCreate{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			subs = append(subs, s)
		}
		debit := func(event, sub, amount string) {
			t.Helper()
			if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: event, Amount: amtp(amount), SubaccountID: sub}); err != nil {
				t.Fatal(err)
			}
		}
		debit("w1", subs[0].ID, "12.50")
		debit("w2", subs[0].ID, "7.50")
		debit("m1", subs[1].ID, "5.00")
		debit("own", "", "1.25")
		h.advanceTo(april.Add(2 * time.Minute))
		inv := h.onlyInvoice(a.ID)
		if inv.Status != "paid" || inv.BillingMode != "prepaid" {
			t.Fatalf("statement: %+v", inv)
		}
		wantAmount(t, "subtotal", inv.Subtotal, "0.00")
		wantAmount(t, "amount_due", inv.AmountDue, "0.00")
		if len(linesOf(inv, "usage")) != 3 || len(linesOf(inv, "prepaid")) != 1 {
			t.Fatalf("lines %+v", inv.Lines)
		}
		wantAmount(t, "prepaid line", linesOf(inv, "prepaid")[0].Amount, "-26.25")
		by := map[string]string{}
		for _, s := range inv.Subaccounts {
			by[s.SubaccountID] = s.Amount.String()
		}
		if by[subs[0].ID] != "20.00" || by[subs[1].ID] != "5.00" || by[""] != "1.25" {
			t.Fatalf("per-subaccount usage %v", by)
		}
		// Every account gets its statement, including one with nothing.
		idle := h.account("Idle", "")
		h.advanceTo(may.Add(2 * time.Minute))
		if st := h.onlyInvoice(idle.ID); st.Status != "paid" || len(st.Lines) != 0 {
			t.Fatalf("idle statement %+v", st)
		}
		if n := len(h.invoices(a.ID)); n != 2 {
			t.Fatalf("%d statements after two months", n)
		}
	})
}

// TestBillingModeSwitch: postpaid to prepaid closes the open period at
// once and is refused while an invoice is unpaid; prepaid to postpaid
// waits for the next period.
func TestBillingModeSwitch(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: "Switcher", Currency: "USD", BillingMode: "postpaid"})
		if err != nil {
			t.Fatal(err)
		}
		h.card(a.ID, payments.TestCardDecline)
		h.mustDebit(a.ID, "m1", "20.00")
		h.advanceTo(april.Add(2 * time.Minute)) // March's invoice fails
		prepaid := "prepaid"
		_, err = h.admin.UpdateAccount(h.ctx, a.ID, api.AccountUpdate{BillingMode: &prepaid})
		wantCode(t, err, coffer.EUnpaidInvoices)
		inv := h.onlyInvoice(a.ID)
		if _, err := h.admin.VoidInvoice(h.ctx, inv.ID, api.InvoiceVoid{Reason: "goodwill"}); err != nil {
			t.Fatal(err)
		}
		wantAmount(t, "debt after the void", h.balance(a.ID).Debt, "0.00")

		h.mustDebit(a.ID, "a1", "7.00")
		acct, err := h.admin.UpdateAccount(h.ctx, a.ID, api.AccountUpdate{BillingMode: &prepaid})
		if err != nil || acct.BillingMode != "prepaid" {
			t.Fatalf("switch to prepaid: %+v %v", acct, err)
		}
		invs := h.invoices(a.ID)
		if len(invs) != 2 || invs[1].PeriodEnd.After(april.Add(time.Hour)) || invs[1].BillingMode != "postpaid" {
			t.Fatalf("invoices after the switch: %+v", invs)
		}
		wantAmount(t, "switch invoice", invs[1].Subtotal, "7.00")
		// Prepaid now: a debit the balance cannot cover is refused.
		wantCode(t, h.debit(a.ID, "a2", "1.00"), coffer.EInsufficientBalance)

		// Back to postpaid: from May.
		postpaid := "postpaid"
		acct, err = h.admin.UpdateAccount(h.ctx, a.ID, api.AccountUpdate{BillingMode: &postpaid})
		if err != nil || acct.PostpaidSince == nil || !acct.PostpaidSince.Equal(may) {
			t.Fatalf("switch to postpaid: %+v %v", acct, err)
		}
		wantCode(t, h.debit(a.ID, "a3", "1.00"), coffer.EInsufficientBalance)
		h.advanceTo(may.Add(2 * time.Minute))
		h.mustDebit(a.ID, "m2", "3.00")
		invs = h.invoices(a.ID)
		if len(invs) != 3 || invs[2].BillingMode != "prepaid" || !invs[2].PeriodStart.Equal(invs[1].PeriodEnd) {
			t.Fatalf("April's rest as a prepaid statement: %+v", invs)
		}
	})
}

// pageGet fetches a page with no credentials.
func pageGet(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// TestInvoiceEmails: a finalized invoice e-mails the account's recipients
// with a link to its page, and a failed payment tells them when the next
// attempt is; an empty statement sends nothing.
func TestInvoiceEmails(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		smtp := smtpServer(t)
		h := startWith(t, dsn, func(c *app.ServerConfig) {
			c.Service.Notify.SMTP = mail.Config{Host: "127.0.0.1", Port: smtp.PortNumber(), TLS: mail.TLSNone,
				From: "billing@coffer.test", HELO: "coffer.test"}
			c.Service.Invoices.PublicURL = "https://billing.example.test"
		})
		h.account("Quiet", "") // its empty statement sends nothing
		a, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: "Mailed", Currency: "USD", Email: "owner@mailed.test", BillingMode: "postpaid"})
		if err != nil {
			t.Fatal(err)
		}
		h.card(a.ID, payments.TestCardDecline)
		h.mustDebit(a.ID, "u1", "42.00")
		h.advanceTo(april.Add(2 * time.Minute))
		inv := h.onlyInvoice(a.ID)
		var finalized, failed string
		for n := range 2 {
			m := nextMail(t, smtp, n)
			if !slices.Equal(m.to, []string{"owner@mailed.test"}) {
				t.Fatalf("e-mail to %v", m.to)
			}
			switch {
			case strings.Contains(m.data, "Subject: Your invoice "+inv.Number+" is ready"):
				finalized = m.data
			case strings.Contains(m.data, "Subject: Payment of invoice "+inv.Number+" failed"):
				failed = m.data
			default:
				t.Fatalf("unexpected e-mail:\n%s", m.data)
			}
		}
		link := "https://billing.example.test/invoices/" + inv.ID + "?token="
		if !strings.Contains(finalized, "Amount due: 42.00 USD") || !strings.Contains(finalized, link) ||
			!strings.Contains(finalized, "1 March 2026 =E2=80=93 31 March 2026") && !strings.Contains(finalized, "1 March 2026 – 31 March 2026") {
			t.Fatalf("invoice e-mail:\n%s", finalized)
		}
		if !strings.Contains(failed, "We will try again on 2 April 2026") {
			t.Fatalf("payment-failed e-mail:\n%s", failed)
		}
	})
}

// TestInvoiceCatchUp: a clock that jumps months ahead closes every month
// it passed, oldest first, one invoice each; an account closed in March
// gets March's statement and no more.
func TestInvoiceCatchUp(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: "Behind", Currency: "USD", BillingMode: "postpaid"})
		if err != nil {
			t.Fatal(err)
		}
		h.card(a.ID, payments.TestCardSuccess)
		h.mustDebit(a.ID, "march", "5.00")
		gone := h.account("Gone", "")
		if _, err := h.admin.CloseAccount(h.ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		june := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		h.advanceTo(june.Add(2 * time.Minute))
		invs := h.invoices(a.ID)
		if len(invs) != 3 {
			t.Fatalf("%d invoices after jumping to June, want March, April and May: %+v", len(invs), invs)
		}
		for i, inv := range invs {
			want := time.Date(2026, time.Month(3+i), 1, 0, 0, 0, 0, time.UTC)
			if !inv.PeriodStart.Equal(want) || !inv.PeriodEnd.Equal(want.AddDate(0, 1, 0)) || inv.Status != "paid" {
				t.Fatalf("invoice %d: %s – %s %s", i, inv.PeriodStart, inv.PeriodEnd, inv.Status)
			}
			if i > 0 && invs[i-1].Number >= inv.Number {
				t.Fatalf("numbers out of order: %s then %s", invs[i-1].Number, inv.Number)
			}
		}
		wantAmount(t, "March", invs[0].AmountPaid, "5.00")
		if n := len(h.invoices(gone.ID)); n != 1 {
			t.Fatalf("the closed account has %d statements, want March's only", n)
		}
		// Running the close again changes nothing.
		h.advance("1h")
		if n := len(h.invoices(a.ID)); n != 3 {
			t.Fatalf("%d invoices after another run", n)
		}
	})
}
