package invoice

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// Tally adds up one account's ledger transactions of a period, in any
// order, into what its invoice shows. It keeps one figure per unit and
// subaccount, never the transactions, so a period of any length is
// tallied in constant memory.
type Tally struct {
	currency  money.Currency
	usage     map[usageKey]*Line
	prepaid   money.Amount // usage money the lots paid as it happened
	purchases money.Amount
	payments  money.Amount
	grants    money.Amount
	trueUp    money.Amount
	units     map[string]money.Amount // unit credits granted, by unit
	debt      money.Amount            // how much the debt rose
}

// Usage is the money the usage tallied took: its usage lines' sum.
func (t *Tally) Usage() money.Amount {
	var sum money.Amount
	for _, l := range t.usage {
		sum += l.Amount
	}
	return sum
}

// DebtChange is how much the account's debt rose over the transactions
// tallied (negative if it fell): minus their receivables postings.
func (t *Tally) DebtChange() money.Amount { return t.debt }

type usageKey struct{ unit, subaccount string }

// NewTally starts a tally for an account in currency.
func NewTally(currency money.Currency) *Tally {
	return &Tally{currency: currency, usage: map[usageKey]*Line{}, units: map[string]money.Amount{}}
}

// Add counts one transaction. Debits and captures are usage: their money
// part (the transaction's amount) by unit and subaccount, and the part the
// lots paid. Grants are purchases, invoice payments or grants by what made
// them; true-ups are gifted credit applied. Voids, expiries and
// invoicing's own transactions are no line.
func (t *Tally) Add(txn *ledger.Txn) {
	cur := string(t.currency)
	for _, p := range txn.Postings {
		if p.Book == ledger.BookReceivables {
			t.debt -= p.Amount
		}
	}
	switch txn.Type {
	case ledger.TxnDebit, ledger.TxnCapture:
		k := usageKey{txn.Unit, txn.SubaccountID}
		l := t.usage[k]
		if l == nil {
			l = &Line{Kind: LineUsage, Unit: txn.Unit, SubaccountID: txn.SubaccountID}
			t.usage[k] = l
		}
		l.Amount -= txn.Amount // a debit's amount is minus its money part
		l.Quantity += txn.Quantity
		for _, p := range txn.Postings {
			if p.Book == ledger.BookCustomer && p.Asset == cur {
				t.prepaid -= p.Amount
			}
		}
	case ledger.TxnTrueUp:
		t.trueUp += txn.Amount
	case ledger.TxnGrant:
		var amount money.Amount
		for _, p := range txn.Postings {
			if p.Book == ledger.BookPayments || p.Book == ledger.BookPromotional {
				amount -= p.Amount
			}
		}
		switch {
		case txn.Unit != "":
			t.units[txn.Unit] += amount
		case txn.Metadata["invoice_id"] != "":
			t.payments += amount
		case txn.Metadata["payment_id"] != "":
			t.purchases += amount
		default:
			t.grants += amount
		}
	}
}

// Close is what the close knows besides the period's transactions.
type Close struct {
	ID          string
	AccountID   string
	Currency    money.Currency
	Mode        Mode
	PeriodStart time.Time
	PeriodEnd   time.Time
	// Owed is the debt at the period's end that no earlier invoice bills;
	// EarlierDue is what earlier unpaid invoices still bill.
	Owed       money.Amount
	EarlierDue money.Amount
}

// Draft makes the period's invoice before credits are applied: its usage
// lines (by unit, then subaccount), the prepaid balance's share, the
// activity lines, and any credit that already repaid the period's debt as
// it arrived. ToApply is what the close should then set credits against:
// the period's usage that is still owed.
func (t *Tally) Draft(c Close) (inv *Invoice, toApply money.Amount) {
	inv = &Invoice{ID: c.ID, AccountID: c.AccountID, Currency: c.Currency, Mode: c.Mode,
		PeriodStart: c.PeriodStart, PeriodEnd: c.PeriodEnd, Status: Draft}
	keys := make([]usageKey, 0, len(t.usage))
	for k := range t.usage {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b usageKey) int {
		return cmp.Or(cmp.Compare(a.unit, b.unit), cmp.Compare(a.subaccount, b.subaccount))
	})
	bySub := map[string]money.Amount{}
	for _, k := range keys {
		l := *t.usage[k]
		l.Description = usageDescription(l)
		inv.Lines = append(inv.Lines, l)
		inv.Subtotal += l.Amount
		bySub[l.SubaccountID] += l.Amount
	}
	for _, id := range slices.Sorted(maps.Keys(bySub)) {
		inv.Subaccounts = append(inv.Subaccounts, Subaccount{SubaccountID: id, Amount: bySub[id]})
	}
	if t.prepaid != 0 {
		inv.Lines = append(inv.Lines, Line{Kind: LinePrepaid, Description: "Paid from the prepaid balance as used", Amount: -t.prepaid})
		inv.Subtotal -= t.prepaid
	}
	toApply = max(0, min(inv.Subtotal, c.Owed))
	if repaid := inv.Subtotal - toApply; repaid > 0 {
		inv.Lines = append(inv.Lines, Line{Kind: LineCredit, Description: "Covered by credit: repaid as credit arrived, or credited from a gift", Amount: -repaid})
		inv.CreditsApplied += repaid
	}
	info := func(kind LineKind, desc string, amount money.Amount) {
		if amount != 0 {
			inv.Lines = append(inv.Lines, Line{Kind: kind, Description: desc, Amount: amount})
		}
	}
	info(LinePurchase, "Credit purchased", t.purchases)
	info(LineGrant, "Credit granted", t.grants)
	for _, u := range slices.Sorted(maps.Keys(t.units)) {
		inv.Lines = append(inv.Lines, Line{Kind: LineGrant, Description: "Unit credits granted: " + u, Unit: u, Quantity: t.units[u]})
	}
	info(LineTrueUp, "Gifted credit applied by the monthly true-up", t.trueUp)
	info(LinePayment, "Payments of earlier invoices", t.payments)
	info(LineDebt, "Owed on earlier invoices", c.EarlierDue)
	inv.AmountDue = inv.Subtotal - inv.CreditsApplied
	return inv, toApply
}

// Apply sets the credits the close applied against the invoice, one line
// per lot, and settles its totals: an invoice with nothing due is paid.
func (inv *Invoice) Apply(applied []ledger.Applied) {
	for _, a := range applied {
		inv.Lines = append(inv.Lines, Line{Kind: LineCredit, Description: creditDescription(a.Lot), Amount: -a.Amount, LotID: a.Lot.ID})
		inv.CreditsApplied += a.Amount
	}
	inv.Credits = append(inv.Credits, applied...)
	inv.AmountDue = inv.Subtotal - inv.CreditsApplied
}

// Finalize fixes the invoice at the close: finalized, or paid at once
// when nothing is due.
func (inv *Invoice) Finalize(now time.Time) {
	inv.Status, inv.FinalizedAt, inv.UpdatedAt = Finalized, now, now
	if inv.AmountDue == 0 {
		inv.Status, inv.PaidAt = Paid, now
	}
}

func usageDescription(l Line) string {
	what := "Usage"
	if l.Unit != "" {
		what = "Usage: " + l.Unit
	}
	if l.SubaccountID != "" {
		what += " (subaccount " + l.SubaccountID + ")"
	}
	return what
}

func creditDescription(l ledger.Lot) string {
	d := fmt.Sprintf("Credit applied: %s %s", l.Category, l.ID)
	if !l.ExpiresAt.IsZero() {
		d += ", expires " + l.ExpiresAt.UTC().Format(time.DateOnly)
	}
	return d
}
