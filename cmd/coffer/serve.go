package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/app"
)

// addStoreFlag adds --db, shared by every command that opens the store.
func addStoreFlag(cmd *cobra.Command, dsn *string) {
	*dsn = app.DefaultDB
	addFlags(cmd.Flags(), storeFlag(dsn))
}

func storeFlag(dsn *string) flagDef {
	return flagDef{name: "db", env: "COFFER_DB", value: dsn,
		usage: "store: a SQLite file path, or a postgres:// URL (env COFFER_DB)"}
}

func newServeCmd() *cobra.Command {
	cfg := app.DefaultServerConfig()
	var clockAt string // parsed in RunE, to say what an RFC 3339 time looks like
	var configPath string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Coffer server",
		Long: `Run the Coffer server. With no configuration it listens on 127.0.0.1:8080
and keeps everything in ./coffer.db (SQLite). Migrations run on start. On the
first start with an empty store it prints a new admin API key once, on
stdout; the log goes to stderr.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := applyConfigFile(cmd.Flags(), configPath, freshServeFlags); err != nil {
				return err
			}
			log, err := cfg.Logging.Logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			// The admin key goes to stdout, apart from the log on stderr:
			// a log shipper must never receive it.
			cfg.Log, cfg.Banner = log, cmd.OutOrStdout()
			secretsFromEnv(cmd.Flags(), &cfg.Secrets)
			if clockAt != "" {
				if cfg.ClockAt, err = time.Parse(time.RFC3339, clockAt); err != nil {
					return fmt.Errorf("--test-clock-start: %q is not an RFC 3339 time such as 2026-01-01T00:00:00Z", clockAt)
				}
			}
			s, err := app.StartServer(cmd.Context(), cfg)
			if err != nil {
				return logFailure(log, cfg.Logging.Format, err)
			}
			announceServing(cmd.ErrOrStderr(), log, cfg.Logging.Format, s.URL(), app.Redact(cfg.DB))
			return logFailure(log, cfg.Logging.Format, s.Run(cmd.Context()))
		},
	}
	addFlags(cmd.Flags(), serveFlags(&cfg, &clockAt)...)
	addFlags(cmd.Flags(), configFlag(&configPath))
	return cmd
}

// serveFlags are the flags of `coffer serve`, pointing into cfg, whose
// values are their defaults. clockAt receives --test-clock-start.
func serveFlags(cfg *app.ServerConfig, clockAt *string) []flagDef {
	if !cfg.ClockAt.IsZero() {
		*clockAt = cfg.ClockAt.Format(time.RFC3339)
	}
	svc := &cfg.Service
	defs := []flagDef{
		{name: "addr", env: "COFFER_ADDR", value: &cfg.Addr, usage: "address to listen on (env COFFER_ADDR)"},
		storeFlag(&cfg.DB),
		{name: "test-clock", env: "COFFER_TEST_CLOCK", value: &cfg.TestClock,
			usage: "run on a test clock moved with POST /v1/test_clock/advance (env COFFER_TEST_CLOCK=true); never in production"},
		{name: "test-clock-start", value: clockAt, usage: "RFC 3339 time the test clock starts at (default: now)"},
		{name: "log-format", env: "COFFER_LOG_FORMAT", value: &cfg.Logging.Format, usage: "log format: text or json (env COFFER_LOG_FORMAT)"},
		{name: "log-level", env: "COFFER_LOG_LEVEL", value: &cfg.Logging.Level, usage: "log level: debug, info, warn or error (env COFFER_LOG_LEVEL)"},
		{name: "max-batch", value: &svc.MaxBatch, usage: "most requests one committer transaction applies"},
		{name: "max-queue", value: &svc.MaxQueue, usage: "most requests waiting for the committer before new ones get 503"},
		{name: "committers", value: &svc.Committers,
			usage: "committers run side by side, each owning a share of the accounts (0: one on SQLite, two on PostgreSQL)"},
		{name: "sweep-interval", value: &svc.SweepInterval, usage: "how often expired grants and holds are swept"},
		{name: "metrics-addr", env: "COFFER_METRICS_ADDR", value: &cfg.Metrics.Addr,
			usage: "where GET /metrics is served: empty on the API's listener, an address for a listener of its own, or off (env COFFER_METRICS_ADDR)"},
		{name: "shutdown-timeout", env: "COFFER_SHUTDOWN_TIMEOUT", value: &cfg.ShutdownTimeout,
			usage: "on SIGTERM or SIGINT, how long requests in flight and the committer's queue may take to finish (env COFFER_SHUTDOWN_TIMEOUT)"},
		{name: "shutdown-drain-delay", env: "COFFER_SHUTDOWN_DRAIN_DELAY", value: &cfg.ShutdownDrainDelay,
			usage: "on SIGTERM or SIGINT, how long /readyz fails while requests are still served, before the listener closes; part of --shutdown-timeout (env COFFER_SHUTDOWN_DRAIN_DELAY)"},
	}
	defs = append(defs, httpFlags(&cfg.HTTP)...)
	defs = append(defs, notifyFlags(&svc.Notify)...)
	defs = append(defs, paymentFlags(cfg)...)
	defs = append(defs, ledgerFlags(svc)...)
	defs = append(defs, invoiceFlags(&svc.Invoices)...)
	return append(defs, secretsFlags(&cfg.Secrets)...)
}
