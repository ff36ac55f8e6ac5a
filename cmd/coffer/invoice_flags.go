package main

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/cofferdev/coffer/service"
)

// invoiceFlags are the invoicing settings of `coffer serve`: who issues
// the invoices, where customers reach them, when a month is closed and
// when a failed payment is retried. Each has an environment variable.
func invoiceFlags(cfg *service.InvoiceConfig) []flagDef {
	return []flagDef{
		{name: "invoice-issuer-name", env: "COFFER_INVOICE_ISSUER_NAME", value: &cfg.IssuerName,
			usage: "the operator as invoices name it (env COFFER_INVOICE_ISSUER_NAME)"},
		{name: "invoice-issuer-address", env: "COFFER_INVOICE_ISSUER_ADDRESS", value: &linesValue{&cfg.IssuerAddress},
			usage: `the issuer's postal address on invoices, its lines separated by \n, as "1 Harbour Street\nLeith EH6 6QQ" (env COFFER_INVOICE_ISSUER_ADDRESS)`},
		{name: "invoice-issuer-email", env: "COFFER_INVOICE_ISSUER_EMAIL", value: &emailValue{&cfg.IssuerEmail},
			usage: "the issuer's address on invoices, such as billing@example.com (env COFFER_INVOICE_ISSUER_EMAIL)"},
		{name: "public-url", env: "COFFER_PUBLIC_URL", value: &publicURLValue{&cfg.PublicURL},
			usage: "where customers reach this server, such as https://billing.example.com: invoice e-mails, events (hosted_url) and documents link to the invoice's page there; empty leaves them without a link (env COFFER_PUBLIC_URL)"},
		{name: "invoice-retries", env: "COFFER_INVOICE_RETRIES", value: &retriesValue{&cfg.Retries},
			usage: "when a failed invoice payment is tried again, counted from the invoice's finalization: increasing durations, comma-separated, or none; after the last the account is suspended (env COFFER_INVOICE_RETRIES)"},
		{name: "invoice-close-delay", env: "COFFER_INVOICE_CLOSE_DELAY", value: &closeDelayValue{&cfg.CloseDelay},
			usage: fmt.Sprintf("how long after a month ends its invoices are made: more than %s, the committer's deadline for one transaction, so that "+
				"everything stamped in the month has committed or failed first; with several processes, add how far their clocks may differ (env COFFER_INVOICE_CLOSE_DELAY)", committerDeadline)},
	}
}

// committerDeadline bounds one committer transaction (batchTimeout in
// committer/committer.go): a transaction stamped before a period's end has
// committed or failed this long after it.
const committerDeadline = 30 * time.Second

// linesValue is a flag holding lines of text, given in one value with \n
// (typed as a backslash and an n, or a real newline) between them, so that
// the environment variable can carry them too.
type linesValue struct{ p *[]string }

func (v *linesValue) String() string { return strings.Join(*v.p, `\n`) }
func (v *linesValue) Type() string   { return "lines" }
func (v *linesValue) Set(s string) error {
	var lines []string
	for l := range strings.SplitSeq(strings.ReplaceAll(s, `\n`, "\n"), "\n") {
		l = strings.TrimSpace(l)
		if strings.ContainsFunc(l, unicode.IsControl) {
			return fmt.Errorf("%q: a line holds a control character; separate lines with \\n", l)
		}
		if l != "" {
			lines = append(lines, l)
		}
	}
	*v.p = lines
	return nil
}

// emailValue is a flag holding a plain e-mail address, or nothing.
type emailValue struct{ p *string }

func (v *emailValue) String() string { return *v.p }
func (v *emailValue) Type() string   { return "email" }
func (v *emailValue) Set(s string) error {
	s = strings.TrimSpace(s)
	if s != "" {
		if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
			return fmt.Errorf("%q is not a plain e-mail address such as billing@example.com", s)
		}
	}
	*v.p = s
	return nil
}

// publicURLValue is a flag holding the server's public base URL: http or
// https, a host, perhaps a path, nothing after it. A trailing slash is
// dropped, since the invoice paths are appended to it.
type publicURLValue struct{ p *string }

func (v *publicURLValue) String() string { return *v.p }
func (v *publicURLValue) Type() string   { return "url" }
func (v *publicURLValue) Set(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		*v.p = ""
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || strings.ContainsAny(s, "?#") {
		return fmt.Errorf("%q is not an http or https URL with a host and no query, such as https://billing.example.com", s)
	}
	*v.p = strings.TrimRight(s, "/")
	return nil
}

// retriesValue is a flag holding the retry schedule: increasing positive
// durations, or none (no retry: the first failure suspends the account).
type retriesValue struct{ p *[]time.Duration }

func (v *retriesValue) String() string {
	if *v.p != nil && len(*v.p) == 0 {
		return "none"
	}
	parts := make([]string, len(*v.p))
	for i, d := range *v.p {
		parts[i] = shortDuration(d)
	}
	return strings.Join(parts, ",")
}
func (v *retriesValue) Type() string { return "durations|none" }
func (v *retriesValue) Set(s string) error {
	if strings.TrimSpace(s) == "none" {
		*v.p = []time.Duration{} // not nil: the service reads nil as its default
		return nil
	}
	var ds []time.Duration
	for part := range strings.SplitSeq(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		switch {
		case err != nil || d <= 0:
			return fmt.Errorf("%q is not a duration greater than zero, such as 24h", part)
		case len(ds) > 0 && d <= ds[len(ds)-1]:
			return fmt.Errorf("%s comes after %s: each retry must come later than the one before, as 24h,72h,120h", shortDuration(d), shortDuration(ds[len(ds)-1]))
		}
		ds = append(ds, d)
	}
	*v.p = ds
	return nil
}

// shortDuration is d as time.Duration writes it, without the zero minutes
// and seconds ("24h", not "24h0m0s").
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// closeDelayValue is a flag holding the close delay: past the committer's
// deadline.
type closeDelayValue struct{ p *time.Duration }

func (v *closeDelayValue) String() string { return shortDuration(*v.p) }
func (v *closeDelayValue) Type() string   { return "duration" }
func (v *closeDelayValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 1m", s)
	}
	if d <= committerDeadline {
		return fmt.Errorf("%s is too soon: the close must wait more than %s after the month ends, the committer's deadline for one transaction, "+
			"or usage stamped in the month could commit after its invoice was made", d, committerDeadline)
	}
	*v.p = d
	return nil
}
