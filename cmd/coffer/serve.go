package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/app"
)

// version is the build's version, set with -ldflags "-X main.version=…".
var version = "dev"

// env returns the environment variable's value, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// addStoreFlag adds --db, shared by every command that opens the store.
func addStoreFlag(cmd *cobra.Command, dsn *string) {
	cmd.Flags().StringVar(dsn, "db", env("COFFER_DB", "coffer.db"),
		"store: a SQLite file path, or a postgres:// URL (env COFFER_DB)")
}

func newServeCmd() *cobra.Command {
	cfg := app.ServerConfig{Version: version}
	var clockAt, logFormat, logLevel string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Coffer server",
		Long: `Run the Coffer server. With no configuration it listens on 127.0.0.1:8080
and keeps everything in ./coffer.db (SQLite). Migrations run on start. On the
first start with an empty store it prints a new admin API key once, on
stdout; the log goes to stderr.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(cmd.ErrOrStderr(), logFormat, logLevel)
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
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "coffer serving on %s (store: %s)\n", s.URL(), app.Redact(cfg.DB))
			go func() {
				<-cmd.Context().Done()
				s.Close()
			}()
			return s.Wait()
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", env("COFFER_ADDR", "127.0.0.1:8080"), "address to listen on (env COFFER_ADDR)")
	addStoreFlag(cmd, &cfg.DB)
	f.BoolVar(&cfg.TestClock, "test-clock", env("COFFER_TEST_CLOCK", "") == "true",
		"run on a test clock moved with POST /v1/test_clock/advance (env COFFER_TEST_CLOCK=true); never in production")
	f.StringVar(&clockAt, "test-clock-start", "", "RFC 3339 time the test clock starts at (default: now)")
	f.StringVar(&logFormat, "log-format", env("COFFER_LOG_FORMAT", "text"), "log format: text or json (env COFFER_LOG_FORMAT)")
	f.StringVar(&logLevel, "log-level", env("COFFER_LOG_LEVEL", "info"), "log level: debug, info, warn or error (env COFFER_LOG_LEVEL)")
	f.IntVar(&cfg.Service.MaxBatch, "max-batch", 512, "most requests one committer transaction applies")
	f.IntVar(&cfg.Service.MaxQueue, "max-queue", 16384, "most requests waiting for the committer before new ones get 503")
	f.IntVar(&cfg.Service.Committers, "committers", 0, "committers run side by side, each owning a share of the accounts (0: one on SQLite, two on PostgreSQL)")
	f.DurationVar(&cfg.Service.SweepInterval, "sweep-interval", time.Minute, "how often expired grants and holds are swept")
	addHTTPFlags(f, &cfg.HTTP)
	addNotifyFlags(f, &cfg.Service.Notify)
	addPaymentFlags(f, &cfg)
	addLedgerFlags(f, &cfg.Service)
	addSecretsFlags(f, &cfg.Secrets)
	return cmd
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", format)
}
