package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/money"
)

// paymentFlags are the purchase, auto-recharge and gateway settings of
// `coffer serve`; each has an environment variable.
func paymentFlags(cfg *app.ServerConfig) []flagDef {
	p := &cfg.Service.Payments
	return []flagDef{
		{name: "min-purchase", env: "COFFER_MIN_PURCHASE", value: &amountValue{&p.MinPurchase},
			usage: "smallest manual purchase, in the account's currency (env COFFER_MIN_PURCHASE)"},
		{name: "trust-tier-max", env: "COFFER_TRUST_TIER_MAX", value: &tierValue{&p.TierMax},
			usage: "largest single purchase per trust tier, as tier=amount,... (env COFFER_TRUST_TIER_MAX)"},
		{name: "purchase-expiry", env: "COFFER_PURCHASE_EXPIRY", value: &expiryValue{&p.PurchaseExpiry},
			usage: "how long purchased credit lasts: days (365d), a duration (8760h), or never (env COFFER_PURCHASE_EXPIRY)"},
		{name: "auto-recharge-daily-cap", env: "COFFER_AUTO_RECHARGE_DAILY_CAP", value: &capValue{&p.DailyCap},
			usage: "default most auto-recharge may charge an account per day, or none; each account may change its own (env COFFER_AUTO_RECHARGE_DAILY_CAP)"},
		{name: "payment-gateway", env: "COFFER_PAYMENT_GATEWAY", value: &cfg.Gateway.Name,
			usage: "payment gateway: sandbox (built in, test cards only) or stripe (env COFFER_PAYMENT_GATEWAY)"},
		{name: "stripe-key", env: "COFFER_STRIPE_KEY", value: &cfg.Gateway.StripeKey,
			usage: "Stripe secret key for --payment-gateway=stripe (prefer env COFFER_STRIPE_KEY)"},
		{name: "stripe-api-url", env: "COFFER_STRIPE_API_URL", value: &cfg.Gateway.StripeURL,
			usage: "Stripe API base URL; empty for api.stripe.com, or stripe-mock's URL (env COFFER_STRIPE_API_URL)"},
	}
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
