package service

import (
	"context"
	"sync"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// closeChunk is how many accounts one round of the period close takes.
const closeChunk = 200

// closeWorkers is how many accounts of a round the period close works on
// at once. Each account's close waits for a committer batch to commit, so
// one at a time behind a saturated hot path the close does one account per
// batch: 2-24 accounts/s in `coffer bench --scenarios invoice-close`, over
// 20 minutes for 10,000 accounts and past the invoicing job's pass
// deadline. Four at a time share batches: 4-8x that rate beside the load
// and about 2x alone, at a cost to the debits beside it within the noise
// of one at a time; eight cost SQLite's hot path about half its
// throughput while the close ran (docs/performance.md).
const closeWorkers = 4

// txnPage is how many transactions a tally reads at a time.
const txnPage = 1000

// ClosePeriods closes every calendar month that ended, on the service's
// clock, at least CloseDelay ago, for every account that has no invoice
// for it yet: the invoicing job runs it. Accounts are taken in id order a
// chunk at a time, closeWorkers of them at once, and each close is one
// committer request, so the close runs in bounded memory beside the hot
// path; invoice numbers follow the order the closes commit in, not the
// accounts' ids. An account behind by several months (Coffer was down,
// the test clock jumped) gets one invoice per month, oldest first.
// Closing is idempotent: an account's close of a period is a request
// under one key, and the invoices table holds one invoice per account and
// period end, so a second process, a rerun or a restart after a crash
// changes nothing that was closed.
func (s *Service) ClosePeriods(ctx context.Context) error {
	end, _ := invoice.PeriodOf(s.now().Add(-s.cfg.Invoices.CloseDelay))
	after := ""
	for {
		ids, err := s.store.AccountsToClose(ctx, end, after, closeChunk)
		if err != nil || len(ids) == 0 {
			return err
		}
		s.closeAll(ctx, ids, end)
		if err := ctx.Err(); err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
}

// closeAll closes the accounts' periods through end, closeWorkers accounts
// at a time, and returns when all are done or ctx ends.
func (s *Service) closeAll(ctx context.Context, ids []string, end time.Time) {
	next := make(chan string)
	var wg sync.WaitGroup
	for range min(closeWorkers, len(ids)) {
		wg.Go(func() {
			for id := range next {
				if err := s.closeThrough(ctx, id, end); err != nil && ctx.Err() == nil {
					// One account that cannot close must not hold up
					// the others; the next run tries it again.
					s.log.Error("close period", "account", id, "period_end", end, "err", err)
				}
			}
		})
	}
feed:
	for _, id := range ids {
		select {
		case next <- id:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
}

// closeThrough closes the account's periods, oldest first, until one ends
// at end.
func (s *Service) closeThrough(ctx context.Context, accountID string, end time.Time) error {
	for {
		a, err := s.store.GetAccount(ctx, accountID)
		if err != nil {
			return err
		}
		invs, err := s.allInvoices(ctx, accountID)
		if err != nil {
			return err
		}
		from := periodFrom(a, invs)
		_, monthEnd := invoice.PeriodOf(from)
		if monthEnd.After(end) || (a.Status == ledger.StatusClosed && !from.Before(a.UpdatedAt)) {
			return nil // closed through end, or through the month the account closed in
		}
		if _, err := s.closePeriod(ctx, a, invs, monthEnd, false); err != nil {
			return err
		}
		if !monthEnd.Before(end) {
			return nil // closed through end: nothing to read again
		}
	}
}

// periodFrom is where the account's open period began: where its last
// invoice ended, or the start of the month it was opened in.
func periodFrom(a *coffer.Account, invs []*invoice.Invoice) time.Time {
	from, _ := invoice.PeriodOf(a.CreatedAt)
	for _, inv := range invs {
		if inv.PeriodEnd.After(from) {
			from = inv.PeriodEnd
		}
	}
	return from
}

// closePeriod finalizes the account's invoice for its open period, ending
// at end: a month's end, or now for a switch to prepaid, which toPrepaid
// makes in the same transaction. invs are the account's invoices.
func (s *Service) closePeriod(ctx context.Context, a *coffer.Account, invs []*invoice.Invoice, end time.Time, toPrepaid bool) (*api.Invoice, error) {
	d, err := s.draftInvoice(ctx, a, invs, end)
	if err != nil {
		return nil, err
	}
	key := &store.Idempotency{Scope: "invoicing", Key: a.ID + "@" + end.UTC().Format(time.RFC3339Nano), RequestHash: "close"}
	val, err := s.submit(ctx, &committer.Request{AccountID: a.ID, Idempotency: key, Invoices: true,
		Run: func(b *committer.Batch, st *ledger.State) (any, error) {
			inv, toApply := d.make(st, b.Env.Now) // from the draft each time: Run may run again
			e, applied, err := st.ApplyCredits(b.Env, ledger.CreditApplication{InvoiceID: inv.ID, Amount: toApply, Before: end, Actor: "invoicing"})
			if err != nil {
				return nil, err
			}
			if e != nil {
				b.Record(e)
			}
			inv.Apply(applied)
			inv.Finalize(b.Env.Now)
			n, err := b.NextInvoiceNumber()
			if err != nil {
				return nil, err
			}
			inv.Number = invoice.FormatNumber(n)
			if inv.Status == invoice.Finalized {
				inv.NextAttemptAt = b.Env.Now
			}
			events := []ledger.Event{s.invoiceEvent(b.Env, inv, EventInvoiceFinalized, nil)}
			if inv.Status == invoice.Paid {
				events = append(events, s.invoiceEvent(b.Env, inv, EventInvoicePaid, nil))
			}
			if toPrepaid {
				st.Account.PostpaidSince = time.Time{}
			}
			b.Record(&ledger.Effect{Events: events})
			b.RecordInvoice(inv)
			return s.invoiceView(inv), nil
		}})
	return decodeReplay[api.Invoice](val, err)
}

// draft is what a close reads before the account is locked: the period's
// tally and what the invoice is made of besides.
type draft struct {
	tally *invoice.Tally
	close invoice.Close
	debt  money.Amount // at the period's end
	token string
}

// make builds the invoice from the draft against the account's state, and
// says what credits the close should set against it. A prepaid statement
// bills only debt that is still owed and that no gift left will cover:
// debt repaid since the period ended (a purchase, a program's true-up that
// ran first) or that the monthly true-up will credit is not due. It is
// pure: Run calls it inside the batch, where st is the locked state.
func (d *draft) make(st *ledger.State, now time.Time) (*invoice.Invoice, money.Amount) {
	c := d.close
	if c.Mode == invoice.Prepaid {
		var gift money.Amount
		for _, l := range st.Lots {
			if l.Application == ledger.TrueUp && l.Usable(now) {
				gift += l.Remaining
			}
		}
		c.Owed = min(c.Owed, st.Account.Debt-c.EarlierDue-gift)
	}
	inv, toApply := d.tally.Draft(c)
	inv.DebtAtEnd, inv.ViewToken = d.debt, d.token
	return inv, toApply
}

// draftInvoice reads what the account's invoice for the period ending at
// end is made of: the period's transactions, and the debt and invoices as
// they stood at end. All of it is fixed once end has passed, so what it
// reads before the account is locked still holds when the close runs.
func (s *Service) draftInvoice(ctx context.Context, a *coffer.Account, earlier []*invoice.Invoice, end time.Time) (*draft, error) {
	from := periodFrom(a, earlier)
	if _, monthEnd := invoice.PeriodOf(from); !from.Before(end) || end.After(monthEnd) {
		return nil, coffer.Errorf(coffer.EInternal, "account %s: no open period from %s ends at %s", a.ID, from, end)
	}
	var last *invoice.Invoice
	for _, inv := range earlier {
		if inv.PeriodEnd.Equal(from) {
			last = inv
		}
	}
	// The first period begins in the month the account opened, owing
	// nothing; each later one begins with the debt its predecessor ended
	// with.
	var debtStart money.Amount
	if last != nil {
		debtStart = last.DebtAtEnd
	}
	t := invoice.NewTally(a.Currency)
	if err := s.tally(ctx, a.ID, from, end, t); err != nil {
		return nil, err
	}
	debtEnd := debtStart + t.DebtChange()
	var billed money.Amount // what earlier invoices still billed at end
	for _, inv := range earlier {
		if outstandingAt(inv, end) {
			billed += inv.AmountDue
		}
	}
	// Postpaid if it was from the period's start, or from its opening
	// if it was opened in the period.
	mode := invoice.Prepaid
	if opened := maxTime(from, a.CreatedAt); !a.PostpaidSince.IsZero() && !a.PostpaidSince.After(opened) {
		mode = invoice.Postpaid
	}
	owed := debtEnd - billed
	if mode == invoice.Prepaid {
		// A prepaid account on auto-recharge has its debt collected by
		// auto-recharge as soon as the balance is below the threshold:
		// the statement bills none of it, or both would charge for it.
		ar, err := s.store.GetAutoRecharge(ctx, a.ID)
		switch {
		case err == nil && ar.Enabled && !ar.Exhausted:
			owed = 0
		case err != nil && coffer.ErrorCode(err) != coffer.ENotFound:
			return nil, err
		}
	}
	now := s.now()
	return &draft{tally: t, debt: debtEnd, token: newViewToken(), close: invoice.Close{ID: s.ids.New(coffer.PrefixInvoice, now),
		AccountID: a.ID, Currency: a.Currency, Mode: mode, PeriodStart: from, PeriodEnd: end, Owed: owed, EarlierDue: billed}}, nil
}

// outstandingAt reports whether an invoice still billed its amount due at
// instant t: finalized before t, and neither paid nor voided before t.
func outstandingAt(inv *invoice.Invoice, t time.Time) bool {
	switch {
	case inv.AmountDue == 0 || !inv.FinalizedAt.Before(t):
		return false
	case !inv.PaidAt.IsZero() && inv.PaidAt.Before(t):
		return false
	case !inv.VoidedAt.IsZero() && inv.VoidedAt.Before(t):
		return false
	}
	return true
}

// tally streams the account's transactions of [from, to) into t, a page
// at a time.
func (s *Service) tally(ctx context.Context, accountID string, from, to time.Time, t *invoice.Tally) error {
	f := store.TxnFilter{From: from, To: to, Page: store.Page{Limit: txnPage}}
	for {
		txns, more, err := s.store.ListTxns(ctx, accountID, f)
		if err != nil {
			return err
		}
		for _, txn := range txns {
			t.Add(txn)
		}
		if !more || len(txns) == 0 {
			return nil
		}
		f.StartingAfter = txns[len(txns)-1].ID
	}
}

// allInvoices reads every invoice of an account: a dozen a year.
func (s *Service) allInvoices(ctx context.Context, accountID string) ([]*invoice.Invoice, error) {
	var out []*invoice.Invoice
	f := store.InvoiceFilter{AccountID: accountID, Page: store.Page{Limit: 100}}
	for {
		items, more, err := s.store.ListInvoices(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if !more || len(items) == 0 {
			return out, nil
		}
		f.StartingAfter = items[len(items)-1].ID
	}
}

// invoiceEvent builds an event about an invoice.
func (s *Service) invoiceEvent(env ledger.Env, inv *invoice.Invoice, typ string, extra map[string]any) ledger.Event {
	data := map[string]any{"invoice_id": inv.ID, "number": inv.Number, "status": string(inv.Status), "billing_mode": string(inv.Mode),
		"currency": string(inv.Currency), "amount_due": inv.AmountDue.String(), "amount_paid": inv.AmountPaid.String(),
		"period_start": inv.PeriodStart.Format(time.RFC3339), "period_end": inv.PeriodEnd.Format(time.RFC3339),
		"lines": len(inv.Lines)}
	if u := s.hostedURL(inv); u != "" && s.cfg.Invoices.PublicURL != "" {
		data["hosted_url"] = u
	}
	for k, v := range extra {
		data[k] = v
	}
	return ledger.Event{ID: env.NewID(coffer.PrefixEvent), Type: typ, AccountID: inv.AccountID, Data: data, CreatedAt: env.Now}
}

// cloneInvoice copies an invoice deep enough that changing the copy's
// lines and credits leaves the original as it was.
func cloneInvoice(inv *invoice.Invoice) *invoice.Invoice {
	c := *inv
	c.Lines = append([]invoice.Line(nil), inv.Lines...)
	c.Subaccounts = append([]invoice.Subaccount(nil), inv.Subaccounts...)
	c.Credits = append([]ledger.Applied(nil), inv.Credits...)
	return &c
}
