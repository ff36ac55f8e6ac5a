package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/cofferdev/coffer/app"
)

// httpFlags are the connection limit and timeouts of `coffer serve`; each
// has an environment variable.
func httpFlags(cfg *app.HTTPConfig) []flagDef {
	return []flagDef{
		{name: "max-connections", env: "COFFER_MAX_CONNECTIONS", value: &positiveInt{&cfg.MaxConnections},
			usage: fmt.Sprintf("most client connections open at once; at the limit a new one closes the longest idle, or gets 503 when none is idle; "+
				"by default %d, or the open-file limit less %d if that is lower (env COFFER_MAX_CONNECTIONS)", app.MaxConnectionsCap, app.FDHeadroom)},
		{name: "idle-timeout", env: "COFFER_IDLE_TIMEOUT", value: &positiveDuration{&cfg.IdleTimeout},
			usage: "how long a keep-alive connection may wait for its next request (env COFFER_IDLE_TIMEOUT)"},
		{name: "write-timeout", env: "COFFER_WRITE_TIMEOUT", value: &positiveDuration{&cfg.WriteTimeout},
			usage: "longest a request may take from the end of its header to the last byte of its answer; a client that does not read is cut off (env COFFER_WRITE_TIMEOUT)"},
	}
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
