package ledger_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// t0 is the start of every test's clock.
var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func amt(s string) money.Amount { return money.MustParse(s) }

// tb is what the harness needs from *testing.T and *rapid.T alike.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// book is the test harness: one account's State, a clock, a deterministic id
// source, and every transaction written so far, so that the double entry can
// be audited after each operation.
type book struct {
	t    tb
	s    *ledger.State
	now  time.Time
	n    int
	txns []*ledger.Txn
	lots map[string]*ledger.Lot // by the test's name for them
	// partial, when zero or more, runs each operation on a partial state
	// loaded from s with that many lots of each consumption order
	// (partial_test.go); negative runs them on s itself.
	partial int
}

func newBook(t tb, minBalance string) *book {
	return &book{
		t:   t,
		now: t0,
		s: &ledger.State{Account: ledger.Account{ID: "acct_1", Currency: "USD",
			Status: ledger.StatusActive, MinBalance: amt(minBalance), CreditLimit: ledger.NoCreditLimit}},
		lots:    map[string]*ledger.Lot{},
		partial: -1,
	}
}

// env hands out ids that sort in creation order, as real ids do.
func (b *book) env() ledger.Env {
	return ledger.Env{Now: b.now, NewID: func(prefix string) string {
		b.n++
		return fmt.Sprintf("%s_%08d", prefix, b.n)
	}}
}

// at sets the clock to t0+d.
func (b *book) at(d time.Duration) { b.now = t0.Add(d) }

// record keeps an effect's transaction and checks that it balances.
func (b *book) record(e *ledger.Effect) *ledger.Effect {
	b.t.Helper()
	if e != nil && e.Txn != nil {
		checkBalanced(b.t, e.Txn)
		b.txns = append(b.txns, e.Txn)
	}
	return e
}

// grant adds a lot, filling the defaults the service would: monetary, paid,
// realtime, priority 50. It fails the test if the grant is refused.
func (b *book) grant(name string, g ledger.Grant) *ledger.Lot {
	b.t.Helper()
	if g.Kind == "" {
		g.Kind = ledger.Monetary
		if g.Unit != "" {
			g.Kind = ledger.Units
		}
	}
	if g.Category == "" {
		g.Category = ledger.Paid
	}
	if g.Application == "" {
		g.Application = ledger.Realtime
	}
	if g.Priority == 0 {
		g.Priority = ledger.DefaultPriority
	}
	e, err := b.s.Grant(b.env(), g)
	if err != nil {
		b.t.Fatalf("grant %s: %v", name, err)
	}
	b.record(e)
	b.lots[name] = e.Lots[0]
	return e.Lots[0]
}

func (b *book) debit(d ledger.Debit) (*ledger.Effect, error) {
	e, err := b.do(func(s *ledger.State) (*ledger.Effect, error) { return s.Debit(b.env(), d) })
	return b.record(e), err
}

func (b *book) mustDebit(d ledger.Debit) *ledger.Effect {
	b.t.Helper()
	e, err := b.debit(d)
	if err != nil {
		b.t.Fatalf("debit %+v: %v", d, err)
	}
	return e
}

func (b *book) hold(amount string, ttl time.Duration) (*ledger.Hold, error) {
	e, err := b.do(func(s *ledger.State) (*ledger.Effect, error) {
		return s.PlaceHold(b.env(), ledger.HoldRequest{Amount: amt(amount), TTL: ttl})
	})
	if err != nil {
		return nil, err
	}
	if e.Txn != nil || len(e.Holds) != 1 {
		b.t.Fatalf("a hold moved value or named %d holds", len(e.Holds))
	}
	return e.Holds[0], nil
}

func (b *book) balance() ledger.Balance { return b.s.Balance(b.now) }

// audit checks the double entry against the state: every lot's remaining is
// the sum of its postings, no lot is negative, the receivables postings sum
// to minus the debt, and the account's postings in its currency sum to its
// ledger balance.
func (b *book) audit() {
	b.t.Helper()
	realtime := map[string]bool{}
	for _, l := range b.s.Lots {
		realtime[l.ID] = l.Application == ledger.Realtime
	}
	byLot := map[string]money.Amount{}
	var receivables, customer money.Amount
	for _, txn := range b.txns {
		checkBalanced(b.t, txn)
		for _, p := range txn.Postings {
			switch p.Book {
			case ledger.BookCustomer:
				byLot[p.LotID] += p.Amount
				if p.Asset == string(b.s.Account.Currency) && realtime[p.LotID] {
					customer += p.Amount
				}
			case ledger.BookReceivables:
				receivables += p.Amount
			}
		}
	}
	if customer+receivables != b.s.LedgerBalance() {
		b.t.Errorf("customer and receivables postings sum to %s, ledger balance %s",
			customer+receivables, b.s.LedgerBalance())
	}
	for _, l := range b.s.Lots {
		if l.Remaining < 0 || l.Remaining > l.Amount {
			b.t.Errorf("lot %s remaining %s outside [0, %s]", l.ID, l.Remaining, l.Amount)
		}
		if byLot[l.ID] != l.Remaining {
			b.t.Errorf("lot %s remaining %s, postings say %s", l.ID, l.Remaining, byLot[l.ID])
		}
	}
	if receivables != -b.s.Account.Debt {
		b.t.Errorf("debt %s, receivables postings sum to %s", b.s.Account.Debt, receivables)
	}
}

// checkBalanced fails unless the postings sum to zero for every asset.
func checkBalanced(t tb, txn *ledger.Txn) {
	t.Helper()
	sums := map[string]money.Amount{}
	for _, p := range txn.Postings {
		sums[p.Asset] += p.Amount
		if (p.Book == ledger.BookCustomer) != (p.LotID != "") {
			t.Errorf("txn %s: posting %+v: only customer postings name a lot", txn.ID, p)
		}
	}
	for asset, v := range sums {
		if v != 0 {
			t.Errorf("txn %s (%s): postings in %s sum to %s", txn.ID, txn.Type, asset, v)
		}
	}
}

// snapshot copies everything an operation may change, to prove a refused
// operation changed nothing.
type snapshot struct {
	account ledger.Account
	lots    []ledger.Lot
	holds   []ledger.Hold
}

func (b *book) snapshot() snapshot {
	sn := snapshot{account: b.s.Account}
	for _, l := range b.s.Lots {
		sn.lots = append(sn.lots, *l)
	}
	for _, h := range b.s.Holds {
		sn.holds = append(sn.holds, *h)
	}
	return sn
}

func (b *book) unchanged(before snapshot) {
	b.t.Helper()
	if after := b.snapshot(); !reflect.DeepEqual(before, after) {
		b.t.Errorf("a refused operation changed the state:\nbefore %+v\nafter  %+v", before, after)
	}
}

// wantCode fails unless err is a *coffer.Error with the code.
func wantCode(t tb, err error, code string) *coffer.Error {
	t.Helper()
	var ce *coffer.Error
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	return ce
}

// takes lists a transaction's customer postings as "lot=amount", naming
// lots by the test's names.
func (b *book) takes(txn *ledger.Txn) []string {
	names := map[string]string{}
	for n, l := range b.lots {
		names[l.ID] = n
	}
	var out []string
	for _, p := range txn.Postings {
		if p.Book == ledger.BookCustomer {
			out = append(out, fmt.Sprintf("%s=%s", names[p.LotID], (-p.Amount).String()))
		}
	}
	return out
}

type lotSpec struct {
	name      string
	amount    string
	unit      string // set: a units lot
	cat       ledger.Category
	prio      int
	expires   time.Duration // from t0; 0: never
	effective time.Duration // from t0; 0: when granted
	trueUp    bool
}

func TestConsumptionOrder(t *testing.T) {
	const (
		day  = 24 * time.Hour
		none = ""
	)
	promo := ledger.Promotional
	cash := func(a string) ledger.Debit { return ledger.Debit{Amount: amt(a)} }
	units := func(unit, qty, price string) ledger.Debit {
		return ledger.Debit{Unit: unit, Quantity: amt(qty), UnitPrice: amt(price)}
	}
	served := func(d ledger.Debit) ledger.Debit { d.AllowNegative = true; return d }
	tests := []struct {
		name  string
		min   string
		lots  []lotSpec // granted in order, one minute apart from t0
		at    time.Duration
		debit ledger.Debit
		takes []string // "lot=amount" in the order consumed
		debt  string
		code  string // a refusal
		avail string // the available amount the refusal reports
	}{
		{name: "one lot, partly", lots: []lotSpec{{name: "A", amount: "10"}},
			debit: cash("3"), takes: []string{"A=3.00"}},
		{name: "whole lot", lots: []lotSpec{{name: "A", amount: "10"}},
			debit: cash("10"), takes: []string{"A=10.00"}},
		{name: "zero debit takes nothing", lots: []lotSpec{{name: "A", amount: "10"}},
			debit: cash("0")},
		{name: "lower priority number first",
			lots:  []lotSpec{{name: "A", amount: "10"}, {name: "B", amount: "10", prio: 10}},
			debit: cash("12"), takes: []string{"B=10.00", "A=2.00"}},
		{name: "soonest expiry first, never-expiring last",
			lots: []lotSpec{{name: "A", amount: "10"}, {name: "B", amount: "10", expires: 10 * day},
				{name: "C", amount: "10", expires: 5 * day}},
			debit: cash("25"), takes: []string{"C=10.00", "B=10.00", "A=5.00"}},
		{name: "priority beats expiry",
			lots:  []lotSpec{{name: "A", amount: "10", prio: 10}, {name: "B", amount: "10", expires: 2 * time.Hour}},
			debit: cash("5"), takes: []string{"A=5.00"}},
		{name: "expiry beats category",
			lots: []lotSpec{{name: "A", amount: "10", cat: promo, expires: 20 * day},
				{name: "B", amount: "10", expires: 10 * day}},
			debit: cash("5"), takes: []string{"B=5.00"}},
		{name: "promotional before paid",
			lots:  []lotSpec{{name: "A", amount: "10"}, {name: "B", amount: "10", cat: promo}},
			debit: cash("15"), takes: []string{"B=10.00", "A=5.00"}},
		{name: "category beats age",
			lots: []lotSpec{{name: "A", amount: "10", expires: day},
				{name: "B", amount: "10", cat: promo, expires: day}},
			debit: cash("5"), takes: []string{"B=5.00"}},
		{name: "oldest first",
			lots:  []lotSpec{{name: "A", amount: "10"}, {name: "B", amount: "10"}, {name: "C", amount: "10"}},
			debit: cash("15"), takes: []string{"A=10.00", "B=5.00"}},
		{name: "monetary debit leaves unit lots alone",
			lots:  []lotSpec{{name: "S", amount: "100", unit: "sms"}, {name: "A", amount: "10"}},
			debit: cash("5"), takes: []string{"A=5.00"}},
		{name: "unit lots of the debit's unit first",
			lots:  []lotSpec{{name: "A", amount: "10", prio: 1}, {name: "S", amount: "5", unit: "sms"}},
			debit: units("sms", "3", "0.01"), takes: []string{"S=3.00"}},
		{name: "unit lots in consumption order too",
			lots: []lotSpec{{name: "S1", amount: "5", unit: "sms"}, {name: "S2", amount: "5", unit: "sms", prio: 10},
				{name: "S3", amount: "5", unit: "sms", cat: promo}},
			debit: units("sms", "12", "0"), takes: []string{"S2=5.00", "S3=5.00", "S1=2.00"}},
		{name: "unit shortfall priced from money",
			lots:  []lotSpec{{name: "A", amount: "1"}, {name: "S", amount: "2", unit: "sms"}},
			debit: units("sms", "5", "0.0075"), takes: []string{"S=2.00", "A=0.0225"}},
		{name: "unit shortfall from money in money's order",
			lots: []lotSpec{{name: "A", amount: "1"}, {name: "B", amount: "1", cat: promo},
				{name: "S", amount: "2", unit: "sms", prio: 99}},
			debit: units("sms", "5", "0.5"), takes: []string{"S=2.00", "B=1.00", "A=0.50"}},
		{name: "other units untouched",
			lots:  []lotSpec{{name: "G", amount: "10", unit: "gb"}, {name: "A", amount: "1"}},
			debit: units("sms", "2", "0.5"), takes: []string{"A=1.00"}},
		{name: "unit price rounds half away from zero",
			lots:  []lotSpec{{name: "A", amount: "1"}},
			debit: units("sms", "0.5", "0.000001"), takes: []string{"A=0.000001"}},
		{name: "unit shortfall without a price is refused",
			lots:  []lotSpec{{name: "A", amount: "10"}, {name: "S", amount: "2", unit: "sms"}},
			debit: units("sms", "5", "0"), code: coffer.EInsufficientBalance, avail: "10.00"},
		{name: "served unit shortfall without a price is invalid",
			lots:  []lotSpec{{name: "A", amount: "10"}, {name: "S", amount: "2", unit: "sms"}},
			debit: served(units("sms", "5", "0")), code: coffer.EInvalid},
		{name: "unit credits need no money", lots: []lotSpec{{name: "S", amount: "5", unit: "sms"}},
			debit: units("sms", "3", "0"), takes: []string{"S=3.00"}},
		{name: "shortfall becomes debt down to the floor", min: "-20",
			lots: []lotSpec{{name: "A", amount: "10"}}, debit: cash("25"), takes: []string{"A=10.00"}, debt: "15"},
		{name: "strict debit to exactly the floor", min: "-20",
			lots: []lotSpec{{name: "A", amount: "10"}}, debit: cash("30"), takes: []string{"A=10.00"}, debt: "20"},
		{name: "strict debit past the floor refused whole", min: "-20",
			lots:  []lotSpec{{name: "A", amount: "10"}},
			debit: cash("30.000001"), code: coffer.EInsufficientBalance, avail: "30.00"},
		{name: "strict debit with nothing refused",
			debit: cash("0.000001"), code: coffer.EInsufficientBalance, avail: "0.00"},
		{name: "priced unit shortfall past the floor refused whole",
			lots:  []lotSpec{{name: "A", amount: "1"}, {name: "S", amount: "2", unit: "sms"}},
			debit: units("sms", "5", "0.5"), code: coffer.EInsufficientBalance, avail: "1.00"},
		{name: "served usage is never refused",
			lots: []lotSpec{{name: "A", amount: "10"}}, debit: served(cash("25")), takes: []string{"A=10.00"}, debt: "15"},
		{name: "served usage with nothing is debt", debit: served(cash("5")), debt: "5"},
		{name: "served usage past a negative floor", min: "-5",
			lots: []lotSpec{{name: "A", amount: "1"}}, debit: served(cash("100")), takes: []string{"A=1.00"}, debt: "99"},
		{name: "lot past expiry not consumed before the sweep",
			lots:  []lotSpec{{name: "A", amount: "10", expires: 30 * time.Minute}, {name: "B", amount: "10"}},
			debit: cash("5"), takes: []string{"B=5.00"}},
		{name: "lot past expiry is not available",
			lots:  []lotSpec{{name: "A", amount: "10", expires: 30 * time.Minute}},
			debit: cash("5"), code: coffer.EInsufficientBalance, avail: "0.00"},
		{name: "lot past expiry not consumed by served usage",
			lots:  []lotSpec{{name: "A", amount: "10", expires: 30 * time.Minute}},
			debit: served(cash("5")), debt: "5"},
		{name: "lot exactly at expiry is not consumable",
			lots: []lotSpec{{name: "A", amount: "10", expires: time.Hour}, {name: "B", amount: "10"}},
			at:   time.Hour, debit: cash("5"), takes: []string{"B=5.00"}},
		{name: "lot just before expiry is consumable",
			lots: []lotSpec{{name: "A", amount: "10", expires: time.Hour}, {name: "B", amount: "10"}},
			at:   time.Hour - time.Nanosecond, debit: cash("5"), takes: []string{"A=5.00"}},
		{name: "expired unit lot not consumed",
			lots:  []lotSpec{{name: "S", amount: "10", unit: "sms", expires: 30 * time.Minute}, {name: "A", amount: "1"}},
			debit: units("sms", "1", "0.1"), takes: []string{"A=0.10"}},
		{name: "lot not yet effective is not consumable",
			lots:  []lotSpec{{name: "A", amount: "10", effective: 2 * time.Hour}},
			debit: cash("5"), code: coffer.EInsufficientBalance, avail: "0.00"},
		{name: "lot not yet effective skipped",
			lots:  []lotSpec{{name: "A", amount: "10", effective: 2 * time.Hour, prio: 1}, {name: "B", amount: "10"}},
			debit: cash("5"), takes: []string{"B=5.00"}},
		{name: "lot effective exactly now is consumable",
			lots: []lotSpec{{name: "A", amount: "10", effective: time.Hour}},
			at:   time.Hour, debit: cash("5"), takes: []string{"A=5.00"}},
		{name: "true_up lot not consumed by a strict debit",
			lots:  []lotSpec{{name: "T", amount: "100", trueUp: true}},
			debit: cash("5"), code: coffer.EInsufficientBalance, avail: "0.00"},
		{name: "true_up lot not consumed by served usage",
			lots:  []lotSpec{{name: "T", amount: "100", trueUp: true}, {name: "A", amount: "1"}},
			debit: served(cash("5")), takes: []string{"A=1.00"}, debt: "4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			min := tt.min
			if min == none {
				min = "0"
			}
			b := newBook(t, min)
			for i, ls := range tt.lots {
				b.at(time.Duration(i) * time.Minute)
				g := ledger.Grant{Amount: amt(ls.amount), Unit: ls.unit, Category: ls.cat, Priority: ls.prio}
				if ls.expires != 0 {
					g.ExpiresAt = t0.Add(ls.expires)
				}
				if ls.effective != 0 {
					g.EffectiveAt = t0.Add(ls.effective)
				}
				if ls.trueUp {
					g.Application = ledger.TrueUp
				}
				b.grant(ls.name, g)
			}
			b.at(time.Hour)
			if tt.at != 0 {
				b.at(tt.at)
			}
			before := b.snapshot()
			e, err := b.debit(tt.debit)
			if tt.code != "" {
				ce := wantCode(t, err, tt.code)
				if e != nil {
					t.Errorf("a refused debit returned an effect")
				}
				if tt.avail != "" && ce.Details["available"] != tt.avail {
					t.Errorf("refusal reports available %q, want %q", ce.Details["available"], tt.avail)
				}
				b.unchanged(before)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := b.takes(e.Txn); !reflect.DeepEqual(got, tt.takes) {
				t.Errorf("took %v, want %v", got, tt.takes)
			}
			debt := tt.debt
			if debt == none {
				debt = "0"
			}
			if b.s.Account.Debt != amt(debt) {
				t.Errorf("debt %s, want %s", b.s.Account.Debt, debt)
			}
			// Lots not named in takes are untouched; named ones fell by the take.
			taken := map[string]money.Amount{}
			for _, tk := range tt.takes {
				n, a, _ := strings.Cut(tk, "=")
				taken[n] += amt(a)
			}
			for n, l := range b.lots {
				want := l.Amount - taken[n]
				if l.Remaining != want {
					t.Errorf("lot %s remaining %s, want %s", n, l.Remaining, want)
				}
				if (l.Status == ledger.LotDepleted) != (want == 0) {
					t.Errorf("lot %s status %s with %s remaining", n, l.Status, l.Remaining)
				}
			}
			if e.Txn.Type != ledger.TxnDebit {
				t.Errorf("txn type %s", e.Txn.Type)
			}
			if e.Txn.BalanceAfter != b.s.LedgerBalance() {
				t.Errorf("BalanceAfter %s, ledger balance %s", e.Txn.BalanceAfter, b.s.LedgerBalance())
			}
			b.audit()
		})
	}
}

func TestGrantRefuses(t *testing.T) {
	b := newBook(t, "0")
	base := ledger.Grant{Kind: ledger.Monetary, Amount: amt("1"), Category: ledger.Paid,
		Application: ledger.Realtime, Priority: 50}
	for name, edit := range map[string]func(g *ledger.Grant){
		"zero amount":            func(g *ledger.Grant) { g.Amount = 0 },
		"negative amount":        func(g *ledger.Grant) { g.Amount = amt("-1") },
		"expiry at effect":       func(g *ledger.Grant) { g.ExpiresAt = t0 },
		"expiry before effect":   func(g *ledger.Grant) { g.EffectiveAt, g.ExpiresAt = t0.Add(time.Hour), t0.Add(time.Minute) },
		"expiry in the past":     func(g *ledger.Grant) { g.ExpiresAt = t0.Add(-time.Hour) },
		"true_up units":          func(g *ledger.Grant) { g.Kind, g.Unit, g.Application = ledger.Units, "sms", ledger.TrueUp },
		"past the largest value": func(g *ledger.Grant) { g.Amount = money.Max },
	} {
		t.Run(name, func(t *testing.T) {
			if name == "past the largest value" {
				b.grant("big", ledger.Grant{Amount: amt("1")})
			}
			before := b.snapshot()
			g := base
			edit(&g)
			_, err := b.s.Grant(b.env(), g)
			wantCode(t, err, coffer.EInvalid)
			b.unchanged(before)
		})
	}
	// An effective time in the past means now.
	l := b.grant("past", ledger.Grant{Amount: amt("1"), EffectiveAt: t0.Add(-time.Hour)})
	if !l.EffectiveAt.Equal(t0) || !l.CreatedAt.Equal(t0) {
		t.Fatalf("lot %+v", l)
	}
}

func TestDebitRefusesNegativeInput(t *testing.T) {
	for _, d := range []ledger.Debit{
		{Amount: amt("-1")},
		{Amount: amt("-1"), AllowNegative: true},
		{Unit: "sms", Quantity: amt("-1"), UnitPrice: amt("1")},
		{Unit: "sms", Quantity: amt("-1"), UnitPrice: amt("1"), AllowNegative: true},
		{Unit: "sms", Quantity: amt("5"), UnitPrice: amt("-1"), AllowNegative: true},
	} {
		b := newBook(t, "-100")
		b.grant("A", ledger.Grant{Amount: amt("10")})
		b.grant("S", ledger.Grant{Unit: "sms", Amount: amt("2")})
		before := b.snapshot()
		_, err := b.debit(d)
		wantCode(t, err, coffer.EInvalid)
		b.unchanged(before)
	}
}

// Debt is repaid first by the next realtime monetary lot that takes effect
// when granted; unit lots, true_up lots and lots that take effect later do
// not repay it.
func TestDebtRepaidByNextGrant(t *testing.T) {
	b := newBook(t, "0")
	b.mustDebit(ledger.Debit{Amount: amt("15"), AllowNegative: true})
	if bal := b.balance(); bal.Balance != amt("-15") || bal.Debt != amt("15") || bal.Available != amt("-15") {
		t.Fatalf("after served usage: %+v", bal)
	}
	b.grant("S", ledger.Grant{Unit: "sms", Amount: amt("10")})
	b.grant("T", ledger.Grant{Amount: amt("10"), Application: ledger.TrueUp})
	b.grant("F", ledger.Grant{Amount: amt("10"), EffectiveAt: t0.Add(time.Hour)})
	if b.s.Account.Debt != amt("15") {
		t.Fatalf("debt %s after grants that must not repay it", b.s.Account.Debt)
	}
	a := b.grant("A", ledger.Grant{Amount: amt("10"), Category: ledger.Promotional})
	if a.Amount != amt("10") || a.Remaining != 0 || a.Status != ledger.LotDepleted || b.s.Account.Debt != amt("5") {
		t.Fatalf("first repayment: lot %+v, debt %s", a, b.s.Account.Debt)
	}
	c := b.grant("C", ledger.Grant{Amount: amt("20")})
	if c.Remaining != amt("15") || c.Status != ledger.LotActive || b.s.Account.Debt != 0 {
		t.Fatalf("second repayment: lot %+v, debt %s", c, b.s.Account.Debt)
	}
	if txn := b.txns[len(b.txns)-1]; txn.Amount != amt("20") || txn.BalanceAfter != amt("25") {
		t.Fatalf("grant txn amount %s balance after %s", txn.Amount, txn.BalanceAfter) // 15 (C) + 10 (F)
	}
	if bal := b.balance(); bal.Balance != amt("15") || bal.Debt != 0 || bal.GiftedRemaining != amt("10") ||
		bal.Units["sms"] != amt("10") || bal.BalanceWithCredits != amt("25") {
		t.Fatalf("after repayment: %+v", bal)
	}
	b.audit()
}

// A unit debit that unit credits cover needs no money, even while the
// monetary balance is below the floor.
func TestUnitDebitCoveredWhileInDebt(t *testing.T) {
	b := newBook(t, "0")
	b.grant("S", ledger.Grant{Unit: "sms", Amount: amt("10")})
	b.mustDebit(ledger.Debit{Amount: amt("5"), AllowNegative: true})
	e := b.mustDebit(ledger.Debit{Unit: "sms", Quantity: amt("3")})
	if got := b.takes(e.Txn); !reflect.DeepEqual(got, []string{"S=3.00"}) {
		t.Fatalf("took %v", got)
	}
	// A strict debit that needs money is still refused.
	_, err := b.debit(ledger.Debit{Unit: "sms", Quantity: amt("8"), UnitPrice: amt("1")})
	if ce := wantCode(t, err, coffer.EInsufficientBalance); ce.Details["available"] != "-5.00" {
		t.Fatalf("available %q", ce.Details["available"])
	}
	b.audit()
}

func TestSuspendedAccount(t *testing.T) {
	b := newBook(t, "0")
	b.grant("A", ledger.Grant{Amount: amt("10")})
	h, err := b.hold("2", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b.s.Account.Status = ledger.StatusSuspended
	before := b.snapshot()
	_, err = b.debit(ledger.Debit{Amount: amt("1")})
	wantCode(t, err, coffer.EAccountSuspended)
	_, err = b.debit(ledger.Debit{Unit: "sms", Quantity: amt("1"), UnitPrice: amt("1")})
	wantCode(t, err, coffer.EAccountSuspended)
	_, err = b.hold("1", time.Hour)
	wantCode(t, err, coffer.EAccountSuspended)
	b.unchanged(before)

	// Served usage still posts, a hold already placed may still be captured,
	// and grants (a payment) still land.
	b.mustDebit(ledger.Debit{Amount: amt("3"), AllowNegative: true})
	e, err := b.s.Capture(b.env(), h.ID, amt("2"), "")
	if err != nil {
		t.Fatal(err)
	}
	b.record(e)
	b.grant("B", ledger.Grant{Amount: amt("1")})
	if bal := b.balance(); bal.Balance != amt("6") || bal.Status != ledger.StatusSuspended {
		t.Fatalf("balance %+v", bal)
	}
	b.audit()
}

func TestClosedAccount(t *testing.T) {
	b := newBook(t, "-10")
	b.grant("A", ledger.Grant{Amount: amt("10")})
	h, err := b.hold("2", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b.s.Account.Status = ledger.StatusClosed
	before := b.snapshot()
	_, err = b.s.Grant(b.env(), ledger.Grant{Kind: ledger.Monetary, Amount: amt("1"), Category: ledger.Paid,
		Application: ledger.Realtime, Priority: 50})
	wantCode(t, err, coffer.EAccountClosed)
	_, err = b.debit(ledger.Debit{Amount: amt("1")})
	wantCode(t, err, coffer.EAccountClosed)
	_, err = b.debit(ledger.Debit{Amount: amt("1"), AllowNegative: true})
	wantCode(t, err, coffer.EAccountClosed)
	_, err = b.hold("1", time.Hour)
	wantCode(t, err, coffer.EAccountClosed)
	_, err = b.s.Capture(b.env(), h.ID, amt("1"), "")
	wantCode(t, err, coffer.EAccountClosed)
	b.unchanged(before)
}

func TestHolds(t *testing.T) {
	b := newBook(t, "0")
	b.grant("A", ledger.Grant{Amount: amt("10")})

	h1, err := b.hold("4", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if h1.Status != ledger.HoldActive || !h1.ExpiresAt.Equal(t0.Add(time.Hour)) || h1.Amount != amt("4") {
		t.Fatalf("hold %+v", h1)
	}
	if bal := b.balance(); bal.Balance != amt("10") || bal.Held != amt("4") || bal.Available != amt("6") {
		t.Fatalf("a hold must lower available and only that: %+v", bal)
	}
	if b.lots["A"].Remaining != amt("10") {
		t.Fatal("a hold touched a lot")
	}

	// Neither a hold nor a strict debit may take the held part.
	before := b.snapshot()
	_, err = b.hold("6.000001", time.Hour)
	if ce := wantCode(t, err, coffer.EInsufficientBalance); ce.Details["available"] != "6.00" {
		t.Fatalf("available %q", ce.Details["available"])
	}
	_, err = b.debit(ledger.Debit{Amount: amt("6.01")})
	wantCode(t, err, coffer.EInsufficientBalance)
	b.unchanged(before)

	h2, err := b.hold("6", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if b.balance().Available != 0 {
		t.Fatalf("available %s", b.balance().Available)
	}

	// Capture for less than held: consumes the final amount, frees the rest.
	e, err := b.s.Capture(b.env(), h1.ID, amt("2.5"), "gw")
	if err != nil {
		t.Fatal(err)
	}
	b.record(e)
	if e.Txn.Type != ledger.TxnCapture || e.Txn.HoldID != h1.ID || h1.Status != ledger.HoldCaptured ||
		h1.Captured != amt("2.5") || h1.TxnID != e.Txn.ID || len(e.Holds) != 1 {
		t.Fatalf("capture %+v, hold %+v", e.Txn, h1)
	}
	if bal := b.balance(); bal.Balance != amt("7.5") || bal.Held != amt("6") || bal.Available != amt("1.5") {
		t.Fatalf("after capture: %+v", bal)
	}
	_, err = b.s.Capture(b.env(), h1.ID, amt("1"), "")
	wantCode(t, err, coffer.ENotFound)

	// Release frees the hold and charges nothing.
	e, err = b.s.Release(b.env(), h2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Txn != nil || h2.Status != ledger.HoldReleased || len(b.s.Holds) != 0 {
		t.Fatalf("release %+v, hold %+v", e, h2)
	}
	if bal := b.balance(); bal.Balance != amt("7.5") || bal.Held != 0 || bal.Available != amt("7.5") {
		t.Fatalf("after release: %+v", bal)
	}
	_, err = b.s.Release(b.env(), h2.ID)
	wantCode(t, err, coffer.ENotFound)

	// Capture for more than held, and more than there is: never refused.
	h3, err := b.hold("1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e, err = b.s.Capture(b.env(), h3.ID, amt("9"), "")
	if err != nil {
		t.Fatal(err)
	}
	b.record(e)
	if got := b.takes(e.Txn); !reflect.DeepEqual(got, []string{"A=7.50"}) || b.s.Account.Debt != amt("1.5") {
		t.Fatalf("took %v, debt %s", got, b.s.Account.Debt)
	}
	b.audit()
}

func TestHoldCaptureEdges(t *testing.T) {
	b := newBook(t, "0")
	b.grant("A", ledger.Grant{Amount: amt("10")})
	for _, r := range []ledger.HoldRequest{{Amount: 0, TTL: time.Hour}, {Amount: amt("-1"), TTL: time.Hour},
		{Amount: amt("1"), TTL: 0}} {
		_, err := b.s.PlaceHold(b.env(), r)
		wantCode(t, err, coffer.EInvalid)
	}
	h, _ := b.hold("3", time.Hour)
	_, err := b.s.Capture(b.env(), h.ID, amt("-1"), "")
	wantCode(t, err, coffer.EInvalid)
	if h.Status != ledger.HoldActive || b.balance().Held != amt("3") {
		t.Fatalf("a refused capture changed the hold: %+v", h)
	}
	_, err = b.s.Capture(b.env(), "hold_nope", amt("1"), "")
	wantCode(t, err, coffer.ENotFound)
	// Capturing zero settles the hold and consumes nothing.
	e, err := b.s.Capture(b.env(), h.ID, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	b.record(e)
	if len(b.takes(e.Txn)) != 0 || b.balance().Available != amt("10") {
		t.Fatalf("zero capture: %+v", b.balance())
	}
	b.audit()
}

// A hold stops reserving at the end of its TTL, whether or not Expire has run;
// Expire then marks it expired.
func TestHoldExpiry(t *testing.T) {
	b := newBook(t, "0")
	b.grant("A", ledger.Grant{Amount: amt("10")})
	h, _ := b.hold("4", time.Hour)
	b.at(time.Hour - time.Nanosecond)
	if b.balance().Held != amt("4") {
		t.Fatal("hold stopped reserving before its TTL")
	}
	if effects := b.s.Expire(b.env()); len(effects) != 0 {
		t.Fatalf("Expire before the TTL did %d things", len(effects))
	}
	b.at(time.Hour)
	if bal := b.balance(); bal.Held != 0 || bal.Available != amt("10") {
		t.Fatalf("a hold past its TTL still reserves: %+v", bal)
	}
	if _, err := b.hold("10", time.Hour); err != nil {
		t.Fatalf("an expired hold blocked a new one: %v", err)
	}
	_, err := b.s.Capture(b.env(), h.ID, amt("1"), "")
	wantCode(t, err, coffer.EConflict)
	_, err = b.s.Release(b.env(), h.ID)
	wantCode(t, err, coffer.EConflict)

	effects := b.s.Expire(b.env())
	if len(effects) != 1 || len(effects[0].Holds) != 1 || effects[0].Holds[0] != h || effects[0].Txn != nil {
		t.Fatalf("Expire effects %+v", effects)
	}
	if h.Status != ledger.HoldExpired || !h.FinishedAt.Equal(b.now) || len(b.s.Holds) != 1 {
		t.Fatalf("hold %+v, %d live holds", h, len(b.s.Holds))
	}
	if len(b.s.Expire(b.env())) != 0 {
		t.Fatal("Expire is not idempotent")
	}
}

func TestVoid(t *testing.T) {
	b := newBook(t, "0")
	a := b.grant("A", ledger.Grant{Amount: amt("10"), Category: ledger.Promotional})
	b.grant("B", ledger.Grant{Amount: amt("5"), Priority: 90})
	b.mustDebit(ledger.Debit{Amount: amt("4")})

	before := b.snapshot()
	_, err := b.s.Void(b.env(), a.ID, "", "op")
	wantCode(t, err, coffer.EInvalid)
	_, err = b.s.Void(b.env(), "grant_nope", "typo", "op")
	wantCode(t, err, coffer.ENotFound)
	b.unchanged(before)

	e, err := b.s.Void(b.env(), a.ID, "granted by mistake", "op")
	if err != nil {
		t.Fatal(err)
	}
	b.record(e)
	if a.Status != ledger.LotVoided || a.Remaining != 0 || a.Amount != amt("10") {
		t.Fatalf("voided lot %+v", a)
	}
	txn := e.Txn
	if txn.Type != ledger.TxnVoid || txn.Amount != amt("-6") || txn.Reason != "granted by mistake" ||
		txn.Actor != "op" || txn.LotID != a.ID || txn.BalanceAfter != amt("5") {
		t.Fatalf("void txn %+v", txn)
	}
	if len(txn.Postings) != 2 || txn.Postings[1].Book != ledger.BookBreakage || txn.Postings[1].Amount != amt("6") {
		t.Fatalf("void postings %+v", txn.Postings)
	}
	if len(e.Events) != 1 || e.Events[0].Type != ledger.EventVoided || e.Events[0].Data["reason"] != "granted by mistake" ||
		e.Events[0].Data["amount"] != "6.00" {
		t.Fatalf("void events %+v", e.Events)
	}
	// What was consumed stays consumed: revenue keeps the 4.
	var revenue money.Amount
	for _, txn := range b.txns {
		for _, p := range txn.Postings {
			if p.Book == ledger.BookRevenue {
				revenue += p.Amount
			}
		}
	}
	if revenue != amt("4") || b.balance().Balance != amt("5") {
		t.Fatalf("revenue %s, balance %s", revenue, b.balance().Balance)
	}
	_, err = b.s.Void(b.env(), a.ID, "again", "op")
	wantCode(t, err, coffer.EConflict)
	b.audit()
}

func TestExpire(t *testing.T) {
	b := newBook(t, "0")
	a := b.grant("A", ledger.Grant{Amount: amt("10"), ExpiresAt: t0.Add(24 * time.Hour)})
	s := b.grant("S", ledger.Grant{Unit: "sms", Amount: amt("3"), ExpiresAt: t0.Add(24 * time.Hour)})
	b.grant("B", ledger.Grant{Amount: amt("5"), ExpiresAt: t0.Add(48 * time.Hour)})
	b.mustDebit(ledger.Debit{Amount: amt("4")})

	b.at(24*time.Hour - time.Nanosecond)
	if len(b.s.Expire(b.env())) != 0 {
		t.Fatal("Expire took a lot before its expiry")
	}
	b.at(24 * time.Hour)
	// Past expiry the balance no longer counts the lot, though the ledger
	// balance does until the sweep runs.
	if bal := b.balance(); bal.Balance != amt("5") || b.s.LedgerBalance() != amt("11") || bal.Units["sms"] != 0 {
		t.Fatalf("balance %+v, ledger balance %s", bal, b.s.LedgerBalance())
	}
	effects := b.s.Expire(b.env())
	if len(effects) != 2 {
		t.Fatalf("Expire: %d effects, want 2", len(effects))
	}
	for _, e := range effects {
		b.record(e)
		if e.Txn.Type != ledger.TxnExpire || len(e.Events) != 1 || e.Events[0].Type != ledger.EventExpired {
			t.Fatalf("expire effect %+v", e)
		}
	}
	if effects[0].Txn.Amount != amt("-6") || effects[1].Txn.Amount != 0 || effects[1].Txn.Postings[0].Asset != "unit:sms" {
		t.Fatalf("expire txns %+v, %+v", effects[0].Txn, effects[1].Txn)
	}
	if a.Status != ledger.LotExpired || a.Remaining != 0 || s.Status != ledger.LotExpired || s.Remaining != 0 {
		t.Fatalf("expired lots %+v %+v", a, s)
	}
	if b.s.LedgerBalance() != amt("5") || len(b.s.Expire(b.env())) != 0 {
		t.Fatalf("ledger balance %s after the sweep, or a second sweep did work", b.s.LedgerBalance())
	}
	_, err := b.s.Void(b.env(), a.ID, "late", "op")
	wantCode(t, err, coffer.EConflict)

	// Expiring the last of the balance raises balance_depleted.
	b.at(48 * time.Hour)
	effects = b.s.Expire(b.env())
	if len(effects) != 1 || len(effects[0].Events) != 2 || effects[0].Events[1].Type != ledger.EventDepleted {
		t.Fatalf("last expiry effects %+v", effects)
	}
	b.record(effects[0])
	b.audit()
}

func TestDepletedEvent(t *testing.T) {
	depleted := func(e *ledger.Effect) bool {
		for _, ev := range e.Events {
			if ev.Type == ledger.EventDepleted {
				return true
			}
		}
		return false
	}
	tests := []struct {
		name  string
		min   string
		grant string
		first string // a served debit before the one under test
		debit ledger.Debit
		want  bool
	}{
		{"above zero", "0", "10", "", ledger.Debit{Amount: amt("9.99")}, false},
		{"to exactly zero", "0", "10", "", ledger.Debit{Amount: amt("10")}, true},
		{"below zero within the floor", "-5", "10", "", ledger.Debit{Amount: amt("12")}, true},
		{"served usage below zero", "0", "10", "", ledger.Debit{Amount: amt("15"), AllowNegative: true}, true},
		{"already at zero", "0", "10", "10", ledger.Debit{Amount: amt("1"), AllowNegative: true}, false},
		{"already in debt", "0", "10", "12", ledger.Debit{Amount: amt("1"), AllowNegative: true}, false},
		{"unit debit", "0", "10", "", ledger.Debit{Unit: "sms", Quantity: amt("1"), UnitPrice: amt("10")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBook(t, tt.min)
			b.grant("A", ledger.Grant{Amount: amt(tt.grant)})
			if tt.first != "" {
				b.mustDebit(ledger.Debit{Amount: amt(tt.first), AllowNegative: true})
			}
			e := b.mustDebit(tt.debit)
			if got := depleted(e); got != tt.want {
				t.Fatalf("balance_depleted raised: %v, want %v (events %+v)", got, tt.want, e.Events)
			}
		})
	}
}

func TestBalanceSummary(t *testing.T) {
	b := newBook(t, "-50")
	b.grant("P", ledger.Grant{Amount: amt("100")})
	b.grant("R", ledger.Grant{Amount: amt("20"), Category: ledger.Promotional, ExpiresAt: t0.Add(30 * 24 * time.Hour)})
	b.grant("L", ledger.Grant{Amount: amt("7"), Category: ledger.Promotional, ExpiresAt: t0.Add(31 * 24 * time.Hour)})
	b.grant("F", ledger.Grant{Amount: amt("1000"), EffectiveAt: t0.Add(time.Hour)})
	b.grant("T", ledger.Grant{Amount: amt("500"), Application: ledger.TrueUp})
	b.grant("S", ledger.Grant{Unit: "sms", Amount: amt("40")})
	b.grant("G", ledger.Grant{Unit: "gb", Amount: amt("1.5"), Category: ledger.Promotional})
	if _, err := b.hold("30", time.Hour); err != nil {
		t.Fatal(err)
	}
	got := b.balance()
	want := ledger.Balance{
		Currency: "USD", Balance: amt("127"), Available: amt("147"), Held: amt("30"), MinBalance: amt("-50"),
		Credits:      map[ledger.Category]money.Amount{ledger.Paid: amt("100"), ledger.Promotional: amt("27")},
		Units:        map[string]money.Amount{"sms": amt("40"), "gb": amt("1.5")},
		ExpiringSoon: amt("20"), GiftedRemaining: amt("500"), BalanceWithCredits: amt("627"),
		Status: ledger.StatusActive,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("balance\n got %+v\nwant %+v", got, want)
	}
	if b.s.LedgerBalance() != amt("1127") {
		t.Fatalf("ledger balance %s", b.s.LedgerBalance())
	}
	b.at(time.Hour)
	if got := b.balance(); got.Balance != amt("1127") || got.Credits[ledger.Paid] != amt("1100") {
		t.Fatalf("after the future lot took effect: %+v", got)
	}
}
