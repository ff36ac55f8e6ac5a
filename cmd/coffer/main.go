// Command coffer runs the Coffer server and talks to one.
//
// This file only builds the command tree; each command lives in its own
// file, and everything it wires comes from the packages beside cmd/.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		if !alreadyLogged(err) {
			fmt.Fprintln(os.Stderr, "coffer:", err)
		}
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "coffer",
		Short:         "Coffer: a prepaid balance and credits engine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd(), newConfigCmd(), newMigrateCmd(), newCheckCmd(), newKeysCmd(), newUsersCmd(), newSecretsCmd(), newBenchCmd(), newOpenAPICmd())
	addClientCommands(root)
	addVersion(root)
	return root
}
