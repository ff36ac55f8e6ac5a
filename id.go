package coffer

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
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

// NewID returns prefix_ followed by 26 characters: 48 bits of milliseconds
// since the epoch, then 80 random bits, in Crockford base32. Ids made later
// sort later (to the millisecond), which keeps cursor pagination in creation
// order without a second column.
func NewID(prefix string, now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic("coffer: crypto/rand failed: " + err.Error()) // never happens on a sane OS
	}
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
