package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/pflag"
)

// flagDef is one flag of `coffer serve`: its name, its environment
// variable, and where its value lives in the configuration. The value
// there before the flags are added is the flag's default, so defaults are
// written once, in app.DefaultServerConfig, and never as literals here.
type flagDef struct {
	name  string
	env   string // empty: the flag has no environment variable
	usage string
	// value is a *string, *int, *bool, *time.Duration or *[]string in the
	// configuration, parsed as pflag parses those, or a pflag.Value of
	// Coffer's own that points into it.
	value any
	// envAfterParse leaves the variable unread here: the command reads it
	// once the flags are parsed (secrets.go), so that --help, which prints
	// defaults, never prints a key.
	envAfterParse bool
}

// envAnnotation names, on a flag, its environment variable; the README
// test reads it.
const envAnnotation = "env"

// env returns the environment variable's value, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// addFlags registers the flags, each with its environment variable's value,
// when set, in place of the configuration's. A malformed value of a
// Coffer-typed flag is reported in its usage, and the flag keeps its
// default; the command line may still set it.
func addFlags(f *pflag.FlagSet, defs ...flagDef) {
	for _, d := range defs {
		usage := d.usage
		s := ""
		if d.env != "" && !d.envAfterParse {
			s = env(d.env, "")
		}
		switch p := d.value.(type) {
		case *string:
			if s != "" {
				*p = s
			}
			f.StringVar(p, d.name, *p, usage)
		case *bool:
			if s != "" {
				*p = s == "true" // as documented: VAR=true
			}
			f.BoolVar(p, d.name, *p, usage)
		case *int:
			if n, err := strconv.Atoi(s); err == nil {
				*p = n
			}
			f.IntVar(p, d.name, *p, usage)
		case *time.Duration:
			if v, err := time.ParseDuration(s); err == nil {
				*p = v
			}
			f.DurationVar(p, d.name, *p, usage)
		case *[]string:
			f.StringSliceVar(p, d.name, *p, usage)
		case pflag.Value:
			if s != "" {
				if err := p.Set(s); err != nil {
					usage += fmt.Sprintf(" [env %s ignored: %v]", d.env, err)
				}
			}
			f.Var(p, d.name, usage)
		default:
			panic(fmt.Sprintf("flag --%s: no flag holds a %T", d.name, d.value))
		}
		if d.env != "" {
			_ = f.SetAnnotation(d.name, envAnnotation, []string{d.env})
		}
	}
}
