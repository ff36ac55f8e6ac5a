package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/cofferdev/coffer/app"
)

// addHTTPFlags adds the connection limit and timeouts of `coffer serve`;
// each has an environment variable. Their defaults are DefaultHTTPConfig's.
func addHTTPFlags(f *pflag.FlagSet, cfg *app.HTTPConfig) {
	d := app.DefaultHTTPConfig()
	cfg.MaxConnections, cfg.IdleTimeout, cfg.WriteTimeout = d.MaxConnections, d.IdleTimeout, d.WriteTimeout
	setFromEnv(f, &positiveInt{&cfg.MaxConnections}, "max-connections", "COFFER_MAX_CONNECTIONS",
		fmt.Sprintf("most client connections open at once; at the limit a new one closes the longest idle, or gets 503 when none is idle; "+
			"by default %d, or the open-file limit less %d if that is lower (env COFFER_MAX_CONNECTIONS)", app.MaxConnectionsCap, app.FDHeadroom))
	setFromEnv(f, &positiveDuration{&cfg.IdleTimeout}, "idle-timeout", "COFFER_IDLE_TIMEOUT",
		"how long a keep-alive connection may wait for its next request (env COFFER_IDLE_TIMEOUT)")
	setFromEnv(f, &positiveDuration{&cfg.WriteTimeout}, "write-timeout", "COFFER_WRITE_TIMEOUT",
		"longest a request may take from the end of its header to the last byte of its answer; a client that does not read is cut off (env COFFER_WRITE_TIMEOUT)")
}

type positiveInt struct{ p *int }

func (v *positiveInt) String() string { return strconv.Itoa(*v.p) }
func (v *positiveInt) Type() string   { return "int" }
func (v *positiveInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return fmt.Errorf("%q is not a whole number greater than zero", s)
	}
	*v.p = n
	return nil
}

type positiveDuration struct{ p *time.Duration }

func (v *positiveDuration) String() string { return v.p.String() }
func (v *positiveDuration) Type() string   { return "duration" }
func (v *positiveDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a duration greater than zero, such as 30s", s)
	}
	*v.p = d
	return nil
}
