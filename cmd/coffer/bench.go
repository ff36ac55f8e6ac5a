package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/bench"
)

func newBenchCmd() *cobra.Command {
	var o bench.Options
	var asJSON bool
	var scenarios, cpuProfile, allocProfile string
	var reports, accountSize bool
	var ro bench.ReportsOptions
	var so bench.AccountSizeOptions
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the hot path against a naive design and the store's raw append rate",
		Long: `Measure Coffer's hot path in one run on one store, side by side with
baselines: the batching committer in-process (spread over --accounts accounts,
and on one hot account); the HTTP API (single debits from --clients clients,
single debits offered at a fixed rate, and the batch endpoint); a naive
design doing one transaction per debit; and the store's raw batched append.
Named in --scenarios, invoice-close gives --close-accounts accounts a month of
usage and measures the in-process debit load before, during and after their
month's close, and the close's rate. Named in --scenarios, the ops scenarios (or
"ops" for them all) measure HTTP single debits against the request path
coffer serve builds, with metrics and rate limits off and on, and in-process
debits with the metrics decorators off and on, side by side with ratios.
Named in --scenarios, sweep runs HTTP single debits and the naive design side
by side at each of --sweep-clients concurrent clients, with allocations per
debit and the process's RSS.

The bench never touches existing data. With a postgres:// URL it creates a
fresh database coffer_bench_<random> on that server and drops it at the end;
with a SQLite path that does not exist yet it creates that file and leaves it;
with no --db it uses a temporary SQLite file. Progress goes to stderr, the
table (or --json) to stdout. See docs/performance.md.`,
		Example: `  coffer bench
  coffer bench --db 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
  coffer bench --count 20000 --accounts 100 --json
  coffer bench --scenarios invoice-close --close-accounts 10000
  coffer bench --scenarios ops --duration 4s --rounds 4
  coffer bench --scenarios sweep --sweep-clients 1,8,64,256`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("duration") && o.Count > 0 {
				return errors.New("give --duration or --count, not both")
			}
			if scenarios != "" {
				o.Scenarios = strings.Split(scenarios, ",")
			}
			for _, p := range []struct {
				path string
				to   *io.Writer
			}{{cpuProfile, &o.CPUProfile}, {allocProfile, &o.AllocProfile}} {
				if p.path == "" {
					continue
				}
				f, err := os.Create(p.path)
				if err != nil {
					return err
				}
				defer f.Close()
				*p.to = f
			}
			o.Progress = cmd.ErrOrStderr()
			if reports {
				return runReportsBench(cmd, o, ro, asJSON)
			}
			if accountSize {
				return runAccountSizeBench(cmd, o, so, asJSON)
			}
			rep, err := bench.Run(cmd.Context(), o)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				rep.WriteTable(cmd.OutOrStdout())
			}
			if p := rep.Problems(); len(p) > 0 {
				return fmt.Errorf("the run is not trustworthy: %s", strings.Join(p, "; "))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.DB, "db", "", "a postgres:// URL (the bench creates and drops its own database there), "+
		"or a new SQLite file path; default a temporary SQLite file")
	f.DurationVar(&o.Duration, "duration", 5*time.Second, "how long each scenario runs")
	f.Int64Var(&o.Count, "count", 0, "debits per scenario, instead of --duration")
	f.IntVar(&o.Accounts, "accounts", 1000, "accounts the debits are spread over")
	f.IntVar(&o.Clients, "clients", 8, "concurrent HTTP clients, and connections of the naive baseline")
	f.IntVar(&o.Concurrency, "concurrency", 1024, "goroutines calling the service in-process")
	f.IntVar(&o.BatchSize, "batch-size", 200, "debits per POST /v1/debits/batch request")
	f.IntVar(&o.AppendBatch, "append-batch", 512, "rows per commit of the raw append")
	f.IntVar(&o.Committers, "committers", 0, "committers Coffer runs side by side (0: one on SQLite, two on PostgreSQL)")
	f.IntVar(&o.Depth, "depth", 0, "batches each committer may have in flight at once (0: one on SQLite, four on PostgreSQL)")
	f.Float64Var(&o.Rate, "rate", 5000, "debits per second the open-loop HTTP run offers")
	f.IntVar(&o.Rounds, "rounds", 1, "split each scenario into this many runs taken in turn with the others, "+
		"so background load falls on all alike")
	f.StringVar(&scenarios, "scenarios", "", "run only these, comma-separated: "+strings.Join(bench.Scenarios, ",")+
		"; and on request only: "+strings.Join(bench.OnRequest, ",")+", "+strings.Join(bench.OpsScenarios, ",")+
		" (or "+bench.Ops+" for all of these)")
	f.IntVar(&o.CloseAccounts, "close-accounts", 10_000, "accounts the invoice-close scenario gives a month of usage and closes")
	f.IntVar(&o.CloseUsage, "close-usage", 30, "debits each of the invoice-close scenario's accounts gets in the month")
	f.IntSliceVar(&o.SweepClients, "sweep-clients", []int{1, 8, 64, 256}, "concurrent clients of each step of the sweep scenario")
	f.IntSliceVar(&o.SweepDepths, "sweep-depths", nil, "measure Coffer in the sweep at each of these committer depths in turn "+
		"(default: the one coffer serve uses)")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the scenarios to this file (read it with go tool pprof)")
	f.StringVar(&allocProfile, "allocprofile", "", "write the profile of allocations (setup included) to this file once the scenarios have run (read it with go tool pprof -sample_index=alloc_objects)")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	f.BoolVar(&reports, "reports", false, "instead of the scenarios, seed a month of debits and measure the "+
		"credit-usage and liability reports beside the hot path (--duration is each measurement's least time)")
	f.IntVar(&ro.Accounts, "reports-accounts", 10_000, "with --reports: accounts the seeded debits are spread over")
	f.Int64Var(&ro.Debits, "reports-debits", 1_000_000, "with --reports: debits seeded over the month")
	f.BoolVar(&accountSize, "account-size", false, "instead of the scenarios, measure single HTTP debits on accounts "+
		"with many live lots or open holds, grants and holds at each size, and balance and usage reads over long histories "+
		"(--count debits per measurement, default 3000)")
	f.IntSliceVar(&so.Lots, "size-lots", []int{1, 1000, 10_000}, "with --account-size: live lots on the measured accounts")
	f.IntSliceVar(&so.Holds, "size-holds", []int{1, 1000, 10_000}, "with --account-size: open holds on the measured accounts")
	f.IntSliceVar(&so.History, "size-history", []int{1, 1000, 10_000, 1_000_000}, "with --account-size: transactions in the read accounts' histories")
	return cmd
}

// runAccountSizeBench runs the account-size scenario with the shared flags.
func runAccountSizeBench(cmd *cobra.Command, o bench.Options, so bench.AccountSizeOptions, asJSON bool) error {
	so.DB, so.Clients, so.Committers, so.Progress, so.Count, so.Rounds = o.DB, o.Clients, o.Committers, o.Progress, o.Count, o.Rounds
	res, err := bench.RunAccountSize(cmd.Context(), so)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		res.WriteTable(cmd.OutOrStdout())
	}
	if !res.CheckOK {
		return fmt.Errorf("coffer check failed on the store after the run: %s", strings.Join(res.Problems, "; "))
	}
	return nil
}

// runReportsBench runs the reports scenario with the shared flags.
func runReportsBench(cmd *cobra.Command, o bench.Options, ro bench.ReportsOptions, asJSON bool) error {
	ro.DB, ro.Concurrency, ro.Committers, ro.Progress = o.DB, o.Concurrency, o.Committers, o.Progress
	if cmd.Flags().Changed("duration") {
		ro.Duration = o.Duration
	}
	res, err := bench.RunReports(cmd.Context(), ro)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	res.WriteTable(cmd.OutOrStdout())
	return nil
}
