package sqlstore

import (
	"fmt"
	"slices"
	"testing"

	"github.com/cofferdev/coffer/ledger"
)

// TestBigHint checks what the hint remembers: the accounts a batch found
// large, until a batch finds them small again, and never more than
// bigHintMax of them.
func TestBigHint(t *testing.T) {
	load := func(lots, holds int) *loading {
		return &loading{st: &ledger.State{}, totals: ledger.Totals{Lots: lots, Holds: holds}}
	}
	var h bigHint
	if got := h.among([]string{"a"}); len(got) != 0 {
		t.Fatalf("an empty hint knows %v", got)
	}
	h.learn(map[string]*loading{"a": load(smallLots+1, 0), "b": load(0, smallHolds+1), "c": load(smallLots, smallHolds)})
	if got := h.among([]string{"a", "b", "c", "d"}); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("after a batch with two large accounts the hint knows %v; want [a b]", got)
	}
	h.learn(map[string]*loading{"a": load(1, 1)})
	if got := h.among([]string{"a", "b"}); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("after a batch found a small again the hint knows %v; want [b]", got)
	}
	for i := range bigHintMax + 10 {
		h.learn(map[string]*loading{fmt.Sprint("x", i): load(smallLots+1, 0)})
	}
	if n := len(h.ids); n > bigHintMax {
		t.Fatalf("the hint holds %d accounts; want at most %d", n, bigHintMax)
	}
}
