package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/store"
)

// API keys and the revision every process polls to drop revoked keys
// from its cache.

const apiKeyCols = "id, role, account_id, name, hash, created_at, expires_at, revoked_at, last_used_at, replaced_by"

func scanAPIKey(r scanner) (*coffer.APIKey, error) {
	var k coffer.APIKey
	var role string
	var created int64
	var expires, revoked, used *int64
	if err := r.Scan(&k.ID, &role, &k.AccountID, &k.Name, &k.Hash, &created, &expires, &revoked, &used, &k.ReplacedBy); err != nil {
		return nil, err
	}
	k.Role, k.CreatedAt = coffer.Role(role), fromMicros(created)
	k.ExpiresAt, k.RevokedAt, k.LastUsedAt = fromNullMicros(expires), fromNullMicros(revoked), fromNullMicros(used)
	return &k, nil
}

func apiKeyArgs(k *coffer.APIKey) []any {
	return []any{k.ID, string(k.Role), k.AccountID, k.Name, nonNil(k.Hash), micros(k.CreatedAt),
		nullMicros(k.ExpiresAt), nullMicros(k.RevokedAt), nullMicros(k.LastUsedAt), k.ReplacedBy}
}

func insertAPIKey(k *coffer.APIKey) stmt {
	return stmt{sql: "INSERT INTO api_keys (" + apiKeyCols + ") VALUES (" + placeholders(1, 10) + ")", args: apiKeyArgs(k)}
}

// CreateAPIKey stores a key's hash, with the idempotent answer that
// created it.
func (s *Store) CreateAPIKey(ctx context.Context, k *coffer.APIKey, idem *store.Idempotency) error {
	return s.write(ctx, func(t tx) error {
		return t.pipeline(ctx, append([]stmt{insertAPIKey(k)}, idemStmts(idem)...))
	})
}

// GetAPIKeyByHash finds the key whose secret hashes to hash.
func (s *Store) GetAPIKeyByHash(ctx context.Context, hash []byte) (*coffer.APIKey, error) {
	return getOne(ctx, s.eng.pool(false), scanAPIKey, coffer.Errorf(coffer.ENotFound, "API key not found"),
		"SELECT "+apiKeyCols+" FROM api_keys WHERE hash = $1", nonNil(hash))
}

// GetAPIKey reads a key by id.
func (s *Store) GetAPIKey(ctx context.Context, id string) (*coffer.APIKey, error) {
	return getOne(ctx, s.eng.pool(false), scanAPIKey, coffer.Errorf(coffer.ENotFound, "API key %s not found", id),
		"SELECT "+apiKeyCols+" FROM api_keys WHERE id = $1", id)
}

// ListAPIKeys lists keys oldest first.
func (s *Store) ListAPIKeys(ctx context.Context, p store.Page) ([]*coffer.APIKey, bool, error) {
	limit := pageLimit(p)
	r, err := s.eng.pool(false).query(ctx,
		"SELECT "+apiKeyCols+" FROM api_keys WHERE id > $1 ORDER BY id LIMIT $2", p.StartingAfter, limit+1)
	if err != nil {
		return nil, false, s.translate(err)
	}
	list, more, err := collect(r, limit, scanAPIKey)
	return list, more, s.translate(err)
}

// UpdateAPIKey locks the key, lets fn change its expiry, revocation and
// successor, and saves them with successor (a new key, or nil) and the
// idempotent answer. It moves the revision, so every process drops its
// cached keys.
func (s *Store) UpdateAPIKey(ctx context.Context, id string, fn func(*coffer.APIKey) error, successor *coffer.APIKey, idem *store.Idempotency) (*coffer.APIKey, error) {
	var out *coffer.APIKey
	err := s.write(ctx, func(t tx) error {
		k, err := getOne(ctx, t, scanAPIKey, coffer.Errorf(coffer.ENotFound, "API key %s not found", id),
			"SELECT "+apiKeyCols+" FROM api_keys WHERE id = $1"+s.d.forUpdate, id)
		if err != nil {
			return err
		}
		if err := fn(k); err != nil {
			return err
		}
		var stmts []stmt
		if successor != nil {
			stmts = append(stmts, insertAPIKey(successor))
		}
		stmts = append(stmts,
			stmt{sql: "UPDATE api_keys SET expires_at = $2, revoked_at = $3, replaced_by = $4 WHERE id = $1",
				args: []any{id, nullMicros(k.ExpiresAt), nullMicros(k.RevokedAt), k.ReplacedBy}},
			stmt{sql: "UPDATE api_key_revision SET revision = revision + 1 WHERE id = 1"})
		stmts = append(stmts, idemStmts(idem)...)
		out = k
		return t.pipeline(ctx, stmts)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// APIKeyRevision reads the counter UpdateAPIKey moves.
func (s *Store) APIKeyRevision(ctx context.Context) (int64, error) {
	var n int64
	if _, err := queryRow(ctx, s.eng.pool(false), "SELECT revision FROM api_key_revision WHERE id = 1", nil, &n); err != nil {
		return 0, fmt.Errorf("api key revision: %w", s.translate(err))
	}
	return n, nil
}

// TouchAPIKeys records when keys were last used, in one transaction; a
// key already marked later keeps its mark.
func (s *Store) TouchAPIKeys(ctx context.Context, used map[string]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	return s.write(ctx, func(t tx) error {
		stmts := make([]stmt, 0, len(used))
		for id, at := range used {
			stmts = append(stmts, stmt{sql: "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)",
				args: []any{id, micros(at)}})
		}
		return t.pipeline(ctx, stmts)
	})
}

// CountAPIKeys counts the stored keys (none means a fresh install).
func (s *Store) CountAPIKeys(ctx context.Context) (int, error) {
	var n int64
	if _, err := queryRow(ctx, s.eng.pool(false), "SELECT COUNT(*) FROM api_keys", nil, &n); err != nil {
		return 0, fmt.Errorf("count api keys: %w", err)
	}
	return int(n), nil
}
