package ledger_test

import (
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// Served usage runs into debt down to the credit limit and no further: the
// debit that would cross it is refused whole, the first refusal raises the
// limit's event, and value arriving re-arms it.
func TestCreditLimit(t *testing.T) {
	b := newBook(t, "-10")
	b.s.Account.CreditLimit = amt("-50")
	b.grant("A", ledger.Grant{Amount: amt("20")})
	b.mustDebit(ledger.Debit{Amount: amt("70"), AllowNegative: true}) // to exactly -50
	for i := range 2 {
		e, err := b.debit(ledger.Debit{Amount: amt("0.01"), AllowNegative: true})
		wantCode(t, err, coffer.ECreditLimitReached)
		if raised := e != nil && e.Events[0].Type == ledger.EventCreditLimit; raised != (i == 0) {
			t.Fatalf("refusal %d raised the event: %v", i, raised)
		}
	}
	if got := b.balance().Balance; got != amt("-50") {
		t.Fatalf("balance %s, want -50", got)
	}
	// An over-capture is refused too, and the hold stays to be captured
	// for less or released.
	b.grant("B", ledger.Grant{Amount: amt("70")}) // repays 50, leaves 20; re-arms
	if b.s.Account.AtCreditLimit {
		t.Fatal("a grant did not re-arm the limit")
	}
	h, _ := b.hold("5", time.Hour)
	e, err := b.s.Capture(b.env(), h.ID, amt("75.01"), "")
	wantCode(t, err, coffer.ECreditLimitReached)
	if e == nil || h.Status != ledger.HoldActive || b.balance().Held != amt("5") {
		t.Fatalf("refused capture: effect %v, hold %+v", e, h)
	}
	b.record(e)
	e, err = b.s.Capture(b.env(), h.ID, amt("70"), "")
	if err != nil {
		t.Fatal(err)
	}
	b.record(e)
	b.audit()
}

// The figures that could overflow an Amount are bounded instead: a grant
// past MaxValue is refused, and repeated huge served debits stop at the
// deepest credit limit rather than wrap the debt.
func TestNoOverflow(t *testing.T) {
	b := newBook(t, "0")
	b.grant("A", ledger.Grant{Amount: ledger.MaxValue - amt("1")})
	_, err := b.s.Grant(b.env(), ledger.Grant{Kind: ledger.Monetary, Amount: amt("1.000001")})
	wantCode(t, err, coffer.EInvalid)
	_, err = b.s.Grant(b.env(), ledger.Grant{Kind: ledger.Units, Unit: "sms", Amount: money.Max})
	wantCode(t, err, coffer.EInvalid)

	b = newBook(t, "0") // credit limit: NoCreditLimit, the deepest there is
	huge := amt("999999999999.999999")
	var refused bool
	for range 10 {
		_, err := b.debit(ledger.Debit{Amount: huge, AllowNegative: true})
		if err != nil {
			wantCode(t, err, coffer.ECreditLimitReached)
			refused = true
		}
	}
	if !refused || b.s.Account.Debt > ledger.MaxValue {
		t.Fatalf("debt %s after ten huge served debits", b.s.Account.Debt)
	}
	_, err = b.debit(ledger.Debit{Amount: money.Max, AllowNegative: true})
	wantCode(t, err, coffer.ECreditLimitReached)
	_, err = b.debit(ledger.Debit{Unit: "sms", Quantity: money.Max, UnitPrice: money.Max, AllowNegative: true})
	wantCode(t, err, coffer.EInvalid)
	b.audit()
}
