package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// LotInfo is what a report needs to know about a lot that a posting
// names: postings carry the lot's id and asset, not its category.
type LotInfo struct {
	AccountID string
	Category  ledger.Category
	ExpiresAt time.Time // zero: never
}

// LotLookup finds a lot's facts by id.
type LotLookup func(lotID string) (LotInfo, bool)

// CreditsQuery is what a credit-usage report covers.
type CreditsQuery struct {
	From, To time.Time // From inclusive, To exclusive
	Group    Group
	Kind     ledger.Kind     // empty: both
	Unit     string          // empty: every unit (and money)
	Category ledger.Category // empty: both
}

// CreditRow is one period's movement of one asset and category. Opening +
// Granted − Consumed − Expired − Voided = Remaining, and Remaining is the
// sum of the customer postings of those lots up to PeriodEnd: what the
// lots still held then.
type CreditRow struct {
	PeriodStart, PeriodEnd time.Time
	Asset                  Asset
	Category               ledger.Category
	Opening                money.Amount // what the lots held at PeriodStart
	Granted                money.Amount // value that new lots added
	Consumed               money.Amount // value usage (or an invoice, a true-up, debt repaid) took
	Expired                money.Amount // breakage: value that lapsed at expiry
	Voided                 money.Amount // value an operator withdrew
	Remaining              money.Amount // what the lots held at PeriodEnd
}

type creditKey struct {
	asset    Asset
	category ledger.Category
}

type flowKey struct {
	creditKey
	period int
}

type flow struct{ granted, consumed, expired, voided money.Amount }

// Credits accumulates a credit-usage report. Every customer posting moves
// one figure: value into a lot by a grant is granted; out of a lot by an
// expiry is expired, by a void voided; every other customer posting
// (debits, captures, invoice credits, a grant's repayment of debt, the
// lots a true-up or an invoice void moves value between) is consumed,
// with its sign. So each figure is a sum of the ledger's own postings and
// the identity of CreditRow holds exactly.
type Credits struct {
	q       CreditsQuery
	periods [][2]time.Time
	lot     LotLookup
	opening map[creditKey]money.Amount
	flows   map[flowKey]*flow
	err     error
}

// NewCredits starts a credit-usage report. It refuses a range that is
// empty or splits into too many periods.
func NewCredits(q CreditsQuery, lot LotLookup) (*Credits, error) {
	ps, err := Periods(q.Group, q.From, q.To)
	if err != nil {
		return nil, err
	}
	return &Credits{q: q, periods: ps, lot: lot, opening: map[creditKey]money.Amount{}, flows: map[flowKey]*flow{}}, nil
}

// Add counts one transaction. Transactions from before the range count
// towards the opening figures; those at or after its end are ignored.
func (c *Credits) Add(t *ledger.Txn) {
	if c.err != nil || !t.CreatedAt.Before(c.q.To) {
		return
	}
	period := -1
	if !t.CreatedAt.Before(c.q.From) {
		period = sort.Search(len(c.periods), func(i int) bool { return t.CreatedAt.Before(c.periods[i][1]) })
	}
	for _, p := range t.Postings {
		if p.Book != ledger.BookCustomer {
			continue
		}
		info, ok := c.lot(p.LotID)
		if !ok {
			c.err = fmt.Errorf("report: transaction %s names lot %s, which is not in the store", t.ID, p.LotID)
			return
		}
		k := creditKey{AssetOf(p.Asset), info.Category}
		if !c.wants(k) {
			continue
		}
		if period < 0 {
			v := c.opening[k]
			c.check(add(&v, p.Amount))
			c.opening[k] = v
			continue
		}
		f := c.flows[flowKey{k, period}]
		if f == nil {
			f = &flow{}
			c.flows[flowKey{k, period}] = f
		}
		switch {
		case t.Type == ledger.TxnGrant && p.Amount > 0:
			c.check(add(&f.granted, p.Amount))
		case t.Type == ledger.TxnExpire:
			c.check(add(&f.expired, -p.Amount))
		case t.Type == ledger.TxnVoid:
			c.check(add(&f.voided, -p.Amount))
		default:
			c.check(add(&f.consumed, -p.Amount))
		}
	}
}

func (c *Credits) check(err error) {
	if c.err == nil {
		c.err = err
	}
}

func (c *Credits) wants(k creditKey) bool {
	return (c.q.Kind == "" || c.q.Kind == k.asset.Kind()) &&
		(c.q.Unit == "" || c.q.Unit == k.asset.Unit) &&
		(c.q.Category == "" || c.q.Category == k.category)
}

// Rows returns the report: per asset and category (currencies first, then
// units, by name; paid before promotional), one row per period in which
// the lots held or moved anything.
func (c *Credits) Rows() ([]CreditRow, error) {
	if c.err != nil {
		return nil, c.err
	}
	keys := map[creditKey]bool{}
	for k := range c.opening {
		keys[k] = true
	}
	for k := range c.flows {
		keys[k.creditKey] = true
	}
	sorted := slices.SortedFunc(maps.Keys(keys), func(a, b creditKey) int {
		if c := cmp.Compare(len(a.asset.Currency), len(b.asset.Currency)); c != 0 {
			return -c // money (a currency) before units (none)
		}
		if c := cmp.Compare(a.asset.String(), b.asset.String()); c != 0 {
			return c
		}
		return cmp.Compare(a.category, b.category)
	})
	var out []CreditRow
	for _, k := range sorted {
		running := c.opening[k]
		for i, p := range c.periods {
			f := c.flows[flowKey{k, i}]
			if f == nil {
				f = &flow{}
			}
			if running == 0 && *f == (flow{}) {
				continue
			}
			r := CreditRow{PeriodStart: p[0], PeriodEnd: p[1], Asset: k.asset, Category: k.category, Opening: running,
				Granted: f.granted, Consumed: f.consumed, Expired: f.expired, Voided: f.voided}
			rem := running
			for _, v := range []money.Amount{f.granted, -f.consumed, -f.expired, -f.voided} {
				if err := add(&rem, v); err != nil {
					return nil, err
				}
			}
			r.Remaining, running = rem, rem
			out = append(out, r)
		}
	}
	return out, nil
}

// Totals adds the report's rows up per asset over the whole range: the
// opening of the first period, the flows of all, the remaining at the
// end.
func (c *Credits) Totals(rows []CreditRow) ([]CreditRow, error) {
	var out []CreditRow
	idx := map[Asset]int{}
	last := map[creditKey]money.Amount{}
	first := map[creditKey]bool{}
	for _, r := range rows {
		i, ok := idx[r.Asset]
		if !ok {
			i = len(out)
			idx[r.Asset] = i
			out = append(out, CreditRow{PeriodStart: c.q.From, PeriodEnd: c.q.To, Asset: r.Asset})
		}
		t := &out[i]
		k := creditKey{r.Asset, r.Category}
		if !first[k] {
			first[k] = true
			if err := add(&t.Opening, r.Opening); err != nil {
				return nil, err
			}
		}
		for _, p := range [][2]*money.Amount{{&t.Granted, &r.Granted}, {&t.Consumed, &r.Consumed},
			{&t.Expired, &r.Expired}, {&t.Voided, &r.Voided}} {
			if err := add(p[0], *p[1]); err != nil {
				return nil, err
			}
		}
		last[k] = r.Remaining
	}
	for k, v := range last {
		if err := add(&out[idx[k.asset]].Remaining, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}
