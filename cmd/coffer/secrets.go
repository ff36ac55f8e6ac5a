package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cofferdev/coffer/secretbox"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// SecretsKeys are the keys that seal webhook signing secrets in the store,
// as given: Current seals, Previous only open what earlier keys sealed.
type SecretsKeys struct {
	Current  string
	Previous []string
}

// addSecretsFlags adds --secrets-key and --secrets-key-previous. Their
// environment variables are read after parsing rather than made the flags'
// defaults, so that --help never prints a key.
func addSecretsFlags(f *pflag.FlagSet, k *SecretsKeys) {
	f.StringVar(&k.Current, "secrets-key", "",
		"32-byte key, base64 or 64 hex digits, that encrypts webhook signing secrets in the store (prefer env COFFER_SECRETS_KEY)")
	f.StringSliceVar(&k.Previous, "secrets-key-previous", nil,
		"earlier secrets keys, only to decrypt what they encrypted; repeatable or comma-separated (prefer env COFFER_SECRETS_KEY_PREVIOUS)")
}

// secretsFromEnv fills the keys the command line did not give.
func secretsFromEnv(f *pflag.FlagSet, k *SecretsKeys) {
	if !f.Changed("secrets-key") {
		k.Current = os.Getenv("COFFER_SECRETS_KEY")
	}
	if v := os.Getenv("COFFER_SECRETS_KEY_PREVIOUS"); !f.Changed("secrets-key-previous") && v != "" {
		k.Previous = strings.Split(v, ",")
	}
}

// keyring parses the keys; no current key is a nil keyring (secrets in the
// clear). The errors name the flag at fault and never echo a key.
func (k SecretsKeys) keyring() (*secretbox.Keyring, error) {
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

// secretsError says which flag to fix when stored secrets do not open.
func secretsError(err error, keys *secretbox.Keyring) error {
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

func newSecretsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "secrets", Short: "Manage the encryption of secrets in the store"}
	var dsn string
	var keys SecretsKeys
	rotate := &cobra.Command{
		Use:   "rotate --secrets-key NEW [--secrets-key-previous OLD …]",
		Short: "Encrypt every stored webhook signing secret with --secrets-key",
		Long: `Re-encrypt every webhook signing secret in the store with --secrets-key:
secrets kept in the clear (written without a key, or before Coffer encrypted
them) and secrets encrypted with a key given as --secrets-key-previous.
Secrets already under --secrets-key are left alone, so running it again is
harmless. Servers may keep running meanwhile if they were started with both
keys. Once it has run, the previous keys may be dropped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			secretsFromEnv(cmd.Flags(), &keys)
			ring, err := keys.keyring()
			if err != nil {
				return err
			}
			if ring == nil {
				return errors.New("--secrets-key (env COFFER_SECRETS_KEY) is required: the key to encrypt with")
			}
			st, err := openStore(cmd.Context(), dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			return rotateSecrets(cmd, st, ring)
		},
	}
	addStoreFlag(rotate, &dsn)
	addSecretsFlags(rotate.Flags(), &keys)
	cmd.AddCommand(rotate)
	return cmd
}

func rotateSecrets(cmd *cobra.Command, st *sqlstore.Store, ring *secretbox.Keyring) error {
	n, err := service.ResealWebhookSecrets(cmd.Context(), st, ring)
	if err != nil {
		return fmt.Errorf("after re-encrypting %d webhook signing secret(s): %w", n, secretsError(err, ring))
	}
	rep, err := service.CheckWebhookSecrets(cmd.Context(), st, ring)
	if err != nil {
		return secretsError(err, ring)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "re-encrypted %d webhook signing secret(s) with key %s; %d endpoint(s) in all\n",
		n, ring.CurrentID(), rep.Endpoints)
	if rep.Stale > 0 {
		// Written meanwhile by a server that still encrypts with an
		// earlier key, or none.
		return fmt.Errorf("%d webhook signing secret(s) were written meanwhile with another key or none: "+
			"restart every server with this --secrets-key, then run this again", rep.Stale)
	}
	return nil
}
