package httpapi

import (
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/service"
)

// RateLimit is one role's token bucket, per key: Rate requests a second
// on average and up to Burst at once. A zero Rate is no limit.
type RateLimit struct {
	Rate  float64 // requests a second; not money, so a float is what rate.Limit wants
	Burst int
}

// On reports whether the limit limits anything.
func (l RateLimit) On() bool { return l.Rate > 0 }

// String is the limit as the flags take it: "0" when off, else
// "RATE,BURST".
func (l RateLimit) String() string {
	if !l.On() {
		return "0"
	}
	return strconv.FormatFloat(l.Rate, 'g', -1, 64) + "," + strconv.Itoa(l.Burst)
}

// RateLimits are the buckets of each role. Subaccounts, bound to one
// account like account keys, take Account's. All off by default: then
// the limiter is not built and a request pays nothing for it.
type RateLimits struct {
	Admin, Usage, Account RateLimit
}

func (l RateLimits) on() bool { return l.Admin.On() || l.Usage.On() || l.Account.On() }

func (l RateLimits) of(role coffer.Role) RateLimit {
	switch role {
	case coffer.RoleAdmin:
		return l.Admin
	case coffer.RoleUsage:
		return l.Usage
	}
	return l.Account // RoleAccount and service.RoleSubaccount
}

// maxBuckets bounds the buckets kept; past it they start over, which
// gives each key a fresh burst once: cheaper than evicting, and keys
// outnumbering it are rare.
const maxBuckets = 100_000

// limiter holds a token bucket per key, made on the key's first request.
type limiter struct {
	limits  RateLimits
	now     func() time.Time // the wall clock: rates are in real seconds, whatever Coffer's clock reads
	buckets atomic.Pointer[sync.Map]
	n       atomic.Int64
}

// newLimiter returns nil when no role is limited.
func newLimiter(l RateLimits, now func() time.Time) *limiter {
	if !l.on() {
		return nil
	}
	lim := &limiter{limits: l, now: now}
	lim.buckets.Store(&sync.Map{})
	return lim
}

// allow takes a token from the caller's bucket, or says how long until
// one is there.
func (l *limiter) allow(c *service.Caller) (time.Duration, bool) {
	rl := l.limits.of(c.Role)
	if !rl.On() {
		return 0, true
	}
	m := l.buckets.Load()
	v, ok := m.Load(c.KeyID)
	if !ok {
		if l.n.Add(1) > maxBuckets {
			m = &sync.Map{}
			l.buckets.Store(m)
			l.n.Store(1)
		}
		v, _ = m.LoadOrStore(c.KeyID, rate.NewLimiter(rate.Limit(rl.Rate), max(1, rl.Burst)))
	}
	b := v.(*rate.Limiter)
	now := l.now()
	if b.AllowN(now, 1) {
		return 0, true
	}
	missing := 1 - b.TokensAt(now)
	return time.Duration(missing / rl.Rate * float64(time.Second)), false
}

// rateLimited is the 429 answer, with Retry-After in whole seconds, at
// least one.
func rateLimited(c *service.Caller, wait time.Duration) *errorBody {
	secs := max(1, int64(math.Ceil(wait.Seconds())))
	e := newErrorBody(coffer.ERateLimited,
		"too many requests for this credential ("+c.KeyID+"); retry after "+strconv.FormatInt(secs, 10)+"s, or spread requests out", "", nil)
	e.header.Set("Retry-After", strconv.FormatInt(secs, 10))
	return e
}
