package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
)

// apiKeysCmd is the client command for API keys over the API: create,
// list, show, revoke and rotate them (admin key). `coffer keys create`,
// on the store directly, stays for bootstrapping.
func apiKeysCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "api-keys", Short: "Create, list, show, revoke and rotate API keys over the API (admin key)"}
	cmd.AddCommand(apiKeysCreateCmd(e), apiKeysListCmd(e), apiKeysShowCmd(e), apiKeysRevokeCmd(e), apiKeysRotateCmd(e))
	return cmd
}

func apiKeysCreateCmd(e *clientEnv) *cobra.Command {
	var in api.APIKeyCreate
	var expires timeFlag
	cmd := &cobra.Command{
		Use:   "create --role admin|usage|account [--account ACCOUNT] [--name NAME] [--expires-at TIME]",
		Short: "Create an API key; its secret is shown only this once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !expires.t.IsZero() {
				in.ExpiresAt = &expires.t
			}
			k, err := e.client().CreateAPIKey(cmd.Context(), in, e.call()...)
			return show(e, cmd, k, err, printAPIKey)
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.Role, "role", "", "admin, usage or account")
	f.StringVar(&in.AccountID, "account", "", "the account an account key may act on")
	f.StringVar(&in.Name, "name", "", "what the key is for")
	f.Var(&expires, "expires-at", "when the key stops working, RFC 3339 or a date, on the server's clock (default: never)")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func apiKeysListCmd(e *clientEnv) *cobra.Command {
	var p client.ListParams
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List API keys, oldest first, without secrets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := e.client().ListAPIKeys(cmd.Context(), p)
			return showList(e, cmd, l, err, []string{"ID", "ROLE", "ACCOUNT", "NAME", "STATUS", "EXPIRES", "LAST USED"},
				func(k api.APIKey) []string {
					return []string{k.ID, k.Role, k.AccountID, k.Name, k.Status, fmtOptTime(k.ExpiresAt, "never"), fmtOptTime(k.LastUsedAt, "never")}
				})
		},
	}
	addPageFlags(cmd.Flags(), &p)
	return cmd
}

func apiKeysShowCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:     "show KEY",
		Aliases: []string{"get"},
		Short:   "Show an API key, without its secret",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := e.client().GetAPIKey(cmd.Context(), args[0])
			return show(e, cmd, k, err, printAPIKey)
		},
	}
}

func apiKeysRevokeCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke KEY",
		Short: "Revoke an API key: refused everywhere within about a second",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := e.client().RevokeAPIKey(cmd.Context(), args[0], e.call()...)
			return show(e, cmd, k, err, printAPIKey)
		},
	}
}

func apiKeysRotateCmd(e *clientEnv) *cobra.Command {
	var in api.APIKeyRotate
	cmd := &cobra.Command{
		Use:   "rotate KEY [--overlap DURATION] [--name NAME]",
		Short: "Make a key's successor (secret shown once); the old key works for the overlap only",
		Long: "Make a successor with the key's role and account, and let the old key work for\n" +
			"the overlap only (24h by default). Switch every caller to the new secret,\n" +
			"then revoke the old key or let it expire.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := e.client().RotateAPIKey(cmd.Context(), args[0], in, e.call()...)
			return show(e, cmd, k, err, printAPIKey)
		},
	}
	cmd.Flags().StringVar(&in.Overlap, "overlap", "", "how long the old key keeps working, such as 24h or 0s (default 24h)")
	cmd.Flags().StringVar(&in.Name, "name", "", "the successor's name (default: the old key's)")
	return cmd
}

func printAPIKey(w io.Writer, k *api.APIKey) {
	line(w, "ID", k.ID)
	line(w, "Role", k.Role)
	if k.AccountID != "" {
		line(w, "Account", k.AccountID)
	}
	line(w, "Name", k.Name)
	line(w, "Status", k.Status)
	line(w, "Expires", fmtOptTime(k.ExpiresAt, "never"))
	line(w, "Revoked", fmtOptTime(k.RevokedAt, "no"))
	line(w, "Last used", fmtOptTime(k.LastUsedAt, "never"))
	if k.ReplacedBy != "" {
		line(w, "Replaced by", k.ReplacedBy)
	}
	if k.Secret != "" {
		line(w, "Secret", k.Secret+"  (shown only now: keep it)")
	}
}
