package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/store"
)

// idemKey returns the idempotency row to look up and later fill for a call,
// or nil when the request carries no Idempotency-Key. Keys are scoped to the
// caller: two API keys may use the same key string without colliding.
func idemKey(c Call) *store.Idempotency {
	if c.IdempotencyKey == "" {
		return nil
	}
	return &store.Idempotency{Scope: c.Caller.KeyID, Key: c.IdempotencyKey, RequestHash: c.RequestHash}
}

// decodeReplay turns a committer answer into T: a fresh result passes
// through; a stored answer is decoded, and a stored refusal is returned as
// the same error it was the first time.
func decodeReplay[T any](val any, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	switch v := val.(type) {
	case *T:
		return v, nil
	case committer.Stored:
		return fromStored[T](v.Status, v.Body)
	}
	return nil, fmt.Errorf("committer answered %T, want %T", val, new(T))
}

func fromStored[T any](status int, body []byte) (*T, error) {
	if status >= 300 {
		e := &coffer.Error{}
		if err := json.Unmarshal(body, e); err != nil {
			return nil, fmt.Errorf("decode stored refusal: %w", err)
		}
		return nil, e
	}
	out := new(T)
	if err := json.Unmarshal(body, out); err != nil {
		return nil, fmt.Errorf("decode stored answer: %w", err)
	}
	return out, nil
}

// Once runs one mutating request at most once per Idempotency-Key, and
// is how every mutating route is served: the HTTP layer wraps each one in
// it, so no route can forget the key. Before run it looks the key up: a
// stored answer is replayed, and one stored for a different request
// (another body, another route) is a reusedKey refusal, both before any
// check or change of run's own.
//
// Operations that change value (the committer) or records (idempotent)
// store their answer in the same transaction as their change, so a crash
// cannot separate the two; for the rest, whose repeats are harmless or
// refused by their own state (a second delete, a second verify), Once
// saves the answer after run. Transient failures (overloaded, gateway
// unavailable, internal, a canceled request) are not stored: a retry
// under the same key must be able to succeed.
//
// The first request gets run's own answer, which may carry what a replay
// must not (a subaccount's auth token); replays decode the stored one.
func Once[T any](ctx context.Context, s *Service, c Call, run func(context.Context) (*T, error)) (*T, error) {
	key := idemKey(c)
	if key == nil {
		return run(ctx)
	}
	// Requests under one key take turns in this process: a repeat sent
	// while the first still runs waits for its answer instead of running
	// beside it and answering differently. Between processes the stored
	// row's unique key settles the race (the committer, idempotent).
	release, err := s.inflight.acquire(ctx, key.Scope+"\n"+key.Key)
	if err != nil {
		return nil, err
	}
	defer release()
	if prev, err := s.store.GetIdempotency(ctx, key.Scope, key.Key); err == nil {
		return replayStored[T](prev, key)
	} else if coffer.ErrorCode(err) != coffer.ENotFound {
		return nil, err
	}
	note := &answerNote{key: *key}
	out, err := run(context.WithValue(ctx, answerNoteKey{}, note))
	if !storable(err) || note.saved.Load() {
		return out, err // a refusal of the moment, or an answer saved with its change
	}
	// Found: another process stored an answer meanwhile; the change is
	// made all the same, and refusing it now would invite a retry that
	// makes it twice.
	_, gerr := s.store.GetIdempotency(ctx, key.Scope, key.Key)
	if coffer.ErrorCode(gerr) != coffer.ENotFound {
		if gerr != nil {
			s.log.ErrorContext(ctx, "read stored answer", "err", gerr)
		}
		return out, err
	}
	rec, aerr := committer.Answer(key, out, err, s.now())
	if aerr != nil {
		return nil, aerr
	}
	if serr := s.store.SaveIdempotency(ctx, &rec); serr != nil {
		// The change is made; its answer is true even if it cannot be
		// kept for a retry.
		s.log.ErrorContext(ctx, "store answer", "err", serr)
	}
	return out, err
}

// answerNote is how an operation tells Once that it saved the answer under
// Once's key in its own store transaction (through the committer or
// idempotent), so Once need not look again.
type answerNote struct {
	key   store.Idempotency
	saved atomic.Bool
}

type answerNoteKey struct{}

// noteSaved tells the Once running this request, if any, that the answer
// under key is saved.
func noteSaved(ctx context.Context, key *store.Idempotency) {
	if n, ok := ctx.Value(answerNoteKey{}).(*answerNote); ok && key != nil &&
		n.key.Scope == key.Scope && n.key.Key == key.Key {
		n.saved.Store(true)
	}
}

// submit hands a request to the committer. The committer saves the answer
// under the request's Idempotency-Key in the batch that makes its change,
// for every outcome Once would store.
func (s *Service) submit(ctx context.Context, r *committer.Request) (any, error) {
	val, err := s.committer.Submit(ctx, r)
	if storable(err) {
		noteSaved(ctx, r.Idempotency)
	}
	return val, err
}

// replayStored answers from a stored row: its answer, or reusedKey if the
// row is another request's.
func replayStored[T any](prev, key *store.Idempotency) (*T, error) {
	if prev.RequestHash != key.RequestHash {
		return nil, reusedKey(key.Key)
	}
	return fromStored[T](prev.Status, prev.Body)
}

// storable reports whether an outcome is the request's answer for good:
// a result or a refusal the same request would get again. A refusal of the
// moment is left unstored so the retry it invites can succeed, and a
// reused key is another request's row, not this one's.
func storable(err error) bool {
	var ce *coffer.Error
	if err == nil {
		return true
	}
	if !errors.As(err, &ce) {
		return false
	}
	switch ce.Code {
	case coffer.EInternal, coffer.EOverloaded, coffer.EGatewayUnavailable, coffer.EIdempotencyReuse:
		return false
	}
	return true
}

// idempotent makes a mutation that does not go through the committer (an
// account, subaccount, endpoint or payment method change) save its answer
// in the same store transaction as its change. Once has looked the key up
// already; do must save its answer with its change, using the row it is
// given (nil without a key) and the encode function to fill it. If another
// process saved the key first, the change fails on the key and the winner's
// answer is given instead.
func idempotent[T any](ctx context.Context, s *Service, c Call,
	do func(rec *store.Idempotency, encode func(*T) error) (*T, error)) (*T, error) {
	key := idemKey(c)
	if key == nil {
		return do(nil, func(*T) error { return nil })
	}
	rec := *key
	rec.CreatedAt = s.clock.Now()
	out, err := do(&rec, func(v *T) error {
		a, err := committer.Answer(key, v, nil, rec.CreatedAt)
		rec.Status, rec.Body = a.Status, a.Body
		return err
	})
	if err == nil {
		noteSaved(ctx, key)
	}
	if coffer.ErrorCode(err) == coffer.EConflict {
		// Two requests with the same key raced; the other one won. Answer
		// as it did.
		if prev, gerr := s.store.GetIdempotency(ctx, key.Scope, key.Key); gerr == nil {
			return replayStored[T](prev, key)
		}
	}
	return out, err
}

// reusedKey is the committer's refusal of a key used for another request,
// so that both write paths refuse alike.
func reusedKey(key string) error { return committer.ReusedKey(key) }

// now is the service's clock reading.
func (s *Service) now() time.Time { return s.clock.Now() }
