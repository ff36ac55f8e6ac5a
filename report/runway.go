package report

import (
	"cmp"
	"math/big"
	"slices"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// RunwayWindow is the stretch of usage the burn rate is measured over.
const RunwayWindow = 30 * 24 * time.Hour

// runwayHorizon is how far ahead a runway date is given: past it the
// burn rate says too little to name a day.
const runwayHorizon = 100 * 365 * 24 * time.Hour

// Why a runway has no date.
const (
	NoUsage = "no usage in the measured window: nothing burns the balance"
	TooFar  = "at this burn rate the balance lasts more than 100 years"
)

// RunwayInput is what a runway is computed from.
type RunwayInput struct {
	Now time.Time
	// Lots are the account's live lots; only realtime monetary ones
	// spend, each once it takes effect and until it expires.
	Lots []*ledger.Lot
	// Debt, Held and MinBalance bound what may be spent below the lots:
	// the balance may fall to the floor, less what holds reserve.
	Debt, Held, MinBalance money.Amount
	// Usage is the money usage took over Window, the stretch ending now.
	// Window is RunwayWindow, or the account's age when it is younger, so
	// a minutes-old account's rate is its usage over those minutes.
	Usage  money.Amount
	Window time.Duration
}

// Runway says how long an account's balance lasts at its burn rate.
type Runway struct {
	Usage      money.Amount
	Window     time.Duration
	BurnPerDay money.Amount // Usage scaled to one day
	Available  money.Amount // what may be spent now: usable lots − debt − held − floor
	// Expiring is the value that lapses unspent before the date: lots
	// that expire before the burn reaches them.
	Expiring money.Amount
	Date     time.Time // when the balance reaches its floor; zero if Reason says why not
	Days     int64     // whole days from now until Date
	Reason   string
}

// ComputeRunway runs the balance down at a constant burn rate, taking
// lots in the order debits take them (priority, soonest expiry,
// promotional before paid, oldest), dropping what a lot still holds when
// it expires and adding a lot when it takes effect, until what may be
// spent is gone.
func ComputeRunway(in RunwayInput) Runway {
	out := Runway{Usage: in.Usage, Window: in.Window}
	var live, later []*ledger.Lot
	for _, l := range in.Lots {
		if l.Kind != ledger.Monetary || l.Application != ledger.Realtime || l.Status != ledger.LotActive ||
			l.Remaining <= 0 || l.Expired(in.Now) {
			continue
		}
		c := *l
		if in.Now.Before(l.EffectiveAt) {
			later = append(later, &c)
		} else {
			live = append(live, &c)
		}
	}
	// extra is what may be spent past the lots: down to the floor, less
	// debt and holds (negative when they already eat into the lots).
	extra := -int64(in.MinBalance) - int64(in.Debt) - int64(in.Held)
	value := func() int64 {
		v := extra
		for _, l := range live {
			v += int64(l.Remaining)
		}
		return v
	}
	out.Available = money.Amount(max(value(), 0))
	if in.Usage <= 0 || in.Window <= 0 {
		out.Reason = NoUsage
		return out
	}
	usage, window := big.NewInt(int64(in.Usage)), big.NewInt(int64(in.Window/time.Microsecond))
	if window.Sign() == 0 {
		window.SetInt64(1)
	}
	day := big.NewInt(int64(24 * time.Hour / time.Microsecond))
	out.BurnPerDay = money.Amount(new(big.Int).Quo(new(big.Int).Mul(usage, day), window).Int64())

	t := in.Now
	for {
		slices.SortFunc(live, consumptionOrder)
		v := value()
		if v <= 0 {
			return out.at(in.Now, t)
		}
		// need: how long the burn takes to spend v, rounded up.
		need := new(big.Int).Mul(big.NewInt(v), window)
		need.Add(need, new(big.Int).Sub(usage, big.NewInt(1))).Quo(need, usage)
		if need.Cmp(big.NewInt(int64(runwayHorizon/time.Microsecond))) > 0 {
			out.Reason = TooFar
			return out
		}
		end := t.Add(time.Duration(need.Int64()) * time.Microsecond)
		next, ok := nextEvent(live, later, t)
		if !ok || !next.Before(end) {
			return out.at(in.Now, end)
		}
		spend := new(big.Int).Mul(usage, big.NewInt(next.Sub(t).Microseconds()))
		spend.Quo(spend, window)
		take(live, &extra, spend.Int64())
		t = next
		kept := live[:0]
		for _, l := range live {
			if l.Expired(t) {
				out.Expiring += l.Remaining
				continue
			}
			kept = append(kept, l)
		}
		live = kept
		waiting := later[:0]
		for _, l := range later {
			if t.Before(l.EffectiveAt) {
				waiting = append(waiting, l)
			} else {
				live = append(live, l)
			}
		}
		later = waiting
	}
}

func (r Runway) at(now, date time.Time) Runway {
	r.Date = date
	r.Days = int64(date.Sub(now) / (24 * time.Hour))
	return r
}

// nextEvent is the first expiry of a live lot or effect of a later one
// after t.
func nextEvent(live, later []*ledger.Lot, t time.Time) (time.Time, bool) {
	var next time.Time
	for _, l := range live {
		if !l.ExpiresAt.IsZero() && l.ExpiresAt.After(t) && (next.IsZero() || l.ExpiresAt.Before(next)) {
			next = l.ExpiresAt
		}
	}
	for _, l := range later {
		if next.IsZero() || l.EffectiveAt.Before(next) {
			next = l.EffectiveAt
		}
	}
	return next, !next.IsZero()
}

// take spends v from the lots in order, then from extra.
func take(lots []*ledger.Lot, extra *int64, v int64) {
	for _, l := range lots {
		n := min(v, int64(l.Remaining))
		l.Remaining -= money.Amount(n)
		v -= n
	}
	*extra -= v
}

// consumptionOrder is the order debits take lots in (ledger/README.md,
// "Consumption order").
func consumptionOrder(a, b *ledger.Lot) int {
	if c := cmp.Compare(a.Priority, b.Priority); c != 0 {
		return c
	}
	if a.ExpiresAt.IsZero() != b.ExpiresAt.IsZero() {
		if a.ExpiresAt.IsZero() {
			return 1
		}
		return -1
	}
	if c := a.ExpiresAt.Compare(b.ExpiresAt); c != 0 {
		return c
	}
	if a.Category != b.Category {
		if a.Category == ledger.Promotional {
			return -1
		}
		return 1
	}
	return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
}
