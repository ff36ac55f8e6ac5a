package main

import (
	"github.com/cofferdev/coffer/service"
)

// notifyFlags are the e-mail (SMTP) and delivery settings of `coffer
// serve`. Each has an environment variable; the password is best given
// that way, since flags show in the process list.
func notifyFlags(cfg *service.NotifyConfig) []flagDef {
	return []flagDef{
		{name: "smtp-host", env: "COFFER_SMTP_HOST", value: &cfg.SMTP.Host,
			usage: "SMTP server for customer e-mail; empty turns e-mail off (env COFFER_SMTP_HOST)"},
		{name: "smtp-port", env: "COFFER_SMTP_PORT", value: &cfg.SMTP.Port,
			usage: "SMTP port; 0 picks 587, or 465 with --smtp-tls=tls, or 25 with --smtp-tls=none (env COFFER_SMTP_PORT)"},
		{name: "smtp-tls", env: "COFFER_SMTP_TLS", value: &cfg.SMTP.TLS,
			usage: "SMTP TLS mode: starttls (required), opportunistic, tls (implicit, port 465) or none (env COFFER_SMTP_TLS)"},
		{name: "smtp-username", env: "COFFER_SMTP_USERNAME", value: &cfg.SMTP.Username,
			usage: "SMTP user; empty sends without authentication (env COFFER_SMTP_USERNAME)"},
		{name: "smtp-password", env: "COFFER_SMTP_PASSWORD", value: &cfg.SMTP.Password,
			usage: "SMTP password (prefer env COFFER_SMTP_PASSWORD)"},
		{name: "smtp-from", env: "COFFER_SMTP_FROM", value: &cfg.SMTP.From,
			usage: "sender address of customer e-mail, e.g. \"Billing <billing@example.com>\" (env COFFER_SMTP_FROM)"},
		{name: "smtp-helo", env: "COFFER_SMTP_HELO", value: &cfg.SMTP.HELO,
			usage: "name to greet the SMTP server with (env COFFER_SMTP_HELO)"},
		{name: "no-delivery", env: "COFFER_NO_DELIVERY", value: &cfg.NoDelivery,
			usage: "do not send webhooks or e-mail from this process; events wait in the outbox for one that does (env COFFER_NO_DELIVERY=true)"},
	}
}
