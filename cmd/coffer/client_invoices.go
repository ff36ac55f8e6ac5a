package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
)

// invoicesCmd is the client command for monthly invoices: list and read
// them, preview the open period, pay or void one, and download its PDF,
// printable page or lines.
func invoicesCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "invoices", Short: "List, show, pay and void invoices; download them as PDF, HTML or CSV"}
	cmd.AddCommand(invoicesListCmd(e), invoicesShowCmd(e), invoicesUpcomingCmd(e), invoicesPayCmd(e), invoicesVoidCmd(e),
		invoiceDocumentCmd(e, "pdf", "Write an invoice's PDF", client.InvoicePDF),
		invoiceDocumentCmd(e, "html", "Write an invoice's printable page", client.InvoiceHTML),
		invoicesLinesCmd(e))
	return cmd
}

func invoicesListCmd(e *clientEnv) *cobra.Command {
	var p client.InvoiceListParams
	cmd := &cobra.Command{
		Use:   "list [--account ACCOUNT] [--status STATUS] [--period YYYY-MM]",
		Short: "List invoices, oldest first (an account key lists its own)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := e.client().ListInvoices(cmd.Context(), p)
			return showList(e, cmd, l, err,
				[]string{"ID", "NUMBER", "ACCOUNT", "PERIOD", "MODE", "STATUS", "CURRENCY", "SUBTOTAL", "CREDITS", "DUE", "PAID"},
				func(inv api.Invoice) []string {
					return []string{inv.ID, inv.Number, inv.AccountID, fmtPeriod(inv.PeriodStart, inv.PeriodEnd), inv.BillingMode, inv.Status,
						inv.Currency, inv.Subtotal.String(), inv.CreditsApplied.String(), inv.AmountDue.String(), inv.AmountPaid.String()}
				})
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.AccountID, "account", "", "only this account's invoices")
	f.StringVar(&p.Status, "status", "", "only finalized, paid, payment_failed or void invoices")
	f.StringVar(&p.Period, "period", "", "only the invoices of this month, as YYYY-MM")
	addPageFlags(f, &p.ListParams)
	return cmd
}

func invoicesShowCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:     "show INVOICE",
		Aliases: []string{"get"},
		Short:   "Show an invoice: its status, lines, usage by subaccount and totals",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inv, err := e.client().GetInvoice(cmd.Context(), args[0])
			return show(e, cmd, inv, err, printInvoice)
		},
	}
}

func invoicesUpcomingCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "upcoming ACCOUNT",
		Short: "Show the draft of an account's open period: its invoice if the period closed now",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inv, err := e.client().UpcomingInvoice(cmd.Context(), args[0])
			return show(e, cmd, inv, err, printInvoice)
		},
	}
}

func invoicesPayCmd(e *clientEnv) *cobra.Command {
	var in api.InvoicePay
	cmd := &cobra.Command{
		Use:   "pay INVOICE [--payment-method PM]",
		Short: "Charge an unpaid invoice now",
		Long: "Charge the amount due of a finalized or payment_failed invoice, to the payment\n" +
			"method named or the account's default. A decline is an error and counts as an\n" +
			"attempt; the invoice stays due.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inv, err := e.client().PayInvoice(cmd.Context(), args[0], in, e.call()...)
			return show(e, cmd, inv, err, printInvoice)
		},
	}
	cmd.Flags().StringVar(&in.PaymentMethodID, "payment-method", "", "payment method id (default: the account's default)")
	return cmd
}

func invoicesVoidCmd(e *clientEnv) *cobra.Command {
	var in api.InvoiceVoid
	cmd := &cobra.Command{
		Use:   "void INVOICE --reason TEXT",
		Short: "Cancel an unpaid invoice (admin key)",
		Long: "Cancel a finalized or payment_failed invoice: the credits it applied come back\n" +
			"as grants on the same terms, and what it billed is written off.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inv, err := e.client().VoidInvoice(cmd.Context(), args[0], in, e.call()...)
			return show(e, cmd, inv, err, printInvoice)
		},
	}
	cmd.Flags().StringVar(&in.Reason, "reason", "", "why the invoice is voided (kept in the audit trail)")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

// invoiceDocumentCmd is "pdf" or "html": the document written to a file.
func invoiceDocumentCmd(e *clientEnv, ext, short, doc string) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   ext + " INVOICE [-o FILE]",
		Short: short,
		Long: short + " to FILE, by default <number>." + ext + " in the current\n" +
			"directory; -o - writes it to stdout.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeInvoiceDocument(e, cmd, args[0], doc, ext, out)
		},
	}
	addOutputFlag(cmd, &out, ext)
	return cmd
}

func invoicesLinesCmd(e *clientEnv) *cobra.Command {
	var (
		asCSV bool
		out   string
	)
	cmd := &cobra.Command{
		Use:   "lines INVOICE [--csv [-o FILE]]",
		Short: "List an invoice's lines, or write them as CSV",
		Long: "List an invoice's lines. With --csv, write them as CSV (exact decimal amounts,\n" +
			"a header row) to FILE, by default <number>.csv in the current directory;\n" +
			"-o - writes it to stdout.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case asCSV && e.json:
				return errors.New("give --csv or --json, not both")
			case asCSV:
				return writeInvoiceDocument(e, cmd, args[0], client.InvoiceCSV, "csv", out)
			case cmd.Flags().Changed("output"):
				return errors.New("-o writes the CSV: add --csv")
			}
			inv, err := e.client().GetInvoice(cmd.Context(), args[0])
			if err != nil {
				return e.cliError(err)
			}
			return show(e, cmd, &api.List[api.InvoiceLine]{Data: inv.Lines}, nil, func(w io.Writer, l *api.List[api.InvoiceLine]) {
				printInvoiceLines(w, l.Data)
			})
		},
	}
	cmd.Flags().BoolVar(&asCSV, "csv", false, "write the lines as CSV instead of listing them")
	addOutputFlag(cmd, &out, "csv")
	return cmd
}

func addOutputFlag(cmd *cobra.Command, out *string, ext string) {
	cmd.Flags().StringVarP(out, "output", "o", "", "file to write (default: <number>."+ext+" in the current directory; - for stdout)")
}

// writeInvoiceDocument fetches one of an invoice's documents and writes it
// to out: a file, stdout for "-", or when out is empty <number>.<ext> in
// the working directory. The document is fetched whole first, so a failed
// request leaves no partial file.
func writeInvoiceDocument(e *clientEnv, cmd *cobra.Command, id, doc, ext, out string) error {
	c := e.client()
	if out == "" {
		inv, err := c.GetInvoice(cmd.Context(), id)
		if err != nil {
			return e.cliError(err)
		}
		if out, err = documentName(inv, ext); err != nil {
			return err
		}
	}
	data, err := c.InvoiceDocument(cmd.Context(), id, doc)
	if err != nil {
		return e.cliError(err)
	}
	if out == "-" {
		_, err := cmd.OutOrStdout().Write(data)
		return err
	}
	// An invoice names a customer and what they spent: readable by its
	// owner only, as the server serves it private and uncached.
	if err := os.WriteFile(out, data, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d bytes)\n", out, len(data))
	return nil
}

// safeName is what a default file name may be made of: the server's
// numbers (INV-000123) and ids, never a path.
var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// documentName is an invoice's default file name: its number, as the
// server names its downloads, or its id when it has none.
func documentName(inv *api.Invoice, ext string) (string, error) {
	name := inv.Number
	if name == "" {
		name = inv.ID
	}
	if !safeName.MatchString(name) {
		return "", fmt.Errorf("the invoice's number %q cannot be a file name here: give -o FILE", name)
	}
	return name + "." + ext, nil
}

// fmtPeriod shows a period as its first and last days, in UTC: the end is
// exclusive, so the last day is the one before it.
func fmtPeriod(start, end time.Time) string {
	if start.IsZero() || end.IsZero() {
		return ""
	}
	return start.UTC().Format(time.DateOnly) + " – " + end.Add(-time.Nanosecond).UTC().Format(time.DateOnly)
}

// printInvoice shows an invoice: its facts, its lines, the usage by
// subaccount when any subaccount had usage, and its totals. Blank lines
// part the tables so that each aligns on its own.
func printInvoice(w io.Writer, inv *api.Invoice) {
	line(w, "ID", inv.ID)
	line(w, "Number", inv.Number)
	line(w, "Account", inv.AccountID)
	line(w, "Status", inv.Status)
	line(w, "Billing mode", inv.BillingMode)
	line(w, "Period", fmtPeriod(inv.PeriodStart, inv.PeriodEnd))
	line(w, "Currency", inv.Currency)
	if inv.FinalizedAt != nil {
		line(w, "Finalized", fmtTime(*inv.FinalizedAt))
	}
	if inv.Attempts > 0 || inv.NextAttemptAt != nil {
		line(w, "Attempts", strconv.Itoa(inv.Attempts))
		line(w, "Next attempt", fmtOptTime(inv.NextAttemptAt, "none"))
	}
	if inv.FailureCode != "" {
		line(w, "Failure", inv.FailureCode+": "+inv.FailureMessage)
	}
	if inv.PaidAt != nil {
		line(w, "Paid", fmtTime(*inv.PaidAt))
		line(w, "Payment", inv.PaymentID)
	}
	if inv.VoidedAt != nil {
		line(w, "Voided", fmtTime(*inv.VoidedAt))
		line(w, "Void reason", inv.VoidReason)
	}
	if inv.HostedURL != "" {
		line(w, "Link", inv.HostedURL)
	}

	fmt.Fprintln(w)
	printInvoiceLines(w, inv.Lines)

	named := false
	for _, s := range inv.Subaccounts {
		named = named || s.SubaccountID != ""
	}
	if named {
		fmt.Fprintln(w)
		line(w, "SUBACCOUNT", "USAGE")
		for _, s := range inv.Subaccounts {
			id := s.SubaccountID
			if id == "" {
				id = "(the account itself)"
			}
			line(w, id, s.Amount.String())
		}
	}

	fmt.Fprintln(w)
	line(w, "Subtotal", inv.Subtotal.String()+" "+inv.Currency)
	line(w, "Credits applied", inv.CreditsApplied.String()+" "+inv.Currency)
	line(w, "Amount due", inv.AmountDue.String()+" "+inv.Currency)
	line(w, "Amount paid", inv.AmountPaid.String()+" "+inv.Currency)
}

// printInvoiceLines is the table of an invoice's lines. A zero quantity
// says nothing (a credit, a purchase) and shows blank, as on the invoice.
func printInvoiceLines(w io.Writer, lines []api.InvoiceLine) {
	line(w, "KIND", "DESCRIPTION", "UNIT", "QUANTITY", "AMOUNT", "SUBACCOUNT", "GRANT")
	for _, l := range lines {
		q := ""
		if l.Quantity != 0 {
			q = l.Quantity.String()
		}
		line(w, l.Kind, l.Description, l.Unit, q, l.Amount.String(), l.SubaccountID, l.GrantID)
	}
}
