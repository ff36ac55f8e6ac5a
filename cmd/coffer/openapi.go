package main

import (
	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/httpapi"
)

func newOpenAPICmd() *cobra.Command {
	var testClock bool
	cmd := &cobra.Command{
		Use:   "openapi",
		Short: "Print the OpenAPI document the server serves at /openapi.json",
		Long: `Print the OpenAPI 3.1 document a server of this build serves at
/openapi.json, without starting one or opening a store: for linters and
client generators. --test-clock includes the test clock's route, which only
a server started with --test-clock serves.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(append(httpapi.Document(httpapi.Options{TestClock: testClock, Version: app.ReadBuildInfo().Version}), '\n'))
			return err
		},
	}
	cmd.Flags().BoolVar(&testClock, "test-clock", false, "include POST /v1/test_clock/advance")
	return cmd
}
