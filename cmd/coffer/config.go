package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
	"github.com/spf13/pflag"
)

// The configuration file of `coffer serve` is TOML: one top-level key per
// flag, named as the flag (`db = "postgres://…"`, `max-batch = 512`). It
// sits beneath the environment, so one setting comes from the first of
//
//	flag > environment variable > file > default
//
// that gives it. Every value in the file goes through the flag's own
// parsing, so the file accepts exactly what the flag does.

// configFlag is --config, the file's path.
func configFlag(path *string) flagDef {
	return flagDef{name: "config", env: "COFFER_CONFIG", value: path,
		usage: "TOML file of settings, each under its flag's name; flags and environment variables override it (env COFFER_CONFIG)"}
}

// configFile is a configuration file as read: its settings in file order.
type configFile struct {
	path     string
	settings []fileSetting
}

// fileSetting is one key of the file and its value as the flag's Set
// takes it: one string, or each element of an array.
type fileSetting struct {
	name   string
	line   int
	values []string
	array  bool
}

// lookup is the file's setting of the flag, if it has one.
func (c *configFile) lookup(name string) (fileSetting, bool) {
	if c != nil {
		for _, s := range c.settings {
			if s.name == name {
				return s, true
			}
		}
	}
	return fileSetting{}, false
}

// readConfigFile reads and checks the file at path against the flags of
// f: every key must be one of them (not --config or --help) and every value
// must be one the flag accepts, parsed by a flag of fresh, a flag set like
// f's whose values are thrown away. Each error names the file and line.
func readConfigFile(path string, f, fresh *pflag.FlagSet) (*configFile, error) {
	if strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".json") {
		return nil, fmt.Errorf("--config %s: the configuration file is TOML, such as coffer.toml (deploy/coffer.toml is an example)", path)
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	var values map[string]any
	if err := toml.Unmarshal(doc, &values); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, fmt.Errorf("%s:%d:%d: %v", path, line, col, err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := &configFile{path: path}
	var errs []error
	var p unstable.Parser
	p.Reset(doc)
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != unstable.KeyValue && e.Kind != unstable.Table && e.Kind != unstable.ArrayTable {
			continue
		}
		name, line := keyOf(&p, e)
		fl := f.Lookup(name)
		if e.Kind != unstable.KeyValue || fl == nil || name == "config" || name == "help" {
			what := "key"
			if e.Kind != unstable.KeyValue {
				what = "table"
			}
			errs = append(errs, fmt.Errorf("%s:%d: unknown %s %q: each setting is a top-level key named as a flag of coffer serve, such as db = \"coffer.db\"",
				path, line, what, name))
			if e.Kind != unstable.KeyValue {
				break // the keys below a table are the table's
			}
			continue
		}
		s, err := settingOf(name, line, values[name], string(p.Raw(e.Value().Raw)))
		if err == nil {
			err = s.set(fresh.Lookup(name))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %s: %w", path, line, name, err))
			continue
		}
		c.settings = append(c.settings, s)
	}
	if err := p.Error(); err != nil { // Unmarshal has parsed it already; kept for safety
		errs = append(errs, fmt.Errorf("%s: %w", path, err))
	}
	return c, errors.Join(errs...)
}

// keyOf is an expression's key, its parts joined by dots, and its line.
func keyOf(p *unstable.Parser, e *unstable.Node) (string, int) {
	var parts []string
	line := 0
	for it := e.Key(); it.Next(); {
		k := it.Node()
		if line == 0 {
			line = p.Shape(k.Raw).Start.Line
		}
		parts = append(parts, string(k.Data))
	}
	return strings.Join(parts, "."), line
}

// settingOf turns a decoded TOML value, written as raw, into the text the
// flag parses. Floats are refused: amounts are decimal strings everywhere in
// Coffer, and a float does not keep "25.00" as written.
func settingOf(name string, line int, v any, raw string) (fileSetting, error) {
	s := fileSetting{name: name, line: line}
	if arr, ok := v.([]any); ok {
		s.array = true
		for _, e := range arr {
			t, err := scalarSetting(e, fmt.Sprint(e))
			if err != nil {
				return s, err
			}
			s.values = append(s.values, t)
		}
		return s, nil
	}
	t, err := scalarSetting(v, raw)
	s.values = []string{t}
	return s, err
}

func scalarSetting(v any, raw string) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case bool:
		return strconv.FormatBool(x), nil
	case time.Time:
		return x.Format(time.RFC3339Nano), nil
	case float64:
		return "", fmt.Errorf("%s is a TOML float, which no setting takes: write an amount or a duration as a string, such as \"25.00\" or \"1.5s\"", raw)
	}
	return "", fmt.Errorf("a TOML %s is not a setting: write a string, a whole number, true or false, or an array of them", tomlKind(v))
}

// tomlKind names a decoded value's TOML type for an error.
func tomlKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "table"
	case []any:
		return "array in an array"
	}
	return "date or time without a zone"
}

// set gives the setting to the flag through the flag's own parsing. An
// array sets a list flag's elements, is an address's lines, or else the
// comma-separated list the flag reads (retries, trust tiers).
func (s fileSetting) set(fl *pflag.Flag) error {
	if !s.array {
		return fl.Value.Set(s.values[0])
	}
	switch v := fl.Value.(type) {
	case pflag.SliceValue:
		return v.Replace(s.values)
	case *linesValue:
		return v.Set(strings.Join(s.values, "\n"))
	}
	return fl.Value.Set(strings.Join(s.values, ","))
}

// settingSource says where a flag's value comes from, by the one
// precedence: "flag", "env NAME", "file PATH:LINE" or "default".
func settingSource(fl *pflag.Flag, c *configFile) string {
	if fl.Changed {
		return "flag"
	}
	if env := fl.Annotations[envAnnotation]; len(env) == 1 && os.Getenv(env[0]) != "" {
		return "env " + env[0]
	}
	if s, ok := c.lookup(fl.Name); ok {
		return fmt.Sprintf("file %s:%d", c.path, s.line)
	}
	return "default"
}

// applyConfigFile reads the file at path, when one is named, and gives
// each of its settings to the flag of f that neither the command line nor
// the flag's environment variable set. fresh makes a flag set like f's, to
// check the values that are overridden too: a file is refused for a bad
// value whatever the environment it runs in.
func applyConfigFile(f *pflag.FlagSet, path string, fresh func() *pflag.FlagSet) (*configFile, error) {
	if path == "" {
		return nil, nil
	}
	c, err := readConfigFile(path, f, fresh())
	if err != nil {
		return nil, err
	}
	for _, s := range c.settings {
		fl := f.Lookup(s.name)
		if strings.HasPrefix(settingSource(fl, c), "file ") {
			if err := s.set(fl); err != nil { // checked already; kept for safety
				return nil, fmt.Errorf("%s:%d: %s: %w", c.path, s.line, s.name, err)
			}
		}
	}
	return c, nil
}

// freshServeFlags is a flag set of `coffer serve` of its own, whose
// values are thrown away: the file's values are checked against it.
func freshServeFlags() *pflag.FlagSet { return newServeCmd().Flags() }
