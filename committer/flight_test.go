package committer

import "testing"

// TestWhenABatchFliesBesideOthers pins the pipeline's rule: a small batch
// over other accounts flies beside flights that read their accounts, up to
// the depth, and never beside one that read nothing.
func TestWhenABatchFliesBesideOthers(t *testing.T) {
	a, b := map[string]bool{"acct_a": true}, map[string]bool{"acct_b": true}
	fly := func(p *pipeline, accounts map[string]bool, warm bool) *flight {
		f := &flight{accounts: accounts, loaded: make(chan struct{})}
		p.take(f)
		f.markLoaded(warm)
		p.noteLoad(f)
		return f
	}

	p := newPipeline()
	if p.waits(1, a, 4) {
		t.Fatal("a batch waits with nothing in the air")
	}
	cold := fly(p, a, false)
	if p.waits(1, b, 4) {
		t.Error("a small batch waits beside a flight that read its accounts, over other accounts")
	}
	if !p.waits(1, a, 4) {
		t.Error("a batch flies beside a flight over the same account")
	}
	if !p.waits(smallBatch, b, 4) {
		t.Error("a large batch flies beside another")
	}
	if !p.waits(1, b, 1) {
		t.Error("a batch flies beyond the depth")
	}
	p.land(cold)

	warm := fly(p, a, true)
	if !p.waits(1, b, 4) {
		t.Error("a batch flies beside a flight that read nothing")
	}
	p.land(warm)
	if p.n != 0 || p.warm != 0 || len(p.busy) != 0 {
		t.Errorf("after every flight landed: %d in the air, %d warm, %d accounts busy", p.n, p.warm, len(p.busy))
	}
	if p.waits(1, b, 4) {
		t.Error("a batch waits once the warm flight landed")
	}

	// A flight's first load decides: a batch run again reading after a
	// stale kept state stays warm for the rule.
	f := &flight{accounts: a, loaded: make(chan struct{})}
	f.markLoaded(true)
	f.markLoaded(false)
	if !f.warm {
		t.Error("a second markLoaded changed the flight")
	}
}
