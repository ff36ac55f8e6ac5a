package service

import (
	"context"
	"fmt"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/secretbox"
	"github.com/cofferdev/coffer/store"
)

// Webhook signing secrets are sealed here, in the service, rather than in
// the store or a wrapper around it: the service makes each secret and
// signs with it, so the plaintext never leaves this package on its way to
// the database, and the store keeps the column as opaque text. The keyring
// reaches the service through Config.Secrets, not a package variable, so
// that a test, a `coffer secrets rotate` and a server each hold their own.
//
// A stored secret is either sealed (secretbox's enc:v1:… form) or, when
// it was written without a key or before secrets were sealed, the whsec_…
// plaintext itself. Both open; ResealWebhookSecrets seals the plaintext
// ones and those sealed with an earlier key.

// secretContext binds a sealed secret to its endpoint: a sealed value
// copied to another endpoint's row does not open there.
func secretContext(endpointID string) string { return "webhook_endpoint " + endpointID }

// sealSecret is what the store keeps for an endpoint's new secret: sealed
// with the current key, or the plaintext when no key is configured.
func sealSecret(keys *secretbox.Keyring, endpointID, secret string) string {
	if keys == nil {
		return secret
	}
	return keys.Seal(secret, secretContext(endpointID))
}

// openSecret returns the whsec_… secret of a stored value. A sealed value
// without a keyring fails with secretbox.ErrUnknownKey, as one sealed with
// a key the keyring lacks does.
func openSecret(keys *secretbox.Keyring, endpointID, stored string) (string, error) {
	if !secretbox.IsSealed(stored) {
		return stored, nil
	}
	if keys == nil {
		return "", fmt.Errorf("the secret of webhook endpoint %s is encrypted (key id %s) and no key was given: %w",
			endpointID, secretbox.KeyID(stored), secretbox.ErrUnknownKey)
	}
	s, err := keys.Open(stored, secretContext(endpointID))
	if err != nil {
		return "", fmt.Errorf("the secret of webhook endpoint %s does not decrypt: %w", endpointID, err)
	}
	return s, nil
}

// eachEndpoint calls fn with every endpoint, a page at a time.
func eachEndpoint(ctx context.Context, st store.Notifications, fn func(*coffer.WebhookEndpoint) error) error {
	p := store.Page{Limit: 100}
	for {
		list, more, err := st.ListWebhookEndpoints(ctx, p)
		if err != nil {
			return err
		}
		for _, e := range list {
			if err := fn(e); err != nil {
				return err
			}
		}
		if !more || len(list) == 0 {
			return nil
		}
		p.StartingAfter = list[len(list)-1].ID
	}
}

// SecretsReport is what CheckWebhookSecrets found.
type SecretsReport struct {
	Endpoints int // endpoints in the store
	Plaintext int // of which the secret is kept in the clear
	// Stale counts the secrets ResealWebhookSecrets would change: those
	// in the clear and those sealed with a key other than the current
	// one. Without a keyring it is Plaintext.
	Stale int
}

// CheckWebhookSecrets opens every stored webhook secret with keys (nil for
// none) and fails on the first that does not open, so that a server
// started with the wrong key refuses to start instead of signing with
// garbage. The error wraps secretbox.ErrUnknownKey when a secret was
// sealed with a key not given, and secretbox.ErrCorrupt when one does not
// authenticate.
func CheckWebhookSecrets(ctx context.Context, st store.Notifications, keys *secretbox.Keyring) (SecretsReport, error) {
	var r SecretsReport
	err := eachEndpoint(ctx, st, func(e *coffer.WebhookEndpoint) error {
		r.Endpoints++
		if !secretbox.IsSealed(e.Secret) {
			r.Plaintext++
		}
		if (keys == nil && !secretbox.IsSealed(e.Secret)) || (keys != nil && keys.Stale(e.Secret)) {
			r.Stale++
		}
		_, err := openSecret(keys, e.ID, e.Secret)
		return err
	})
	return r, err
}

// ResealWebhookSecrets seals again, with the keyring's current key, every
// stored webhook secret that is plaintext or sealed with another key, and
// returns how many it changed. Each endpoint is rewritten under its row
// lock, so a secret rotated through the API meanwhile is not overwritten
// with the old one; secrets already under the current key are left alone,
// so running it twice changes nothing the second time.
func ResealWebhookSecrets(ctx context.Context, st store.Notifications, keys *secretbox.Keyring) (int, error) {
	n := 0
	err := eachEndpoint(ctx, st, func(listed *coffer.WebhookEndpoint) error {
		if !keys.Stale(listed.Secret) {
			return nil
		}
		changed := false
		_, err := st.UpdateWebhookEndpoint(ctx, listed.ID, func(e *coffer.WebhookEndpoint) error {
			changed = keys.Stale(e.Secret)
			if !changed {
				return nil
			}
			secret, err := openSecret(keys, e.ID, e.Secret)
			if err != nil {
				return err
			}
			e.Secret = sealSecret(keys, e.ID, secret)
			return nil
		}, nil)
		switch {
		case coffer.ErrorCode(err) == coffer.ENotFound:
			return nil // deleted since it was listed
		case err != nil:
			return err
		case changed:
			n++
		}
		return nil
	})
	return n, err
}
