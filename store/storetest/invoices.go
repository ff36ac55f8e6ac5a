package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// Invoices: the committer's writes that number them, the reads and
// filters the invoicing job runs, UpdateInvoice's fixed fields, the one
// invoice per period, and the invoice rules of Check.

var invoiceTests = []struct {
	name string
	fn   func(*testing.T, store.Store)
}{
	{"InvoiceWrite", testInvoiceWrite},
	{"InvoiceNumbersConcurrent", testInvoiceNumbersConcurrent},
	{"ListInvoices", testListInvoices},
	{"AccountsToClose", testAccountsToClose},
	{"InvoicesDue", testInvoicesDue},
	{"UpdateInvoice", testUpdateInvoice},
	{"InvoiceVoided", testInvoiceVoided},
	{"InvoicePeriodUnique", testInvoicePeriodUnique},
	{"CheckInvoices", testCheckInvoices},
}

// The months the invoice tests bill: t0 falls in January 2030.
var (
	jan = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	feb = time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC)
	mar = time.Date(2030, 3, 1, 0, 0, 0, 0, time.UTC)
)

// postpaid makes an account billed afterwards from its creation.
func postpaid(a *coffer.Account) { a.BillingMode, a.PostpaidSince = "postpaid", a.CreatedAt }

// finalize writes invoices as the committer does: lock the accounts and
// the invoice counter, number the invoices from it, let fn apply what the
// close applies (fn may be nil), and write it all with the counter moved
// to the last number given. It returns the last number the counter held.
func (f *fixture) finalize(invs []*invoice.Invoice, fn func(sts map[string]*ledger.State, w *writes) error) (int64, error) {
	var ids []string
	for _, inv := range invs {
		ids = append(ids, inv.AccountID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var last int64
	err := f.s.Batch(f.ctx, func(b store.Batch) error {
		l, err := b.Load(f.ctx, ids, store.Lookup{InvoiceNumbers: true})
		if err != nil {
			return err
		}
		last = l.LastInvoiceNumber
		w := &writes{}
		if fn != nil {
			if err := fn(l.States, w); err != nil {
				return err
			}
		}
		n := last
		for _, inv := range invs {
			n++
			inv.Number = invoice.FormatNumber(n)
		}
		w.Invoices, w.LastInvoiceNumber = invs, n
		return b.Write(f.ctx, &w.Writes)
	})
	return last, err
}

func (f *fixture) mustFinalize(invs ...*invoice.Invoice) {
	f.t.Helper()
	if _, err := f.finalize(invs, nil); err != nil {
		f.t.Fatalf("finalize: %v", err)
	}
}

// lastNumber reads the invoice counter as a finalizing batch sees it.
func (f *fixture) lastNumber() int64 {
	f.t.Helper()
	var last int64
	if err := f.s.Batch(f.ctx, func(b store.Batch) error {
		l, err := b.Load(f.ctx, nil, store.Lookup{InvoiceNumbers: true})
		last = l.LastInvoiceNumber
		return err
	}); err != nil {
		f.t.Fatalf("load the invoice counter: %v", err)
	}
	return last
}

// newInvoice is a finalized invoice of the account for [start, end): one
// usage line of due, nothing applied. mod may change it.
func (f *fixture) newInvoice(accountID string, start, end time.Time, due string, mod ...func(*invoice.Invoice)) *invoice.Invoice {
	inv := &invoice.Invoice{ID: f.ids.New(coffer.PrefixInvoice, f.now), AccountID: accountID, Currency: "USD", Mode: invoice.Postpaid,
		PeriodStart: start, PeriodEnd: end, Status: invoice.Finalized,
		Lines:       []invoice.Line{{Kind: invoice.LineUsage, Description: "Usage", Amount: amt(due)}},
		Subaccounts: []invoice.Subaccount{{Amount: amt(due)}},
		Subtotal:    amt(due), AmountDue: amt(due), NextAttemptAt: f.now, DebtAtEnd: amt(due), ViewToken: "view-" + accountID,
		FinalizedAt: f.now, UpdatedAt: f.now}
	if inv.AmountDue == 0 {
		inv.Status, inv.PaidAt, inv.NextAttemptAt = invoice.Paid, f.now, time.Time{}
	}
	for _, m := range mod {
		m(inv)
	}
	return inv
}

// closeMonth closes the account's period [start, end) as the service
// does, at the fixture's clock: tally the period's transactions, apply the
// credits in the batch that finalizes the invoice, and write both.
func (f *fixture) closeMonth(accountID string, start, end time.Time) *invoice.Invoice {
	f.t.Helper()
	tally := invoice.NewTally("USD")
	txns, more, err := f.s.ListTxns(f.ctx, accountID, store.TxnFilter{From: start, To: end, Page: store.Page{Limit: 1000}})
	if err != nil || more {
		f.t.Fatalf("list the period's transactions: %v (more %v)", err, more)
	}
	for _, txn := range txns {
		tally.Add(txn)
	}
	draft, toApply := tally.Draft(invoice.Close{ID: f.ids.New(coffer.PrefixInvoice, f.now), AccountID: accountID, Currency: "USD",
		Mode: invoice.Postpaid, PeriodStart: start, PeriodEnd: end, Owed: tally.DebtChange()})
	draft.DebtAtEnd, draft.ViewToken = tally.DebtChange(), "view-"+draft.ID
	if _, err := f.finalize([]*invoice.Invoice{draft}, func(sts map[string]*ledger.State, w *writes) error {
		st := sts[accountID]
		e, applied, err := st.ApplyCredits(f.env(), ledger.CreditApplication{InvoiceID: draft.ID, Amount: toApply, Before: end, Actor: "invoicing"})
		if err != nil {
			return err
		}
		w.add(st)
		if e != nil {
			w.add(st, e)
		}
		draft.Apply(applied)
		draft.Finalize(f.now)
		if draft.Status == invoice.Finalized {
			draft.NextAttemptAt = f.now
		}
		return nil
	}); err != nil {
		f.t.Fatalf("close %s: %v", accountID, err)
	}
	return draft
}

// getInvoice reads an invoice back, failing the test if it cannot.
func (f *fixture) getInvoice(id string) *invoice.Invoice {
	f.t.Helper()
	inv, err := f.s.GetInvoice(f.ctx, id)
	if err != nil {
		f.t.Fatalf("get invoice %s: %v", id, err)
	}
	return inv
}

func invoiceIDs(invs []*invoice.Invoice) []string {
	ids := []string{}
	for _, inv := range invs {
		ids = append(ids, inv.ID)
	}
	return ids
}

// testInvoiceWrite closes a postpaid month in one batch, credits applied
// and invoice numbered, reads every field back, and moves the counter
// gap-free: a batch that fails gives its numbers back.
func testInvoiceWrite(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account(postpaid)
	lot := f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("4"), Category: ledger.Promotional, ExpiresAt: mar.Add(24 * time.Hour)})).Lots[0]
	f.mustApply(a.ID, debit(ledger.Debit{Amount: amt("10"), AllowNegative: true, SubaccountID: "sub_1"}))
	f.mustApply(a.ID, debit(ledger.Debit{Unit: "sms", Quantity: amt("250"), UnitPrice: amt("0.01"), AllowNegative: true}))
	f.tick(feb.Add(time.Hour).Sub(f.now))

	if got := f.lastNumber(); got != 0 {
		t.Fatalf("a new store's invoice counter is at %d", got)
	}
	inv := f.closeMonth(a.ID, jan, feb)
	if inv.Number != "INV-000001" || inv.Subtotal != amt("12.5") || inv.CreditsApplied != amt("4") || inv.AmountDue != amt("8.5") ||
		len(inv.Credits) != 1 || inv.Credits[0].Lot.ID != lot.ID {
		t.Fatalf("closed invoice %+v", inv)
	}
	same(t, "invoice read back", f.getInvoice(inv.ID), inv)
	if got := f.lastNumber(); got != 1 {
		t.Fatalf("counter at %d after one invoice", got)
	}
	// The batch applied the credits with the invoice.
	st, err := s.LoadState(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if st.Account.Debt != amt("8.5") || len(st.Lots) != 0 {
		t.Fatalf("after the close: debt %s, active lots %d; want 8.5 and none", st.Account.Debt, len(st.Lots))
	}
	// Without InvoiceNumbers a batch does not read the counter.
	if err := s.Batch(f.ctx, func(b store.Batch) error {
		l, err := b.Load(f.ctx, []string{a.ID}, store.Lookup{})
		if err == nil && l.LastInvoiceNumber != 0 {
			err = fmt.Errorf("LastInvoiceNumber %d without InvoiceNumbers", l.LastInvoiceNumber)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// Every field, the payment's included, survives the round trip; the
	// number comes from the sequence.
	b, c := f.account(), f.account()
	full := f.newInvoice(b.ID, jan, feb, "7.25", func(inv *invoice.Invoice) {
		inv.Mode = invoice.Prepaid
		inv.Lines = []invoice.Line{
			{Kind: invoice.LineUsage, Description: "Usage: gb (subaccount sub_9)", Unit: "gb", Quantity: amt("1.5"), Amount: amt("9.25"), SubaccountID: "sub_9"},
			{Kind: invoice.LinePrepaid, Description: "Paid from the prepaid balance as used", Amount: amt("-2")},
			{Kind: invoice.LineGrant, Description: "Unit credits granted: gb", Unit: "gb", Quantity: amt("3")},
			{Kind: invoice.LineDebt, Description: "Owed on earlier invoices", Amount: amt("1.000001")},
		}
		inv.Subaccounts = []invoice.Subaccount{{SubaccountID: "sub_9", Amount: amt("9.25")}}
		inv.Status, inv.Attempts, inv.NextAttemptAt = invoice.PaymentFailed, 3, f.now.Add(72*time.Hour+123*time.Microsecond)
		inv.PaymentID, inv.FailureCode, inv.FailureReason, inv.Suspended = "pay_9", "card_declined", "Your card was declined.", true
		inv.DebtAtEnd, inv.ViewToken, inv.UpdatedAt = amt("8.25"), "tok-ü", f.now.Add(time.Second)
	})
	plain := f.newInvoice(c.ID, jan, feb, "0")
	f.mustFinalize(full, plain)
	if full.Number != "INV-000002" || plain.Number != "INV-000003" {
		t.Fatalf("numbers %s, %s; want INV-000002, INV-000003", full.Number, plain.Number)
	}
	same(t, "every field", f.getInvoice(full.ID), full)
	same(t, "a paid-at-once invoice", f.getInvoice(plain.ID), plain)

	// A batch that fails takes no number: the next invoice gets it.
	d := f.account()
	lost := f.newInvoice(d.ID, jan, feb, "1")
	_, err = f.finalize([]*invoice.Invoice{lost}, func(map[string]*ledger.State, *writes) error { return errors.New("the close failed") })
	if err == nil {
		t.Fatal("a failing batch committed")
	}
	if _, err := s.GetInvoice(f.ctx, lost.ID); coffer.ErrorCode(err) != coffer.ENotFound {
		t.Fatalf("the failed batch's invoice: %v", err)
	}
	if got := f.lastNumber(); got != 3 {
		t.Fatalf("counter at %d after a failed batch, want 3", got)
	}
	again := f.newInvoice(d.ID, jan, feb, "1")
	f.mustFinalize(again)
	if got := f.getInvoice(again.ID).Number; got != "INV-000004" {
		t.Fatalf("number after a failed batch %s, want INV-000004", got)
	}
	if _, err := s.GetInvoice(f.ctx, "inv_missing"); coffer.ErrorCode(err) != coffer.ENotFound {
		t.Fatalf("missing invoice: %v", err)
	}
	checkClean(t, s)
}

// testInvoiceNumbersConcurrent finalizes invoices of many accounts at
// once: the counter's lock gives each a number of its own, with no gap.
func testInvoiceNumbersConcurrent(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	const n = 8
	invs := make([]*invoice.Invoice, n)
	for i := range invs {
		invs[i] = f.newInvoice(f.account().ID, jan, feb, "2")
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, inv := range invs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.finalize([]*invoice.Invoice{inv}, nil); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("finalize: %v", err)
	}
	var numbers, want []string
	for i, inv := range invs {
		numbers = append(numbers, f.getInvoice(inv.ID).Number)
		want = append(want, invoice.FormatNumber(int64(i+1)))
	}
	slices.Sort(numbers)
	same(t, "numbers", numbers, want)
	if got := f.lastNumber(); got != n {
		t.Fatalf("counter at %d after %d invoices", got, n)
	}
	checkClean(t, s)
}

// testListInvoices filters by account, status and period, pages in id
// order, and lists the unpaid.
func testListInvoices(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a, b, c := f.account(), f.account(), f.account()
	aJan := f.newInvoice(a.ID, jan, feb, "3")
	bJan := f.newInvoice(b.ID, jan, feb, "0") // paid at once
	f.mustFinalize(aJan, bJan)
	f.tick(time.Millisecond)
	aFeb := f.newInvoice(a.ID, feb, mar, "4", func(inv *invoice.Invoice) { inv.Status, inv.Attempts = invoice.PaymentFailed, 1 })
	// A switch to prepaid ends a period mid-month; the next runs to its end.
	tenth := feb.Add(9 * 24 * time.Hour)
	cMid := f.newInvoice(c.ID, feb, tenth, "5", func(inv *invoice.Invoice) {
		inv.Status, inv.VoidedAt, inv.VoidReason, inv.NextAttemptAt = invoice.Void, f.now, "test", time.Time{}
	})
	cRest := f.newInvoice(c.ID, tenth, mar, "6", func(inv *invoice.Invoice) { inv.Mode = invoice.Prepaid })
	f.mustFinalize(aFeb, cMid, cRest)

	list := func(what string, flt store.InvoiceFilter, want ...*invoice.Invoice) {
		t.Helper()
		if flt.Limit == 0 {
			flt.Limit = 100
		}
		got, more, err := s.ListInvoices(f.ctx, flt)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if more {
			t.Fatalf("%s: more reported past %d invoices", what, len(got))
		}
		same(t, what, invoiceIDs(got), invoiceIDs(want))
		for i := range want {
			same(t, what, got[i], want[i])
		}
	}
	list("all, oldest first", store.InvoiceFilter{}, aJan, bJan, aFeb, cMid, cRest)
	list("account a", store.InvoiceFilter{AccountID: a.ID}, aJan, aFeb)
	list("account c", store.InvoiceFilter{AccountID: c.ID}, cMid, cRest)
	list("finalized", store.InvoiceFilter{Status: invoice.Finalized}, aJan, cRest)
	list("payment_failed", store.InvoiceFilter{Status: invoice.PaymentFailed}, aFeb)
	list("paid", store.InvoiceFilter{Status: invoice.Paid}, bJan)
	list("void", store.InvoiceFilter{Status: invoice.Void}, cMid)
	// A period names a month: the invoices whose period ends in it, after
	// its start and at or before its end.
	list("January", store.InvoiceFilter{Period: jan}, aJan, bJan)
	list("February", store.InvoiceFilter{Period: feb}, aFeb, cMid, cRest)
	list("March", store.InvoiceFilter{Period: mar})
	list("December", store.InvoiceFilter{Period: jan.AddDate(0, -1, 0)})
	list("account a in February", store.InvoiceFilter{AccountID: a.ID, Period: feb}, aFeb)
	list("account c finalized", store.InvoiceFilter{AccountID: c.ID, Status: invoice.Finalized}, cRest)
	list("account b unpaid", store.InvoiceFilter{AccountID: b.ID, Status: invoice.Finalized})

	// Pages of two, in id order.
	var got []string
	after := ""
	for pages := 1; ; pages++ {
		page, more, err := s.ListInvoices(f.ctx, store.InvoiceFilter{Page: store.Page{Limit: 2, StartingAfter: after}})
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		got = append(got, invoiceIDs(page)...)
		if !more {
			if pages != 3 || len(page) != 1 {
				t.Fatalf("last page %d holds %d", pages, len(page))
			}
			break
		}
		if len(page) != 2 {
			t.Fatalf("page %d of %d with more to come", pages, len(page))
		}
		after = page[len(page)-1].ID
	}
	same(t, "pages", got, invoiceIDs([]*invoice.Invoice{aJan, bJan, aFeb, cMid, cRest}))

	unpaid := func(acct string, want ...*invoice.Invoice) {
		t.Helper()
		got, err := s.UnpaidInvoices(f.ctx, acct)
		if err != nil {
			t.Fatalf("unpaid: %v", err)
		}
		same(t, "unpaid invoices of "+acct, invoiceIDs(got), invoiceIDs(want))
	}
	unpaid(a.ID, aJan, aFeb)
	unpaid(b.ID)
	unpaid(c.ID, cRest)
	unpaid("acct_missing")
	checkClean(t, s)
}

// testAccountsToClose lists the accounts that may owe invoices up to a
// period's end: opened before it, not yet invoiced for a period ending at
// it, and, if closed, not yet invoiced for the month they closed in; in id
// order, a page at a time.
func testAccountsToClose(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	at := func(when time.Time, status ledger.Status, updated time.Time) func(*coffer.Account) {
		return func(a *coffer.Account) { a.CreatedAt, a.Status, a.UpdatedAt = when, status, updated }
	}
	var want []string
	open := f.account(at(t0, ledger.StatusActive, t0))
	suspended := f.account(at(t0, ledger.StatusSuspended, feb.Add(time.Hour)))
	invoiced := f.account(at(t0, ledger.StatusActive, t0))
	switched := f.account(at(t0, ledger.StatusActive, t0)) // invoiced up to a mid-month switch only
	closedEarly := f.account(at(t0, ledger.StatusClosed, jan.Add(20*24*time.Hour)))
	closedAtStart := f.account(at(t0, ledger.StatusClosed, feb))
	closedLate := f.account(at(t0, ledger.StatusClosed, feb.Add(5*24*time.Hour)))
	f.tick(feb.Add(19 * 24 * time.Hour).Sub(f.now))
	opened := f.account() // in the period
	f.tick(mar.Sub(f.now))
	atEnd := f.account() // at its end: the next period's
	// closedEarly and closedLate still owe the statements of the months
	// they closed in.
	want = append(want, open.ID, suspended.ID, switched.ID, closedEarly.ID, closedAtStart.ID, closedLate.ID, opened.ID)
	slices.Sort(want)
	tenth := feb.Add(9 * 24 * time.Hour)
	f.mustFinalize(f.newInvoice(invoiced.ID, feb, mar, "1"), f.newInvoice(switched.ID, feb, tenth, "1"),
		f.newInvoice(closedLate.ID, jan, feb, "1"))

	got, err := s.AccountsToClose(f.ctx, mar, "", 100)
	if err != nil {
		t.Fatalf("accounts to close: %v", err)
	}
	same(t, "accounts to close February", got, want)
	// A page at a time.
	var paged []string
	after := ""
	for range 10 {
		page, err := s.AccountsToClose(f.ctx, mar, after, 4)
		if err != nil {
			t.Fatalf("page: %v", err)
		}
		if len(page) > 4 {
			t.Fatalf("page of %d, limit 4", len(page))
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		after = page[len(page)-1]
	}
	same(t, "accounts to close, paged", paged, want)
	// January: the accounts opened then, closedEarly too (closed in it),
	// all but closedLate, already invoiced for it.
	want = []string{open.ID, suspended.ID, invoiced.ID, switched.ID, closedEarly.ID, closedAtStart.ID}
	slices.Sort(want)
	got, err = s.AccountsToClose(f.ctx, feb, "", 100)
	if err != nil {
		t.Fatalf("accounts to close: %v", err)
	}
	same(t, "accounts to close January", got, want)
	// March: atEnd was opened at its start; closedLate, closed in
	// February, still owes February's statement, and nothing after.
	got, err = s.AccountsToClose(f.ctx, mar.AddDate(0, 1, 0), "", 100)
	if err != nil {
		t.Fatalf("accounts to close: %v", err)
	}
	if !slices.Contains(got, atEnd.ID) || !slices.Contains(got, closedLate.ID) {
		t.Fatalf("accounts to close March: %v", got)
	}
}

// testInvoicesDue lists the unpaid invoices whose next attempt has come,
// soonest first, at most limit.
func testInvoicesDue(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	T := f.now
	month := func(i int) (time.Time, time.Time) { return jan.AddDate(0, i, 0), jan.AddDate(0, i+1, 0) }
	mk := func(i int, status invoice.Status, next time.Time) *invoice.Invoice {
		start, end := month(i)
		return f.newInvoice(a.ID, start, end, "5", func(inv *invoice.Invoice) { inv.Status, inv.NextAttemptAt = status, next })
	}
	later := mk(0, invoice.Finalized, T.Add(2*time.Hour))
	failed := mk(1, invoice.PaymentFailed, T.Add(time.Hour))
	tied := mk(2, invoice.Finalized, T.Add(time.Hour)) // the same instant: by id
	paid := mk(3, invoice.Paid, T)
	paid.AmountPaid, paid.PaidAt = paid.AmountDue, T
	void := mk(4, invoice.Void, T)
	never := mk(5, invoice.Finalized, time.Time{})
	last := mk(6, invoice.Finalized, T.Add(3*time.Hour))
	f.mustFinalize(later, failed, tied, paid, void, never, last)

	due := func(now time.Time, limit int, want ...*invoice.Invoice) {
		t.Helper()
		got, err := s.InvoicesDue(f.ctx, now, limit)
		if err != nil {
			t.Fatalf("due: %v", err)
		}
		same(t, fmt.Sprintf("due at %s, limit %d", now.Sub(T), limit), invoiceIDs(got), invoiceIDs(want))
		for i := range want {
			same(t, "due invoice", got[i], want[i])
		}
	}
	due(T, 10)
	due(T.Add(time.Hour-time.Microsecond), 10)
	due(T.Add(time.Hour), 10, failed, tied)
	due(T.Add(2*time.Hour), 10, failed, tied, later)
	due(T.Add(2*time.Hour), 2, failed, tied)
	due(T.Add(24*time.Hour), 10, failed, tied, later, last)
}

// testUpdateInvoice lets fn change the status and payment fields and the
// account's status, with events, in one transaction; what the invoice
// bills stays as finalized whatever fn does.
func testUpdateInvoice(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account(postpaid)
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("4")}))
	f.mustApply(a.ID, debit(ledger.Debit{Amount: amt("10"), AllowNegative: true, SubaccountID: "sub_1"}))
	f.tick(feb.Sub(f.now))
	inv := f.closeMonth(a.ID, jan, feb)
	if inv.AmountDue != amt("6") || len(inv.Credits) != 1 || len(inv.Lines) != 3 || inv.Lines[2].LotID == "" {
		t.Fatalf("closed %+v", inv)
	}
	billed := f.getInvoice(inv.ID)

	f.tick(time.Hour)
	now := f.now
	ev := ledger.Event{ID: f.ids.New(coffer.PrefixEvent, now), Type: "invoice.payment_failed", AccountID: a.ID,
		Data: map[string]any{"invoice_id": inv.ID}, CreatedAt: now}
	got, err := s.UpdateInvoice(f.ctx, inv.ID, func(ch *store.InvoiceChange) error {
		same(t, "the invoice fn sees", ch.Invoice, billed)
		if ch.Account == nil || ch.Account.ID != a.ID {
			return fmt.Errorf("fn sees account %+v", ch.Account)
		}
		x := ch.Invoice
		x.Status, x.Attempts, x.NextAttemptAt = invoice.PaymentFailed, 1, now.Add(24*time.Hour)
		x.PaymentID, x.FailureCode, x.FailureReason, x.Suspended, x.UpdatedAt = "pay_1", "card_declined", "declined", true, now
		ch.Account.Status, ch.Account.UpdatedAt = ledger.StatusSuspended, now
		ch.Events = append(ch.Events, ev)
		// What it bills is not fn's to change: in place or replaced.
		x.Lines[0].Amount, x.Lines[2].LotID = amt("1"), "grant_other"
		x.Subaccounts[0].Amount = amt("1")
		x.Credits[0].Amount, x.Credits[0].Lot.Priority = amt("0.5"), 1
		x.Lines = append(x.Lines, invoice.Line{Kind: invoice.LineUsage, Amount: amt("100")})
		x.Subaccounts = nil
		x.Subtotal, x.CreditsApplied, x.AmountDue = amt("1"), amt("0"), amt("1")
		x.PeriodStart, x.PeriodEnd, x.FinalizedAt = feb, mar, now
		x.Number, x.Mode, x.Currency, x.AccountID = "INV-999999", invoice.Prepaid, "EUR", "acct_other"
		return nil
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	want := *billed
	want.Status, want.Attempts, want.NextAttemptAt = invoice.PaymentFailed, 1, now.Add(24*time.Hour)
	want.PaymentID, want.FailureCode, want.FailureReason, want.Suspended, want.UpdatedAt = "pay_1", "card_declined", "declined", true, now
	same(t, "the invoice UpdateInvoice returns", got, &want)
	same(t, "the invoice saved", f.getInvoice(inv.ID), &want)
	if acct, err := s.GetAccount(f.ctx, a.ID); err != nil || acct.Status != ledger.StatusSuspended || !acct.UpdatedAt.Equal(now) {
		t.Fatalf("account after the update: %+v, %v", acct, err)
	}
	if st, err := s.LoadState(f.ctx, a.ID); err != nil || st.Account.Status != ledger.StatusSuspended {
		t.Fatalf("ledger state after the update: %v, %v", st, err)
	}
	if got, err := s.GetEvent(f.ctx, ev.ID); err != nil || got.Type != ev.Type {
		t.Fatalf("the update's event: %+v, %v", got, err)
	}
	// The status and next attempt are columns the queries read.
	if l, _, err := s.ListInvoices(f.ctx, store.InvoiceFilter{Status: invoice.PaymentFailed}); err != nil || len(l) != 1 {
		t.Fatalf("payment_failed invoices: %d, %v", len(l), err)
	}
	if due, err := s.InvoicesDue(f.ctx, now, 10); err != nil || len(due) != 0 {
		t.Fatalf("due before the retry: %d, %v", len(due), err)
	}
	if due, err := s.InvoicesDue(f.ctx, now.Add(24*time.Hour), 10); err != nil || len(due) != 1 {
		t.Fatalf("due at the retry: %d, %v", len(due), err)
	}

	// fn's error changes nothing.
	_, err = s.UpdateInvoice(f.ctx, inv.ID, func(ch *store.InvoiceChange) error {
		ch.Invoice.Status, ch.Account.Status = invoice.Paid, ledger.StatusActive
		return coffer.Errorf(coffer.EConflict, "not now")
	})
	wantCode(t, err, coffer.EConflict)
	same(t, "the invoice after fn failed", f.getInvoice(inv.ID), &want)
	if acct, _ := s.GetAccount(f.ctx, a.ID); acct.Status != ledger.StatusSuspended {
		t.Fatalf("account %s after fn failed", acct.Status)
	}
	_, err = s.UpdateInvoice(f.ctx, "inv_missing", func(*store.InvoiceChange) error { return nil })
	wantCode(t, err, coffer.ENotFound)

	// Paid: no longer unpaid or due, and Check wants the payment that
	// paid it, which this test never made.
	f.tick(time.Hour)
	paidAt := f.now
	if _, err := s.UpdateInvoice(f.ctx, inv.ID, func(ch *store.InvoiceChange) error {
		x := ch.Invoice
		x.Status, x.AmountPaid, x.PaidAt, x.PaymentID, x.NextAttemptAt = invoice.Paid, x.AmountDue, paidAt, "pay_2", time.Time{}
		ch.Account.Status, ch.Account.UpdatedAt = ledger.StatusActive, paidAt
		return nil
	}); err != nil {
		t.Fatalf("mark paid: %v", err)
	}
	if p := f.getInvoice(inv.ID); p.Status != invoice.Paid || p.AmountPaid != amt("6") || !p.PaidAt.Equal(paidAt) || p.PaymentID != "pay_2" {
		t.Fatalf("paid invoice %+v", p)
	}
	if u, err := s.UnpaidInvoices(f.ctx, a.ID); err != nil || len(u) != 0 {
		t.Fatalf("unpaid after payment: %d, %v", len(u), err)
	}
	if due, err := s.InvoicesDue(f.ctx, paidAt.Add(48*time.Hour), 10); err != nil || len(due) != 0 {
		t.Fatalf("due after payment: %d, %v", len(due), err)
	}
	vs, err := s.Check(f.ctx)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if len(vs) != 1 || vs[0].Rule != "invoice_payment" || vs[0].Subject != inv.ID {
		t.Fatalf("violations %+v, want invoice_payment on %s", vs, inv.ID)
	}
}

// testInvoiceVoided saves an invoice a batch voided, with the ledger's
// void, whole.
func testInvoiceVoided(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account(postpaid)
	f.mustApply(a.ID, grant(ledger.Grant{Amount: amt("3"), Category: ledger.Promotional, Priority: 10}))
	f.mustApply(a.ID, debit(ledger.Debit{Amount: amt("8"), AllowNegative: true}))
	f.tick(feb.Add(time.Hour).Sub(f.now))
	inv := f.closeMonth(a.ID, jan, feb)
	f.tick(24 * time.Hour)
	done := *inv
	done.Status, done.VoidedAt, done.VoidReason, done.NextAttemptAt, done.UpdatedAt, done.Reversed = invoice.Void, f.now, "billing error", time.Time{}, f.now, true
	var returned *ledger.Lot
	f.mustBatch([]string{a.ID}, func(sts map[string]*ledger.State, w *writes) error {
		st := sts[a.ID]
		e, err := st.VoidInvoice(f.env(), ledger.InvoiceVoid{InvoiceID: inv.ID, Credits: inv.Credits, WriteOff: inv.AmountDue, Reason: "billing error"})
		if err != nil {
			return err
		}
		returned = e.Lots[0]
		w.add(st, e)
		w.Voided = append(w.Voided, &done)
		return nil
	})
	same(t, "voided invoice", f.getInvoice(inv.ID), &done)
	if l, _, err := s.ListInvoices(f.ctx, store.InvoiceFilter{Status: invoice.Void}); err != nil || len(l) != 1 {
		t.Fatalf("void invoices: %d, %v", len(l), err)
	}
	if u, err := s.UnpaidInvoices(f.ctx, a.ID); err != nil || len(u) != 0 {
		t.Fatalf("unpaid after the void: %d, %v", len(u), err)
	}
	if due, err := s.InvoicesDue(f.ctx, f.now.Add(time.Hour), 10); err != nil || len(due) != 0 {
		t.Fatalf("due after the void: %d, %v", len(due), err)
	}
	st, err := s.LoadState(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if st.Account.Debt != 0 || len(st.Lots) != 1 || st.Lots[0].ID != returned.ID || st.Lots[0].Remaining != amt("3") || st.Lots[0].Priority != 10 {
		t.Fatalf("after the void: debt %s, lots %+v", st.Account.Debt, show(st.Lots))
	}
	if got := f.lastNumber(); got != 1 {
		t.Fatalf("a void moved the counter to %d", got)
	}
	checkClean(t, s)
}

// testInvoicePeriodUnique refuses a second invoice for an account's
// period, and a number given twice, rolling the whole batch back.
func testInvoicePeriodUnique(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a, b := f.account(), f.account()
	first := f.newInvoice(a.ID, jan, feb, "2")
	f.mustFinalize(first)

	// A second close of the same period, with a grant in its batch.
	var lotID string
	second := f.newInvoice(a.ID, jan.Add(24*time.Hour), feb, "3")
	_, err := f.finalize([]*invoice.Invoice{second}, func(sts map[string]*ledger.State, w *writes) error {
		e, err := grant(ledger.Grant{Amount: amt("5")})(sts[a.ID], f.env())
		if err != nil {
			return err
		}
		lotID = e.Lots[0].ID
		w.add(sts[a.ID], e)
		return nil
	})
	// A unique key, as for an event id or an Idempotency-Key: a conflict,
	// which the committer answers by running the batch again (the close's
	// own key then finds the first answer), not a value it refuses.
	wantCode(t, err, coffer.EConflict)
	if errors.Is(err, store.ErrRefused) {
		t.Fatalf("a second invoice for the period is marked refused: %v", err)
	}
	if _, err := s.GetInvoice(f.ctx, second.ID); coffer.ErrorCode(err) != coffer.ENotFound {
		t.Fatalf("the refused invoice: %v", err)
	}
	if _, err := s.GetLot(f.ctx, lotID); coffer.ErrorCode(err) != coffer.ENotFound {
		t.Fatalf("the refused batch's grant: %v", err)
	}
	if got := f.lastNumber(); got != 1 {
		t.Fatalf("counter at %d after a refused batch", got)
	}

	// A number already given.
	dup := f.newInvoice(b.ID, jan, feb, "2")
	err = f.s.Batch(f.ctx, func(bt store.Batch) error {
		if _, err := bt.Load(f.ctx, []string{b.ID}, store.Lookup{InvoiceNumbers: true}); err != nil {
			return err
		}
		dup.Number = invoice.FormatNumber(1)
		return bt.Write(f.ctx, &store.Writes{Invoices: []*invoice.Invoice{dup}, LastInvoiceNumber: 1})
	})
	wantCode(t, err, coffer.EConflict)

	// The same account's next period, and the same period of another
	// account, are no conflict.
	f.mustFinalize(f.newInvoice(a.ID, feb, mar, "1"), f.newInvoice(b.ID, jan, feb, "1"))
	if l, _, err := s.ListInvoices(f.ctx, store.InvoiceFilter{AccountID: a.ID}); err != nil || len(l) != 2 || l[0].ID != first.ID {
		t.Fatalf("account's invoices: %d, %v", len(l), err)
	}
	checkClean(t, s)
}

// testCheckInvoices expects Check to name an invoice whose totals
// disagree with its lines, and a gap in the numbers.
func testCheckInvoices(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a, b := f.account(), f.account()
	f.mustFinalize(f.newInvoice(a.ID, jan, feb, "2"))
	checkClean(t, s)
	// Number 3 after 1: 2 is missing. Its subtotal is not its lines'.
	bad := f.newInvoice(b.ID, jan, feb, "5", func(inv *invoice.Invoice) {
		inv.Subtotal, inv.AmountDue = amt("7"), amt("7")
	})
	if err := f.s.Batch(f.ctx, func(bt store.Batch) error {
		if _, err := bt.Load(f.ctx, []string{b.ID}, store.Lookup{InvoiceNumbers: true}); err != nil {
			return err
		}
		bad.Number = invoice.FormatNumber(3)
		return bt.Write(f.ctx, &store.Writes{Invoices: []*invoice.Invoice{bad}, LastInvoiceNumber: 3})
	}); err != nil {
		t.Fatalf("write: %v", err)
	}
	vs, err := s.Check(f.ctx)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	type rs struct{ rule, subject string }
	var got []rs
	for _, v := range vs {
		if v.Detail == "" {
			t.Errorf("violation %s on %s has no detail", v.Rule, v.Subject)
		}
		got = append(got, rs{v.Rule, v.Subject})
	}
	slices.SortFunc(got, func(x, y rs) int { return cmpStr(x.rule+" "+x.subject, y.rule+" "+y.subject) })
	want := []rs{{"invoice_numbers", "invoice_numbers"}, {"invoice_totals", bad.ID}}
	if !slices.Equal(got, want) {
		t.Fatalf("violations %+v, want %v", vs, want)
	}
}
