package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
)

// reportCmds are `coffer reports credits|liability|usage` and `coffer
// runway ACCOUNT`.
func reportCmds(e *clientEnv) []*cobra.Command {
	cmd := &cobra.Command{Use: "reports", Short: "Credit usage, liability and usage reports, as a table, CSV or JSON"}
	cmd.AddCommand(
		reportCmd(e, "credits", "Credit granted, consumed, expired, voided and remaining, per currency, unit and category",
			client.ReportCredits, "from", "to", "account", "group", "kind", "unit", "category"),
		reportCmd(e, "liability", "Credit still owed at an instant by category and expiry bucket",
			client.ReportLiability, "at", "account", "kind", "category"),
		reportCmd(e, "usage", "Usage per day, account, subaccount and unit, with daily averages",
			client.ReportUsage, "from", "to", "account"))
	return []*cobra.Command{cmd, runwayCmd(e)}
}

var reportFlagHelp = map[string]string{
	"from": "start, RFC 3339 (inclusive; default 30 days before --to)", "to": "end, RFC 3339 (exclusive; default now)",
	"at": "the instant, RFC 3339 (default now)", "account": "only this account", "group": "day, week or month",
	"kind": "monetary or units", "unit": "only this unit", "category": "paid or promotional",
}

// reportCmd fetches a report: as CSV for --format csv and for the table
// (which is the CSV aligned), as JSON for --format json.
func reportCmd(e *clientEnv, name, short, path string, flags ...string) *cobra.Command {
	vals := map[string]*string{}
	var format, out string
	cmd := &cobra.Command{
		Use:   name,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{}
			for _, f := range flags {
				if v := *vals[f]; v != "" {
					k := f
					if f == "account" {
						k = "account_id"
					}
					q.Set(k, v)
				}
			}
			switch format {
			case "table", "csv":
				q.Set("format", "csv")
			case "json":
				q.Set("limit", "1000")
			default:
				return fmt.Errorf("--format is table, csv or json, not %q", format)
			}
			// Reports over a large ledger take a while: say what runs.
			fmt.Fprintf(cmd.ErrOrStderr(), "running the %s report…\n", name)
			data, err := e.client().Report(cmd.Context(), path, q)
			if err != nil {
				return e.cliError(err)
			}
			if format == "table" && out == "" {
				return printCSV(cmd.OutOrStdout(), data)
			}
			return writeOut(cmd, out, data)
		},
	}
	for _, f := range flags {
		vals[f] = cmd.Flags().String(f, "", reportFlagHelp[f])
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	cmd.Flags().StringVar(&out, "out", "", "write to this file instead of stdout")
	return cmd
}

func runwayCmd(e *clientEnv) *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "runway ACCOUNT",
		Short: "How many days an account's balance lasts at its last 30 days' burn rate",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := e.client().Runway(cmd.Context(), args[0])
			if err != nil {
				return e.cliError(err)
			}
			var buf bytes.Buffer
			switch format {
			case "json":
				err = writeJSON(&buf, r)
			case "csv", "table":
				err = csv.NewWriter(&buf).WriteAll(runwayRecords(r))
			default:
				return fmt.Errorf("--format is table, csv or json, not %q", format)
			}
			if err != nil {
				return err
			}
			if format == "table" && out == "" {
				return printCSV(cmd.OutOrStdout(), buf.Bytes())
			}
			return writeOut(cmd, out, buf.Bytes())
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	cmd.Flags().StringVar(&out, "out", "", "write to this file instead of stdout")
	return cmd
}

func runwayRecords(r *api.Runway) [][]string {
	date, days := "", ""
	if r.RunsOutAt != nil {
		date, days = r.RunsOutAt.UTC().Format("2006-01-02T15:04:05Z07:00"), fmt.Sprint(*r.Days)
	}
	return [][]string{
		{"account_id", "currency", "as_of", "usage", "window_start", "burn_per_day", "available", "expiring", "runs_out_at", "days", "reason"},
		{r.AccountID, r.Currency, fmtTime(r.AsOf), r.Usage.String(), fmtTime(r.WindowStart), r.BurnPerDay.String(),
			r.Available.String(), r.Expiring.String(), date, days, r.Reason},
	}
}

// printCSV shows CSV as an aligned table.
func printCSV(w io.Writer, data []byte) error {
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return err
	}
	tw := newTable(w)
	for _, r := range records {
		line(tw, r...)
	}
	return tw.Flush()
}

// writeOut writes data to the file out, or to stdout when out is empty.
func writeOut(cmd *cobra.Command, out string, data []byte) error {
	if out == "" {
		_, err := cmd.OutOrStdout().Write(data)
		return err
	}
	// Reports name customers and what they spent: the owner's only.
	if err := os.WriteFile(out, data, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s (%d bytes)\n", out, len(data))
	return nil
}
