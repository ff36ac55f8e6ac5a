package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// TestReadmeConfigurationMatchesFlags keeps the README's configuration
// table true: every flag of `coffer serve` is in it, a flag with a row of
// its own names the same environment variable and the same default as the
// flag does, and the table names no flag that does not exist.
func TestReadmeConfigurationMatchesFlags(t *testing.T) {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "COFFER_") {
			t.Skipf("%s is set, and environment variables change the flags' defaults", kv)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	start := strings.Index(section, "## Configuration")
	if start < 0 {
		t.Fatal("README.md has no Configuration section")
	}
	section = section[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	rows := map[string][]string{} // the rows that start with a flag, by flag
	flagName := regexp.MustCompile("`--([a-z0-9-]+)`")
	envName := regexp.MustCompile(`COFFER_[A-Z_]+`)
	for line := range strings.SplitSeq(section, "\n") {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if m := flagName.FindStringSubmatch(cells[0]); m != nil && len(cells) >= 4 {
			rows[m[1]] = cells
		}
	}
	// Flags whose default depends on the machine: the README says it in
	// words instead of giving the figure.
	machineDefaults := map[string]string{
		"max-connections": "4096, or the open-file limit less 256 if lower",
	}
	flags := newServeCmd().Flags()
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" {
			return
		}
		if !strings.Contains(section, "`--"+f.Name+"`") {
			t.Errorf("--%s is not in the README's configuration table", f.Name)
			return
		}
		cells, own := rows[f.Name]
		if !own {
			return // mentioned in another flag's row, as the SMTP details are
		}
		if want, got := envName.FindString(f.Usage), envName.FindString(cells[1]); want != got {
			t.Errorf("--%s: README says env %q, the flag reads %q", f.Name, got, want)
		}
		if !sameDefault(f, cells[2], machineDefaults) {
			t.Errorf("--%s: README says default %q, the flag's is %q", f.Name, cells[2], f.DefValue)
		}
	})
	for name := range rows {
		if flags.Lookup(name) == nil {
			t.Errorf("the README's configuration table lists --%s, which coffer serve does not have", name)
		}
	}
}

// sameDefault reports whether the README's default cell says the flag's
// default: the same text, the same duration however written, or for an
// empty default (none, off, now) any words.
func sameDefault(f *pflag.Flag, cell string, inWords map[string]string) bool {
	if words, ok := inWords[f.Name]; ok {
		return strings.Contains(cell, words)
	}
	switch f.DefValue {
	case "", "false", "[]":
		return true
	}
	if strings.Contains(cell, f.DefValue) {
		return true
	}
	want, err := time.ParseDuration(f.DefValue)
	if err != nil {
		return false
	}
	got, err := time.ParseDuration(strings.Trim(cell, "`"))
	return err == nil && got == want
}
