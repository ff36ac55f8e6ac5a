package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/app"
)

// addVersion gives the root command --version and the `version` command,
// which print the same report: the version, commit and Go version the
// binary was built with.
func addVersion(root *cobra.Command) {
	info := app.ReadBuildInfo()
	root.Version = info.Version
	root.SetVersionTemplate(info.String())
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version of this binary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), info.String())
			return err
		},
	})
}
