package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
)

// amountFlag is a flag holding a money.Amount, parsed exactly as the server
// parses amounts, so "1.2345678" is refused before anything is sent.
type amountFlag struct {
	v   money.Amount
	set bool
}

func (f *amountFlag) Set(s string) error {
	v, err := money.Parse(s)
	if err != nil {
		return err
	}
	f.v, f.set = v, true
	return nil
}

func (f *amountFlag) String() string {
	if !f.set {
		return ""
	}
	return f.v.String()
}

func (f *amountFlag) Type() string { return "decimal" }

// ptr returns the amount, or nil when the flag was not given.
func (f *amountFlag) ptr() *money.Amount {
	if !f.set {
		return nil
	}
	v := f.v
	return &v
}

// timeFlag is a flag holding an instant: RFC 3339 ("2026-03-01T12:00:00Z")
// or a date ("2026-03-01", midnight UTC).
type timeFlag struct {
	t time.Time
}

func (f *timeFlag) Set(s string) error {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		f.t = t
		return nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		f.t = t
		return nil
	}
	return fmt.Errorf("%q is not a time; use RFC 3339 (2026-03-01T12:00:00Z) or a date (2026-03-01)", s)
}

func (f *timeFlag) String() string {
	if f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f *timeFlag) Type() string { return "time" }

// ptr returns the time, or nil when the flag was not given.
func (f *timeFlag) ptr() *time.Time {
	if f.t.IsZero() {
		return nil
	}
	t := f.t
	return &t
}

// addPageFlags adds --limit and --starting-after for a list command.
func addPageFlags(fs *pflag.FlagSet, p *client.ListParams) {
	fs.IntVar(&p.Limit, "limit", 0, "at most this many items (default: the server's page size)")
	fs.StringVar(&p.StartingAfter, "starting-after", "", "list the items after this id")
}

// addMetadataFlag adds --metadata key=value, repeatable.
func addMetadataFlag(fs *pflag.FlagSet, m *map[string]string) {
	fs.StringToStringVar(m, "metadata", nil, "metadata as `key=value` (comma-separated or repeated)")
	fs.Lookup("metadata").DefValue = "" // not "[]" in the help
}

// changed returns &v when the flag was given on the command line, else nil:
// the shape of the optional fields of update requests.
func changed[T any](cmd *cobra.Command, name string, v T) *T {
	if !cmd.Flags().Changed(name) {
		return nil
	}
	return &v
}
