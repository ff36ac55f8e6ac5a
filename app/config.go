package app

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/cofferdev/coffer/mail"
	"github.com/cofferdev/coffer/service"
)

// DefaultServerConfig returns what `coffer serve` runs with when nothing is
// configured. It is the one place the server's defaults are written: each
// flag's default is read from it, and the README's configuration table is
// checked against those flags. The service's part is service.DefaultConfig
// and the HTTP part DefaultHTTPConfig, which it composes.
func DefaultServerConfig() ServerConfig {
	svc := service.DefaultConfig()
	svc.Notify.SMTP.TLS = mail.TLSStartTLS
	return ServerConfig{
		Addr:    "127.0.0.1:8080",
		DB:      DefaultDB,
		Logging: LogConfig{Format: "text", Level: "info"},
		Service: svc,
		Gateway: GatewayConfig{Name: "sandbox"},
		HTTP:    DefaultHTTPConfig(),
		Version: ReadBuildInfo().Version,

		ShutdownTimeout:    defaultShutdownTimeout,
		ShutdownDrainDelay: defaultShutdownDrainDelay,
	}
}

// DefaultDB is the store every command opens when none is named: a SQLite
// file in the working directory.
const DefaultDB = "coffer.db"

// LogConfig is how `coffer serve` builds its log.
type LogConfig struct {
	Format string // text or json
	Level  string // debug, info, warn or error
}

// Logger builds the log the configuration describes, writing to w; the
// errors name the flags at fault.
func (c LogConfig) Logger(w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", c.Level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch c.Format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", c.Format)
}
