package service

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/store"
)

// API keys over the API: create, list, show, revoke and rotate, admin
// only. The secret is in the answer that made the key and nowhere else.

// Rotation overlap: how long an old key keeps working beside its
// successor when the request names none, and the most it may.
const (
	defaultRotateOverlap = 24 * time.Hour
	maxRotateOverlap     = 720 * time.Hour
)

// CreateAPIKeyCall makes an API key; the answer carries its secret once.
func (s *Service) CreateAPIKeyCall(ctx context.Context, c Call, in api.APIKeyCreate) (*api.APIKey, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	var expires time.Time
	if in.ExpiresAt != nil {
		expires = in.ExpiresAt.UTC()
		if !expires.After(s.now()) {
			return nil, coffer.Invalid("expires_at", "must be in the future, got %s", expires.Format(time.RFC3339))
		}
	}
	secret, k, err := s.newAPIKey(ctx, coffer.Role(in.Role), in.AccountID, in.Name, expires)
	if err != nil {
		return nil, err
	}
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.APIKey) error) (*api.APIKey, error) {
		v := apiKeyView(k, s.now())
		// A replay must not hand the secret out again.
		if err := encode(v); err != nil {
			return nil, err
		}
		if err := s.store.CreateAPIKey(ctx, k, rec); err != nil {
			return nil, err
		}
		v.Secret = secret
		return v, nil
	})
}

// ListAPIKeys lists keys oldest first, without secrets. Admin only.
func (s *Service) ListAPIKeys(ctx context.Context, c Call, p store.Page) (*api.List[*api.APIKey], error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	p, err := page(p, coffer.PrefixKey)
	if err != nil {
		return nil, err
	}
	list, more, err := s.store.ListAPIKeys(ctx, p)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &api.List[*api.APIKey]{Data: []*api.APIKey{}, HasMore: more}
	for _, k := range list {
		out.Data = append(out.Data, apiKeyView(k, now))
	}
	return out, nil
}

// GetAPIKey shows a key without its secret. Admin only.
func (s *Service) GetAPIKey(ctx context.Context, c Call, id string) (*api.APIKey, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixKey, id); err != nil {
		return nil, err
	}
	k, err := s.store.GetAPIKey(ctx, id)
	if err != nil {
		return nil, err
	}
	return apiKeyView(k, s.now()), nil
}

// RevokeAPIKey ends a key now, on every process within about a second
// (keycache.go). Revoking a revoked key changes nothing. Admin only.
func (s *Service) RevokeAPIKey(ctx context.Context, c Call, id string) (*api.APIKey, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixKey, id); err != nil {
		return nil, err
	}
	now := s.now()
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.APIKey) error) (*api.APIKey, error) {
		var v *api.APIKey
		k, err := s.store.UpdateAPIKey(ctx, id, func(k *coffer.APIKey) error {
			if k.RevokedAt.IsZero() {
				k.RevokedAt = now
			}
			v = apiKeyView(k, now)
			return encode(v)
		}, nil, rec)
		if err != nil {
			return nil, err
		}
		s.keys.drop()
		return apiKeyView(k, now), nil
	})
}

// RotateAPIKey makes a successor to a key, with its role and account,
// and lets the old key work for the overlap only, so that its holders can
// switch without a moment when neither works. The answer is the
// successor with its secret, once. A key revoked, expired or already
// rotated is not rotated again. Admin only.
func (s *Service) RotateAPIKey(ctx context.Context, c Call, id string, in api.APIKeyRotate) (*api.APIKey, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixKey, id); err != nil {
		return nil, err
	}
	overlap := defaultRotateOverlap
	if in.Overlap != "" {
		d, err := time.ParseDuration(in.Overlap)
		if err != nil || d < 0 || d > maxRotateOverlap {
			return nil, coffer.Invalid("overlap", "must be a duration between 0s and 720h, such as \"24h\", got %q", in.Overlap)
		}
		overlap = d
	}
	if err := checkText("name", in.Name, maxName); err != nil {
		return nil, err
	}
	old, err := s.store.GetAPIKey(ctx, id)
	if err != nil {
		return nil, err
	}
	name := in.Name
	if name == "" {
		name = old.Name
	}
	secret, next, err := s.newAPIKey(ctx, old.Role, old.AccountID, name, time.Time{})
	if err != nil {
		return nil, err
	}
	now := s.now()
	return idempotent(ctx, s, c, func(rec *store.Idempotency, encode func(*api.APIKey) error) (*api.APIKey, error) {
		v := apiKeyView(next, now)
		if err := encode(v); err != nil {
			return nil, err
		}
		_, err := s.store.UpdateAPIKey(ctx, id, func(k *coffer.APIKey) error {
			switch {
			case k.ReplacedBy != "":
				return coffer.Errorf(coffer.EConflict, "API key %s was already rotated to %s; rotate that one", k.ID, k.ReplacedBy)
			case k.Usable(now) != "":
				return coffer.Errorf(coffer.EConflict, "API key %s is %s; create a new key instead", k.ID, k.Usable(now))
			}
			if end := now.Add(overlap); k.ExpiresAt.IsZero() || end.Before(k.ExpiresAt) {
				k.ExpiresAt = end
			}
			k.ReplacedBy = next.ID
			return nil
		}, next, rec)
		if err != nil {
			return nil, err
		}
		s.keys.drop()
		v.Secret = secret
		return v, nil
	})
}

func apiKeyView(k *coffer.APIKey, now time.Time) *api.APIKey {
	v := &api.APIKey{ID: k.ID, Object: "api_key", Role: string(k.Role), AccountID: k.AccountID, Name: k.Name,
		Status: "active", ReplacedBy: k.ReplacedBy, CreatedAt: k.CreatedAt,
		ExpiresAt: optTime(k.ExpiresAt), RevokedAt: optTime(k.RevokedAt), LastUsedAt: optTime(k.LastUsedAt)}
	if why := k.Usable(now); why != "" {
		v.Status = why
	}
	return v
}

// readKeyRevision reads the store's API key revision for the key cache,
// and hands the uses noted since the last read to a goroutine that
// records them, off the request's path.
func (s *Service) readKeyRevision(ctx context.Context) {
	rev, err := s.store.APIKeyRevision(ctx)
	if err != nil {
		s.log.Warn("read the API key revision; keys are read from the store until it answers", "err", err)
	}
	if used := s.keys.revised(rev, err == nil); len(used) > 0 {
		s.background.Go(func() { s.recordKeyUses(used) })
	}
}

// recordKeyUses writes last_used_at. A failure loses the marks, which
// are approximate anyway; it is logged.
func (s *Service) recordKeyUses(used map[string]time.Time) {
	if len(used) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.store.TouchAPIKeys(ctx, used); err != nil {
		s.log.Warn("record when API keys were last used", "err", err, "keys", len(used))
	}
}
