package main

import (
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
)

func grantsCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "grants", Short: "Grant, list and void credits"}
	cmd.AddCommand(grantsCreateCmd(e), grantsListCmd(e), grantsGetCmd(e), grantsVoidCmd(e))
	return cmd
}

func grantsCreateCmd(e *clientEnv) *cobra.Command {
	var (
		in                     api.GrantCreate
		amount                 amountFlag
		priority               int
		effectiveAt, expiresAt timeFlag
	)
	cmd := &cobra.Command{
		Use:   "create ACCOUNT --amount AMOUNT [flags]",
		Short: "Grant credits to an account",
		Long: "Grant credits to an account: money in the account's currency, or with --unit\n" +
			"a number of units (--kind units is then implied).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.Amount = amount.v
			in.Priority = changed(cmd, "priority", priority)
			in.EffectiveAt, in.ExpiresAt = effectiveAt.ptr(), expiresAt.ptr()
			if in.Unit != "" && in.Kind == "" {
				in.Kind = "units"
			}
			g, err := e.client().CreateGrant(cmd.Context(), args[0], in, e.call()...)
			return show(e, cmd, g, err, printGrant)
		},
	}
	f := cmd.Flags()
	f.Var(&amount, "amount", "amount of money or of units")
	f.StringVar(&in.Kind, "kind", "", "monetary (default) or units")
	f.StringVar(&in.Unit, "unit", "", "unit name for a units grant (api_call, sms, ...)")
	f.StringVar(&in.Currency, "currency", "", "currency; if given, must be the account's")
	f.StringVar(&in.Category, "category", "", "promotional (default) or paid")
	f.IntVar(&priority, "priority", 50, "consumption priority; lower is used first")
	f.Var(&effectiveAt, "effective-at", "when the credit becomes usable (default: now)")
	f.Var(&expiresAt, "expires-at", "when the credit expires (default: never)")
	f.StringVar(&in.Application, "application", "", "realtime (default) or true_up")
	f.StringVar(&in.Reason, "reason", "", "why the credit is granted (kept in the audit trail)")
	addMetadataFlag(f, &in.Metadata)
	cmd.MarkFlagRequired("amount")
	return cmd
}

func grantsListCmd(e *clientEnv) *cobra.Command {
	var p client.GrantListParams
	cmd := &cobra.Command{
		Use:   "list ACCOUNT",
		Short: "List an account's grants",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := e.client().ListGrants(cmd.Context(), args[0], p)
			return showList(e, cmd, l, err,
				[]string{"ID", "KIND", "UNIT", "AMOUNT", "REMAINING", "CATEGORY", "PRIORITY", "EXPIRES", "STATUS", "REASON"},
				func(g api.Grant) []string {
					return []string{g.ID, g.Kind, g.Unit, g.Amount.String(), g.Remaining.String(), g.Category,
						strconv.Itoa(g.Priority), fmtOptTime(g.ExpiresAt, "never"), g.Status, g.Reason}
				})
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Kind, "kind", "", "only monetary or units grants")
	f.StringVar(&p.Category, "category", "", "only paid or promotional grants")
	f.StringVar(&p.Status, "status", "", "only active, depleted, expired or voided grants")
	f.StringVar(&p.Unit, "unit", "", "only grants of this unit")
	addPageFlags(f, &p.ListParams)
	return cmd
}

func grantsGetCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "get GRANT",
		Short: "Show a grant",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := e.client().GetGrant(cmd.Context(), args[0])
			return show(e, cmd, g, err, printGrant)
		},
	}
}

func grantsVoidCmd(e *clientEnv) *cobra.Command {
	var in api.GrantVoid
	cmd := &cobra.Command{
		Use:   "void GRANT --reason REASON",
		Short: "Withdraw what remains of a grant",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := e.client().VoidGrant(cmd.Context(), args[0], in, e.call()...)
			return show(e, cmd, g, err, printGrant)
		},
	}
	cmd.Flags().StringVar(&in.Reason, "reason", "", "why the grant is voided (kept in the audit trail)")
	return cmd
}

func printGrant(w io.Writer, g *api.Grant) {
	line(w, "ID", g.ID)
	line(w, "Account", g.AccountID)
	line(w, "Kind", g.Kind)
	if g.Unit != "" {
		line(w, "Unit", g.Unit)
	}
	line(w, "Amount", g.Amount.String())
	line(w, "Remaining", g.Remaining.String())
	line(w, "Category", g.Category)
	line(w, "Priority", strconv.Itoa(g.Priority))
	line(w, "Effective", fmtTime(g.EffectiveAt))
	line(w, "Expires", fmtOptTime(g.ExpiresAt, "never"))
	line(w, "Application", g.Application)
	line(w, "Status", g.Status)
	line(w, "Origin", g.Origin)
	line(w, "Reason", g.Reason)
	line(w, "Actor", g.Actor)
	line(w, "Created", fmtTime(g.CreatedAt))
}
