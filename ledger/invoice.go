package ledger

import (
	"slices"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
)

// Transaction types of invoicing.
const (
	// TxnInvoiceCredit applies credits to an invoice: lots repay the debt
	// the invoice bills. The balance does not move (lots fall, debt falls).
	TxnInvoiceCredit TxnType = "invoice_credit"
	// TxnInvoiceVoid cancels an unpaid invoice: the credits it applied
	// come back as new lots and the debt it billed is written off.
	TxnInvoiceVoid TxnType = "invoice_void"
)

// CreditApplication asks ApplyCredits to set credits against an invoice.
type CreditApplication struct {
	InvoiceID string
	Amount    money.Amount // at most this much
	// Before excludes lots that take effect at or after it: credit
	// granted for a later period waits for that period's invoice.
	Before time.Time
	Actor  string
}

// Applied is one lot's part in an invoice's credits, with the lot as it
// was before (its category, priority and expiry, which a void returns).
type Applied struct {
	Lot    Lot
	Amount money.Amount
}

// ApplyCredits sets the account's credits against an invoice, in the
// consumption order debits follow: realtime monetary lots usable at now
// that took effect before a.Before, lower priority first, then soonest
// expiry, promotional before paid, oldest. It takes at most a.Amount and
// at most the debt: each lot's share repays the debt the invoice bills
// (customer → receivables). It returns nil and no shares when no credit
// applies.
func (s *State) ApplyCredits(env Env, a CreditApplication) (*Effect, []Applied, error) {
	if s.Account.Status == StatusClosed {
		return nil, nil, nil // nothing moves on a closed account; its last invoice applies nothing
	}
	if a.Amount < 0 {
		return nil, nil, coffer.Invalid("amount", "must not be negative")
	}
	if err := s.settle(env.Now); err != nil {
		return nil, nil, err
	}
	left := min(a.Amount, s.Account.Debt)
	var applied []Applied
	lots, err := s.queue(env.Now, "", left, func(l *Lot) bool { return l.EffectiveAt.Before(a.Before) })
	if err != nil {
		return nil, nil, err
	}
	for _, l := range lots {
		if left == 0 {
			break
		}
		n := min(left, l.Remaining)
		applied = append(applied, Applied{Lot: *l, Amount: n})
		left -= n
	}
	if len(applied) == 0 {
		return nil, nil, nil
	}
	cur := string(s.Account.Currency)
	txn := s.newTxn(env, TxnInvoiceCredit)
	txn.Actor, txn.Reason = a.Actor, "credits applied to invoice "+a.InvoiceID
	txn.Metadata = map[string]string{"invoice_id": a.InvoiceID}
	effect := &Effect{Txn: txn}
	var total money.Amount
	for _, ap := range applied {
		l := s.lot(ap.Lot.ID)
		l.Remaining -= ap.Amount
		if l.Remaining == 0 {
			l.Status = LotDepleted
		}
		total += ap.Amount
		effect.Lots = append(effect.Lots, l)
		txn.Postings = append(txn.Postings, Posting{Book: BookCustomer, AccountID: s.Account.ID, LotID: l.ID, Asset: cur, Amount: -ap.Amount})
	}
	s.Account.Debt -= total
	txn.Postings = append(txn.Postings, Posting{Book: BookReceivables, AccountID: s.Account.ID, Asset: cur, Amount: total})
	s.finish(env, txn, effect, "", nil)
	return effect, applied, nil
}

// InvoiceVoid asks VoidInvoice to cancel an unpaid invoice.
type InvoiceVoid struct {
	InvoiceID string
	// Credits are the shares ApplyCredits set against the invoice.
	Credits []Applied
	// WriteOff is what the invoice still bills: its amount due.
	WriteOff money.Amount
	Reason   string
	Actor    string
}

// VoidInvoice cancels an invoice's charges. Each credit it applied comes
// back as a new lot with the old lot's category, priority and expiry
// (value whose lot has expired since goes to breakage, as it would have),
// and the debt it billed is written off, at most the debt left. Revenue
// gives back both. The returned lots, like any lot, do not repay a
// postpaid account's debt; they wait for the next invoice.
func (s *State) VoidInvoice(env Env, v InvoiceVoid) (*Effect, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	if v.Reason == "" {
		return nil, coffer.Invalid("reason", "is required: say why the invoice is voided")
	}
	if err := s.settle(env.Now); err != nil {
		return nil, err
	}
	cur := string(s.Account.Currency)
	var back money.Amount
	for _, c := range v.Credits {
		back += c.Amount
	}
	if live := s.liveValue(cur); back > MaxValue-live {
		return nil, coffer.Invalid("invoice", "returning its credits would take the account's live credit past %s", MaxValue)
	}
	writeOff := min(v.WriteOff, s.Account.Debt)
	txn := s.newTxn(env, TxnInvoiceVoid)
	txn.Actor, txn.Reason = v.Actor, v.Reason
	txn.Metadata = map[string]string{"invoice_id": v.InvoiceID}
	effect := &Effect{Txn: txn}
	before := s.LedgerBalance()
	var lapsed money.Amount
	for _, c := range slices.Clone(v.Credits) {
		if c.Amount <= 0 {
			continue
		}
		if !c.Lot.ExpiresAt.IsZero() && !c.Lot.ExpiresAt.After(env.Now) {
			lapsed += c.Amount
			continue
		}
		lot := &Lot{ID: env.NewID(coffer.PrefixLot), AccountID: s.Account.ID, Kind: Monetary,
			Amount: c.Amount, Remaining: c.Amount, Category: c.Lot.Category, Priority: c.Lot.Priority,
			EffectiveAt: env.Now, ExpiresAt: c.Lot.ExpiresAt, Application: Realtime, Status: LotActive,
			Origin: OriginRefund, Reason: "returned from voided invoice " + v.InvoiceID + " (grant " + c.Lot.ID + ")",
			Actor: v.Actor, CreatedAt: env.Now}
		s.Lots = append(s.Lots, lot)
		effect.Lots = append(effect.Lots, lot)
		txn.Postings = append(txn.Postings, Posting{Book: BookCustomer, AccountID: s.Account.ID, LotID: lot.ID, Asset: cur, Amount: c.Amount})
	}
	if lapsed > 0 {
		txn.Postings = append(txn.Postings, Posting{Book: BookBreakage, Asset: cur, Amount: lapsed})
	}
	if writeOff > 0 {
		s.Account.Debt -= writeOff
		txn.Postings = append(txn.Postings, Posting{Book: BookReceivables, AccountID: s.Account.ID, Asset: cur, Amount: writeOff})
	}
	if total := back + writeOff; total > 0 {
		txn.Postings = append(txn.Postings, Posting{Book: BookRevenue, Asset: cur, Amount: -total})
	}
	txn.Amount = s.LedgerBalance() - before
	if txn.Amount > 0 {
		s.Account.AtCreditLimit = false
	}
	s.finish(env, txn, effect, "", nil)
	return effect, nil
}
