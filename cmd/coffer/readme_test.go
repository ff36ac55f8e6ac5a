package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/cofferdev/coffer/app"
)

// readmeRow is one row of the README's configuration table.
type readmeRow struct {
	env, def, line string
}

// readmeConfigTable reads the table under "## Configuration" in the
// README: flag | env | default | meaning, keyed by flag name.
func readmeConfigTable(t *testing.T) map[string]readmeRow {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	flagCell := regexp.MustCompile("^`--([a-z0-9-]+)`$")
	rows := map[string]readmeRow{}
	for line := range strings.SplitSeq(section, "\n") {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) != 4 {
			t.Errorf("README row has %d cells, want flag | env | default | meaning: %s", len(cells), line)
			continue
		}
		m := flagCell.FindStringSubmatch(cells[0])
		if m == nil {
			t.Errorf("README row's first cell is not one flag: %s", line)
			continue
		}
		if _, dup := rows[m[1]]; dup {
			t.Errorf("README lists --%s twice", m[1])
		}
		env := strings.TrimSuffix(strings.Trim(cells[1], "`"), "=true")
		rows[m[1]] = readmeRow{env: env, def: cells[2], line: line}
	}
	if len(rows) == 0 {
		t.Fatal("README.md's Configuration section has no flag rows")
	}
	return rows
}

// serveFlagSet is `coffer serve`'s flag set with no COFFER_ variable set,
// so that the defaults are the configuration's.
func serveFlagSet(t *testing.T) *pflag.FlagSet {
	newServeCmd().Flags().VisitAll(func(f *pflag.Flag) {
		if env := f.Annotations[envAnnotation]; len(env) == 1 {
			t.Setenv(env[0], "")
		}
	})
	return newServeCmd().Flags()
}

// readmeDefault is the default a README cell states: its leading `code`,
// or its leading word ("off", "none", "now", "512").
func readmeDefault(cell string) (value string, code bool) {
	if rest, ok := strings.CutPrefix(cell, "`"); ok {
		v, _, _ := strings.Cut(rest, "`")
		return v, true
	}
	v, _, _ := strings.Cut(cell, " ")
	return strings.TrimRight(v, ",;"), false
}

// TestReadmeConfigurationTable checks the README's table against the flags
// of `coffer serve`: every flag has a row with its environment variable
// and its default, and every row is a flag.
func TestReadmeConfigurationTable(t *testing.T) {
	rows := readmeConfigTable(t)
	flags := serveFlagSet(t)
	flags.VisitAll(func(f *pflag.Flag) {
		row, ok := rows[f.Name]
		if !ok {
			t.Errorf("README's configuration table has no row for --%s", f.Name)
			return
		}
		delete(rows, f.Name)
		env := ""
		if e := f.Annotations[envAnnotation]; len(e) == 1 {
			env = e[0]
		}
		if row.env != env {
			t.Errorf("README gives --%s the environment variable %q, the flag reads %q", f.Name, row.env, env)
		}
		if !sameDefault(f, row.def) {
			t.Errorf("README gives --%s the default %q, the flag's is %q:\n%s", f.Name, row.def, f.DefValue, row.line)
		}
	})
	for name, row := range rows {
		t.Errorf("README lists --%s, which coffer serve does not have:\n%s", name, row.line)
	}
}

// sameDefault reports whether a README cell states the flag's default.
func sameDefault(f *pflag.Flag, cell string) bool {
	v, code := readmeDefault(cell)
	switch {
	case f.Name == "max-connections":
		// The default follows the open-file limit of the machine running
		// the test; the table gives the cap.
		return v == strconv.Itoa(app.MaxConnectionsCap) && strings.Contains(cell, strconv.Itoa(app.FDHeadroom))
	case f.Value.Type() == "bool":
		return !code && map[string]string{"false": "off", "true": "on"}[f.DefValue] == v
	case f.DefValue == "" || f.DefValue == "[]":
		return !code && (v == "none" || v == "now")
	case f.Value.Type() == "duration":
		want, err1 := time.ParseDuration(f.DefValue)
		got, err2 := time.ParseDuration(v)
		return err1 == nil && err2 == nil && got == want
	}
	return v == f.DefValue
}
