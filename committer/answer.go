package committer

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/store"
)

// replay answers a request whose Idempotency-Key was seen before.
func replay(prev, now *store.Idempotency) Reply {
	if prev.RequestHash != now.RequestHash {
		return Reply{Err: ReusedKey(now.Key)}
	}
	return Reply{Val: Stored{Status: prev.Status, Body: prev.Body}}
}

// Stored is a replayed answer: the first answer's status and JSON. The
// caller decodes it into its result type, or into the refusal it was.
type Stored struct {
	Status int
	Body   []byte
}

// Answer builds the idempotency row for a request's first answer: the
// result's JSON, or the refusal's code and message. The committer stores
// it in the batch that made the change; other writers of records use it
// to store theirs the same way.
func Answer(key *store.Idempotency, val any, err error, now time.Time) (store.Idempotency, error) {
	rec := *key
	rec.CreatedAt = now
	var body any = val
	rec.Status = http.StatusOK
	if err != nil {
		var ce *coffer.Error
		if !errors.As(err, &ce) {
			return rec, err
		}
		rec.Status = coffer.HTTPStatus(ce.Code)
		body = ce
	}
	b, jerr := json.Marshal(body)
	if jerr != nil {
		return rec, fmt.Errorf("encode idempotent answer: %w", jerr)
	}
	rec.Body = b
	return rec, nil
}

// ReusedKey is the refusal of a request whose Idempotency-Key was already
// used for a different request.
func ReusedKey(key string) error {
	return coffer.Errorf(coffer.EIdempotencyReuse,
		"Idempotency-Key %q was already used for a different request; use a new key for a new request", key)
}
