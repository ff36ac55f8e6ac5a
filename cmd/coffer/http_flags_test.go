package main

import (
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/cofferdev/coffer/app"
)

// The connection limit and timeouts come from flags, or from environment
// variables beneath them; nonsense is refused.
func TestHTTPFlagsAndEnvironment(t *testing.T) {
	t.Setenv("COFFER_MAX_CONNECTIONS", "100")
	t.Setenv("COFFER_IDLE_TIMEOUT", "5s")
	var cfg app.HTTPConfig
	f := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addFlags(f, httpFlags(&cfg)...)
	if err := f.Parse([]string{"--write-timeout", "7s"}); err != nil {
		t.Fatal(err)
	}
	if cfg.MaxConnections != 100 || cfg.IdleTimeout != 5*time.Second || cfg.WriteTimeout != 7*time.Second {
		t.Errorf("config %+v, want 100 connections, idle 5s, write 7s", cfg)
	}
	for _, args := range [][]string{{"--max-connections", "0"}, {"--max-connections", "many"}, {"--idle-timeout", "-1s"}, {"--write-timeout", "30"}} {
		f := pflag.NewFlagSet("serve", pflag.ContinueOnError)
		addFlags(f, httpFlags(&app.HTTPConfig{})...)
		if err := f.Parse(args); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
