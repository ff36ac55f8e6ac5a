package ledger_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// edges are amounts at the bounds the core must survive: around zero, the
// one-trillion bound on an account's figures, and the ends of an Amount.
var edges = []money.Amount{
	0, 1, money.MustParse("0.01"), money.MustParse("25"), money.MustParse("999999999999.999999"),
	ledger.MaxValue - 1, ledger.MaxValue, ledger.MaxValue + 1, money.Max / 2, money.Max - 1, money.Max,
	-1, -money.Max,
}

// FuzzOperations runs what the fuzzer's bytes spell as a sequence of grants,
// strict and served debits, unit debits, holds, captures, releases, voids,
// expiries and clock moves, with amounts drawn from edges or taken raw, on
// one account whose floor and credit limit the bytes also choose. Whatever
// the sequence, no operation panics or fails as an internal error, and
// after every step the double entry holds (postings balance; every lot's
// remaining and the debt equal their postings).
func FuzzOperations(f *testing.F) {
	f.Add([]byte{0, 4, 1, 9, 2, 8, 2, 8, 3, 2, 4, 10})
	f.Add([]byte{2, 10, 2, 10, 2, 10, 2, 10, 2, 10, 2, 10, 2, 10, 2, 10, 2, 10, 2, 10})
	f.Add([]byte{0, 6, 0, 6, 5, 12, 3, 4, 4, 255, 255, 255, 255, 255, 255, 255, 127})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		floor := -edges[int(data[0])%4] // 0, -0.000001, -0.01, -25
		b := newBook(t, floor.String())
		b.s.Account.CreditLimit = min(floor, -edges[int(data[1])%len(edges)]) // the core clamps what is out of range
		data = data[2:]
		next := func() money.Amount {
			if len(data) == 0 {
				return 1
			}
			i := int(data[0])
			data = data[1:]
			if i < len(edges) || len(data) < 8 {
				return edges[i%len(edges)]
			}
			v := money.Amount(binary.LittleEndian.Uint64(data))
			data = data[8:]
			return v
		}
		var holds []string
		var lots []string
		for len(data) > 0 {
			op := data[0] % 10
			data = data[1:]
			var e *ledger.Effect
			var err error
			switch op {
			case 0, 1:
				g := ledger.Grant{Kind: ledger.Monetary, Amount: next(), Category: ledger.Paid, Priority: 50}
				if op == 1 {
					g.Kind, g.Unit = ledger.Units, "sms"
				}
				if e, err = b.s.Grant(b.env(), g); err == nil {
					lots = append(lots, e.Lots[0].ID)
				}
			case 2, 3:
				e, err = b.s.Debit(b.env(), ledger.Debit{Amount: next(), AllowNegative: op == 3})
			case 4:
				e, err = b.s.Debit(b.env(), ledger.Debit{Unit: "sms", Quantity: next(), UnitPrice: next(), AllowNegative: true})
			case 5:
				if e, err = b.s.PlaceHold(b.env(), ledger.HoldRequest{Amount: next(), TTL: time.Hour}); err == nil {
					holds = append(holds, e.Holds[0].ID)
				}
			case 6, 7:
				if len(holds) == 0 {
					continue
				}
				id := holds[len(holds)-1]
				holds = holds[:len(holds)-1]
				if op == 6 {
					e, err = b.s.Capture(b.env(), id, next(), "")
				} else {
					e, err = b.s.Release(b.env(), id)
				}
			case 8:
				if len(lots) == 0 {
					continue
				}
				e, err = b.s.Void(b.env(), lots[0], "fuzz", "")
				lots = lots[1:]
			case 9:
				b.now = b.now.Add(time.Duration(next()%1000) * time.Minute)
				for _, x := range b.s.Expire(b.env()) {
					b.record(x)
				}
			}
			if coffer.ErrorCode(err) == coffer.EInternal {
				t.Fatalf("op %d: internal error %v", op, err)
			}
			b.record(e)
			_ = b.s.Balance(b.now)
			b.audit()
		}
	})
}
