package ledger

import (
	"fmt"
	"slices"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
)

// A State may hold only part of its account: the first of its lots in
// consumption order, the lots that a rule must see whatever their place,
// and the account's totals over everything else. A debit then costs what
// it consumes, not what the account holds. The state asks its Source for
// more lots only when an operation needs them, in consumption order, and
// for a lot or hold an operation names. Every rule reads the same figures
// as on a whole state: what the state did not load, its totals stand for.

// Totals are an account's figures over its active lots and holds: what a
// store keeps beside the account so that a State need not load them all.
type Totals struct {
	Paid        money.Amount            // active realtime monetary lots of the paid category
	Promotional money.Amount            // active realtime monetary lots of the promotional category
	Gifted      money.Amount            // active true_up lots
	Units       map[string]money.Amount // active unit lots, by unit; units with nothing left are left out
	Lots        int                     // active lots
	Held        money.Amount            // active holds' amounts
	Holds       int                     // active holds
}

// Equal reports whether two totals are the same figures.
func (t Totals) Equal(u Totals) bool {
	if t.Paid != u.Paid || t.Promotional != u.Promotional || t.Gifted != u.Gifted || t.Lots != u.Lots ||
		t.Held != u.Held || t.Holds != u.Holds {
		return false
	}
	for k, v := range t.Units {
		if u.Units[k] != v {
			return false
		}
	}
	for k, v := range u.Units {
		if t.Units[k] != v {
			return false
		}
	}
	return true
}

// addLot adds (sign 1) or takes away (sign -1) an active lot's remaining.
func (t *Totals) addLot(l *Lot, sign money.Amount) {
	if l.Status != LotActive {
		return
	}
	v := sign * l.Remaining
	switch {
	case l.Application == TrueUp:
		t.Gifted += v
	case l.Kind == Units:
		if t.Units == nil {
			t.Units = map[string]money.Amount{}
		}
		if t.Units[l.Unit] += v; t.Units[l.Unit] == 0 {
			delete(t.Units, l.Unit)
		}
	case l.Category == Promotional:
		t.Promotional += v
	default:
		t.Paid += v
	}
	t.Lots += int(sign)
}

// addHold adds or takes away an active hold.
func (t *Totals) addHold(h *Hold, sign money.Amount) {
	if h.Status != HoldActive {
		return
	}
	t.Held += sign * h.Amount
	t.Holds += int(sign)
}

// negative reports whether any figure is below zero: totals that do not
// cover what was loaded against them.
func (t *Totals) negative() bool {
	for _, v := range t.Units {
		if v < 0 {
			return true
		}
	}
	return t.Paid < 0 || t.Promotional < 0 || t.Gifted < 0 || t.Lots < 0 || t.Held < 0 || t.Holds < 0
}

// Totals are the state's figures over every active lot and hold of the
// account, loaded or not: what a store keeps beside the account.
func (s *State) Totals() Totals {
	var t Totals
	if s.rest != nil {
		t = s.rest.t
		t.Units = copyUnits(t.Units)
	}
	for _, l := range s.Lots {
		t.addLot(l, 1)
	}
	for _, h := range s.Holds {
		t.addHold(h, 1)
	}
	return t
}

func copyUnits(m map[string]money.Amount) map[string]money.Amount {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]money.Amount, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Source is where a partly loaded State finds the rest of its account,
// inside the store transaction that loaded it: the account is locked, so
// what the Source returns is as the state was loaded, less what this
// state has changed since (which the state keeps). Lots and holds it
// returns are fresh copies.
type Source interface {
	// Lots returns, in consumption order, up to n of the account's
	// active realtime lots of the unit ("" for monetary lots) that come
	// after `after` in that order, from the first when after is nil.
	Lots(unit string, after *Lot, n int) ([]*Lot, error)
	// Lot returns the account's lot with the id, whatever its status
	// (a depleted lot may still be voided), or nil.
	Lot(id string) (*Lot, error)
	// Hold returns the account's hold with the id if it is active, else nil.
	Hold(id string) (*Hold, error)
	// All returns every active lot and hold of the account.
	All() ([]*Lot, []*Hold, error)
}

// Load is what a store read of an account, for a State that holds only
// part of it: see Partial.
type Load struct {
	Account Account
	Alerts  []money.Amount
	// Totals are the account's figures over all its active lots and
	// holds, loaded or not.
	Totals Totals
	// At is the instant the state answers for: the rules run at At only
	// (at any other instant the state first loads everything).
	At time.Time
	// Money are the first active realtime monetary lots in consumption
	// order, MoneyAll whether they are all of them; Units the first
	// active unit lots by unit and then consumption order, UnitsAll
	// whether they are all of them.
	Money    []*Lot
	MoneyAll bool
	Units    []*Lot
	UnitsAll bool
	// Others are lots loaded for their own sake. They must include every
	// active true_up lot and every active lot not usable at At (expired
	// but not yet swept, or not yet in effect), so that every lot left
	// out is usable at At.
	Others []*Lot
	// Holds are active holds; they must include every one no longer
	// reserving at At (past its TTL, not yet swept), so that every hold
	// left out reserves at At.
	Holds []*Hold
	// ExpiringSoon is what the account's realtime monetary lots usable
	// at At that expire within ExpiringSoonWindow of it hold, loaded or
	// not (Balance.ExpiringSoon).
	ExpiringSoon money.Amount
	Source       Source
}

// rest is what a partial State left in the store.
type rest struct {
	t       Totals // over the active lots and holds not loaded
	at      time.Time
	soon    money.Amount // Load.ExpiringSoon, less what was loaded
	src     Source
	money   cursor             // how far the realtime monetary lots were read
	units   cursor             // how far the unit lots were read, by unit then order
	perUnit map[string]*cursor // each unit's own, once asked for
	// done are the holds the state finished: they left its holds, and
	// the store has them active until the batch is written.
	done []string
}

// cursor is how far the store was read along one consumption order:
// after the lot after (from the first if nil), or to the end.
type cursor struct {
	after *Lot
	done  bool
}

// Partial makes a State that holds part of its account, as l describes.
// It fails if the totals do not cover what was loaded: a store whose
// totals disagree with its lots, which `coffer check` reports.
func Partial(l Load) (*State, error) {
	s := &State{Account: l.Account, Alerts: l.Alerts}
	r := &rest{t: l.Totals, at: l.At, soon: l.ExpiringSoon, src: l.Source, perUnit: map[string]*cursor{}}
	r.t.Units = copyUnits(r.t.Units)
	s.rest = r
	r.money = cursor{done: l.MoneyAll}
	if n := len(l.Money); n > 0 {
		r.money.after = l.Money[n-1]
	}
	r.units = cursor{done: l.UnitsAll}
	if n := len(l.Units); n > 0 {
		r.units.after = l.Units[n-1]
	}
	for _, group := range [][]*Lot{l.Money, l.Units, l.Others} {
		for _, x := range group {
			s.adoptLot(x)
		}
	}
	for _, h := range l.Holds {
		s.adoptHold(h)
	}
	if r.t.negative() {
		return nil, coffer.Errorf(coffer.EInternal, "account %s: the stored totals of its lots and holds are less than the lots and holds loaded; run coffer check", l.Account.ID)
	}
	return s, nil
}

// Partial reports whether the state holds only part of its account.
func (s *State) Partial() bool { return s.rest != nil }

// adoptLot adds a lot read from the store, unless the state has it
// already (then its own copy, perhaps changed since, stands).
func (s *State) adoptLot(l *Lot) {
	for _, x := range s.Lots {
		if x.ID == l.ID {
			return
		}
	}
	s.Lots = append(s.Lots, l)
	if r := s.rest; r != nil {
		r.t.addLot(l, -1)
		if l.Status == LotActive && l.Kind == Monetary && l.Application == Realtime && l.Usable(r.at) && soon(l, r.at) {
			r.soon -= l.Remaining
		}
	}
}

// adoptHold adds a hold read from the store, unless the state has it.
func (s *State) adoptHold(h *Hold) {
	for _, x := range s.Holds {
		if x.ID == h.ID {
			return
		}
	}
	// A hold the state finished is no longer among its holds; the store
	// still has it active until the batch is written.
	if s.rest != nil && s.rest.finished(h.ID) {
		return
	}
	s.Holds = append(s.Holds, h)
	if s.rest != nil {
		s.rest.t.addHold(h, -1)
	}
}

// finished reports whether the state finished the hold: a finished hold
// leaves the state's holds, so the rest remembers it.
func (r *rest) finished(id string) bool { return slices.Contains(r.done, id) }

// soon reports whether a lot expires within ExpiringSoonWindow of now.
func soon(l *Lot, now time.Time) bool {
	return !l.ExpiresAt.IsZero() && l.ExpiresAt.Sub(now) <= ExpiringSoonWindow
}

// settle makes the state able to answer for now: a partial state loaded
// for another instant loads the rest of its account first.
func (s *State) settle(now time.Time) error {
	r := s.rest
	if r == nil || now.Equal(r.at) {
		return nil
	}
	lots, holds, err := r.src.All()
	if err != nil {
		return fmt.Errorf("load the rest of account %s: %w", s.Account.ID, err)
	}
	for _, l := range lots {
		s.adoptLot(l)
	}
	for _, h := range holds {
		s.adoptHold(h)
	}
	if r.t.Lots != 0 || r.t.Holds != 0 {
		return coffer.Errorf(coffer.EInternal, "account %s: the stored totals count %d lots and %d holds more than it has; run coffer check",
			s.Account.ID, r.t.Lots, r.t.Holds)
	}
	s.rest = nil
	return nil
}

// mustSettle is settle for the figures that cannot fail: a partial state
// asked for another instant than it was loaded at, whose store then
// fails, is a broken store or a bug, and panics like any broken bound.
func (s *State) mustSettle(now time.Time) {
	if err := s.settle(now); err != nil {
		panic("ledger: " + err.Error())
	}
}

// cursorFor is the cursor of one unit's lots ("" for monetary ones).
func (r *rest) cursorFor(unit string) *cursor {
	if unit == "" {
		return &r.money
	}
	if c, ok := r.perUnit[unit]; ok {
		return c
	}
	// The unit lots were read by unit, then in consumption order: a unit
	// before the last one read was read whole.
	c := &cursor{}
	switch u := r.units.after; {
	case r.units.done || (u != nil && u.Unit > unit):
		c.done = true
	case u != nil && u.Unit == unit:
		c.after = u
	}
	r.perUnit[unit] = c
	return c
}

// fetchFirst is how many lots a state asks its store for when it first
// needs more; each further ask in one operation doubles it.
const fetchFirst = 16

// queue returns, in consumption order, the lots a debit at now may draw on
// (realtime monetary lots when unit is empty, else lots of that unit)
// that keep accepts: enough to cover need if the account has that much,
// else all of them. A partial state asks its store for more as it goes.
func (s *State) queue(now time.Time, unit string, need money.Amount, keep func(*Lot) bool) ([]*Lot, error) {
	if need <= 0 {
		return nil, nil
	}
	n := fetchFirst
	for {
		var cands []*Lot
		for _, l := range s.Lots {
			if !l.Usable(now) || l.Application != Realtime {
				continue
			}
			if (unit == "" && l.Kind == Monetary) || (unit != "" && l.Kind == Units && l.Unit == unit) {
				cands = append(cands, l)
			}
		}
		slices.SortFunc(cands, ConsumptionOrder)
		var c *cursor
		if s.rest != nil {
			c = s.rest.cursorFor(unit)
		}
		var out []*Lot
		var sum money.Amount
		short := true
		for _, l := range cands {
			if c != nil && !c.done && (c.after == nil || ConsumptionOrder(l, c.after) > 0) {
				break // past what the store was read to: a lot not loaded may come first
			}
			if keep != nil && !keep(l) {
				continue
			}
			out = append(out, l)
			if sum += l.Remaining; sum >= need {
				short = false
				break
			}
		}
		if !short || c == nil || c.done {
			return out, nil
		}
		more, err := s.rest.src.Lots(unit, c.after, n)
		if err != nil {
			return nil, fmt.Errorf("load lots of account %s: %w", s.Account.ID, err)
		}
		for _, l := range more {
			s.adoptLot(l)
		}
		if len(more) > 0 {
			c.after = more[len(more)-1]
		}
		c.done = len(more) < n
		n = min(2*n, 1024)
	}
}

// lotByID returns the state's lot with the id, asking a partial state's
// store for it if it is not loaded; nil if the account has no such lot.
func (s *State) lotByID(id string) (*Lot, error) {
	if l := s.lot(id); l != nil || s.rest == nil {
		return l, nil
	}
	l, err := s.rest.src.Lot(id)
	if err != nil || l == nil {
		return nil, err
	}
	if l.AccountID != s.Account.ID {
		return nil, nil
	}
	s.adoptLot(l)
	return s.lot(id), nil
}

// holdByID is lotByID for holds.
func (s *State) holdByID(id string) (*Hold, error) {
	if h := s.hold(id); h != nil || s.rest == nil || s.rest.finished(id) {
		return h, nil
	}
	h, err := s.rest.src.Hold(id)
	if err != nil || h == nil {
		return nil, err
	}
	if h.AccountID != s.Account.ID {
		return nil, nil
	}
	s.adoptHold(h)
	return s.hold(id), nil
}
