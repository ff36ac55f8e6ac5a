package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/cofferdev/coffer/app"
)

// writeConfig writes a configuration file in a test directory.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "coffer.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// parsedServeFlags is serve's configuration after its flags, the
// environment and the file at path, applied as `coffer serve` does.
func parsedServeFlags(t *testing.T, args ...string) (app.ServerConfig, error) {
	t.Helper()
	cfg := app.DefaultServerConfig()
	var clockAt, path string
	f := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addFlags(f, serveFlags(&cfg, &clockAt)...)
	addFlags(f, configFlag(&path))
	if err := f.Parse(args); err != nil {
		t.Fatal(err)
	}
	// In serve's order: the file first, the secrets' variables after it.
	_, err := applyConfigFile(f, path, freshServeFlags)
	secretsFromEnv(f, &cfg.Secrets)
	return cfg, err
}

// One setting given at every level takes the flag's value; without the
// flag, the environment's; without either, the file's; without any, the
// default.
func TestConfigPrecedence(t *testing.T) {
	serveFlagSet(t) // no COFFER_ variable set
	path := writeConfig(t, `
smtp-host = "file.example.com"
smtp-port = 2525
idle-timeout = "10s"
max-batch = 64
secrets-key-previous = ["from-file-1", "from-file-2"]
`)
	t.Setenv("COFFER_SMTP_HOST", "env.example.com")
	t.Setenv("COFFER_SMTP_PORT", "2626")
	cfg, err := parsedServeFlags(t, "--config", path, "--smtp-host", "flag.example.com")
	if err != nil {
		t.Fatal(err)
	}
	smtp := cfg.Service.Notify.SMTP
	if smtp.Host != "flag.example.com" || smtp.Port != 2626 || cfg.HTTP.IdleTimeout != 10*time.Second ||
		cfg.Service.MaxBatch != 64 || strings.Join(cfg.Secrets.Previous, ",") != "from-file-1,from-file-2" {
		t.Errorf("host %q (want the flag's), port %d (the env's), idle %s and batch %d and previous keys %v (the file's)",
			smtp.Host, smtp.Port, cfg.HTTP.IdleTimeout, cfg.Service.MaxBatch, cfg.Secrets.Previous)
	}
	if want := app.DefaultServerConfig(); cfg.Addr != want.Addr || cfg.Service.MaxQueue != want.Service.MaxQueue {
		t.Errorf("addr %q, max queue %d: want the defaults", cfg.Addr, cfg.Service.MaxQueue)
	}

}

// A secrets key in the file gives way to its variable, read after parsing
// (secrets.go), and to the flag.
func TestConfigSecretsKeyPrecedence(t *testing.T) {
	serveFlagSet(t)
	path := writeConfig(t, `secrets-key = "from-file"`)
	for _, c := range []struct {
		env, flag, want string
	}{{"", "", "from-file"}, {"from-env", "", "from-env"}, {"from-env", "from-flag", "from-flag"}} {
		t.Setenv("COFFER_SECRETS_KEY", c.env)
		args := []string{"--config", path}
		if c.flag != "" {
			args = append(args, "--secrets-key", c.flag)
		}
		cfg, err := parsedServeFlags(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Secrets.Current != c.want {
			t.Errorf("env %q, flag %q: key %q, want %q", c.env, c.flag, cfg.Secrets.Current, c.want)
		}
	}
}

// A key that is no flag of serve, a table, or a dotted key is refused,
// naming the key and its line.
func TestConfigUnknownKey(t *testing.T) {
	serveFlagSet(t)
	for _, c := range []struct{ text, want string }{
		{"db = \"x.db\"\n\nsmtp-hots = \"mail\"\n", `:3: unknown key "smtp-hots"`},
		{"db = \"x.db\"\n[smtp]\nhost = \"mail\"\n", `:2: unknown table "smtp"`},
		{"smtp.host = \"mail\"\n", `:1: unknown key "smtp.host"`},
		{"config = \"other.toml\"\n", `:1: unknown key "config"`},
	} {
		path := writeConfig(t, c.text)
		_, err := parsedServeFlags(t, "--config", path)
		if err == nil || !strings.Contains(err.Error(), path+c.want) {
			t.Errorf("%q: error %v, want one naming %s%s", c.text, err, path, c.want)
		}
	}
}

// The file takes what the flag takes and nothing else, even where the
// environment would override the bad value: the flag's own parsing reads
// it. Floats are refused, so that an amount is never one.
func TestConfigValuesParsedAsFlags(t *testing.T) {
	serveFlagSet(t)
	t.Setenv("COFFER_MAX_CONNECTIONS", "100")
	for _, text := range []string{
		`max-connections = 0`,
		`idle-timeout = "-1s"`,
		`write-timeout = 30`,
		`min-purchase = 25.00`,
		`min-purchase = "0"`,
		`invoice-retries = ["72h", "24h"]`,
		`invoice-close-delay = "10s"`,
		`default-credit-limit = "5.00"`,
		`test-clock = "yes"`,
		`max-batch = "many"`,
	} {
		path := writeConfig(t, "\n"+text+"\n")
		if _, err := parsedServeFlags(t, "--config", path); err == nil || !strings.Contains(err.Error(), path+":2: ") {
			t.Errorf("%s: error %v, want one at %s:2", text, err, path)
		}
	}
	path := writeConfig(t, `
invoice-retries = ["24h", "72h"]
invoice-issuer-address = ["1 Harbour Street", "Leith EH6 6QQ"]
trust-tier-max = ["0=50.00", "1=500.00"]
min-purchase = "10.00"
test-clock-start = 2026-01-01T00:00:00Z
`)
	cfg, err := parsedServeFlags(t, "--config", path)
	if err != nil {
		t.Fatal(err)
	}
	inv := cfg.Service.Invoices
	if len(inv.Retries) != 2 || inv.Retries[1] != 72*time.Hour || strings.Join(inv.IssuerAddress, "|") != "1 Harbour Street|Leith EH6 6QQ" ||
		len(cfg.Service.Payments.TierMax) != 2 || cfg.Service.Payments.MinPurchase.String() != "10.00" {
		t.Errorf("retries %v, address %q, tiers %v, min purchase %s", inv.Retries, inv.IssuerAddress, cfg.Service.Payments.TierMax, cfg.Service.Payments.MinPurchase)
	}
}

// The sample in deploy/ loads as it is, and with every commented-out
// setting restored; it names every flag of serve but --config.
func TestDeploySampleConfig(t *testing.T) {
	serveFlagSet(t)
	const sample = "../../deploy/coffer.toml"
	b, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parsedServeFlags(t, "--config", sample); err != nil {
		t.Fatalf("%s does not load: %v", sample, err)
	}
	commented := regexp.MustCompile(`(?m)^# ?([a-z0-9-]+ = )`)
	all := writeConfig(t, commented.ReplaceAllString(string(b), "$1"))
	if _, err := parsedServeFlags(t, "--config", all); err != nil {
		t.Fatalf("%s with its commented settings restored does not load: %v", sample, err)
	}
	named := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#? ?([a-z0-9-]+) = `).FindAllStringSubmatch(string(b), -1) {
		named[m[1]] = true
	}
	newServeCmd().Flags().VisitAll(func(f *pflag.Flag) {
		if !named[f.Name] && f.Name != "config" {
			t.Errorf("%s does not name --%s: add it, commented out if it is best left at its default", sample, f.Name)
		}
	})
}
