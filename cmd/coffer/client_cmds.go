package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/client"
)

// defaultURL is where the client commands look for a server when neither
// --url nor COFFER_URL says otherwise: coffer serve's default address.
const defaultURL = "http://127.0.0.1:8080"

// addClientCommands adds the commands that talk to a running server.
func addClientCommands(root *cobra.Command) {
	e := &clientEnv{}
	for _, cmd := range []*cobra.Command{
		accountsCmd(e),
		subaccountsCmd(e),
		grantsCmd(e),
		debitCmd(e),
		holdsCmd(e),
		balanceCmd(e),
		historyCmd(e),
		invoicesCmd(e),
		programsCmd(e),
		clockCmd(e),
		apiKeysCmd(e),
	} {
		e.addFlags(cmd)
		root.AddCommand(cmd)
	}
	for _, cmd := range notifyCmds(e) {
		e.addFlags(cmd)
		root.AddCommand(cmd)
	}
	for _, cmd := range append(paymentCmds(e), reportCmds(e)...) {
		e.addFlags(cmd)
		root.AddCommand(cmd)
	}
}

// clientEnv holds the connection and output flags every client command
// shares. The flags are registered on each client command group rather than
// on the root, so that serve and the other server-side commands do not
// offer them.
type clientEnv struct {
	url            string
	apiKey         string
	idempotencyKey string
	json           bool
}

func (e *clientEnv) addFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&e.url, "url", "", "server base URL (env COFFER_URL; default "+defaultURL+")")
	f.StringVar(&e.apiKey, "api-key", "", "API key (env COFFER_API_KEY)")
	f.StringVar(&e.idempotencyKey, "idempotency-key", "", "Idempotency-Key for a command that changes something (default: a fresh random key)")
	f.BoolVar(&e.json, "json", false, "print the server's JSON answer instead of a table")
}

// baseURL is --url, else COFFER_URL, else the default.
func (e *clientEnv) baseURL() string {
	return cmp.Or(e.url, os.Getenv("COFFER_URL"), defaultURL)
}

// client returns a client configured from the flags and environment.
func (e *clientEnv) client() *client.Client {
	opts := []client.Option{client.WithUserAgent("coffer-cli")}
	if key := cmp.Or(e.apiKey, os.Getenv("COFFER_API_KEY")); key != "" {
		opts = append(opts, client.WithAPIKey(key))
	}
	return client.New(e.baseURL(), opts...)
}

// call returns the per-call options the flags ask for.
func (e *clientEnv) call() []client.CallOption {
	if e.idempotencyKey == "" {
		return nil
	}
	return []client.CallOption{client.WithIdempotencyKey(e.idempotencyKey)}
}

// cliError turns a failed call into the message main prints after
// "coffer: ": the server's own message for an error answer, and a hint
// about --url when the server could not be reached at all.
func (e *clientEnv) cliError(err error) error {
	var ce *client.Error
	var ue *url.Error
	switch {
	case errors.As(err, &ce):
		msg := ce.Message
		if msg == "" {
			msg = ce.Error()
		}
		if ce.Code == "unauthenticated" {
			msg += " (set --api-key or COFFER_API_KEY)"
		}
		return errors.New(msg)
	case errors.Is(err, context.Canceled):
		return errors.New("interrupted")
	case errors.As(err, &ue):
		return fmt.Errorf("cannot reach the server at %s (set --url or COFFER_URL): %w", e.baseURL(), ue.Err)
	}
	return err
}
