package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cofferdev/coffer/app"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Show the settings coffer serve runs with"}
	cmd.AddCommand(newConfigPrintCmd())
	return cmd
}

// newConfigPrintCmd is `coffer config print`: it takes every flag of
// `coffer serve`, reads the environment and the file as serve does, and
// prints the outcome instead of serving.
func newConfigPrintCmd() *cobra.Command {
	cfg := app.DefaultServerConfig()
	var clockAt, path string
	cmd := &cobra.Command{
		Use:   "print [--config FILE] [flags of coffer serve]",
		Short: "Print every setting of coffer serve, its value and where it comes from",
		Long: `Print every setting coffer serve would run with, given the same flags,
environment and --config file: its value, and where it comes from (flag,
env, file or default; the first of these that sets it wins). Secrets (keys,
passwords, tokens) are masked, and a password in --db is hidden. The file is
checked as serve checks it: an unknown key or a bad value is an error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			file, err := applyConfigFile(cmd.Flags(), path, freshServeFlags)
			if err != nil {
				return err
			}
			secretsFromEnv(cmd.Flags(), &cfg.Secrets) // as serve does
			return printSettings(cmd.OutOrStdout(), cmd.Flags(), file)
		},
	}
	addFlags(cmd.Flags(), serveFlags(&cfg, &clockAt)...)
	addFlags(cmd.Flags(), configFlag(&path))
	return cmd
}

// printSettings writes one line per flag: its name, value and source.
func printSettings(w io.Writer, f *pflag.FlagSet, file *configFile) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "setting\tvalue\tsource")
	f.VisitAll(func(fl *pflag.Flag) {
		if fl.Name == "help" { // cobra's, not a setting
			return
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", fl.Name, shownValue(fl), settingSource(fl, file))
	})
	return tw.Flush()
}

// shownValue is a flag's value as config print shows it: secrets masked,
// the password of a database URL hidden, nothing as "".
func shownValue(fl *pflag.Flag) string {
	v := fl.Value.String()
	switch {
	case secretFlag(fl.Name):
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			parts := sv.GetSlice()
			for i := range parts {
				parts[i] = maskSecret(parts[i])
			}
			v = "[" + strings.Join(parts, ",") + "]"
		} else {
			v = maskSecret(v)
		}
	case fl.Name == "db":
		v = redactDSN(v)
	}
	if v == "" {
		return `""`
	}
	return v
}

// secretFlag reports whether a flag holds a secret, by a word of its
// name, so that a flag added later for a token or a key is masked too.
func secretFlag(name string) bool {
	for word := range strings.SplitSeq(name, "-") {
		switch word {
		case "key", "secret", "secrets", "password", "token":
			return true
		}
	}
	return false
}

// maskSecret hides a secret. A long one (an encryption key, a Stripe key)
// keeps its last four characters, enough to tell two keys apart and far
// too few to guess it; a short one (a password) shows nothing.
func maskSecret(s string) string {
	switch {
	case s == "":
		return ""
	case len(s) >= 16:
		return "****" + s[len(s)-4:]
	}
	return "****"
}

// dsnPassword is a password given as a parameter of a database URL or a
// key=value connection string.
var dsnPassword = regexp.MustCompile(`(?i)(password=)[^&\s]*`)

// redactDSN hides the password of a store's URL, in its user part (as
// app.Redact does) or in a password parameter.
func redactDSN(dsn string) string {
	return dsnPassword.ReplaceAllString(app.Redact(dsn), "${1}****")
}
