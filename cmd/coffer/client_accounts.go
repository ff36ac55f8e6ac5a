package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
)

func accountsCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "accounts", Short: "Create, read, change and close accounts"}
	cmd.AddCommand(accountsCreateCmd(e), accountsGetCmd(e), accountsListCmd(e), accountsUpdateCmd(e), accountsCloseCmd(e))
	return cmd
}

// accountFields are the flags create and update share.
type accountFields struct {
	name, email, billingMode string
	notificationEmails       []string
	minBalance               amountFlag
	trustTier                int
	metadata                 map[string]string
}

func (a *accountFields) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&a.name, "name", "", "account name")
	f.StringVar(&a.email, "email", "", "billing email")
	f.StringSliceVar(&a.notificationEmails, "notification-emails", nil, "extra addresses for notifications (comma-separated or repeated)")
	f.StringVar(&a.billingMode, "billing-mode", "", "prepaid or postpaid")
	f.Var(&a.minBalance, "min-balance", "floor of the balance; negative lets the account run a debt")
	f.IntVar(&a.trustTier, "trust-tier", 0, "trust tier (caps a single purchase)")
	addMetadataFlag(f, &a.metadata)
}

func accountsCreateCmd(e *clientEnv) *cobra.Command {
	var a accountFields
	var currency string
	cmd := &cobra.Command{
		Use:   "create --name NAME [--currency USD] [flags]",
		Short: "Create an account",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			in := api.AccountCreate{
				Name: a.name, Email: a.email, NotificationEmails: a.notificationEmails,
				Currency: strings.ToUpper(currency), BillingMode: a.billingMode,
				MinBalance: a.minBalance.ptr(), TrustTier: changed(cmd, "trust-tier", a.trustTier),
				Metadata: a.metadata,
			}
			acct, err := e.client().CreateAccount(cmd.Context(), in, e.call()...)
			return show(e, cmd, acct, err, printAccount)
		},
	}
	a.addFlags(cmd)
	cmd.Flags().StringVar(&currency, "currency", "", "ISO 4217 currency (default: the server's)")
	cmd.MarkFlagRequired("name")
	return cmd
}

func accountsGetCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "get ACCOUNT",
		Short: "Show an account",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			acct, err := e.client().GetAccount(cmd.Context(), args[0])
			return show(e, cmd, acct, err, printAccount)
		},
	}
}

func accountsListCmd(e *clientEnv) *cobra.Command {
	var p client.ListParams
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List accounts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := e.client().ListAccounts(cmd.Context(), p)
			return showList(e, cmd, l, err,
				[]string{"ID", "NAME", "EMAIL", "CURRENCY", "STATUS", "BILLING", "MIN BALANCE", "CREATED"},
				func(a api.Account) []string {
					return []string{a.ID, a.Name, a.Email, a.Currency, a.Status, a.BillingMode, a.MinBalance.String(), fmtTime(a.CreatedAt)}
				})
		},
	}
	addPageFlags(cmd.Flags(), &p)
	return cmd
}

func accountsUpdateCmd(e *clientEnv) *cobra.Command {
	var a accountFields
	var status string
	cmd := &cobra.Command{
		Use:   "update ACCOUNT [flags]",
		Short: "Change an account; only the flags given change",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := api.AccountUpdate{
				Name:               changed(cmd, "name", a.name),
				Email:              changed(cmd, "email", a.email),
				NotificationEmails: changed(cmd, "notification-emails", a.notificationEmails),
				BillingMode:        changed(cmd, "billing-mode", a.billingMode),
				MinBalance:         a.minBalance.ptr(),
				TrustTier:          changed(cmd, "trust-tier", a.trustTier),
				Status:             changed(cmd, "status", status),
				Metadata:           a.metadata,
			}
			acct, err := e.client().UpdateAccount(cmd.Context(), args[0], in, e.call()...)
			return show(e, cmd, acct, err, printAccount)
		},
	}
	a.addFlags(cmd)
	cmd.Flags().StringVar(&status, "status", "", "active or suspended (admin only)")
	return cmd
}

func accountsCloseCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "close ACCOUNT",
		Short: "Close an account for good",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			acct, err := e.client().CloseAccount(cmd.Context(), args[0], e.call()...)
			return show(e, cmd, acct, err, printAccount)
		},
	}
}

func printAccount(w io.Writer, a *api.Account) {
	line(w, "ID", a.ID)
	line(w, "Name", a.Name)
	line(w, "Email", a.Email)
	line(w, "Notification emails", strings.Join(a.NotificationEmails, ", "))
	line(w, "Currency", a.Currency)
	line(w, "Status", a.Status)
	line(w, "Billing mode", a.BillingMode)
	line(w, "Min balance", a.MinBalance.String())
	line(w, "Trust tier", strconv.Itoa(a.TrustTier))
	line(w, "Metadata", fmtMap(a.Metadata))
	line(w, "Created", fmtTime(a.CreatedAt))
	line(w, "Updated", fmtTime(a.UpdatedAt))
}

func subaccountsCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "subaccounts", Short: "Manage an account's subaccounts"}
	cmd.AddCommand(subaccountsCreateCmd(e), subaccountsListCmd(e), subaccountsGetCmd(e),
		subaccountsEnableCmd(e, true), subaccountsEnableCmd(e, false), subaccountsDeleteCmd(e))
	return cmd
}

func subaccountsCreateCmd(e *clientEnv) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "create ACCOUNT --name NAME",
		Short: "Create a subaccount; its auth token is shown only this once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := e.client().CreateSubaccount(cmd.Context(), args[0], api.SubaccountCreate{Name: name}, e.call()...)
			if err == nil && !e.json {
				fmt.Fprintln(cmd.ErrOrStderr(), "The auth token is shown only once: keep it now.")
			}
			return show(e, cmd, s, err, printSubaccount)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "subaccount name")
	cmd.MarkFlagRequired("name")
	return cmd
}

func subaccountsListCmd(e *clientEnv) *cobra.Command {
	var p client.ListParams
	cmd := &cobra.Command{
		Use:   "list ACCOUNT",
		Short: "List an account's subaccounts",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := e.client().ListSubaccounts(cmd.Context(), args[0], p)
			return showList(e, cmd, l, err, []string{"ID", "NAME", "ENABLED", "AUTH ID", "CREATED"},
				func(s api.Subaccount) []string {
					return []string{s.ID, s.Name, fmtBool(s.Enabled), s.AuthID, fmtTime(s.CreatedAt)}
				})
		},
	}
	addPageFlags(cmd.Flags(), &p)
	return cmd
}

func subaccountsGetCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "get SUBACCOUNT",
		Short: "Show a subaccount",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := e.client().GetSubaccount(cmd.Context(), args[0])
			return show(e, cmd, s, err, printSubaccount)
		},
	}
}

// subaccountsEnableCmd is "enable" or, with enabled false, "disable".
func subaccountsEnableCmd(e *clientEnv, enabled bool) *cobra.Command {
	use, short := "enable", "Let a subaccount's usage through again"
	if !enabled {
		use, short = "disable", "Refuse a subaccount's usage until it is enabled"
	}
	return &cobra.Command{
		Use:   use + " SUBACCOUNT",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := e.client().UpdateSubaccount(cmd.Context(), args[0], api.SubaccountUpdate{Enabled: &enabled}, e.call()...)
			return show(e, cmd, s, err, printSubaccount)
		},
	}
}

func subaccountsDeleteCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "delete SUBACCOUNT",
		Short: "Delete a subaccount; its past usage stays in the history",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := e.client().DeleteSubaccount(cmd.Context(), args[0], e.call()...)
			if err == nil && s == nil { // the server answered without a body
				s = &api.Subaccount{ID: args[0]}
			}
			// The answer's fields cannot say "deleted", so the table does.
			return show(e, cmd, s, err, func(w io.Writer, s *api.Subaccount) { line(w, "Deleted", s.ID) })
		},
	}
}

func printSubaccount(w io.Writer, s *api.Subaccount) {
	line(w, "ID", s.ID)
	line(w, "Account", s.AccountID)
	line(w, "Name", s.Name)
	line(w, "Enabled", fmtBool(s.Enabled))
	line(w, "Auth ID", s.AuthID)
	if s.AuthToken != "" {
		line(w, "Auth token", s.AuthToken)
	}
	line(w, "Created", fmtTime(s.CreatedAt))
	line(w, "Updated", fmtTime(s.UpdatedAt))
}
