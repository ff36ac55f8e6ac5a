package invoice_test

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"pgregory.net/rapid"
)

// This file drives one account's ledger.State through two random calendar
// months, as the committer would (every effect's transaction collected),
// and closes each month as the service does: tally the period's
// transactions, work out what is owed, draft, apply the credits, finalize.
// It then checks the invoice against the transactions it was made from,
// and the ledger after the close.

const usd = money.Currency("USD")

// acct is one account's ledger under test, with its clock and everything
// written so far.
type acct struct {
	t       *rapid.T
	s       *ledger.State
	created time.Time
	now     time.Time
	n       int
	txns    []*ledger.Txn
	grants  map[string]grantLine // by grant transaction: the line the tally should count it in
	holds   []string             // every hold placed
	events  int
}

// grantLine is what a grant should add to the invoice's activity lines.
type grantLine struct {
	kind   invoice.LineKind // purchase, grant or payment
	unit   string           // unit credits: counted by unit, as a quantity
	amount money.Amount
}

// env hands out ids that sort in creation order, as real ids do.
func (a *acct) env() ledger.Env {
	return ledger.Env{Now: a.now, NewID: func(prefix string) string {
		a.n++
		return fmt.Sprintf("%s_%08d", prefix, a.n)
	}}
}

// record keeps an effect's transaction, checking that it balances.
func (a *acct) record(e *ledger.Effect) {
	a.t.Helper()
	if e == nil || e.Txn == nil {
		return
	}
	sums := map[string]money.Amount{}
	for _, p := range e.Txn.Postings {
		sums[p.Asset] += p.Amount
	}
	for asset, v := range sums {
		if v != 0 {
			a.t.Fatalf("txn %s (%s): postings in %s sum to %s", e.Txn.ID, e.Txn.Type, asset, v)
		}
	}
	if !e.Txn.CreatedAt.Equal(a.now) {
		a.t.Fatalf("txn %s created at %s, the clock says %s", e.Txn.ID, e.Txn.CreatedAt, a.now)
	}
	a.txns = append(a.txns, e.Txn)
}

// refused accepts the refusals a random operation may meet; anything else
// (an internal error) fails the test.
func (a *acct) refused(what string, err error) {
	a.t.Helper()
	switch coffer.ErrorCode(err) {
	case coffer.EInsufficientBalance, coffer.ECreditLimitReached, coffer.EAccountClosed, coffer.EAccountSuspended,
		coffer.EInvalid, coffer.ENotFound, coffer.EConflict:
	default:
		a.t.Fatalf("%s: unexpected error %v", what, err)
	}
}

var (
	genAmount = rapid.OneOf(
		rapid.SampledFrom([]int64{1, 10_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 33_333_333}),
		rapid.Int64Range(1, 20_000_000),
	)
	genPrice = rapid.SampledFrom([]int64{0, 7_500, 500_000, 1_000_000, 1_333_333})
	genStep  = rapid.SampledFrom([]time.Duration{time.Second, time.Minute, 30 * time.Minute, time.Hour,
		24 * time.Hour, 10 * 24 * time.Hour})
	genSub = rapid.SampledFrom([]string{"", "", "sub_a", "sub_b"})
)

func drawAmount(t *rapid.T, label string) money.Amount {
	return money.Amount(genAmount.Draw(t, label))
}

// phase is where the clock may run: up to bound (exclusive), in the
// period ending at end.
type phase struct{ end, bound time.Time }

func (a *acct) grant(t *rapid.T, ph phase) {
	g := ledger.Grant{Kind: ledger.Monetary, Category: ledger.Paid, Application: ledger.Realtime, Origin: ledger.OriginGrant,
		Priority: rapid.SampledFrom([]int{50, 50, 50, 10, 90}).Draw(t, "priority"), Amount: drawAmount(t, "amount")}
	line := grantLine{kind: invoice.LineGrant, amount: g.Amount}
	if rapid.IntRange(0, 3).Draw(t, "kind") == 0 {
		g.Kind, g.Unit = ledger.Units, rapid.SampledFrom([]string{"sms", "gb"}).Draw(t, "unit")
		line.unit = g.Unit
	} else {
		if rapid.Bool().Draw(t, "promo") {
			g.Category = ledger.Promotional
		}
		switch rapid.IntRange(0, 9).Draw(t, "origin") {
		case 0:
			g.Application = ledger.TrueUp // never consumed, never applied to an invoice
		case 1, 2:
			a.events++
			g.Origin, g.Metadata = ledger.OriginPurchase, map[string]string{"payment_id": fmt.Sprint("pay_", a.events)}
			line.kind = invoice.LinePurchase
		}
	}
	effective := a.now
	switch rapid.SampledFrom([]string{"now", "now", "now", "later", "tomorrow", "at end", "before end", "after end"}).Draw(t, "effective") {
	case "later":
		effective = a.now.Add(30 * time.Minute)
	case "tomorrow":
		effective = a.now.Add(24 * time.Hour)
	case "at end":
		effective = ph.end
	case "before end":
		effective = ph.end.Add(-time.Microsecond)
	case "after end":
		effective = ph.end.Add(time.Hour)
	}
	if effective.Before(a.now) {
		effective = a.now
	}
	if effective.After(a.now) {
		g.EffectiveAt = effective
	}
	switch rapid.SampledFrom([]string{"never", "never", "never", "1h", "1d", "10d", "31d", "at end", "after end"}).Draw(t, "expires") {
	case "1h":
		g.ExpiresAt = effective.Add(time.Hour)
	case "1d":
		g.ExpiresAt = effective.Add(24 * time.Hour)
	case "10d":
		g.ExpiresAt = effective.Add(10 * 24 * time.Hour)
	case "31d":
		g.ExpiresAt = effective.Add(31 * 24 * time.Hour)
	case "at end":
		if ph.end.After(effective) {
			g.ExpiresAt = ph.end
		}
	case "after end":
		g.ExpiresAt = laterOf(ph.end, effective).Add(30 * time.Minute)
	}
	e, err := a.s.Grant(a.env(), g)
	if err != nil {
		a.refused("grant", err)
		return
	}
	a.record(e)
	a.grants[e.Txn.ID] = line
}

func (a *acct) debit(t *rapid.T, _ phase) {
	a.events++
	d := ledger.Debit{EventID: fmt.Sprint("ev_", a.events), AllowNegative: rapid.Bool().Draw(t, "allow_negative"),
		SubaccountID: genSub.Draw(t, "subaccount")}
	switch rapid.IntRange(0, 3).Draw(t, "debit kind") {
	case 0, 1:
		d.Amount = drawAmount(t, "amount")
	case 2:
		d.Unit = rapid.SampledFrom([]string{"sms", "gb", "api_call"}).Draw(t, "unit")
		d.Quantity = drawAmount(t, "quantity")
		d.UnitPrice = money.Amount(genPrice.Draw(t, "unit price"))
	case 3:
		// a zero debit: a usage line of nothing
	}
	e, err := a.s.Debit(a.env(), d)
	if err != nil {
		a.refused("debit", err)
		if e != nil && e.Txn != nil {
			a.t.Fatalf("a refused debit wrote txn %s", e.Txn.ID)
		}
		return
	}
	a.record(e)
}

func (a *acct) hold(t *rapid.T, _ phase) {
	a.events++
	r := ledger.HoldRequest{Amount: drawAmount(t, "amount"), EventID: fmt.Sprint("ev_", a.events),
		TTL:          rapid.SampledFrom([]time.Duration{time.Minute, time.Hour, 24 * time.Hour}).Draw(t, "ttl"),
		SubaccountID: genSub.Draw(t, "subaccount")}
	e, err := a.s.PlaceHold(a.env(), r)
	if err != nil {
		a.refused("hold", err)
		return
	}
	a.holds = append(a.holds, e.Holds[0].ID)
}

func (a *acct) capture(t *rapid.T, _ phase) {
	if len(a.holds) == 0 {
		return
	}
	id := rapid.SampledFrom(a.holds).Draw(t, "hold")
	amount := money.Amount(0)
	if rapid.IntRange(0, 5).Draw(t, "zero capture") != 0 {
		amount = drawAmount(t, "amount")
	}
	e, err := a.s.Capture(a.env(), id, amount, "gateway")
	if err != nil {
		a.refused("capture", err)
		return
	}
	a.record(e)
}

func (a *acct) release(t *rapid.T, _ phase) {
	if len(a.holds) == 0 {
		return
	}
	if _, err := a.s.Release(a.env(), rapid.SampledFrom(a.holds).Draw(t, "hold")); err != nil {
		a.refused("release", err)
	}
}

func (a *acct) void(t *rapid.T, _ phase) {
	if len(a.s.Lots) == 0 {
		return
	}
	l := rapid.SampledFrom(a.s.Lots).Draw(t, "lot")
	e, err := a.s.Void(a.env(), l.ID, "property test", "admin")
	if err != nil {
		a.refused("void", err)
		return
	}
	a.record(e)
}

func (a *acct) expire(*rapid.T, phase) {
	for _, e := range a.s.Expire(a.env()) {
		a.record(e)
	}
}

// tick moves the clock forward, staying before the phase's bound;
// sometimes exactly onto the next instant a lot or hold changes.
func (a *acct) tick(t *rapid.T, ph phase) {
	next := a.now.Add(genStep.Draw(t, "step"))
	if rapid.Bool().Draw(t, "to a boundary") {
		var at []time.Time
		for _, l := range a.s.Lots {
			at = append(at, l.EffectiveAt, l.ExpiresAt)
		}
		for _, h := range a.s.Holds {
			at = append(at, h.ExpiresAt)
		}
		best := time.Time{}
		for _, x := range at {
			if x.After(a.now) && (best.IsZero() || x.Before(best)) {
				best = x
			}
		}
		if !best.IsZero() {
			next = best
		}
	}
	if last := ph.bound.Add(-time.Microsecond); !next.Before(ph.bound) {
		next = last
	}
	if next.After(a.now) {
		a.now = next
	}
}

// status suspends or reactivates the account now and then; a closed
// account stays closed.
func (a *acct) status(t *rapid.T, _ phase) {
	if a.s.Account.Status == ledger.StatusClosed || rapid.IntRange(0, 2).Draw(t, "really") != 0 {
		return
	}
	a.s.Account.Status = rapid.SampledFrom([]ledger.Status{ledger.StatusActive, ledger.StatusActive, ledger.StatusActive,
		ledger.StatusActive, ledger.StatusActive, ledger.StatusSuspended, ledger.StatusSuspended, ledger.StatusSuspended,
		ledger.StatusSuspended, ledger.StatusClosed}).Draw(t, "status")
}

// run applies n random operations within the phase.
func (a *acct) run(t *rapid.T, ph phase, n int) {
	ops := map[string]func(*rapid.T, phase){
		"grant": a.grant, "debit": a.debit, "hold": a.hold, "capture": a.capture, "release": a.release,
		"void": a.void, "expire": a.expire, "tick": a.tick, "status": a.status,
	}
	names := []string{"grant", "grant", "grant", "debit", "debit", "debit", "debit", "hold", "hold",
		"capture", "capture", "release", "void", "expire", "expire", "tick", "tick", "tick", "status"}
	for range n {
		if !a.now.Before(ph.bound) {
			return
		}
		ops[rapid.SampledFrom(names).Draw(t, "op")](t, ph)
	}
}

func laterOf(x, y time.Time) time.Time {
	if x.After(y) {
		return x
	}
	return y
}

// moveTo sets the clock to at, which must not be earlier.
func (a *acct) moveTo(at time.Time) {
	if at.Before(a.now) {
		a.t.Fatalf("clock would move back from %s to %s", a.now, at)
	}
	a.now = at
}

// outstandingAt reports, as the service does, whether an invoice still
// billed its amount due at instant t.
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

// creditRank is a lot's place in the consumption order, compared left to
// right: priority, expiring before never-expiring, soonest expiry,
// promotional before paid, oldest, then id.
func creditRank(a, b *ledger.Lot) int {
	never := func(l *ledger.Lot) int {
		if l.ExpiresAt.IsZero() {
			return 1
		}
		return 0
	}
	paid := func(l *ledger.Lot) int {
		if l.Category == ledger.Promotional {
			return 0
		}
		return 1
	}
	return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(never(a), never(b)),
		a.ExpiresAt.Compare(b.ExpiresAt), cmp.Compare(paid(a), paid(b)),
		a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
}

// wantCredits is what ApplyCredits at now should take for at most want
// against the period ending at end: realtime monetary lots with value
// left, in effect and unexpired at now, that took effect before end, best
// first; nothing on a closed account.
func (a *acct) wantCredits(want money.Amount, end time.Time) []ledger.Applied {
	if a.s.Account.Status == ledger.StatusClosed {
		return nil
	}
	var q []*ledger.Lot
	for _, l := range a.s.Lots {
		if l.Status != ledger.LotActive || l.Remaining <= 0 || l.Kind != ledger.Monetary || l.Application != ledger.Realtime {
			continue
		}
		if a.now.Before(l.EffectiveAt) || !l.EffectiveAt.Before(end) || (!l.ExpiresAt.IsZero() && !a.now.Before(l.ExpiresAt)) {
			continue
		}
		q = append(q, l)
	}
	slices.SortFunc(q, creditRank)
	left := min(want, a.s.Account.Debt)
	var out []ledger.Applied
	for _, l := range q {
		if left <= 0 {
			break
		}
		n := min(left, l.Remaining)
		out = append(out, ledger.Applied{Lot: *l, Amount: n})
		left -= n
	}
	return out
}

// audit checks the double entry against the state: every transaction
// balances, every lot's remaining is the sum of its postings, the
// receivables are minus the debt, and the account's postings in its
// currency sum to its ledger balance.
func (a *acct) audit(when string) {
	a.t.Helper()
	realtime := map[string]bool{}
	for _, l := range a.s.Lots {
		realtime[l.ID] = l.Application == ledger.Realtime
	}
	byLot := map[string]money.Amount{}
	var receivables, customer money.Amount
	for _, txn := range a.txns {
		sums := map[string]money.Amount{}
		for _, p := range txn.Postings {
			sums[p.Asset] += p.Amount
			switch p.Book {
			case ledger.BookCustomer:
				byLot[p.LotID] += p.Amount
				if p.Asset == string(usd) && realtime[p.LotID] {
					customer += p.Amount
				}
			case ledger.BookReceivables:
				receivables += p.Amount
			}
		}
		for asset, v := range sums {
			if v != 0 {
				a.t.Fatalf("%s: txn %s (%s): postings in %s sum to %s", when, txn.ID, txn.Type, asset, v)
			}
		}
	}
	for _, l := range a.s.Lots {
		if l.Remaining < 0 || l.Remaining > l.Amount {
			a.t.Fatalf("%s: lot %s remaining %s outside [0, %s]", when, l.ID, l.Remaining, l.Amount)
		}
		if byLot[l.ID] != l.Remaining {
			a.t.Fatalf("%s: lot %s remaining %s, its postings say %s", when, l.ID, l.Remaining, byLot[l.ID])
		}
	}
	if receivables != -a.s.Account.Debt {
		a.t.Fatalf("%s: debt %s, receivables postings sum to %s", when, a.s.Account.Debt, receivables)
	}
	if customer+receivables != a.s.LedgerBalance() {
		a.t.Fatalf("%s: customer and receivables postings sum to %s, ledger balance %s", when, customer+receivables, a.s.LedgerBalance())
	}
}

// closing is one period's close: when it runs and what it knows.
type closing struct {
	seq       int64
	from, end time.Time
	debtStart money.Amount        // the debt when the period began: the last invoice's DebtAtEnd
	debtAtEnd money.Amount        // the state's debt at the instant end, as the test saw it
	earlier   []*invoice.Invoice  // the account's invoices so far
	sinceEnd  func() money.Amount // usage money after end, before the close
}

// close closes the period as the service and the committer do, and checks
// the invoice it makes.
func (a *acct) close(t *rapid.T, c closing) *invoice.Invoice {
	what := fmt.Sprintf("invoice %d [%s, %s)", c.seq, c.from.Format(time.DateOnly), c.end.Format(time.DateOnly))

	// The period's transactions, tallied in any order.
	var period []*ledger.Txn
	for _, txn := range a.txns {
		if !txn.CreatedAt.Before(c.from) && txn.CreatedAt.Before(c.end) {
			period = append(period, txn)
		}
	}
	tally := invoice.NewTally(usd)
	for _, txn := range rapid.Permutation(period).Draw(t, "tally order") {
		tally.Add(txn)
	}
	debtEnd := c.debtStart + tally.DebtChange()
	var billed money.Amount
	for _, inv := range c.earlier {
		if outstandingAt(inv, c.end) {
			billed += inv.AmountDue
		}
	}
	mode := invoice.Prepaid
	if opened := laterOf(c.from, a.created); !a.s.Account.PostpaidSince.IsZero() && !a.s.Account.PostpaidSince.After(opened) {
		mode = invoice.Postpaid
	}
	id := fmt.Sprintf("inv_%08d", c.seq)
	draft, toApply := tally.Draft(invoice.Close{ID: id, AccountID: a.s.Account.ID, Currency: usd, Mode: mode,
		PeriodStart: c.from, PeriodEnd: c.end, Owed: debtEnd - billed, EarlierDue: billed})
	draft.DebtAtEnd = debtEnd

	// The committer's part, at the close's instant.
	want := a.wantCredits(toApply, c.end)
	before := map[string]ledger.Lot{}
	for _, l := range a.s.Lots {
		before[l.ID] = *l
	}
	debtBefore := a.s.Account.Debt
	e, applied, err := a.s.ApplyCredits(a.env(), ledger.CreditApplication{InvoiceID: id, Amount: toApply, Before: c.end, Actor: "invoicing"})
	if err != nil {
		t.Fatalf("%s: apply credits: %v", what, err)
	}
	a.record(e)
	inv := draft
	inv.Apply(applied)
	inv.Finalize(a.now)
	inv.Number = invoice.FormatNumber(c.seq)

	// The invoice agrees with itself, and is paid at once exactly when
	// nothing is due.
	if msg := inv.Check(); msg != "" {
		t.Fatalf("%s: check: %s\n%+v", what, msg, inv)
	}
	if (inv.Status == invoice.Paid) != (inv.AmountDue == 0) || (inv.Status != invoice.Paid && inv.Status != invoice.Finalized) {
		t.Fatalf("%s: status %s with %s due", what, inv.Status, inv.AmountDue)
	}
	if inv.AmountDue < 0 || inv.CreditsApplied < 0 || inv.CreditsApplied > inv.Subtotal {
		t.Fatalf("%s: subtotal %s, credits %s, due %s", what, inv.Subtotal, inv.CreditsApplied, inv.AmountDue)
	}
	if inv.Number != fmt.Sprintf("INV-%06d", c.seq) {
		t.Fatalf("%s: number %q", what, inv.Number)
	}

	// The carry: the debt the tally works out at the period's end is the
	// state's debt at that instant.
	if debtEnd != c.debtAtEnd {
		t.Fatalf("%s: debt at end %s from the tally (start %s + change %s), the ledger had %s",
			what, debtEnd, c.debtStart, tally.DebtChange(), c.debtAtEnd)
	}

	// Usage lines: per unit and subaccount, the money the period's debits
	// and captures took and the quantities they used; the prepaid line,
	// what the lots paid of it.
	type key struct{ unit, sub string }
	usage := map[key]*invoice.Line{}
	var usageMoney, lotsPaid money.Amount
	bySub := map[string]money.Amount{}
	var lines struct {
		purchases, grants, payments money.Amount
		units                       map[string]money.Amount
	}
	lines.units = map[string]money.Amount{}
	for _, txn := range period {
		switch txn.Type {
		case ledger.TxnDebit, ledger.TxnCapture:
			k := key{txn.Unit, txn.SubaccountID}
			if usage[k] == nil {
				usage[k] = &invoice.Line{Kind: invoice.LineUsage, Unit: txn.Unit, SubaccountID: txn.SubaccountID}
			}
			usage[k].Amount -= txn.Amount
			usage[k].Quantity += txn.Quantity
			usageMoney -= txn.Amount
			bySub[txn.SubaccountID] -= txn.Amount
			// The money part is what the lots paid plus the debt it made.
			var paid, debt money.Amount
			for _, p := range txn.Postings {
				switch {
				case p.Book == ledger.BookCustomer && p.Asset == string(usd):
					paid -= p.Amount
				case p.Book == ledger.BookReceivables:
					debt -= p.Amount
				}
			}
			if paid+debt != -txn.Amount {
				t.Fatalf("%s: txn %s takes %s, its lots paid %s and it made %s of debt", what, txn.ID, -txn.Amount, paid, debt)
			}
			lotsPaid += paid
		case ledger.TxnGrant:
			g, ok := a.grants[txn.ID]
			if !ok {
				t.Fatalf("%s: grant txn %s not made by the test", what, txn.ID)
			}
			switch {
			case g.unit != "":
				lines.units[g.unit] += g.amount
			case g.kind == invoice.LinePurchase:
				lines.purchases += g.amount
			case g.kind == invoice.LinePayment:
				lines.payments += g.amount
			default:
				lines.grants += g.amount
			}
		}
	}
	var gotUsage []invoice.Line
	var gotPrepaid, gotCredits []invoice.Line
	var gotInfo []invoice.Line
	var lineMoney money.Amount
	for _, l := range inv.Lines {
		switch l.Kind {
		case invoice.LineUsage:
			gotUsage = append(gotUsage, l)
			lineMoney += l.Amount
		case invoice.LinePrepaid:
			gotPrepaid = append(gotPrepaid, l)
		case invoice.LineCredit:
			gotCredits = append(gotCredits, l)
		default:
			gotInfo = append(gotInfo, l)
		}
	}
	if lineMoney != usageMoney {
		t.Fatalf("%s: usage lines sum to %s, the period's debits and captures took %s", what, lineMoney, usageMoney)
	}
	if len(gotUsage) != len(usage) {
		t.Fatalf("%s: %d usage lines for %d units and subaccounts used", what, len(gotUsage), len(usage))
	}
	for i, l := range gotUsage {
		w := usage[key{l.Unit, l.SubaccountID}]
		if w == nil || l.Amount != w.Amount || l.Quantity != w.Quantity {
			t.Fatalf("%s: usage line %+v, the transactions say %+v", what, l, w)
		}
		if i > 0 && cmp.Or(cmp.Compare(gotUsage[i-1].Unit, l.Unit), cmp.Compare(gotUsage[i-1].SubaccountID, l.SubaccountID)) >= 0 {
			t.Fatalf("%s: usage lines out of order: %+v before %+v", what, gotUsage[i-1], l)
		}
	}
	var wantSubs []invoice.Subaccount
	for _, id := range slices.Sorted(maps.Keys(bySub)) {
		wantSubs = append(wantSubs, invoice.Subaccount{SubaccountID: id, Amount: bySub[id]})
	}
	if !slices.Equal(inv.Subaccounts, wantSubs) {
		t.Fatalf("%s: subaccounts %+v, the transactions say %+v", what, inv.Subaccounts, wantSubs)
	}
	var prepaid money.Amount
	switch len(gotPrepaid) {
	case 0:
	case 1:
		prepaid = gotPrepaid[0].Amount
	default:
		t.Fatalf("%s: %d prepaid lines", what, len(gotPrepaid))
	}
	if prepaid != -lotsPaid || (lotsPaid == 0) != (len(gotPrepaid) == 0) {
		t.Fatalf("%s: prepaid line %s, the lots paid %s of the period's usage", what, prepaid, lotsPaid)
	}
	if inv.Subtotal != usageMoney+prepaid {
		t.Fatalf("%s: subtotal %s, usage %s and prepaid %s", what, inv.Subtotal, usageMoney, prepaid)
	}

	// The activity lines report the period's grants and what earlier
	// invoices still billed.
	var wantInfo []invoice.Line
	info := func(kind invoice.LineKind, amount money.Amount) {
		if amount != 0 {
			wantInfo = append(wantInfo, invoice.Line{Kind: kind, Amount: amount})
		}
	}
	info(invoice.LinePurchase, lines.purchases)
	info(invoice.LineGrant, lines.grants)
	for _, u := range slices.Sorted(maps.Keys(lines.units)) {
		wantInfo = append(wantInfo, invoice.Line{Kind: invoice.LineGrant, Unit: u, Quantity: lines.units[u]})
	}
	info(invoice.LinePayment, lines.payments)
	info(invoice.LineDebt, billed)
	if len(gotInfo) != len(wantInfo) {
		t.Fatalf("%s: activity lines %+v, want %+v", what, gotInfo, wantInfo)
	}
	for i, l := range gotInfo {
		w := wantInfo[i]
		if l.Kind != w.Kind || l.Unit != w.Unit || l.Quantity != w.Quantity || l.Amount != w.Amount {
			t.Fatalf("%s: activity line %+v, want %+v", what, l, w)
		}
	}

	// Credits: the lots ApplyCredits took are the ones the consumption
	// order gives, each share recorded with its lot as it was, one credit
	// line each, and the debt fell by exactly their sum.
	var appliedSum money.Amount
	for _, ap := range applied {
		appliedSum += ap.Amount
		if ap.Lot != before[ap.Lot.ID] {
			t.Fatalf("%s: applied share records lot %+v, it was %+v", what, ap.Lot, before[ap.Lot.ID])
		}
		if !ap.Lot.EffectiveAt.Before(c.end) {
			t.Fatalf("%s: applied lot %s effective at %s, not before the end", what, ap.Lot.ID, ap.Lot.EffectiveAt)
		}
	}
	if len(applied) != len(want) {
		t.Fatalf("%s: applied %v, the consumption order says %v", what, shares(applied), shares(want))
	}
	for i := range applied {
		if applied[i].Lot.ID != want[i].Lot.ID || applied[i].Amount != want[i].Amount {
			t.Fatalf("%s: applied %v, the consumption order says %v", what, shares(applied), shares(want))
		}
	}
	var lotLines []invoice.Line
	var repaid money.Amount
	for _, l := range gotCredits {
		if l.LotID == "" {
			repaid -= l.Amount
			continue
		}
		lotLines = append(lotLines, l)
	}
	if len(lotLines) != len(applied) {
		t.Fatalf("%s: %d credit lines name a lot, %d lots were applied", what, len(lotLines), len(applied))
	}
	for i, l := range lotLines {
		if l.LotID != applied[i].Lot.ID || l.Amount != -applied[i].Amount {
			t.Fatalf("%s: credit line %+v for share %v", what, l, shares(applied[i:i+1]))
		}
		if i > 0 && creditRank(&applied[i-1].Lot, &applied[i].Lot) >= 0 {
			t.Fatalf("%s: credits applied out of consumption order: %s before %s", what, applied[i-1].Lot.ID, applied[i].Lot.ID)
		}
	}
	if !slices.Equal(inv.Credits, applied) {
		t.Fatalf("%s: invoice credits %v, applied %v", what, shares(inv.Credits), shares(applied))
	}
	if inv.CreditsApplied != repaid+appliedSum {
		t.Fatalf("%s: credits applied %s, lines %s repaid and %s from lots", what, inv.CreditsApplied, repaid, appliedSum)
	}
	if a.s.Account.Debt != debtBefore-appliedSum {
		t.Fatalf("%s: debt %s after applying %s to %s", what, a.s.Account.Debt, appliedSum, debtBefore)
	}
	if appliedSum > toApply {
		t.Fatalf("%s: applied %s, asked for at most %s", what, appliedSum, toApply)
	}

	// What is due never exceeds what the account owed at the end beyond
	// what earlier invoices bill.
	if inv.AmountDue > max(0, debtEnd-billed) || inv.AmountDue > c.debtAtEnd {
		t.Fatalf("%s: %s due, the debt at the end %s, earlier invoices bill %s", what, inv.AmountDue, debtEnd, billed)
	}

	if mode == invoice.Postpaid {
		// A bill: usage accrued as debt, the lots paid none of it, and
		// only the credits applied now reduce it.
		if len(gotPrepaid) != 0 || inv.Subtotal != usageMoney {
			t.Fatalf("%s: postpaid, but subtotal %s, usage %s, prepaid lines %+v", what, inv.Subtotal, usageMoney, gotPrepaid)
		}
		if inv.CreditsApplied != appliedSum || inv.AmountDue != inv.Subtotal-appliedSum {
			t.Fatalf("%s: postpaid, subtotal %s, credits %s (lots %s, repaid %s), due %s",
				what, inv.Subtotal, inv.CreditsApplied, appliedSum, repaid, inv.AmountDue)
		}
		// Nothing unbilled, nothing billed twice: after the close the
		// debt is what the unpaid invoices bill, and the usage since the
		// period's end, which the next invoice bills.
		unpaid := inv.AmountDue
		for _, e := range c.earlier {
			if e.Status.Unpaid() {
				unpaid += e.AmountDue
			}
		}
		if since := c.sinceEnd(); a.s.Account.Debt != unpaid+since {
			t.Fatalf("%s: postpaid, debt %s after the close, unpaid invoices bill %s and usage since the end is %s",
				what, a.s.Account.Debt, unpaid, since)
		}
	}
	a.audit(what)
	return inv
}

func shares(as []ledger.Applied) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Lot.ID+":"+a.Amount.String())
	}
	return out
}

// usageMoney is the money of the debits and captures in [from, to).
func (a *acct) usageMoney(from, to time.Time) money.Amount {
	var sum money.Amount
	for _, txn := range a.txns {
		if (txn.Type == ledger.TxnDebit || txn.Type == ledger.TxnCapture) && !txn.CreatedAt.Before(from) && txn.CreatedAt.Before(to) {
			sum -= txn.Amount
		}
	}
	return sum
}

// settle pays or voids the earlier invoice, as the service would: a
// payment is a paid grant that repays the debt the invoice bills; a void
// returns its credits and writes off what it billed.
func (a *acct) settle(t *rapid.T, inv *invoice.Invoice, how string) {
	if !inv.Status.Unpaid() {
		return
	}
	switch how {
	case "pay":
		e, err := a.s.Grant(a.env(), ledger.Grant{Kind: ledger.Monetary, Amount: inv.AmountDue, Category: ledger.Paid,
			Priority: ledger.DefaultPriority, Application: ledger.Realtime, Origin: ledger.OriginInvoice,
			Reason: "invoice " + inv.Number, Metadata: map[string]string{"payment_id": "pay_inv", "invoice_id": inv.ID}})
		if err != nil {
			a.refused("pay invoice", err)
			return
		}
		a.record(e)
		a.grants[e.Txn.ID] = grantLine{kind: invoice.LinePayment, amount: inv.AmountDue}
		inv.Status, inv.AmountPaid, inv.PaidAt, inv.PaymentID = invoice.Paid, inv.AmountDue, a.now, "pay_inv"
		if msg := inv.Check(); msg != "" {
			t.Fatalf("paid invoice: %s", msg)
		}
	case "void":
		e, err := a.s.VoidInvoice(a.env(), ledger.InvoiceVoid{InvoiceID: inv.ID, Credits: inv.Credits, WriteOff: inv.AmountDue,
			Reason: "billing error", Actor: "admin"})
		if err != nil {
			a.refused("void invoice", err)
			return
		}
		a.record(e)
		inv.Status, inv.VoidedAt, inv.VoidReason = invoice.Void, a.now, "billing error"
	}
	a.audit("after settling " + inv.Number)
}

// TestInvoiceProperties closes two random months of one account and
// checks each invoice against the ledger it was made from.
func TestInvoiceProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		start1 := rapid.SampledFrom([]time.Time{
			time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC),
		}).Draw(t, "month")
		_, end1 := invoice.PeriodOf(start1)
		_, end2 := invoice.PeriodOf(end1)
		created := start1.Add(rapid.SampledFrom([]time.Duration{0, 0, time.Hour, 10 * 24 * time.Hour}).Draw(t, "opened"))
		minBalance := money.Amount(rapid.SampledFrom([]int64{0, 0, -10_000_000, -100_000_000}).Draw(t, "min_balance"))
		limit := minBalance - money.Amount(rapid.SampledFrom([]int64{0, 5_000_000, 30_000_000, 100_000_000, -ledger.NoCreditLimit.Micros()}).Draw(t, "credit_limit"))
		limit = max(limit, ledger.NoCreditLimit)
		a := &acct{t: t, created: created, now: created, grants: map[string]grantLine{},
			s: &ledger.State{Account: ledger.Account{ID: "acct_1", Currency: usd, Status: ledger.StatusActive,
				MinBalance: minBalance, CreditLimit: limit}}}
		switch rapid.SampledFrom([]string{"prepaid", "postpaid", "postpaid from next month"}).Draw(t, "billing") {
		case "postpaid":
			a.s.Account.PostpaidSince = created
		case "postpaid from next month":
			a.s.Account.PostpaidSince = end1
		}

		// Month one.
		a.run(t, phase{end: end1, bound: end1}, rapid.IntRange(5, 80).Draw(t, "ops month one"))
		a.moveTo(end1)
		debtAtEnd1 := a.s.Account.Debt
		// Month two begins before the close runs.
		close1 := end1.Add(rapid.SampledFrom([]time.Duration{0, time.Hour, 2 * 24 * time.Hour}).Draw(t, "close delay"))
		if close1.After(end1) {
			a.run(t, phase{end: end2, bound: close1}, rapid.IntRange(0, 10).Draw(t, "ops before the close"))
		}
		a.moveTo(close1)
		inv1 := a.close(t, closing{seq: 1, from: start1, end: end1, debtAtEnd: debtAtEnd1,
			sinceEnd: func() money.Amount { return a.usageMoney(end1, close1) }})

		// Month two, with the first invoice paid, voided or left unpaid.
		how := rapid.SampledFrom([]string{"unpaid", "pay", "pay", "pay late", "void"}).Draw(t, "first invoice")
		n := rapid.IntRange(0, 60).Draw(t, "ops month two")
		at := rapid.IntRange(0, n).Draw(t, "settled after")
		a.run(t, phase{end: end2, bound: end2}, at)
		if how == "pay" || how == "void" {
			a.settle(t, inv1, how)
		}
		a.run(t, phase{end: end2, bound: end2}, n-at)
		a.moveTo(end2)
		debtAtEnd2 := a.s.Account.Debt
		close2 := end2.Add(rapid.SampledFrom([]time.Duration{0, time.Hour, 2 * 24 * time.Hour}).Draw(t, "close delay"))
		if how == "pay late" {
			a.moveTo(end2.Add(rapid.SampledFrom([]time.Duration{0, time.Minute}).Draw(t, "paid after the end")))
			if !a.now.After(close2) {
				a.settle(t, inv1, "pay")
			}
		}
		a.moveTo(laterOf(a.now, close2))
		a.close(t, closing{seq: 2, from: end1, end: end2, debtStart: inv1.DebtAtEnd, debtAtEnd: debtAtEnd2,
			earlier: []*invoice.Invoice{inv1}, sinceEnd: func() money.Amount { return a.usageMoney(end2, a.now) }})
	})
}
