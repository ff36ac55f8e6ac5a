package app

import (
	"fmt"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/stripe"
)

// GatewayConfig chooses the payment gateway of `coffer serve`.
type GatewayConfig struct {
	// Name is "sandbox" (DefaultServerConfig's) or "stripe"; empty keeps a
	// gateway the caller put in Service.Payments, else the sandbox.
	Name      string
	StripeKey string
	StripeURL string // empty: api.stripe.com; stripe-mock's URL in tests
}

// openGateway builds the configured gateway on the server's clock and
// hands it to the service. With no gateway named, a gateway already in
// Service.Payments (a test's) is kept.
func (c *ServerConfig) openGateway(clock coffer.Clock) error {
	switch c.Gateway.Name {
	case "":
		if c.Service.Payments.Gateway == nil { // a caller (a test) may bring its own
			c.Service.Payments.Gateway = payments.NewSandbox(clock)
		}
	case "sandbox":
		c.Service.Payments.Gateway = payments.NewSandbox(clock)
	case "stripe":
		if c.Gateway.StripeKey == "" {
			return fmt.Errorf("--payment-gateway=stripe needs --stripe-key (or env COFFER_STRIPE_KEY)")
		}
		c.Service.Payments.Gateway = stripe.New(c.Gateway.StripeKey, c.Gateway.StripeURL, clock)
	default:
		return fmt.Errorf("--payment-gateway: %q is not sandbox or stripe", c.Gateway.Name)
	}
	return nil
}
