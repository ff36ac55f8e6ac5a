package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cofferdev/coffer/secretbox"
)

// SecretsKeys are the keys that seal webhook signing secrets in the store,
// as given: Current seals, Previous only open what earlier keys sealed.
type SecretsKeys struct {
	Current  string
	Previous []string
}

// Keyring parses the keys; no current key is a nil keyring (secrets in the
// clear). The errors name the flag at fault and never echo a key.
func (k SecretsKeys) Keyring() (*secretbox.Keyring, error) {
	if strings.TrimSpace(k.Current) == "" {
		if len(k.Previous) > 0 {
			return nil, errors.New("--secrets-key-previous needs --secrets-key (env COFFER_SECRETS_KEY): the key that encrypts from now on")
		}
		return nil, nil
	}
	cur, err := secretbox.ParseKey(k.Current)
	if err != nil {
		return nil, fmt.Errorf("--secrets-key (env COFFER_SECRETS_KEY) is not a key: %v", err)
	}
	var prev []secretbox.Key
	for i, s := range k.Previous {
		if strings.TrimSpace(s) == "" {
			continue
		}
		p, err := secretbox.ParseKey(s)
		if err != nil {
			return nil, fmt.Errorf("--secrets-key-previous (env COFFER_SECRETS_KEY_PREVIOUS) number %d is not a key: %v", i+1, err)
		}
		prev = append(prev, p)
	}
	return secretbox.NewKeyring(cur, prev...), nil
}

// SecretsError says which flag to fix when stored secrets do not open.
func SecretsError(err error, keys *secretbox.Keyring) error {
	switch {
	case errors.Is(err, secretbox.ErrUnknownKey) && keys == nil:
		return fmt.Errorf("webhook signing secrets in the store are encrypted: give the key that encrypted them "+
			"as --secrets-key (env COFFER_SECRETS_KEY) (%v)", err)
	case errors.Is(err, secretbox.ErrUnknownKey):
		return fmt.Errorf("--secrets-key (key id %s) does not decrypt the stored webhook signing secrets: give the key "+
			"they were encrypted with as --secrets-key, or as --secrets-key-previous (env COFFER_SECRETS_KEY_PREVIOUS) "+
			"beside the new one (%v)", keys.CurrentID(), err)
	case errors.Is(err, secretbox.ErrCorrupt):
		return fmt.Errorf("a stored webhook signing secret does not decrypt with the key it names, given as --secrets-key "+
			"or --secrets-key-previous: it was altered or copied from another endpoint (%v)", err)
	}
	return err
}
