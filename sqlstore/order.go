package sqlstore

import (
	"fmt"

	"github.com/cofferdev/coffer/ledger"
)

// consumeKey is a lot's place in the consumption order as text that sorts
// byte by byte in that order (lots.consume_key, indexed by lots_consume):
// priority, then expiry with never last, then promotional before paid,
// then creation, then id. Each number is 16 hex digits of its value with
// the sign bit flipped, so that numbers sort as text; migration 00011
// computes the same for the lots that were already there.
func consumeKey(l *ledger.Lot) string {
	expiry := "ffffffffffffffff"
	if !l.ExpiresAt.IsZero() {
		expiry = orderHex(micros(l.ExpiresAt))
	}
	category := "1"
	if l.Category == ledger.Promotional {
		category = "0"
	}
	return orderHex(int64(l.Priority)) + expiry + category + orderHex(micros(l.CreatedAt)) + l.ID
}

func orderHex(v int64) string { return fmt.Sprintf("%016x", uint64(v)^(1<<63)) }
