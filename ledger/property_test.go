package ledger_test

import (
	"errors"
	"flag"
	"math/big"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"pgregory.net/rapid"
)

// This file drives a ledger.State with random operations and compares it,
// after every step, with a reference model written from DESIGN.md alone:
// plain int64 micro-units, its own ordering of lots, its own balance.

// mLot is the model's lot.
type mLot struct {
	id        string
	seq       int    // creation order
	unit      string // "" for money
	trueUp    bool
	promo     bool
	prio      int
	amount    int64
	left      int64
	created   time.Time
	effective time.Time
	expires   time.Time // zero: never
	status    ledger.LotStatus
}

// spendable reports whether value may be drawn from the lot at now.
func (l *mLot) spendable(now time.Time) bool {
	if l.status != ledger.LotActive || l.left == 0 || now.Before(l.effective) {
		return false
	}
	return l.expires.IsZero() || now.Before(l.expires)
}

// rank is the lot's place in the consumption order as a tuple compared
// left to right: priority, then never-expiring after expiring, then soonest
// expiry, then promotional before paid, then oldest.
func (l *mLot) rank() []int64 {
	never, exp := int64(0), int64(0)
	if l.expires.IsZero() {
		never = 1
	} else {
		exp = l.expires.UnixNano()
	}
	paid := int64(1)
	if l.promo {
		paid = 0
	}
	return []int64{int64(l.prio), never, exp, paid, l.created.UnixNano(), int64(l.seq)}
}

type mHold struct {
	id      string
	amount  int64
	expires time.Time
	status  ledger.HoldStatus
}

type mTake struct {
	id     string
	amount int64
}

// model is the reference ledger for one account.
type model struct {
	now   time.Time
	min   int64
	limit int64 // the credit limit, at or below min
	// atLimit: the limit refused usage since value last arrived.
	atLimit bool
	debt    int64
	status  ledger.Status
	lots    []*mLot
	holds   []*mHold // every hold ever placed
}

// queue returns the lots a debit may draw on, best first.
func (m *model) queue(unit string) []*mLot {
	var q []*mLot
	for _, l := range m.lots {
		if !l.trueUp && l.unit == unit && l.spendable(m.now) {
			q = append(q, l)
		}
	}
	slices.SortFunc(q, func(a, b *mLot) int { return slices.Compare(a.rank(), b.rank()) })
	return q
}

func (m *model) money() int64 {
	var sum int64
	for _, l := range m.queue("") {
		sum += l.left
	}
	return sum
}

func (m *model) held() int64 {
	var sum int64
	for _, h := range m.holds {
		if h.status == ledger.HoldActive && m.now.Before(h.expires) {
			sum += h.amount
		}
	}
	return sum
}

func (m *model) available() int64 { return m.money() - m.debt - m.held() - m.min }

// bookBalance is the balance by status alone, what a store caches.
func (m *model) bookBalance() int64 {
	var sum int64
	for _, l := range m.lots {
		if l.status == ledger.LotActive && l.unit == "" && !l.trueUp {
			sum += l.left
		}
	}
	return sum - m.debt
}

// priced is qty × price in micro-units, rounded half away from zero.
func priced(qty, price int64) int64 {
	p := new(big.Int).Mul(big.NewInt(qty), big.NewInt(price))
	p.Add(p, big.NewInt(500_000))
	return p.Quo(p, big.NewInt(1_000_000)).Int64()
}

// draw takes up to want from the lots in q, best first.
func draw(q []*mLot, want int64) (takes []mTake, short int64) {
	for _, l := range q {
		if want == 0 {
			break
		}
		n := min(want, l.left)
		takes = append(takes, mTake{l.id, n})
		want -= n
	}
	return takes, want
}

// debit predicts a debit: the refusal code, or the lots it takes and the
// debt it adds. It changes nothing; commit does.
func (m *model) debit(unit string, amount, qty, price int64, served bool) (code string, takes []mTake, debt int64) {
	if m.status == ledger.StatusClosed {
		return coffer.EAccountClosed, nil, 0
	}
	if m.status == ledger.StatusSuspended && !served {
		return coffer.EAccountSuspended, nil, 0
	}
	owed := amount
	if unit != "" {
		var short int64
		takes, short = draw(m.queue(unit), qty)
		if short > 0 && price == 0 {
			if served {
				return coffer.EInvalid, nil, 0
			}
			return coffer.EInsufficientBalance, nil, 0
		}
		owed = priced(short, price)
	}
	if !served && owed > 0 && owed > m.available() {
		return coffer.EInsufficientBalance, nil, 0
	}
	mt, debt := draw(m.queue(""), owed)
	if served && debt > 0 && owed > m.money()-m.debt-m.held()-m.limit {
		return coffer.ECreditLimitReached, nil, 0
	}
	return "", append(takes, mt...), debt
}

func (m *model) commit(takes []mTake, debt int64) {
	for _, tk := range takes {
		l := m.lot(tk.id)
		l.left -= tk.amount
		if l.left == 0 {
			l.status = ledger.LotDepleted
		}
	}
	m.debt += debt
}

func (m *model) lot(id string) *mLot {
	for _, l := range m.lots {
		if l.id == id {
			return l
		}
	}
	return nil
}

// balance is the Balance the ledger must report.
func (m *model) balance() ledger.Balance {
	b := ledger.Balance{
		Currency: "USD", Debt: money.Amount(m.debt), MinBalance: money.Amount(m.min), Status: m.status,
		Held:    money.Amount(m.held()),
		Credits: map[ledger.Category]money.Amount{ledger.Paid: 0, ledger.Promotional: 0},
		Units:   map[string]money.Amount{},
	}
	for _, l := range m.lots {
		if !l.spendable(m.now) {
			continue
		}
		v := money.Amount(l.left)
		switch {
		case l.trueUp:
			b.GiftedRemaining += v
		case l.unit != "":
			b.Units[l.unit] += v
		default:
			b.Balance += v
			if l.promo {
				b.Credits[ledger.Promotional] += v
			} else {
				b.Credits[ledger.Paid] += v
			}
			if !l.expires.IsZero() && !l.expires.After(m.now.Add(30*24*time.Hour)) {
				b.ExpiringSoon += v
			}
		}
	}
	b.Balance -= money.Amount(m.debt)
	b.Available = b.Balance - b.Held - b.MinBalance
	b.BalanceWithCredits = b.Balance + b.GiftedRemaining
	return b
}

// run is one property run: the ledger under test and the model side by side.
type run struct {
	t *rapid.T
	b *book
	m *model
	// seeding skips the snapshots of refusals while an account is being
	// filled with thousands of grants, none of which is refused.
	seeding bool
}

func (r *run) sync() { r.b.now = r.m.now }

// outcome checks an operation's error against the model's prediction and,
// on a refusal, that nothing changed.
func (r *run) outcome(what string, err error, want string, before snapshot) bool {
	r.t.Helper()
	if got := coffer.ErrorCode(err); got != want {
		r.t.Fatalf("%s: error %v, model says %q", what, err, want)
	}
	if err != nil {
		if want == coffer.ECreditLimitReached {
			// The one refusal that changes the state: it marks the
			// account, so that its event is raised once.
			before.account.AtCreditLimit = true
			r.m.atLimit = true
		}
		r.b.unchanged(before)
		return false
	}
	return true
}

// limitEvent checks that a refusal by the credit limit raised its event
// exactly when the account was not yet marked.
func (r *run) limitEvent(what string, e *ledger.Effect, want string, wasAtLimit bool) {
	r.t.Helper()
	raised := e != nil && len(e.Events) == 1 && e.Events[0].Type == ledger.EventCreditLimit
	if want == coffer.ECreditLimitReached && raised == wasAtLimit {
		r.t.Fatalf("%s: credit limit refusal raised its event %v, account already marked %v", what, raised, wasAtLimit)
	}
	if want != coffer.ECreditLimitReached && want != "" && e != nil {
		r.t.Fatalf("%s: refusal %s left an effect %+v", what, want, e)
	}
}

// checkTakes compares a transaction's customer postings with the model's takes.
func (r *run) checkTakes(what string, txn *ledger.Txn, want []mTake) {
	r.t.Helper()
	var got []mTake
	for _, p := range txn.Postings {
		if p.Book == ledger.BookCustomer {
			got = append(got, mTake{p.LotID, -p.Amount.Micros()})
		}
	}
	if !slices.Equal(got, want) {
		r.t.Fatalf("%s consumed %v, model says %v", what, got, want)
	}
}

// checkDepleted checks balance_depleted against the ledger balance's move.
func (r *run) checkDepleted(what string, e *ledger.Effect, before, after int64) {
	r.t.Helper()
	raised := false
	for _, ev := range e.Events {
		raised = raised || ev.Type == ledger.EventDepleted
	}
	if want := before > 0 && after <= 0; raised != want {
		r.t.Fatalf("%s: balance %d → %d, balance_depleted raised %v", what, before, after, raised)
	}
}

var (
	genAmount = rapid.OneOf(
		rapid.SampledFrom([]int64{1, 10_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 33_333_333}),
		rapid.Int64Range(1, 20_000_000),
	)
	genUnit  = rapid.SampledFrom([]string{"sms", "gb"})
	genPrice = rapid.SampledFrom([]int64{0, 7_500, 500_000, 1_000_000, 1_333_333})
	genDelay = rapid.SampledFrom([]time.Duration{0, 0, 0, 30 * time.Minute, 24 * time.Hour})
	genLife  = rapid.SampledFrom([]time.Duration{0, 0, 0, time.Hour, 24 * time.Hour, 10 * 24 * time.Hour, 31 * 24 * time.Hour})
	genStep  = rapid.SampledFrom([]time.Duration{time.Second, time.Minute, 30 * time.Minute, time.Hour,
		24 * time.Hour, 10 * 24 * time.Hour, 31 * 24 * time.Hour})
	genTTL = rapid.SampledFrom([]time.Duration{time.Minute, time.Hour, 24 * time.Hour})
)

func (r *run) grant(t *rapid.T) {
	m := r.m
	l := &mLot{
		seq: len(m.lots), prio: rapid.SampledFrom([]int{50, 50, 50, 10, 90}).Draw(t, "priority"),
		promo: rapid.Bool().Draw(t, "promo"), amount: genAmount.Draw(t, "amount"),
		created: m.now, status: ledger.LotActive,
	}
	if rapid.IntRange(0, 3).Draw(t, "kind") == 0 {
		l.unit = genUnit.Draw(t, "unit")
	} else {
		l.trueUp = rapid.IntRange(0, 9).Draw(t, "true_up") == 0
	}
	l.left, l.effective = l.amount, m.now.Add(genDelay.Draw(t, "delay"))
	if life := genLife.Draw(t, "life"); life != 0 {
		l.expires = l.effective.Add(life)
	}
	g := ledger.Grant{Kind: ledger.Monetary, Unit: l.unit, Amount: money.Amount(l.amount), Category: ledger.Paid,
		Priority: l.prio, ExpiresAt: l.expires, Application: ledger.Realtime, Origin: ledger.OriginGrant}
	if l.unit != "" {
		g.Kind = ledger.Units
	}
	if l.promo {
		g.Category = ledger.Promotional
	}
	if l.trueUp {
		g.Application = ledger.TrueUp
	}
	if l.effective.After(m.now) {
		g.EffectiveAt = l.effective
	}
	want := ""
	if m.status == ledger.StatusClosed {
		want = coffer.EAccountClosed
	}
	var before snapshot
	if !r.seeding {
		before = r.b.snapshot()
	}
	e, err := r.b.do(func(s *ledger.State) (*ledger.Effect, error) { return s.Grant(r.b.env(), g) })
	if !r.outcome("grant", err, want, before) {
		return
	}
	r.b.record(e)
	l.id = e.Lots[0].ID
	m.lots = append(m.lots, l)
	if l.unit == "" && !l.trueUp && !l.effective.After(m.now) {
		m.atLimit = false // value arrived: the limit's next refusal is news
	}
	// Debt is repaid first from a realtime monetary lot that takes effect now.
	if l.unit == "" && !l.trueUp && !l.effective.After(m.now) && m.debt > 0 {
		repay := min(m.debt, l.left)
		m.commit([]mTake{{l.id, repay}}, -repay)
	}
	if len(e.Events) != 1 || e.Events[0].Type != ledger.EventGranted {
		t.Fatalf("grant events %+v", e.Events)
	}
}

func (r *run) debit(t *rapid.T) {
	var d ledger.Debit
	switch rapid.IntRange(0, 2).Draw(t, "debit kind") {
	case 0:
		d.Amount = money.Amount(genAmount.Draw(t, "amount"))
	case 1:
		d.Unit = rapid.SampledFrom([]string{"sms", "gb", "api_call"}).Draw(t, "unit")
		d.Quantity = money.Amount(genAmount.Draw(t, "quantity"))
		d.UnitPrice = money.Amount(genPrice.Draw(t, "unit price"))
	case 2:
		d.Amount = 0
	}
	d.AllowNegative = rapid.Bool().Draw(t, "allow_negative")
	code, takes, debt := r.m.debit(d.Unit, d.Amount.Micros(), d.Quantity.Micros(), d.UnitPrice.Micros(), d.AllowNegative)
	before, bal, wasAtLimit := r.b.snapshot(), r.m.bookBalance(), r.m.atLimit
	e, err := r.b.debit(d)
	r.limitEvent("debit", e, code, wasAtLimit)
	if !r.outcome("debit", err, code, before) {
		if code == coffer.EInsufficientBalance {
			var ce *coffer.Error
			if errors.As(err, &ce) && ce.Details["available"] != money.Amount(r.m.available()).String() {
				t.Fatalf("refusal reports available %s, model %d", ce.Details["available"], r.m.available())
			}
		}
		return
	}
	r.checkTakes("debit", e.Txn, takes)
	r.m.commit(takes, debt)
	r.checkDepleted("debit", e, bal, r.m.bookBalance())
	if !d.AllowNegative && debt > 0 && r.m.debt > -r.m.min {
		t.Fatalf("a strict debit ran debt to %d, past the floor %d", r.m.debt, r.m.min)
	}
}

func (r *run) hold(t *rapid.T) {
	m := r.m
	amount, ttl := genAmount.Draw(t, "amount"), genTTL.Draw(t, "ttl")
	want := ""
	switch {
	case m.status == ledger.StatusClosed:
		want = coffer.EAccountClosed
	case m.status == ledger.StatusSuspended:
		want = coffer.EAccountSuspended
	case amount > m.available():
		want = coffer.EInsufficientBalance
	}
	before := r.b.snapshot()
	h, err := r.b.hold(money.Amount(amount).String(), ttl)
	if !r.outcome("hold", err, want, before) {
		return
	}
	m.holds = append(m.holds, &mHold{id: h.ID, amount: amount, expires: m.now.Add(ttl), status: ledger.HoldActive})
}

// seedHolds places n holds on an account whose clock stands still: what
// is available falls by each hold placed, so the model need not add up
// every lot for each.
func (r *run) seedHolds(t *rapid.T, n int) {
	avail := r.m.available()
	for range n {
		amount, ttl := genAmount.Draw(t, "amount"), genTTL.Draw(t, "ttl")
		h, err := r.b.hold(money.Amount(amount).String(), ttl)
		if amount > avail {
			wantCode(t, err, coffer.EInsufficientBalance)
			continue
		}
		if err != nil {
			t.Fatalf("seed hold of %d with %d available: %v", amount, avail, err)
		}
		avail -= amount
		r.m.holds = append(r.m.holds, &mHold{id: h.ID, amount: amount, expires: r.m.now.Add(ttl), status: ledger.HoldActive})
	}
}

// pickHold picks any hold ever placed, finished ones too, or nil.
func (r *run) pickHold(t *rapid.T) *mHold {
	if len(r.m.holds) == 0 {
		return nil
	}
	return r.m.holds[rapid.IntRange(0, len(r.m.holds)-1).Draw(t, "hold")]
}

// holdError is the model's refusal of a capture or release of h.
func (r *run) holdError(h *mHold) string {
	switch {
	case h.status != ledger.HoldActive:
		return coffer.ENotFound
	case !r.m.now.Before(h.expires):
		return coffer.EConflict
	}
	return ""
}

func (r *run) capture(t *rapid.T) {
	h := r.pickHold(t)
	if h == nil {
		return
	}
	amount := int64(0)
	if rapid.IntRange(0, 5).Draw(t, "zero capture") != 0 {
		amount = genAmount.Draw(t, "amount")
	}
	want := r.holdError(h)
	if r.m.status == ledger.StatusClosed {
		want = coffer.EAccountClosed
	}
	var takes []mTake
	var debt int64
	if want == "" {
		h.status = ledger.HoldCaptured // it stops reserving before the capture is planned
		want, takes, debt = r.m.debit("", amount, 0, 0, true)
		if want != "" {
			h.status = ledger.HoldActive // refused: the hold stays
		}
	}
	before, bal, wasAtLimit := r.b.snapshot(), r.m.bookBalance(), r.m.atLimit
	e, err := r.b.do(func(s *ledger.State) (*ledger.Effect, error) {
		return s.Capture(r.b.env(), h.id, money.Amount(amount), "")
	})
	r.limitEvent("capture", e, want, wasAtLimit)
	if !r.outcome("capture", err, want, before) {
		return
	}
	r.b.record(e)
	r.checkTakes("capture", e.Txn, takes)
	r.m.commit(takes, debt)
	r.checkDepleted("capture", e, bal, r.m.bookBalance())
}

func (r *run) release(t *rapid.T) {
	h := r.pickHold(t)
	if h == nil {
		return
	}
	want := r.holdError(h)
	before := r.b.snapshot()
	_, err := r.b.do(func(s *ledger.State) (*ledger.Effect, error) { return s.Release(r.b.env(), h.id) })
	if r.outcome("release", err, want, before) {
		h.status = ledger.HoldReleased
	}
}

func (r *run) void(t *rapid.T) {
	if len(r.m.lots) == 0 {
		return
	}
	l := r.m.lots[rapid.IntRange(0, len(r.m.lots)-1).Draw(t, "lot")]
	want := ""
	if l.status == ledger.LotVoided || l.status == ledger.LotExpired {
		want = coffer.EConflict
	}
	before, bal := r.b.snapshot(), r.m.bookBalance()
	e, err := r.b.do(func(s *ledger.State) (*ledger.Effect, error) { return s.Void(r.b.env(), l.id, "property test", "op") })
	if !r.outcome("void", err, want, before) {
		return
	}
	r.b.record(e)
	r.checkTakes("void", e.Txn, nonzero(mTake{l.id, l.left}))
	l.left, l.status = 0, ledger.LotVoided
	r.checkDepleted("void", e, bal, r.m.bookBalance())
}

func nonzero(tk mTake) []mTake {
	if tk.amount == 0 {
		return nil
	}
	return []mTake{tk}
}

func (r *run) expire(t *rapid.T) {
	m := r.m
	effects := r.b.doAll(func(s *ledger.State) []*ledger.Effect { return s.Expire(r.b.env()) })
	i := 0
	next := func() *ledger.Effect {
		if i == len(effects) {
			t.Fatalf("Expire returned %d effects, the model expects more", len(effects))
		}
		i++
		return effects[i-1]
	}
	for _, l := range m.lots {
		if l.status != ledger.LotActive || l.expires.IsZero() || m.now.Before(l.expires) {
			continue
		}
		bal := m.bookBalance()
		e := next()
		r.b.record(e)
		if e.Txn == nil || e.Txn.Type != ledger.TxnExpire || e.Txn.LotID != l.id {
			t.Fatalf("expire effect %+v, model expects lot %s", e, l.id)
		}
		r.checkTakes("expire", e.Txn, nonzero(mTake{l.id, l.left}))
		l.left, l.status = 0, ledger.LotExpired
		r.checkDepleted("expire", e, bal, m.bookBalance())
	}
	for _, h := range m.holds {
		if h.status != ledger.HoldActive || m.now.Before(h.expires) {
			continue
		}
		e := next()
		if e.Txn != nil || len(e.Holds) != 1 || e.Holds[0].ID != h.id || e.Holds[0].Status != ledger.HoldExpired {
			t.Fatalf("expire effect %+v, model expects hold %s", e, h.id)
		}
		h.status = ledger.HoldExpired
	}
	if i != len(effects) {
		t.Fatalf("Expire returned %d effects, the model expects %d", len(effects), i)
	}
}

func (r *run) tick(t *rapid.T) {
	m := r.m
	step := genStep.Draw(t, "step")
	if rapid.Bool().Draw(t, "to a boundary") {
		// Land exactly on the next instant something changes, where
		// off-by-one mistakes live.
		var next []time.Time
		for _, l := range m.lots {
			next = append(next, l.effective, l.expires)
		}
		for _, h := range m.holds {
			next = append(next, h.expires)
		}
		best := time.Time{}
		for _, at := range next {
			if at.After(m.now) && (best.IsZero() || at.Before(best)) {
				best = at
			}
		}
		if !best.IsZero() {
			step = best.Sub(m.now)
		}
	}
	m.now = m.now.Add(step)
	r.sync()
}

func (r *run) setStatus(t *rapid.T) {
	st := rapid.SampledFrom([]ledger.Status{ledger.StatusActive, ledger.StatusActive, ledger.StatusSuspended,
		ledger.StatusClosed}).Draw(t, "status")
	r.m.status, r.b.s.Account.Status = st, st
}

// check compares the ledger with the model and checks the invariants.
func (r *run) check(t *rapid.T) {
	t.Helper()
	m, s := r.m, r.b.s
	if got, want := s.Balance(m.now), m.balance(); !reflect.DeepEqual(got, want) {
		t.Fatalf("balance at %s\n   got %+v\n model %+v", m.now, got, want)
	}
	if len(s.Lots) != len(m.lots) {
		t.Fatalf("%d lots, model has %d", len(s.Lots), len(m.lots))
	}
	for i, l := range s.Lots {
		ml := m.lots[i]
		if l.ID != ml.id || l.Remaining.Micros() != ml.left || l.Status != ml.status {
			t.Fatalf("lot %s: %s %s, model %s: %d %s", l.ID, l.Remaining, l.Status, ml.id, ml.left, ml.status)
		}
	}
	var live []string
	for _, h := range m.holds {
		if h.status == ledger.HoldActive {
			live = append(live, h.id)
		}
	}
	var got []string
	for _, h := range s.Holds {
		got = append(got, h.ID)
	}
	if !slices.Equal(got, live) {
		t.Fatalf("live holds %v, model %v", got, live)
	}
	if s.Account.AtCreditLimit != m.atLimit {
		t.Fatalf("account marked at its credit limit %v, model %v", s.Account.AtCreditLimit, m.atLimit)
	}
	if s.Account.Debt.Micros() != m.debt {
		t.Fatalf("debt %s, model %d", s.Account.Debt, m.debt)
	}
	if s.LedgerBalance().Micros() != m.bookBalance() {
		t.Fatalf("ledger balance %s, model %d", s.LedgerBalance(), m.bookBalance())
	}
	// Below the floor only through a recorded overdraft: debt past what the
	// floor allows can only come from served usage or a capture, and
	// without it the balance stays at or above the floor.
	if m.debt <= -m.min && s.Balance(m.now).Balance.Micros() < m.min {
		t.Fatalf("balance %s below the floor %d without an overdraft", s.Balance(m.now).Balance, m.min)
	}
	r.b.audit()
}

func TestLedgerMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// Mostly the whole state; else each operation runs on a partial
		// state with a few lots of each order loaded, asking for more.
		partial := rapid.SampledFrom([]int{-1, -1, -1, 0, 1, 2, 5}).Draw(t, "partial")
		propertyRun(t, partial, 0, 0, rapid.IntRange(10, 120).Draw(t, "steps"))
	})
}

// TestLedgerMatchesModelManyLots starts each run from an account of
// thousands of lots and holds, then runs the operations on partial states
// of it, as a committer loads them.
func TestLedgerMatchesModelManyLots(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of lots per run")
	}
	// Each run costs thousands of the model's operations: fewer runs than
	// the other properties, unless -rapid.checks asks for more.
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue {
		_ = f.Value.Set("8")
		defer func() { _ = f.Value.Set(f.DefValue) }()
	}
	rapid.Check(t, func(t *rapid.T) {
		lots := rapid.SampledFrom([]int{1000, 3000}).Draw(t, "lots")
		holds := rapid.SampledFrom([]int{500, 2000}).Draw(t, "holds")
		partial := rapid.SampledFrom([]int{0, 3, 16}).Draw(t, "partial")
		propertyRun(t, partial, lots, holds, rapid.IntRange(10, 30).Draw(t, "steps"))
	})
}

// propertyRun runs one property run: seedLots grants and seedHolds holds
// on the whole state, then steps random operations, each on a partial
// state when partial is zero or more, checking against the model after
// each.
func propertyRun(t *rapid.T, partial, seedLots, seedHolds, steps int) {
	minBalance := rapid.SampledFrom([]int64{0, 0, -10_000_000, -100_000_000}).Draw(t, "min_balance")
	// Mostly a limit that served usage reaches within a run, sometimes
	// the floor itself, sometimes none to speak of.
	limit := minBalance - rapid.SampledFrom([]int64{0, 5_000_000, 30_000_000, 100_000_000, -ledger.NoCreditLimit.Micros()}).Draw(t, "credit_limit")
	r := &run{t: t, b: newBook(t, money.Amount(minBalance).String()),
		m: &model{now: t0, min: minBalance, limit: limit, status: ledger.StatusActive}}
	r.b.s.Account.CreditLimit = money.Amount(limit)
	r.seeding = true
	for range seedLots {
		r.grant(t)
	}
	r.seedHolds(t, seedHolds)
	r.seeding = false
	if seedLots+seedHolds > 0 {
		r.check(t)
	}
	r.b.partial = partial
	ops := map[string]func(*rapid.T){
		"grant": r.grant, "debit": r.debit, "hold": r.hold, "capture": r.capture, "release": r.release,
		"void": r.void, "expire": r.expire, "tick": r.tick, "status": r.setStatus,
	}
	// Weighted: value moves often, the account's status rarely.
	names := []string{"grant", "grant", "grant", "debit", "debit", "debit", "debit", "hold", "hold",
		"capture", "capture", "release", "void", "expire", "expire", "tick", "tick", "tick", "status"}
	for range steps {
		name := rapid.SampledFrom(names).Draw(t, "op")
		if name == "status" && rapid.IntRange(0, 2).Draw(t, "really") != 0 {
			continue
		}
		ops[name](t)
		r.check(t)
	}
}
