package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// configPrint runs `coffer config print` and returns each setting's value
// and source.
func configPrint(t *testing.T, args ...string) (out string, values, sources map[string]string) {
	t.Helper()
	root := newRootCmd()
	var buf bytes.Buffer
	root.SetOut(&buf)
	root.SetArgs(append([]string{"config", "print"}, args...))
	if err := root.ExecuteContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	values, sources = map[string]string{}, map[string]string{}
	cols := regexp.MustCompile(`\s{2,}`)
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n")[1:] {
		c := cols.Split(line, -1)
		if len(c) != 3 {
			t.Fatalf("config print line is not setting, value, source: %q", line)
		}
		values[c[0]], sources[c[0]] = c[1], c[2]
	}
	return buf.String(), values, sources
}

// config print shows each setting's value and where it came from, by the
// one precedence.
func TestConfigPrintSources(t *testing.T) {
	serveFlagSet(t) // no COFFER_ variable set
	path := writeConfig(t, `
smtp-host = "file.example.com"
smtp-port = 2525
idle-timeout = "10s"
max-batch = 64
`)
	t.Setenv("COFFER_SMTP_HOST", "env.example.com")
	t.Setenv("COFFER_SMTP_PORT", "2626")
	_, values, sources := configPrint(t, "--config", path, "--smtp-host", "flag.example.com")
	for name, want := range map[string][2]string{
		"smtp-host":    {"flag.example.com", "flag"},
		"smtp-port":    {"2626", "env COFFER_SMTP_PORT"},
		"idle-timeout": {"10s", "file " + path + ":4"},
		"max-batch":    {"64", "file " + path + ":5"},
		"max-queue":    {"16384", "default"},
		"config":       {path, "flag"},
	} {
		if values[name] != want[0] || sources[name] != want[1] {
			t.Errorf("config print: %s = %q from %q, want %q from %q", name, values[name], sources[name], want[0], want[1])
		}
	}
}

// config print masks every secret, whichever level gave it, and the
// password in --db.
func TestConfigPrintMasksSecrets(t *testing.T) {
	serveFlagSet(t)
	path := writeConfig(t, `
smtp-password = "hunter2-file"
secrets-key-previous = ["PREVIOUSKEYPREVIOUSKEYPREVIOUS-aaa1"]
db = "postgres://coffer:dbpass@db.internal:5432/coffer?sslmode=require"
`)
	t.Setenv("COFFER_STRIPE_KEY", "sk_live_STRIPESECRETSTRIPE9876")
	out, values, _ := configPrint(t, "--config", path, "--secrets-key", "CURRENTKEYCURRENTKEYCURRENTKEY-bbb2")
	for _, secret := range []string{"hunter2", "PREVIOUSKEY", "dbpass", "STRIPESECRET", "CURRENTKEY"} {
		if strings.Contains(out, secret) {
			t.Errorf("config print shows %q:\n%s", secret, out)
		}
	}
	for name, want := range map[string]string{
		"smtp-password":        "****",
		"secrets-key-previous": "[****aaa1]",
		"stripe-key":           "****9876",
		"secrets-key":          "****bbb2",
		"db":                   "postgres://coffer:***@db.internal:5432/coffer?sslmode=require",
	} {
		if values[name] != want {
			t.Errorf("config print: %s = %q, want %q", name, values[name], want)
		}
	}
	// Whatever flags are added later, one named for a key, a secret, a
	// password or a token is masked.
	for _, name := range []string{"smtp-password", "stripe-key", "secrets-key", "secrets-key-previous", "metrics-token"} {
		if !secretFlag(name) {
			t.Errorf("--%s is not treated as a secret", name)
		}
	}
	if got := redactDSN("host=db user=coffer password=s3cret sslmode=require"); strings.Contains(got, "s3cret") {
		t.Errorf("redactDSN kept the password: %s", got)
	}
}

// config print reads the flags serve reads, every one of them.
func TestConfigPrintHasServeFlags(t *testing.T) {
	serveFlagSet(t)
	serve, print := newServeCmd().Flags(), newConfigPrintCmd().Flags()
	serve.VisitAll(func(f *pflag.Flag) {
		if print.Lookup(f.Name) == nil {
			t.Errorf("config print has no --%s", f.Name)
		}
	})
	if serve.NFlag() != print.NFlag() || countFlags(serve) != countFlags(print) {
		t.Errorf("serve has %d flags, config print %d", countFlags(serve), countFlags(print))
	}
}

func countFlags(f *pflag.FlagSet) (n int) {
	f.VisitAll(func(*pflag.Flag) { n++ })
	return n
}
