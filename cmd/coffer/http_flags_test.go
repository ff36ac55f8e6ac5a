package main

import (
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// The connection limit and timeouts come from flags, or from environment
// variables beneath them; nonsense is refused.
func TestHTTPFlagsAndEnvironment(t *testing.T) {
	t.Setenv("COFFER_MAX_CONNECTIONS", "100")
	t.Setenv("COFFER_IDLE_TIMEOUT", "5s")
	var cfg HTTPConfig
	f := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addHTTPFlags(f, &cfg)
	if err := f.Parse([]string{"--write-timeout", "7s"}); err != nil {
		t.Fatal(err)
	}
	if cfg.MaxConnections != 100 || cfg.IdleTimeout != 5*time.Second || cfg.WriteTimeout != 7*time.Second {
		t.Errorf("config %+v, want 100 connections, idle 5s, write 7s", cfg)
	}
	for _, args := range [][]string{{"--max-connections", "0"}, {"--max-connections", "many"}, {"--idle-timeout", "-1s"}, {"--write-timeout", "30"}} {
		f := pflag.NewFlagSet("serve", pflag.ContinueOnError)
		addHTTPFlags(f, &HTTPConfig{})
		if err := f.Parse(args); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// The default limit stays below the open-file limit, leaving room for the
// store and everything else, and is a fixed number when the file limit is
// high or unknown.
func TestDefaultMaxConnections(t *testing.T) {
	for _, c := range []struct {
		files uint64
		want  int
	}{
		{0, 4096}, {1 << 20, 4096}, {20000, 4096}, {4352, 4096}, {4096, 3840}, {1024, 768}, {513, 257}, {512, 256}, {100, 50}, {1, 1},
	} {
		if got := defaultMaxConnections(c.files); got != c.want {
			t.Errorf("defaultMaxConnections(%d) = %d, want %d", c.files, got, c.want)
		}
	}
}
