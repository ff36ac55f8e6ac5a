// Package mail sends Coffer's notices to customers over SMTP (through
// github.com/wneessen/go-mail) from plain-text templates bundled in the
// binary.
package mail

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"strings"
	"text/template"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes for Config.TLS.
const (
	TLSNone          = "none"          // plain SMTP, never STARTTLS (a relay on localhost, tests)
	TLSOpportunistic = "opportunistic" // STARTTLS when the server offers it
	TLSStartTLS      = "starttls"      // STARTTLS required
	TLSImplicit      = "tls"           // TLS from the first byte (port 465)
)

// Config is how to reach the SMTP server. An empty Host means e-mail is
// off.
type Config struct {
	Host     string
	Port     int // 0: 587, or 465 with TLSImplicit, or 25 with TLSNone
	TLS      string
	Username string // empty: no authentication
	Password string
	From     string // the sender address, e.g. "Coffer <billing@example.com>"
	HELO     string // the name to greet the server with; empty: go-mail's default
	Timeout  time.Duration
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.Host == "" {
		return nil
	}
	switch c.TLS {
	case "", TLSNone, TLSOpportunistic, TLSStartTLS, TLSImplicit:
	default:
		return fmt.Errorf("smtp tls mode %q: want none, opportunistic, starttls or tls", c.TLS)
	}
	if c.From == "" {
		return fmt.Errorf("smtp from address is required when an smtp host is set")
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("smtp port %d is out of range", c.Port)
	}
	return nil
}

// Mailer sends messages through one SMTP server.
type Mailer struct {
	cfg Config
}

// New returns a mailer, or an error for a configuration that cannot work.
func New(cfg Config) (*Mailer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	return &Mailer{cfg: cfg}, nil
}

// Enabled reports whether a host is configured.
func (m *Mailer) Enabled() bool { return m != nil && m.cfg.Host != "" }

// Message is one rendered e-mail.
type Message struct {
	To      []string
	Subject string
	Body    string
}

// Send delivers the message, one SMTP session per call.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	g := gomail.NewMsg()
	if err := g.From(m.cfg.From); err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	if err := g.To(msg.To...); err != nil {
		return fmt.Errorf("recipients: %w", err)
	}
	g.Subject(msg.Subject)
	g.SetDate()
	g.SetMessageID()
	g.SetBodyString(gomail.TypeTextPlain, msg.Body)

	opts := []gomail.Option{gomail.WithTimeout(m.cfg.Timeout)}
	if m.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(m.cfg.HELO))
	}
	port := m.cfg.Port
	switch m.cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		if port == 0 {
			port = 25
		}
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
		if port == 0 {
			port = 465
		}
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if port == 0 {
		port = 587
	}
	opts = append(opts, gomail.WithPort(port))
	if m.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.cfg.Username), gomail.WithPassword(m.cfg.Password))
	}
	c, err := gomail.NewClient(m.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, g); err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	return nil
}

//go:embed templates/*.txt
var templateFiles embed.FS

var templates = template.Must(template.New("").Option("missingkey=error").ParseFS(templateFiles, "templates/*.txt"))

// Notices Coffer sends, by template name.
const (
	LowBalance           = "low_balance"
	Depleted             = "depleted"
	RechargeFailed       = "recharge_failed"
	Suspended            = "suspended"
	PaymentMethodNeeded  = "payment_method_needed"
	InvoiceFinalized     = "invoice_finalized"
	GiftExhausted        = "gift_exhausted"
	InvoicePaymentFailed = "invoice_payment_failed"
)

// Data fills a template. Amounts are already formatted with the currency.
type Data struct {
	AccountID     string
	AccountName   string
	Currency      string
	Balance       string
	Threshold     string
	Recommended   string // average daily usage; empty when unknown
	Amount        string // a recharge's amount
	Reason        string
	At            time.Time
	DaysRemaining string // balance / average daily usage, when both are known

	// An invoice's: its number, period, amounts, the link to its page,
	// and the next payment attempt.
	InvoiceNumber string
	Period        string
	AmountDue     string
	AmountPaid    string
	Link          string
	NextAttempt   string
	Statement     bool // a prepaid statement rather than a postpaid bill
}

// Render fills the named template. Its first line is "Subject: …"; the
// rest, after a blank line, is the body.
func Render(name string, d Data) (subject, body string, err error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name+".txt", d); err != nil {
		return "", "", fmt.Errorf("render %s: %w", name, err)
	}
	head, rest, ok := strings.Cut(b.String(), "\n")
	subject, found := strings.CutPrefix(head, "Subject: ")
	if !ok || !found {
		return "", "", fmt.Errorf("template %s does not start with a Subject: line", name)
	}
	return strings.TrimSpace(subject), strings.TrimLeft(rest, "\n"), nil
}
