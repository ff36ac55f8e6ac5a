package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/api"
)

func clockCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "clock", Short: "Move the test clock of a server started with --test-clock"}
	cmd.AddCommand(clockAdvanceCmd(e))
	return cmd
}

func clockAdvanceCmd(e *clientEnv) *cobra.Command {
	var (
		in api.ClockAdvance
		to timeFlag
	)
	cmd := &cobra.Command{
		Use:   "advance (--by DURATION | --to TIME)",
		Short: "Advance the test clock and run the work that falls due",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			in.To = to.ptr()
			if (in.By == "") == (in.To == nil) {
				return errors.New("give exactly one of --by or --to")
			}
			c, err := e.client().AdvanceClock(cmd.Context(), in, e.call()...)
			return show(e, cmd, c, err, func(w io.Writer, c *api.Clock) { line(w, "Now", fmtTime(c.Now)) })
		},
	}
	cmd.Flags().StringVar(&in.By, "by", "", "how far to advance, as a Go duration (36h, 90m)")
	cmd.Flags().Var(&to, "to", "the instant to advance to")
	return cmd
}
