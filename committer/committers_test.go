package committer

import (
	"fmt"
	"testing"
)

// TestCommittersOwnAccounts: every request for an account goes to the same
// committer, which is what keeps an account's requests in arrival order,
// and the accounts are shared out among all the committers.
func TestCommittersOwnAccounts(t *testing.T) {
	cs := &Committer{cs: make([]*committer, 3)}
	for i := range cs.cs {
		cs.cs[i] = &committer{max: i} // told apart by max; never started
	}
	owners := map[*committer]int{}
	for i := range 3000 {
		id := fmt.Sprintf("acct_%026d", i)
		c := cs.of(id)
		for range 3 {
			if cs.of(id) != c {
				t.Fatalf("%s went to two committers", id)
			}
		}
		owners[c]++
	}
	for i, c := range cs.cs {
		if n := owners[c]; n < 800 || n > 1200 {
			t.Errorf("committer %d owns %d of 3000 accounts, want about 1000", i, n)
		}
	}
	if one := (&Committer{cs: cs.cs[:1]}); one.of("acct_x") != cs.cs[0] {
		t.Error("a single committer does not own every account")
	}
}

func TestCommitterCount(t *testing.T) {
	if n := committerCount(3, nil); n != 3 {
		t.Errorf("configured 3, got %d", n)
	}
	if n := committerCount(0, nil); n != 1 {
		t.Errorf("a store that does not say: got %d, want 1", n)
	}
}
