package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/httpapi"
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
		rateLimitFlag("admin", &cfg.RateLimits.Admin),
		rateLimitFlag("usage", &cfg.RateLimits.Usage),
		rateLimitFlag("account", &cfg.RateLimits.Account),
	}
}

// rateLimitFlag is --rate-limit-ROLE: RATE or RATE,BURST requests a
// second per key of the role; 0 is off.
func rateLimitFlag(role string, p *httpapi.RateLimit) flagDef {
	env := "COFFER_RATE_LIMIT_" + strings.ToUpper(role)
	who := role + " key"
	if role == "account" {
		who = "account key or subaccount"
	}
	return flagDef{name: "rate-limit-" + role, env: env, value: &rateLimitValue{p},
		usage: fmt.Sprintf("requests a second each %s may make, as RATE or RATE,BURST (burst: RATE rounded up, by default); "+
			"past it, 429 rate_limited with Retry-After; 0 is no limit (env %s)", who, env)}
}

type rateLimitValue struct{ p *httpapi.RateLimit }

func (v *rateLimitValue) String() string { return v.p.String() }
func (v *rateLimitValue) Type() string   { return "rate" }
func (v *rateLimitValue) Set(s string) error {
	r, b, hasBurst := strings.Cut(strings.TrimSpace(s), ",")
	rate, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
	if err != nil || rate < 0 || math.IsInf(rate, 0) || math.IsNaN(rate) {
		return fmt.Errorf("%q is not RATE or RATE,BURST with RATE a number of requests a second, 0 or more, such as 100 or 100,200", s)
	}
	burst := int(math.Ceil(rate))
	if hasBurst {
		if burst, err = strconv.Atoi(strings.TrimSpace(b)); err != nil || burst < 1 {
			return fmt.Errorf("%q: the burst after the comma must be a whole number of at least 1", s)
		}
	}
	if rate == 0 {
		*v.p = httpapi.RateLimit{}
		return nil
	}
	*v.p = httpapi.RateLimit{Rate: rate, Burst: max(1, burst)}
	return nil
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
