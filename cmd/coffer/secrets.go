package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/secretbox"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// secretsFlags are --secrets-key and --secrets-key-previous. Their
// environment variables are read after parsing rather than made the flags'
// defaults, so that --help never prints a key.
func secretsFlags(k *app.SecretsKeys) []flagDef {
	return []flagDef{
		{name: "secrets-key", env: "COFFER_SECRETS_KEY", envAfterParse: true, value: &k.Current,
			usage: "32-byte key, base64 or 64 hex digits, that encrypts webhook signing secrets in the store (prefer env COFFER_SECRETS_KEY)"},
		{name: "secrets-key-previous", env: "COFFER_SECRETS_KEY_PREVIOUS", envAfterParse: true, value: &k.Previous,
			usage: "earlier secrets keys, only to decrypt what they encrypted; repeatable or comma-separated (prefer env COFFER_SECRETS_KEY_PREVIOUS)"},
	}
}

// secretsFromEnv fills the keys the command line did not give from their
// variables, when set; an unset variable leaves the key as it was (from
// the configuration file, or none).
func secretsFromEnv(f *pflag.FlagSet, k *app.SecretsKeys) {
	if v := os.Getenv("COFFER_SECRETS_KEY"); !f.Changed("secrets-key") && v != "" {
		k.Current = v
	}
	if v := os.Getenv("COFFER_SECRETS_KEY_PREVIOUS"); !f.Changed("secrets-key-previous") && v != "" {
		k.Previous = strings.Split(v, ",")
	}
}

func newSecretsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "secrets", Short: "Manage the encryption of secrets in the store"}
	var dsn string
	var keys app.SecretsKeys
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
			ring, err := keys.Keyring()
			if err != nil {
				return err
			}
			if ring == nil {
				return errors.New("--secrets-key (env COFFER_SECRETS_KEY) is required: the key to encrypt with")
			}
			st, err := app.OpenStore(cmd.Context(), dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			return rotateSecrets(cmd, st, ring)
		},
	}
	addStoreFlag(rotate, &dsn)
	addFlags(rotate.Flags(), secretsFlags(&keys)...)
	cmd.AddCommand(rotate)
	return cmd
}

func rotateSecrets(cmd *cobra.Command, st *sqlstore.Store, ring *secretbox.Keyring) error {
	n, err := service.ResealWebhookSecrets(cmd.Context(), st, ring)
	if err != nil {
		return fmt.Errorf("after re-encrypting %d webhook signing secret(s): %w", n, app.SecretsError(err, ring))
	}
	rep, err := service.CheckWebhookSecrets(cmd.Context(), st, ring)
	if err != nil {
		return app.SecretsError(err, ring)
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
