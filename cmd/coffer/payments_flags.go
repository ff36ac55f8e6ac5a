package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
)

// addPaymentFlags adds the purchase, auto-recharge and gateway settings of
// `coffer serve`; each has an environment variable.
func addPaymentFlags(f *pflag.FlagSet, cfg *app.ServerConfig) {
	p := &cfg.Service.Payments
	p.MinPurchase = money.FromInt(25)
	setFromEnv(f, &amountValue{&p.MinPurchase}, "min-purchase", "COFFER_MIN_PURCHASE",
		"smallest manual purchase, in the account's currency (env COFFER_MIN_PURCHASE)")
	p.TierMax = service.DefaultTierMax()
	setFromEnv(f, &tierValue{&p.TierMax}, "trust-tier-max", "COFFER_TRUST_TIER_MAX",
		"largest single purchase per trust tier, as tier=amount,... (env COFFER_TRUST_TIER_MAX)")
	p.PurchaseExpiry = 365 * 24 * time.Hour
	setFromEnv(f, &expiryValue{&p.PurchaseExpiry}, "purchase-expiry", "COFFER_PURCHASE_EXPIRY",
		"how long purchased credit lasts: days (365d), a duration (8760h), or never (env COFFER_PURCHASE_EXPIRY)")
	p.DailyCap = money.FromInt(1000)
	setFromEnv(f, &capValue{&p.DailyCap}, "auto-recharge-daily-cap", "COFFER_AUTO_RECHARGE_DAILY_CAP",
		"default most auto-recharge may charge an account per day, or none; each account may change its own (env COFFER_AUTO_RECHARGE_DAILY_CAP)")
	f.StringVar(&cfg.Gateway.Name, "payment-gateway", env("COFFER_PAYMENT_GATEWAY", "sandbox"),
		"payment gateway: sandbox (built in, test cards only) or stripe (env COFFER_PAYMENT_GATEWAY)")
	f.StringVar(&cfg.Gateway.StripeKey, "stripe-key", env("COFFER_STRIPE_KEY", ""),
		"Stripe secret key for --payment-gateway=stripe (prefer env COFFER_STRIPE_KEY)")
	f.StringVar(&cfg.Gateway.StripeURL, "stripe-api-url", env("COFFER_STRIPE_API_URL", ""),
		"Stripe API base URL; empty for api.stripe.com, or stripe-mock's URL (env COFFER_STRIPE_API_URL)")
}

// setFromEnv registers a flag whose default may come from the environment;
// a malformed environment value is reported when the flags are parsed.
func setFromEnv(f *pflag.FlagSet, v pflag.Value, name, envName, usage string) {
	if s := env(envName, ""); s != "" {
		if err := v.Set(s); err != nil {
			usage += fmt.Sprintf(" [env %s ignored: %v]", envName, err)
		}
	}
	f.Var(v, name, usage)
}

type amountValue struct{ p *money.Amount }

func (v *amountValue) String() string { return v.p.String() }
func (v *amountValue) Type() string   { return "amount" }
func (v *amountValue) Set(s string) error {
	a, err := money.Parse(s)
	if err != nil {
		return err
	}
	if a <= 0 {
		return fmt.Errorf("must be greater than zero")
	}
	*v.p = a
	return nil
}

type capValue struct{ p *money.Amount }

func (v *capValue) String() string {
	if *v.p < 0 {
		return "none"
	}
	return v.p.String()
}
func (v *capValue) Type() string { return "amount|none" }
func (v *capValue) Set(s string) error {
	if s == "none" || s == "0" {
		*v.p = -1 // the service reads a negative cap as none
		return nil
	}
	return (&amountValue{v.p}).Set(s)
}

type expiryValue struct{ p *time.Duration }

func (v *expiryValue) String() string {
	switch {
	case *v.p < 0:
		return "never"
	case *v.p%(24*time.Hour) == 0:
		return strconv.Itoa(int(*v.p/(24*time.Hour))) + "d"
	}
	return v.p.String()
}
func (v *expiryValue) Type() string { return "duration|never" }
func (v *expiryValue) Set(s string) error {
	if s == "never" {
		*v.p = -1
		return nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return fmt.Errorf("%q is not a number of days such as 365d", s)
		}
		*v.p = time.Duration(n) * 24 * time.Hour
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not 365d, a duration such as 8760h, or never", s)
	}
	*v.p = d
	return nil
}

type tierValue struct{ p *map[int]money.Amount }

func (v *tierValue) String() string {
	tiers := make([]int, 0, len(*v.p))
	for t := range *v.p {
		tiers = append(tiers, t)
	}
	sort.Ints(tiers)
	parts := make([]string, len(tiers))
	for i, t := range tiers {
		parts[i] = fmt.Sprintf("%d=%s", t, (*v.p)[t])
	}
	return strings.Join(parts, ",")
}
func (v *tierValue) Type() string { return "tier=amount,..." }
func (v *tierValue) Set(s string) error {
	m := map[int]money.Amount{}
	for part := range strings.SplitSeq(s, ",") {
		ts, as, ok := strings.Cut(strings.TrimSpace(part), "=")
		t, err := strconv.Atoi(ts)
		if !ok || err != nil || t < 0 {
			return fmt.Errorf("%q is not tier=amount, as 1=1000.00", part)
		}
		a, err := money.Parse(as)
		if err != nil || a <= 0 {
			return fmt.Errorf("%q: the amount must be a positive decimal", part)
		}
		m[t] = a
	}
	*v.p = m
	return nil
}
