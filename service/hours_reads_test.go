package service_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
)

// The balance series, the usage series and the liability report in the
// past read the hourly sums (ledger_hours) and at most the cut hours of
// the journal; the journal scans they replaced are kept beside them
// (export_test.go). Over random histories — grants of both categories and
// kinds with and without expiry or a later effect, debits into debt,
// holds captured and released, voids, expiry sweeps, clocks on, just
// before and just after hour boundaries, days without activity, accounts
// opened along the way in two currencies — both answer the same to the
// micro-unit, on both stores.
func TestHourlyReadsAreTheJournalScans(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6}
	if testing.Short() {
		seeds = seeds[:2]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			seriesStores(t, func(t *testing.T, dsn string) { // a store of its own: the clock starts again
				h := newHistory(t, dsn, seed)
				for range 4 {
					h.walk(40)
					h.compare()
				}
				// The walk reached what the reads must get right.
				if h.seen.debt == 0 || h.seen.usage == 0 || h.seen.lapsed == 0 || h.seen.units == 0 {
					t.Errorf("the walk saw %+v: a debt, usage, lapsed credit and unit credit each at least once, wanted", h.seen)
				}
			})
		})
	}
}

// history drives a service on a test clock through random operations.
type history struct {
	t        *testing.T
	svc      *service.Service
	clock    *coffer.TestClock
	admin    service.Call
	r        *rand.Rand
	accounts []string
	grants   []string // of every account
	holds    []string // open ones, perhaps
	instants []time.Time
	events   int
	seen     struct{ debt, usage, lapsed, units int }
}

func newHistory(t *testing.T, dsn string, seed uint64) *history {
	svc, clock := newSeriesService(t, dsn)
	h := &history{t: t, svc: svc, clock: clock, r: rand.New(rand.NewPCG(seed, 17)),
		admin: service.Call{Caller: &service.Caller{KeyID: "key_test", Role: coffer.RoleAdmin}}}
	h.instants = append(h.instants, clock.Now())
	h.open()
	return h
}

func (h *history) now() time.Time { return h.clock.Now() }

// refused is an answer a random operation may get: the core's refusal of
// a debit, a hold or a capture the balance cannot cover, or of a void or
// capture of something already finished.
func (h *history) refused(err error) bool {
	switch coffer.ErrorCode(err) {
	case coffer.EInsufficientBalance, coffer.ECreditLimitReached, coffer.EConflict:
		return true
	}
	return false
}

func (h *history) must(err error) {
	h.t.Helper()
	if err != nil && !h.refused(err) {
		h.t.Fatal(err)
	}
}

// advance moves the clock: minutes, onto an hour boundary, a microsecond
// either side of one, hours, or days without activity.
func (h *history) advance() {
	now := h.now()
	next := now.Truncate(time.Hour).Add(time.Hour)
	var to time.Time
	switch h.r.IntN(7) {
	case 0:
		to = now.Add(time.Duration(1+h.r.IntN(59)) * time.Minute)
	case 1:
		to = next
	case 2:
		to = next.Add(-time.Microsecond)
	case 3:
		to = next.Add(time.Microsecond)
	case 4:
		to = now.Add(time.Duration(1+h.r.IntN(30)) * time.Hour)
	case 5:
		to = now.Add(time.Duration(1+h.r.IntN(3)) * 24 * time.Hour).Add(time.Duration(h.r.IntN(3600)) * time.Second)
	default:
		to = now.Add(time.Duration(1+h.r.IntN(5000)) * time.Millisecond)
	}
	if !to.After(now) {
		to = now.Add(time.Microsecond)
	}
	h.must(h.clock.Set(to))
	h.instants = append(h.instants, to)
}

func (h *history) open() {
	currency := "USD"
	if len(h.accounts)%2 == 1 {
		currency = "EUR"
	}
	a, err := h.svc.CreateAccount(h.t.Context(), h.admin, api.AccountCreate{Name: fmt.Sprint("walk ", len(h.accounts)), Currency: currency})
	h.must(err)
	h.accounts = append(h.accounts, a.ID)
}

func (h *history) account() string { return h.accounts[h.r.IntN(len(h.accounts))] }

func (h *history) amount(max int64) money.Amount { return money.FromMicros(1 + h.r.Int64N(max)) }

func (h *history) grant() {
	in := api.GrantCreate{Amount: h.amount(50_000_000), Category: []string{"paid", "promotional"}[h.r.IntN(2)], Reason: "walk"}
	if h.r.IntN(4) == 0 {
		in.Kind, in.Unit = "units", "sms"
	}
	switch h.r.IntN(4) {
	case 0, 1:
		exp := h.now().Add(time.Duration(1+h.r.IntN(96)) * time.Hour).Add(time.Duration(h.r.IntN(60)) * time.Minute)
		if h.r.IntN(3) == 0 {
			exp = exp.Truncate(time.Hour) // on an hour boundary
		}
		in.ExpiresAt = &exp
	case 2:
		eff := h.now().Add(time.Duration(1+h.r.IntN(48)) * time.Hour)
		in.EffectiveAt = &eff
	}
	g, err := h.svc.CreateGrant(h.t.Context(), h.admin, h.account(), in)
	h.must(err)
	h.grants = append(h.grants, g.ID)
}

func (h *history) debit() {
	h.events++
	in := api.DebitCreate{AccountID: h.account(), EventID: fmt.Sprint("walk-", h.events), AllowNegative: h.r.IntN(3) == 0}
	if h.r.IntN(4) == 0 {
		q, p := money.FromInt(1+h.r.Int64N(20)), money.MustParse("0.05")
		in.Unit, in.Quantity, in.UnitPrice = "sms", &q, &p
	} else {
		a := h.amount(8_000_000)
		if in.AllowNegative {
			a = h.amount(60_000_000) // into debt, now and then
		}
		in.Amount = &a
	}
	_, err := h.svc.Debit(h.t.Context(), h.admin, in)
	h.must(err)
}

func (h *history) hold() {
	hd, err := h.svc.CreateHold(h.t.Context(), h.admin, api.HoldCreate{AccountID: h.account(), Amount: h.amount(5_000_000),
		TTL: fmt.Sprint(1+h.r.IntN(120), "m")})
	h.must(err)
	if err == nil {
		h.holds = append(h.holds, hd.ID)
	}
}

func (h *history) settle() {
	if len(h.holds) == 0 {
		return
	}
	i := h.r.IntN(len(h.holds))
	id := h.holds[i]
	h.holds = slices.Delete(h.holds, i, i+1)
	var err error
	if h.r.IntN(3) == 0 {
		_, err = h.svc.ReleaseHold(h.t.Context(), h.admin, id)
	} else {
		_, err = h.svc.CaptureHold(h.t.Context(), h.admin, id, api.HoldCapture{Amount: h.amount(6_000_000)})
	}
	h.must(err)
}

func (h *history) void() {
	if len(h.grants) == 0 {
		return
	}
	_, err := h.svc.VoidGrant(h.t.Context(), h.admin, h.grants[h.r.IntN(len(h.grants))], api.GrantVoid{Reason: "walk"})
	h.must(err)
}

// walk takes n random steps.
func (h *history) walk(n int) {
	for range n {
		switch k := h.r.IntN(20); {
		case k < 5:
			h.advance()
		case k < 8:
			h.grant()
		case k < 13:
			h.debit()
		case k < 15:
			h.hold()
		case k < 17:
			h.settle()
		case k < 18:
			h.void()
		case k < 19:
			h.must(h.svc.Expire(h.t.Context()))
		default:
			if len(h.accounts) < 4 {
				h.open()
			}
		}
	}
}

// compare asks every read both ways now: the series of each account over
// a day, a few days, a month and a year, and the liability report of
// each account and of all at instants on, either side of and inside hour
// boundaries, from the history and at random.
func (h *history) compare() {
	t, ctx := h.t, h.t.Context()
	t.Helper()
	same := func(what string, got, want any, gotErr, wantErr error) {
		t.Helper()
		if gotErr != nil || wantErr != nil {
			t.Fatalf("%s: %v, the journal scan: %v", what, gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s at %s:\n hourly sums  %+v\n journal scan %+v", what, h.now().Format(time.RFC3339Nano), got, want)
		}
	}
	for _, id := range h.accounts {
		for _, days := range []int{1, 3, 30, service.MaxSeriesDays} {
			b, err := h.svc.BalanceSeries(ctx, h.admin, id, days)
			bs, errs := h.svc.BalanceSeriesScan(ctx, h.admin, id, days)
			same(fmt.Sprintf("balance series of %s over %d days", id, days), b, bs, err, errs)
			u, err := h.svc.UsageSeries(ctx, h.admin, id, days)
			us, errs := h.svc.UsageSeriesScan(ctx, h.admin, id, days)
			same(fmt.Sprintf("usage series of %s over %d days", id, days), u, us, err, errs)
			for i := range b.Days {
				if b.Days[i].Amount < 0 {
					h.seen.debt++
				}
				if u.Days[i].Amount != 0 {
					h.seen.usage++
				}
			}
		}
	}
	first, now := h.instants[0], h.now()
	var at []time.Time
	for range 6 {
		t := h.instants[h.r.IntN(len(h.instants))]
		hour := t.Truncate(time.Hour)
		at = append(at, t, t.Add(-time.Microsecond), hour, hour.Add(-time.Microsecond), hour.Add(time.Microsecond),
			first.Add(time.Duration(h.r.Int64N(int64(now.Sub(first))+1))))
	}
	at = append(at, now, now.Add(-time.Microsecond))
	filters := []service.ReportQuery{{}, {Kind: "monetary"}, {Kind: "units"}, {Category: "paid"}, {Category: "promotional"}}
	for _, when := range at {
		if when.After(now) || when.Before(first.Add(-time.Hour)) {
			continue
		}
		for _, id := range append([]string{""}, h.accounts...) {
			q := filters[h.r.IntN(len(filters))]
			q.AccountID = id
			got, err := h.svc.LiabilityReport(ctx, h.admin, when, q)
			want, errs := h.svc.LiabilityScan(ctx, h.admin, when, q)
			same(fmt.Sprintf("liability of %q (%s/%s) at %s", id, q.Kind, q.Category, when.Format(time.RFC3339Nano)), got, want, err, errs)
			for _, r := range got.Data {
				if r.Bucket == "lapsed" {
					h.seen.lapsed++
				}
				if r.Unit != "" {
					h.seen.units++
				}
			}
		}
	}
}
