package ledger_test

import (
	"testing"

	"github.com/cofferdev/coffer/ledger"
)

// A true-up credits a month's usage from the gift: it repays the debt the
// month's usage left, the rest reaches the balance as a realtime lot, and
// the credit that uses the gift up raises its event once.
func TestApplyGift(t *testing.T) {
	b := newBook(t, "-510")
	gift := b.grant("gift", ledger.Grant{Amount: amt("500"), Category: ledger.Promotional, Application: ledger.TrueUp})
	b.mustDebit(ledger.Debit{Amount: amt("120")})
	if bal := b.balance(); bal.Balance != amt("-120") || bal.BalanceWithCredits != amt("380") {
		t.Fatalf("before the true-up: balance %s, with credits %s", bal.Balance, bal.BalanceWithCredits)
	}
	e, credited, err := b.s.ApplyGift(b.env(), ledger.GiftCredit{LotID: gift.ID, Amount: amt("120"), Month: "2026-01"})
	if err != nil {
		t.Fatal(err)
	}
	b.record(e)
	if credited != amt("120") || b.balance().Balance != 0 || gift.Remaining != amt("380") || len(e.Events) != 0 {
		t.Fatalf("credited %s, balance %s, gift %s, events %v", credited, b.balance().Balance, gift.Remaining, e.Events)
	}
	b.audit()

	// More usage than the gift has left: the gift credits what it has,
	// and it is used up.
	b.mustDebit(ledger.Debit{Amount: amt("430"), AllowNegative: true})
	e, credited, err = b.s.ApplyGift(b.env(), ledger.GiftCredit{LotID: gift.ID, Amount: amt("430"), Month: "2026-02"})
	if err != nil {
		t.Fatal(err)
	}
	b.record(e)
	if credited != amt("380") || b.balance().Balance != amt("-50") || gift.Status != ledger.LotDepleted {
		t.Fatalf("credited %s, balance %s, gift %s", credited, b.balance().Balance, gift.Status)
	}
	if len(e.Events) != 1 || e.Events[0].Type != ledger.EventGiftExhausted {
		t.Fatalf("events %v, want the gift's exhaustion", e.Events)
	}
	e, credited, err = b.s.ApplyGift(b.env(), ledger.GiftCredit{LotID: gift.ID, Amount: amt("5"), Month: "2026-03"})
	if err != nil || e != nil || credited != 0 {
		t.Fatalf("a used-up gift credited %s (%v, %v)", credited, e, err)
	}

	// Credit beyond the debt reaches the balance as a realtime lot.
	gift2 := b.grant("gift2", ledger.Grant{Amount: amt("100"), Category: ledger.Promotional, Application: ledger.TrueUp})
	e, _, err = b.s.ApplyGift(b.env(), ledger.GiftCredit{LotID: gift2.ID, Amount: amt("80"), Month: "2026-03"})
	if err != nil {
		t.Fatal(err)
	}
	b.record(e)
	if b.balance().Balance != amt("30") || b.s.Account.Debt != 0 || len(e.Lots) != 2 || e.Lots[1].Origin != ledger.OriginTrueUp {
		t.Fatalf("balance %s, debt %s, lots %+v", b.balance().Balance, b.s.Account.Debt, e.Lots)
	}
	b.audit()
}
