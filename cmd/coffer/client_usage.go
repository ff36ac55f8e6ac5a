package main

import (
	"cmp"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
)

// newEventID makes a usage event id for a debit given none. It is printed,
// so that a debit whose answer was lost can be repeated without charging
// twice.
func newEventID() string { return "cli_" + strings.ToLower(rand.Text()) }

func debitCmd(e *clientEnv) *cobra.Command {
	var (
		in                       api.DebitCreate
		amount, quantity, uPrice amountFlag
	)
	cmd := &cobra.Command{
		Use:   "debit ACCOUNT (--amount AMOUNT | --unit UNIT --quantity N [--unit-price P]) [flags]",
		Short: "Debit usage from an account",
		Long: "Debit usage from an account: a sum of money with --amount, or a quantity of a\n" +
			"unit, taken from unit credits first and priced at --unit-price beyond them.\n" +
			"A strict debit that would cross the account's floor is refused whole;\n" +
			"--allow-negative records usage already served and is never refused.\n" +
			"Without --event-id a fresh one is made and printed; repeating a debit with\n" +
			"the same event id changes nothing.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if amount.set == (in.Unit != "") {
				return errors.New("give either --amount, or --unit with --quantity")
			}
			in.AccountID = args[0]
			in.Amount, in.Quantity, in.UnitPrice = amount.ptr(), quantity.ptr(), uPrice.ptr()
			if in.EventID == "" {
				in.EventID = newEventID()
				fmt.Fprintf(cmd.ErrOrStderr(), "event id: %s\n", in.EventID)
			}
			d, err := e.client().Debit(cmd.Context(), in, e.call()...)
			return show(e, cmd, d, err, printDebit)
		},
	}
	f := cmd.Flags()
	f.Var(&amount, "amount", "sum of money to debit")
	f.StringVar(&in.Unit, "unit", "", "unit of usage (api_call, sms, ...)")
	f.Var(&quantity, "quantity", "quantity of --unit")
	f.Var(&uPrice, "unit-price", "price of one unit beyond the unit credits")
	f.StringVar(&in.EventID, "event-id", "", "the usage event's own id (default: a fresh one, printed)")
	f.BoolVar(&in.AllowNegative, "allow-negative", false, "usage already served: never refuse, run a debt if needed")
	f.StringVar(&in.SubaccountID, "subaccount", "", "subaccount the usage belongs to")
	f.StringVar(&in.Description, "description", "", "description kept with the transaction")
	addMetadataFlag(f, &in.Metadata)
	return cmd
}

func printDebit(w io.Writer, d *api.Debit) {
	t := d.Transaction
	line(w, "Transaction", t.ID)
	line(w, "Event", t.EventID)
	line(w, "Amount", t.Amount.String())
	if t.Unit != "" {
		line(w, "Usage", fmtOptAmount(t.Quantity)+" "+t.Unit+" at "+fmtOptAmount(t.UnitPrice))
	}
	if t.SubaccountID != "" {
		line(w, "Subaccount", t.SubaccountID)
	}
	line(w, "Balance", d.Balance.String()+" "+t.Currency)
	line(w, "Available", d.Available.String()+" "+t.Currency)
	if d.Replayed {
		line(w, "Replayed", "yes: this event was already debited; nothing changed")
	}
}

func holdsCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "holds", Short: "Reserve, capture and release amounts"}
	cmd.AddCommand(holdsCreateCmd(e), holdsGetCmd(e), holdsCaptureCmd(e), holdsReleaseCmd(e))
	return cmd
}

func holdsCreateCmd(e *clientEnv) *cobra.Command {
	var (
		in     api.HoldCreate
		amount amountFlag
	)
	cmd := &cobra.Command{
		Use:   "create ACCOUNT --amount AMOUNT [--ttl 15m] [flags]",
		Short: "Reserve an amount before work whose cost is not known yet",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.AccountID, in.Amount = args[0], amount.v
			h, err := e.client().CreateHold(cmd.Context(), in, e.call()...)
			return show(e, cmd, h, err, printHold)
		},
	}
	f := cmd.Flags()
	f.Var(&amount, "amount", "amount to reserve")
	f.StringVar(&in.TTL, "ttl", "15m", "how long the hold lasts uncaptured (a Go duration)")
	f.StringVar(&in.EventID, "event-id", "", "the usage event's own id")
	f.StringVar(&in.SubaccountID, "subaccount", "", "subaccount the usage belongs to")
	f.StringVar(&in.Description, "description", "", "description kept with the hold")
	cmd.MarkFlagRequired("amount")
	return cmd
}

func holdsGetCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "get HOLD",
		Short: "Show a hold",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := e.client().GetHold(cmd.Context(), args[0])
			return show(e, cmd, h, err, printHold)
		},
	}
}

func holdsCaptureCmd(e *clientEnv) *cobra.Command {
	var amount amountFlag
	cmd := &cobra.Command{
		Use:   "capture HOLD --amount AMOUNT",
		Short: "Settle a hold for its final amount (more or less than held)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := e.client().CaptureHold(cmd.Context(), args[0], api.HoldCapture{Amount: amount.v}, e.call()...)
			return show(e, cmd, h, err, printHold)
		},
	}
	cmd.Flags().Var(&amount, "amount", "final amount to charge")
	cmd.MarkFlagRequired("amount")
	return cmd
}

func holdsReleaseCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "release HOLD",
		Short: "Free a hold without charging anything",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := e.client().ReleaseHold(cmd.Context(), args[0], e.call()...)
			return show(e, cmd, h, err, printHold)
		},
	}
}

func printHold(w io.Writer, h *api.Hold) {
	line(w, "ID", h.ID)
	line(w, "Account", h.AccountID)
	if h.SubaccountID != "" {
		line(w, "Subaccount", h.SubaccountID)
	}
	line(w, "Event", h.EventID)
	line(w, "Description", h.Description)
	line(w, "Amount", h.Amount.String())
	line(w, "Captured", fmtOptAmount(h.Captured))
	line(w, "Status", h.Status)
	line(w, "Transaction", h.TransactionID)
	line(w, "Expires", fmtTime(h.ExpiresAt))
	line(w, "Created", fmtTime(h.CreatedAt))
	line(w, "Finished", fmtOptTime(h.FinishedAt, ""))
}

func balanceCmd(e *clientEnv) *cobra.Command {
	var at timeFlag
	cmd := &cobra.Command{
		Use:   "balance ACCOUNT [--at TIME]",
		Short: "Show an account's balance, now or at a past instant",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := e.client().GetBalance(cmd.Context(), args[0], client.BalanceParams{At: at.t})
			return show(e, cmd, b, err, printBalance)
		},
	}
	cmd.Flags().Var(&at, "at", "the balance as it stood at this instant")
	return cmd
}

func printBalance(w io.Writer, b *api.Balance) {
	line(w, "Account", b.AccountID)
	line(w, "Status", b.Status)
	line(w, "Currency", b.Currency)
	line(w, "Balance", b.Balance.String())
	line(w, "Available", b.Available.String())
	line(w, "Held", b.Held.String())
	line(w, "Debt", b.Debt.String())
	line(w, "Min balance", b.MinBalance.String())
	line(w, "Credits", fmtMap(b.Credits))
	line(w, "Units", fmtMap(b.Units))
	line(w, "Expiring soon", b.ExpiringSoon.String())
	line(w, "Gifted remaining", b.GiftedRemaining.String())
	line(w, "Balance with credits", b.BalanceWithCredits.String())
	if g := b.Gift; g != nil {
		line(w, "Program", g.ProgramID)
		line(w, "Original gift", g.Original.String())
		line(w, "Credited period", g.CreditedPeriod)
		line(w, "Credit last applied", cmp.Or(g.CreditLastApplied, "not yet"))
	}
	line(w, "Pending", b.Pending.String())
	line(w, "At", fmtTime(b.At))
}

func historyCmd(e *clientEnv) *cobra.Command {
	var (
		p        client.TransactionListParams
		from, to timeFlag
	)
	cmd := &cobra.Command{
		Use:   "history ACCOUNT [flags]",
		Short: "List an account's transactions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.From, p.To = from.t, to.t
			l, err := e.client().ListTransactions(cmd.Context(), args[0], p)
			return showList(e, cmd, l, err,
				[]string{"ID", "TIME", "TYPE", "AMOUNT", "BALANCE AFTER", "EVENT", "SUBACCOUNT", "DETAIL"},
				func(t api.Transaction) []string {
					return []string{t.ID, fmtTime(t.CreatedAt), t.Type, t.Amount.String(), t.BalanceAfter.String(),
						t.EventID, t.SubaccountID, txnDetail(t)}
				})
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&p.Types, "type", nil, "only these types: grant, debit, capture, void, expire, invoice_credit, invoice_void, true_up (comma-separated or repeated)")
	f.Var(&from, "from", "only transactions at or after this instant")
	f.Var(&to, "to", "only transactions before this instant")
	f.StringVar(&p.SubaccountID, "subaccount", "", "only this subaccount's usage")
	addPageFlags(f, &p.ListParams)
	return cmd
}

// txnDetail sums up what a transaction was about in one cell.
func txnDetail(t api.Transaction) string {
	var parts []string
	if t.Unit != "" {
		parts = append(parts, fmtOptAmount(t.Quantity)+" "+t.Unit)
	}
	if t.GrantID != "" {
		parts = append(parts, t.GrantID)
	}
	if t.HoldID != "" {
		parts = append(parts, t.HoldID)
	}
	for _, s := range []string{t.Description, t.Reason} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}
