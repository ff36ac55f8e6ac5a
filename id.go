package coffer

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

// Id prefixes. An id's prefix says what it names, so a transaction id passed
// where an account id belongs is refused at the edge with a clear message.
const (
	PrefixAccount    = "acct"
	PrefixSubaccount = "sub"
	PrefixLot        = "grant" // every lot is a grant of value; purchases too
	PrefixTxn        = "txn"
	PrefixHold       = "hold"
	PrefixEvent      = "evt"
	PrefixKey        = "key"

	PrefixPaymentMethod   = "pm"
	PrefixPayment         = "pay"
	PrefixSchedule        = "psch"
	PrefixWebhookEndpoint = "we"
	PrefixDelivery        = "msg" // a delivery's id is its webhook-id header
	PrefixInvoice         = "inv"
	PrefixProgram         = "prog"
	PrefixEnrollment      = "enr"
	PrefixUser            = "usr"
	PrefixSession         = "sess"
	PrefixAudit           = "aud"
)

// Prefixes of generated keys and tokens that name no record and are never
// checked at the edge; they are here so that every prefix is in one place.
const (
	PrefixPurchaseKey = "once"     // the payment key of a purchase sent without Idempotency-Key
	PrefixRechargeKey = "recharge" // the payment key of one auto-recharge attempt
	PrefixNode        = "node"     // a process's name in the recharge lease
	PrefixRun         = "run"      // one claim of the recharge lease
)

// crockford is Crockford's base32 alphabet in lower case: no i, l, o, u.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// IDs makes ids that are strictly increasing in the order it makes them,
// ULID-style: each is prefix_ followed by 26 characters, 48 bits of
// milliseconds since the epoch and then 80 random bits, in Crockford base32,
// so that sorting ids sorts them in creation order and cursor pagination
// needs no second column. Within one millisecond, or when asked for an
// instant before the last one, it does not draw new random bits but adds one
// to the last id's: a test clock that stands still, or many ids in one
// millisecond, would otherwise sort them by chance. The random start of
// each millisecond keeps ids from two processes apart.
//
// The zero value is ready to use and an IDs is safe for concurrent use. One
// process should make every record id through a single IDs (the service
// owns it); ids from two generators are unique but sort by chance within a
// millisecond.
type IDs struct {
	mu   sync.Mutex
	ms   uint64   // the millisecond of the last id
	rand [10]byte // the last id's 80 random bits
}

// New returns a fresh id with the given prefix, stamped with now (or with
// the last id's millisecond if that is later) and greater than every id
// this generator made before.
func (g *IDs) New(prefix string, now time.Time) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	ms := uint64(now.UnixMilli())
	if ms > g.ms || !increment(&g.rand) {
		// A later millisecond, or (once in 2^80 ids) the random bits ran
		// out within one: start the next millisecond afresh.
		g.ms = max(ms, g.ms+1)
		readRandom(g.rand[:])
	}
	return encodeID(prefix, g.ms, g.rand)
}

// increment adds one to b as a big-endian number and reports false if it
// wrapped around to zero.
func increment(b *[10]byte) bool {
	for i := len(b) - 1; i >= 0; i-- {
		b[i]++
		if b[i] != 0 {
			return true
		}
	}
	return false
}

// NewID returns an id like IDs.New's, with fresh random bits every time
// and no memory of earlier ones: ids made in the same millisecond sort by
// chance. It is for ids that need only be unique: tokens that name no
// record (the service's node and lease tokens, stamped with the wall clock
// so they must not advance the generator that follows the service's
// clock), and tests that make records without a service.
func NewID(prefix string, now time.Time) string {
	var r [10]byte
	readRandom(r[:])
	return encodeID(prefix, uint64(now.UnixMilli()), r)
}

func readRandom(b []byte) {
	if _, err := rand.Read(b); err != nil {
		panic("coffer: crypto/rand failed: " + err.Error()) // never happens on a sane OS
	}
}

// encodeID writes prefix_ and the 48 bits of ms and 80 random bits as 26
// Crockford base32 digits.
func encodeID(prefix string, ms uint64, r [10]byte) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], ms<<16)
	copy(b[6:], r[:])
	// 128 bits → 26 base32 digits (130 bits, top two zero).
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return prefix + "_" + string(out[:])
}

// CheckID reports whether id is well formed with the given prefix. The
// message names the field so the caller can fix the request.
func CheckID(param, prefix, id string) error {
	rest, ok := strings.CutPrefix(id, prefix+"_")
	if !ok || len(rest) != 26 || strings.Trim(rest, crockford) != "" {
		return Invalid(param, "must be an id starting with %q, got %q", prefix+"_", id)
	}
	return nil
}
