package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
)

// show ends a command that answers one resource: the error if the call
// failed, else v as indented JSON with --json, else the table that print
// writes.
func show[T any](e *clientEnv, cmd *cobra.Command, v T, err error, print func(w io.Writer, v T)) error {
	if err != nil {
		return e.cliError(err)
	}
	if e.json {
		return writeJSON(cmd.OutOrStdout(), v)
	}
	tw := newTable(cmd.OutOrStdout())
	print(tw, v)
	return tw.Flush()
}

// showList ends a list command: a header and one row per item (the first
// column being the item's id), and when more pages remain a hint on stderr
// saying how to get the next one.
func showList[T any](e *clientEnv, cmd *cobra.Command, l *api.List[T], err error, header []string, row func(T) []string) error {
	if err != nil {
		return e.cliError(err)
	}
	if e.json {
		return writeJSON(cmd.OutOrStdout(), l)
	}
	tw := newTable(cmd.OutOrStdout())
	line(tw, header...)
	var last string
	for _, it := range l.Data {
		r := row(it)
		line(tw, r...)
		last = r[0]
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if l.HasMore {
		fmt.Fprintf(cmd.ErrOrStderr(), "more results: add --starting-after %s\n", last)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
}

// line writes one table row; an empty cell shows as "-" so that columns
// stay readable.
func line(w io.Writer, cols ...string) {
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteByte('\t')
		}
		b.WriteString(cmp.Or(c, "-"))
	}
	fmt.Fprintln(w, b.String())
}

// fmtTime shows an instant in UTC, RFC 3339, to the second.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// fmtOptTime shows an optional instant, or none when it is absent.
func fmtOptTime(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return fmtTime(*t)
}

func fmtOptAmount(a *money.Amount) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// fmtMap shows a map as "k=v, k2=v2" in key order.
func fmtMap[V any](m map[string]V) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func fmtBool(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
