package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/service"
)

func parseInvoiceFlags(t *testing.T, cfg *service.InvoiceConfig, args ...string) error {
	t.Helper()
	f := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addFlags(f, invoiceFlags(cfg)...)
	return f.Parse(args)
}

// The defaults are the service's, as `coffer serve` shows them.
func TestInvoiceFlagDefaults(t *testing.T) {
	for _, name := range []string{"INVOICE_ISSUER_NAME", "INVOICE_ISSUER_ADDRESS", "INVOICE_ISSUER_EMAIL", "PUBLIC_URL", "INVOICE_RETRIES", "INVOICE_CLOSE_DELAY"} {
		t.Setenv("COFFER_"+name, "")
	}
	cfg := app.DefaultServerConfig()
	f := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addFlags(f, invoiceFlags(&cfg.Service.Invoices)...)
	for name, want := range map[string]string{"invoice-issuer-name": "Coffer", "invoice-retries": "24h,72h,120h", "invoice-close-delay": "1m",
		"invoice-issuer-address": "", "public-url": ""} {
		if got := f.Lookup(name).DefValue; got != want {
			t.Errorf("--%s defaults to %q, want %q", name, got, want)
		}
	}
	if err := f.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if d := service.DefaultInvoiceConfig(); !slices.Equal(cfg.Service.Invoices.Retries, d.Retries) || cfg.Service.Invoices.CloseDelay != d.CloseDelay {
		t.Errorf("parsing nothing changed the config: %+v", cfg.Service.Invoices)
	}
}

// Every setting comes from its flag, or from its environment variable
// beneath it.
func TestInvoiceFlagsAndEnvironment(t *testing.T) {
	t.Setenv("COFFER_INVOICE_ISSUER_ADDRESS", `1 Harbour Street\nLeith EH6 6QQ`)
	t.Setenv("COFFER_PUBLIC_URL", "https://billing.example.com/")
	t.Setenv("COFFER_INVOICE_RETRIES", "1h,2h")
	t.Setenv("COFFER_INVOICE_CLOSE_DELAY", "")
	cfg := service.DefaultInvoiceConfig()
	err := parseInvoiceFlags(t, &cfg, "--invoice-issuer-name", "Example Cloud Ltd", "--invoice-issuer-email", "billing@example.com",
		"--invoice-retries", "24h, 96h", "--invoice-close-delay", "5m")
	if err != nil {
		t.Fatal(err)
	}
	want := service.InvoiceConfig{IssuerName: "Example Cloud Ltd", IssuerAddress: []string{"1 Harbour Street", "Leith EH6 6QQ"},
		IssuerEmail: "billing@example.com", PublicURL: "https://billing.example.com",
		Retries: []time.Duration{24 * time.Hour, 96 * time.Hour}, CloseDelay: 5 * time.Minute}
	if cfg.IssuerName != want.IssuerName || !slices.Equal(cfg.IssuerAddress, want.IssuerAddress) || cfg.IssuerEmail != want.IssuerEmail ||
		cfg.PublicURL != want.PublicURL || !slices.Equal(cfg.Retries, want.Retries) || cfg.CloseDelay != want.CloseDelay {
		t.Errorf("config %+v\nwant   %+v", cfg, want)
	}
}

func TestInvoiceFlagValues(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   func(c service.InvoiceConfig) bool
	}{
		{[]string{"--invoice-issuer-address", "Unit 4,  Dock Road \n\nLeith"}, func(c service.InvoiceConfig) bool {
			return slices.Equal(c.IssuerAddress, []string{"Unit 4,  Dock Road", "Leith"})
		}},
		{[]string{"--public-url", "http://127.0.0.1:8080/billing//"}, func(c service.InvoiceConfig) bool { return c.PublicURL == "http://127.0.0.1:8080/billing" }},
		{[]string{"--public-url", ""}, func(c service.InvoiceConfig) bool { return c.PublicURL == "" }},
		// none is no retry at all, which the service must not read as its default.
		{[]string{"--invoice-retries", "none"}, func(c service.InvoiceConfig) bool { return c.Retries != nil && len(c.Retries) == 0 }},
		{[]string{"--invoice-close-delay", "31s"}, func(c service.InvoiceConfig) bool { return c.CloseDelay == 31*time.Second }},
	} {
		cfg := service.DefaultInvoiceConfig()
		if err := parseInvoiceFlags(t, &cfg, tc.args...); err != nil || !tc.ok(cfg) {
			t.Errorf("%q: %v, config %+v", tc.args, err, cfg)
		}
	}
}

func TestInvoiceFlagsRefuseNonsense(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--public-url", "billing.example.com"}, "not an http or https URL"},
		{[]string{"--public-url", "ftp://billing.example.com"}, "not an http or https URL"},
		{[]string{"--public-url", "https:///invoices"}, "not an http or https URL"},
		{[]string{"--public-url", "https://billing.example.com/?x=1"}, "not an http or https URL"},
		{[]string{"--public-url", "https://user:pw@billing.example.com"}, "not an http or https URL"},
		{[]string{"--invoice-retries", "24h,0s"}, "greater than zero"},
		{[]string{"--invoice-retries", "72h,24h"}, "24h comes after 72h"},
		{[]string{"--invoice-retries", "24h,24h"}, "24h comes after 24h"},
		{[]string{"--invoice-retries", "1d"}, "not a duration"},
		{[]string{"--invoice-retries", ""}, "not a duration"},
		{[]string{"--invoice-close-delay", "30s"}, "more than 30s"},
		{[]string{"--invoice-close-delay", "-1m"}, "more than 30s"},
		{[]string{"--invoice-close-delay", "soon"}, "not a duration"},
		{[]string{"--invoice-issuer-email", "Billing <billing@example.com>"}, "not a plain e-mail address"},
		{[]string{"--invoice-issuer-email", "billing"}, "not a plain e-mail address"},
		{[]string{"--invoice-issuer-address", "1 Harbour Street\tLeith"}, "control character"},
	} {
		cfg := service.DefaultInvoiceConfig()
		err := parseInvoiceFlags(t, &cfg, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

// A malformed environment variable is named in the help, and the flag
// keeps its default.
func TestInvoiceFlagBadEnvironment(t *testing.T) {
	t.Setenv("COFFER_INVOICE_CLOSE_DELAY", "10s")
	cfg := service.DefaultInvoiceConfig()
	f := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addFlags(f, invoiceFlags(&cfg)...)
	if usage := f.Lookup("invoice-close-delay").Usage; !strings.Contains(usage, "env COFFER_INVOICE_CLOSE_DELAY ignored") {
		t.Errorf("usage = %s", usage)
	}
	if cfg.CloseDelay != time.Minute {
		t.Errorf("close delay %s, want the default", cfg.CloseDelay)
	}
}
