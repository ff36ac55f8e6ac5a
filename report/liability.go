package report

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// Bucket is how soon the value a liability row counts expires, from the
// report's instant.
type Bucket string

// Expiry buckets.
const (
	Within30  Bucket = "30d"   // expires within 30 days
	Within90  Bucket = "90d"   // in more than 30, at most 90
	Within365 Bucket = "365d"  // in more than 90, at most 365
	Later     Bucket = "later" // in more than 365 days
	Never     Bucket = "never" // no expiry
	// Lapsed is value past its expiry that the expiry sweep has not yet
	// moved to breakage: no debit can take it, and it will be breakage.
	Lapsed Bucket = "lapsed"
)

// Buckets lists the buckets in the order reports show them.
var bucketOrder = map[Bucket]int{Lapsed: 0, Within30: 1, Within90: 2, Within365: 3, Later: 4, Never: 5}

// BucketOf says which bucket a lot expiring at exp falls in, seen at at.
func BucketOf(at, exp time.Time) Bucket {
	const day = 24 * time.Hour
	switch left := exp.Sub(at); {
	case exp.IsZero():
		return Never
	case left <= 0:
		return Lapsed
	case left <= 30*day:
		return Within30
	case left <= 90*day:
		return Within90
	case left <= 365*day:
		return Within365
	}
	return Later
}

// LiabilityRow is the value still owed in lots of one asset, category
// and expiry bucket.
type LiabilityRow struct {
	Asset    Asset
	Category ledger.Category
	Bucket   Bucket
	Amount   money.Amount // the lots' remaining value
	Lots     int          // how many lots hold it
}

type liabilityKey struct {
	asset    Asset
	category ledger.Category
	bucket   Bucket
}

// Liability accumulates the credit still owed at an instant: lots with
// value left, by asset, category and expiry bucket.
type Liability struct {
	at       time.Time
	kind     ledger.Kind
	category ledger.Category
	rows     map[liabilityKey]*LiabilityRow
	err      error
}

// NewLiability starts a liability report at at, narrowed to a kind and a
// category when they are set.
func NewLiability(at time.Time, kind ledger.Kind, category ledger.Category) *Liability {
	return &Liability{at: at, kind: kind, category: category, rows: map[liabilityKey]*LiabilityRow{}}
}

// AddLot counts what a lot of asset held at the report's instant.
func (l *Liability) AddLot(asset string, info LotInfo, remaining money.Amount) {
	a := AssetOf(asset)
	if remaining <= 0 || l.err != nil || (l.kind != "" && l.kind != a.Kind()) ||
		(l.category != "" && l.category != info.Category) {
		return
	}
	k := liabilityKey{a, info.Category, BucketOf(l.at, info.ExpiresAt)}
	r := l.rows[k]
	if r == nil {
		r = &LiabilityRow{Asset: a, Category: info.Category, Bucket: k.bucket}
		l.rows[k] = r
	}
	if err := add(&r.Amount, remaining); err != nil {
		l.err = err
	}
	r.Lots++
}

// Rows returns the report: currencies, then units, by name; paid before
// promotional; buckets from the soonest.
func (l *Liability) Rows() ([]LiabilityRow, error) {
	if l.err != nil {
		return nil, l.err
	}
	keys := slices.SortedFunc(maps.Keys(l.rows), func(a, b liabilityKey) int {
		if c := cmp.Compare(len(b.asset.Currency), len(a.asset.Currency)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.asset.String(), b.asset.String()); c != 0 {
			return c
		}
		if c := cmp.Compare(a.category, b.category); c != 0 {
			return c
		}
		return cmp.Compare(bucketOrder[a.bucket], bucketOrder[b.bucket])
	})
	out := make([]LiabilityRow, 0, len(keys))
	for _, k := range keys {
		out = append(out, *l.rows[k])
	}
	return out, nil
}

// LotRemaining sums customer postings by lot: what each lot held at the
// end of the transactions added, for a liability at a past instant.
type LotRemaining struct {
	sums  map[string]money.Amount
	asset map[string]string
}

// NewLotRemaining starts an empty sum.
func NewLotRemaining() *LotRemaining {
	return &LotRemaining{sums: map[string]money.Amount{}, asset: map[string]string{}}
}

// Add counts one transaction's customer postings.
func (r *LotRemaining) Add(t *ledger.Txn) {
	for _, p := range t.Postings {
		if p.Book == ledger.BookCustomer {
			r.sums[p.LotID] += p.Amount // one lot's postings never exceed its amount
			r.asset[p.LotID] = p.Asset
		}
	}
}

// Each calls fn with every lot that held value, its asset and remaining.
func (r *LotRemaining) Each(fn func(lotID, asset string, remaining money.Amount)) {
	for id, v := range r.sums {
		if v > 0 {
			fn(id, r.asset[id], v)
		}
	}
}
