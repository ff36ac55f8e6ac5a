package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cofferdev/coffer"
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
	case storedAnswer:
		return fromStored[T](v.status, v.body)
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

// idempotent runs a mutation that does not go through the committer (an
// account or subaccount change) exactly once per Idempotency-Key. A stored
// answer is replayed; otherwise do runs and must save its answer in the same
// store transaction as its change, using the row it is given (nil without
// a key) and the encode function to fill it.
func idempotent[T any](ctx context.Context, s *Service, c Call,
	do func(rec *store.Idempotency, encode func(*T) error) (*T, error)) (*T, error) {
	key := idemKey(c)
	if key == nil {
		return do(nil, func(*T) error { return nil })
	}
	if prev, err := s.store.GetIdempotency(ctx, key.Scope, key.Key); err == nil {
		if prev.RequestHash != key.RequestHash {
			return nil, reusedKey(key.Key)
		}
		return fromStored[T](prev.Status, prev.Body)
	} else if coffer.ErrorCode(err) != coffer.ENotFound {
		return nil, err
	}
	rec := *key
	rec.CreatedAt = s.clock.Now()
	out, err := do(&rec, func(v *T) error {
		a, err := answer(key, v, nil, rec.CreatedAt)
		rec.Status, rec.Body = a.Status, a.Body
		return err
	})
	if coffer.ErrorCode(err) == coffer.EConflict {
		// Two requests with the same key raced; the other one won. Answer
		// as it did.
		if prev, gerr := s.store.GetIdempotency(ctx, key.Scope, key.Key); gerr == nil {
			if prev.RequestHash != key.RequestHash {
				return nil, reusedKey(key.Key)
			}
			return fromStored[T](prev.Status, prev.Body)
		}
	}
	return out, err
}

func reusedKey(key string) error {
	return coffer.Errorf(coffer.EIdempotencyReuse,
		"Idempotency-Key %q was already used for a different request; use a new key for a new request", key)
}

// now is the service's clock reading.
func (s *Service) now() time.Time { return s.clock.Now() }
