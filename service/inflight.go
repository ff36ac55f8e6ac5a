package service

import (
	"context"
	"sync"
)

// inflight lets one request at a time run under a given key; the others
// wait for it to finish (or for their own request to end).
type inflight struct {
	mu   sync.Mutex
	busy map[string]chan struct{} // closed when the key's holder is done
}

func newInflight() *inflight { return &inflight{busy: map[string]chan struct{}{}} }

// acquire waits until no other request holds key, then holds it until
// release is called.
func (f *inflight) acquire(ctx context.Context, key string) (release func(), err error) {
	for {
		f.mu.Lock()
		done, held := f.busy[key]
		if !held {
			done = make(chan struct{})
			f.busy[key] = done
			f.mu.Unlock()
			return func() {
				f.mu.Lock()
				delete(f.busy, key)
				f.mu.Unlock()
				close(done)
			}, nil
		}
		f.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
