package ledger_test

import (
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
)

// A postpaid account's usage accrues as debt, strict or not, down to the
// credit limit; its credits wait for the invoice, which applies them in
// consumption order, and a void gives them back and writes the debt off.
func TestPostpaid(t *testing.T) {
	b := newBook(t, "0")
	b.s.Account.CreditLimit = amt("-100")
	b.s.Account.PostpaidSince = t0
	promo := b.grant("promo", ledger.Grant{Amount: amt("30"), Category: ledger.Promotional, ExpiresAt: t0.Add(40 * 24 * time.Hour)})
	paid := b.grant("paid", ledger.Grant{Amount: amt("50")})

	// Usage draws on nothing: it is all debt, and a strict debit is served
	// while the credits plus the credit line cover it.
	b.mustDebit(ledger.Debit{Amount: amt("150")})
	if promo.Remaining != amt("30") || paid.Remaining != amt("50") || b.s.Account.Debt != amt("150") {
		t.Fatalf("usage consumed credits: promo %s, paid %s, debt %s", promo.Remaining, paid.Remaining, b.s.Account.Debt)
	}
	bal := b.balance()
	if bal.Balance != amt("-70") || bal.Available != amt("30") {
		t.Fatalf("balance %s available %s, want -70 and 30 (down to the -100 credit limit)", bal.Balance, bal.Available)
	}
	_, err := b.debit(ledger.Debit{Amount: amt("30.01")})
	wantCode(t, err, coffer.ECreditLimitReached)
	_, err = b.hold("30.01", time.Hour)
	wantCode(t, err, coffer.ECreditLimitReached)

	// A grant does not repay the debt; it waits for the invoice.
	late := b.grant("late", ledger.Grant{Amount: amt("10"), Category: ledger.Promotional, Priority: 10})
	if late.Remaining != amt("10") || b.s.Account.Debt != amt("150") {
		t.Fatalf("a grant repaid postpaid debt: remaining %s, debt %s", late.Remaining, b.s.Account.Debt)
	}

	// The close applies credits that took effect before the period's end
	// in consumption order: priority first, then the soonest expiry.
	b.at(31 * 24 * time.Hour)
	e, applied, err := b.s.ApplyCredits(b.env(), ledger.CreditApplication{InvoiceID: "inv_1", Amount: amt("150"), Before: t0.Add(31 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	b.record(e)
	if len(applied) != 3 || applied[0].Lot.ID != late.ID || applied[1].Lot.ID != promo.ID || applied[2].Lot.ID != paid.ID {
		t.Fatalf("applied %+v, want late, promo, paid", applied)
	}
	if b.s.Account.Debt != amt("60") || e.Txn.Amount != 0 || e.Txn.Type != ledger.TxnInvoiceCredit {
		t.Fatalf("debt %s after 90 of credits, txn %+v", b.s.Account.Debt, e.Txn)
	}
	b.audit()

	// Voiding returns the credits as new lots and writes off what was due.
	e, err = b.s.VoidInvoice(b.env(), ledger.InvoiceVoid{InvoiceID: "inv_1", Credits: applied, WriteOff: amt("60"), Reason: "billing error"})
	if err != nil {
		t.Fatal(err)
	}
	b.record(e)
	if b.s.Account.Debt != 0 || len(e.Lots) != 3 || b.balance().Balance != amt("90") {
		t.Fatalf("after void: debt %s, %d lots, balance %s", b.s.Account.Debt, len(e.Lots), b.balance().Balance)
	}
	if e.Lots[1].Category != ledger.Promotional || !e.Lots[1].ExpiresAt.Equal(promo.ExpiresAt) {
		t.Fatalf("returned lot %+v lost the promotional lot's terms", e.Lots[1])
	}
	b.audit()

	// Only the invoice's own payment repays postpaid debt on arrival.
	b.mustDebit(ledger.Debit{Amount: amt("20"), AllowNegative: true})
	pay := b.grant("pay", ledger.Grant{Amount: amt("20"), Origin: ledger.OriginInvoice})
	if pay.Remaining != 0 || b.s.Account.Debt != 0 {
		t.Fatalf("invoice payment: remaining %s, debt %s", pay.Remaining, b.s.Account.Debt)
	}
	b.audit()
}

// Credit that takes effect at or after the period's end waits for the next
// invoice, and a credit's share never exceeds the debt.
func TestApplyCreditsBounds(t *testing.T) {
	b := newBook(t, "0")
	b.s.Account.PostpaidSince = t0
	end := t0.Add(time.Hour)
	b.grant("now", ledger.Grant{Amount: amt("5")})
	b.grant("later", ledger.Grant{Amount: amt("50"), EffectiveAt: end})
	b.mustDebit(ledger.Debit{Amount: amt("3"), AllowNegative: true})
	b.at(2 * time.Hour)
	e, applied, err := b.s.ApplyCredits(b.env(), ledger.CreditApplication{InvoiceID: "inv_1", Amount: amt("100"), Before: end})
	if err != nil {
		t.Fatal(err)
	}
	b.record(e)
	if len(applied) != 1 || applied[0].Amount != amt("3") || b.s.Account.Debt != 0 {
		t.Fatalf("applied %+v, debt %s; want 3 from the lot effective before the end", applied, b.s.Account.Debt)
	}
	e, applied, err = b.s.ApplyCredits(b.env(), ledger.CreditApplication{InvoiceID: "inv_2", Amount: amt("100"), Before: end})
	if err != nil || e != nil || applied != nil {
		t.Fatalf("nothing to apply: %v %v %v", e, applied, err)
	}
	b.audit()
}

// A switch to postpaid that lies ahead changes nothing until it arrives.
func TestPostpaidFromNextPeriod(t *testing.T) {
	b := newBook(t, "0")
	b.s.Account.PostpaidSince = t0.Add(time.Hour)
	b.grant("A", ledger.Grant{Amount: amt("10")})
	_, err := b.debit(ledger.Debit{Amount: amt("11")})
	wantCode(t, err, coffer.EInsufficientBalance)
	b.at(time.Hour)
	b.mustDebit(ledger.Debit{Amount: amt("11")})
	if b.s.Account.Debt != amt("11") {
		t.Fatalf("debt %s", b.s.Account.Debt)
	}
	b.audit()
}
