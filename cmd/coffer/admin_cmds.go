package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/service"
)

func newMigrateCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the store's schema up to date (serve also does this on start)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := app.OpenStore(cmd.Context(), dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			fmt.Fprintf(cmd.OutOrStdout(), "store %s (%s) is up to date\n", app.Redact(dsn), st.Engine())
			return nil
		},
	}
	addStoreFlag(cmd, &dsn)
	return cmd
}

func newCheckCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Verify the ledger's invariants on a store; exits non-zero on any violation",
		Long: `Verify the ledger's invariants on a live store: every transaction's postings
sum to zero per asset; every grant's remaining equals its postings; every
cached balance equals its grants minus its debt; no grant is negative; no
balance is below its floor except by a recorded overdraft.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := app.OpenStore(cmd.Context(), dsn)
			if err != nil {
				return err
			}
			defer st.Close()
			vs, err := st.Check(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, v := range vs {
				fmt.Fprintf(out, "VIOLATION %s %s: %s\n", v.Rule, v.Subject, v.Detail)
			}
			if len(vs) > 0 {
				return fmt.Errorf("%d invariant violation(s) found", len(vs))
			}
			fmt.Fprintln(out, "ok: all ledger invariants hold")
			return nil
		},
	}
	addStoreFlag(cmd, &dsn)
	return cmd
}

func newKeysCmd() *cobra.Command {
	keys := &cobra.Command{Use: "keys", Short: "Manage API keys (works on the store directly)"}
	var dsn, role, account, name string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API key and print its secret once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd.Context(), dsn, func(svc *service.Service) error {
				secret, k, err := svc.CreateAPIKey(cmd.Context(), coffer.Role(role), account, name)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "created %s key %s; the secret below is shown only once\n", k.Role, k.ID)
				fmt.Fprintln(cmd.OutOrStdout(), secret)
				return nil
			})
		},
	}
	addStoreFlag(create, &dsn)
	create.Flags().StringVar(&role, "role", "", "admin, usage or account (required)")
	create.Flags().StringVar(&account, "account", "", "the account an account key is bound to")
	create.Flags().StringVar(&name, "name", "", "a label for the key")
	create.MarkFlagRequired("role")
	keys.AddCommand(create)
	return keys
}
