package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/store"
)

// newUsersCmd manages the web console's users on the store directly, as
// `coffer keys` does API keys: it is how an operator who lost every
// console password gets back in.
func newUsersCmd() *cobra.Command {
	users := &cobra.Command{Use: "users", Short: "Manage the web console's users (works on the store directly)"}
	users.AddCommand(newUsersCreateCmd(), newUsersListCmd(), newUsersDisableCmd(), newUsersResetCmd())
	return users
}

// withService opens the store and a service over it for one admin command.
func withService(ctx context.Context, dsn string, fn func(*service.Service) error) error {
	st, err := app.OpenStore(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := service.New(st, coffer.SystemClock{}, slog.New(slog.DiscardHandler), service.DefaultConfig())
	defer svc.Close()
	return fn(svc)
}

func newUsersCreateCmd() *cobra.Command {
	var dsn, email, role, account, name string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a console user and print a temporary password once",
		Long: `Create a console user: staff act on every account with an admin key's rights;
an owner (--account) sees and manages its own account only. The temporary
password is printed once on stdout; the user must change it at first sign-in.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd.Context(), dsn, func(svc *service.Service) error {
				temp, u, err := svc.CreateUser(cmd.Context(), coffer.AuditActorCLI,
					service.UserCreate{Email: email, Name: name, Role: coffer.UserRole(role), AccountID: account})
				if err != nil {
					return err
				}
				printTemporary(cmd, "created "+string(u.Role)+" user "+u.ID+" ("+u.Email+")", temp)
				return nil
			})
		},
	}
	addStoreFlag(cmd, &dsn)
	cmd.Flags().StringVar(&email, "email", "", "the user's e-mail, which is its sign-in (required)")
	cmd.Flags().StringVar(&role, "role", "", "staff or owner (required)")
	cmd.Flags().StringVar(&account, "account", "", "the account an owner owns (acct_…)")
	cmd.Flags().StringVar(&name, "name", "", "the user's name, as the console greets it")
	cmd.MarkFlagRequired("email")
	cmd.MarkFlagRequired("role")
	return cmd
}

// printTemporary says what was done on stderr and prints the temporary
// password alone on stdout, so a script can capture it.
func printTemporary(cmd *cobra.Command, what, temp string) {
	fmt.Fprintf(cmd.ErrOrStderr(), "%s; the temporary password below is shown only once and must be changed at first sign-in\n", what)
	fmt.Fprintln(cmd.OutOrStdout(), temp)
}

func newUsersListCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the console's users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd.Context(), dsn, func(svc *service.Service) error {
				tw := newTable(cmd.OutOrStdout())
				fmt.Fprintln(tw, "ID\tEMAIL\tROLE\tACCOUNT\tSTATUS\tLAST SIGN-IN")
				p := store.Page{Limit: 100}
				for {
					users, more, err := svc.ListUsers(cmd.Context(), p)
					if err != nil {
						return err
					}
					for _, u := range users {
						last := "never"
						if !u.LastSignInAt.IsZero() {
							last = u.LastSignInAt.Format("2006-01-02 15:04")
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Role, orDash(u.AccountID), userStatus(u), last)
					}
					if !more {
						break
					}
					p.StartingAfter = users[len(users)-1].ID
				}
				return tw.Flush()
			})
		},
	}
	addStoreFlag(cmd, &dsn)
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func userStatus(u service.ConsoleUser) string {
	switch {
	case u.Disabled:
		return "disabled"
	case u.Locked:
		return "locked"
	case u.MustChangePassword:
		return "temporary password"
	}
	return "active"
}

func newUsersDisableCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "disable <email or id>",
		Short: "Stop a console user from signing in and end its sessions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withService(cmd.Context(), dsn, func(svc *service.Service) error {
				u, err := svc.DisableUser(cmd.Context(), coffer.AuditActorCLI, args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "disabled %s (%s); its sessions have ended\n", u.ID, u.Email)
				return nil
			})
		},
	}
	addStoreFlag(cmd, &dsn)
	return cmd
}

func newUsersResetCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "reset-password <email or id>",
		Short: "Give a console user a new temporary password, printed once",
		Long: `Give a console user new one-time temporary credentials: its sessions end, a
lock-out after failed sign-ins is lifted, and it must change the password at
its next sign-in. A disabled user stays disabled.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withService(cmd.Context(), dsn, func(svc *service.Service) error {
				temp, u, err := svc.ResetPassword(cmd.Context(), coffer.AuditActorCLI, args[0])
				if err != nil {
					return err
				}
				printTemporary(cmd, "reset the password of "+u.ID+" ("+u.Email+")", temp)
				return nil
			})
		},
	}
	addStoreFlag(cmd, &dsn)
	return cmd
}
