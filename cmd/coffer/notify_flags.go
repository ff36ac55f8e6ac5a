package main

import (
	"strconv"

	"github.com/spf13/pflag"

	"github.com/cofferdev/coffer/service"
)

// addNotifyFlags adds the e-mail (SMTP) and delivery settings of `coffer
// serve`. Each has an environment variable; the password is best given
// that way, since flags show in the process list.
func addNotifyFlags(f *pflag.FlagSet, cfg *service.NotifyConfig) {
	port, _ := strconv.Atoi(env("COFFER_SMTP_PORT", "0"))
	f.StringVar(&cfg.SMTP.Host, "smtp-host", env("COFFER_SMTP_HOST", ""),
		"SMTP server for customer e-mail; empty turns e-mail off (env COFFER_SMTP_HOST)")
	f.IntVar(&cfg.SMTP.Port, "smtp-port", port,
		"SMTP port; 0 picks 587, or 465 with --smtp-tls=tls, or 25 with --smtp-tls=none (env COFFER_SMTP_PORT)")
	f.StringVar(&cfg.SMTP.TLS, "smtp-tls", env("COFFER_SMTP_TLS", "starttls"),
		"SMTP TLS mode: starttls (required), opportunistic, tls (implicit, port 465) or none (env COFFER_SMTP_TLS)")
	f.StringVar(&cfg.SMTP.Username, "smtp-username", env("COFFER_SMTP_USERNAME", ""),
		"SMTP user; empty sends without authentication (env COFFER_SMTP_USERNAME)")
	f.StringVar(&cfg.SMTP.Password, "smtp-password", env("COFFER_SMTP_PASSWORD", ""),
		"SMTP password (prefer env COFFER_SMTP_PASSWORD)")
	f.StringVar(&cfg.SMTP.From, "smtp-from", env("COFFER_SMTP_FROM", ""),
		"sender address of customer e-mail, e.g. \"Billing <billing@example.com>\" (env COFFER_SMTP_FROM)")
	f.StringVar(&cfg.SMTP.HELO, "smtp-helo", env("COFFER_SMTP_HELO", ""),
		"name to greet the SMTP server with (env COFFER_SMTP_HELO)")
	f.BoolVar(&cfg.NoDelivery, "no-delivery", env("COFFER_NO_DELIVERY", "") == "true",
		"do not send webhooks or e-mail from this process; events wait in the outbox for one that does (env COFFER_NO_DELIVERY=true)")
}
