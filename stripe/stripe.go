// Package stripe adapts Stripe to Coffer's payments.Gateway, on the
// official stripe-go SDK (v85).
//
// Each payment method gets its own Stripe Customer, to which the
// PaymentMethod is attached (Stripe charges a saved method off-session only
// through a Customer). The token Coffer stores is "cus_…/pm_…", and for a
// US bank account "cus_…/pm_…/seti_…": the SetupIntent whose microdeposit
// is verified with its 6-character descriptor code (SM…). Charges are
// PaymentIntents confirmed at once, off-session, with Coffer's idempotency
// key as Stripe's Idempotency-Key; a bank debit is "processing" at Stripe,
// which Coffer reports as pending until Status sees it settle.
//
// Card numbers sent as card_number work only in Stripe test mode (and in
// stripe-mock); in production the owner's browser creates the
// PaymentMethod with Stripe.js and Coffer receives its id as token.
package stripe

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stripe/stripe-go/v85"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
)

// Gateway is a payments.Gateway on Stripe.
type Gateway struct {
	sc    *stripe.Client
	clock coffer.Clock
}

var _ payments.Gateway = (*Gateway)(nil)

// New returns a gateway using the secret key. A non-empty apiURL sends
// every request there instead of api.stripe.com (stripe-mock in tests).
func New(key, apiURL string, clock coffer.Clock) *Gateway {
	var opts []stripe.ClientOption
	if apiURL != "" {
		opts = append(opts, stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{
			URL: stripe.String(strings.TrimSuffix(apiURL, "/")), LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
		})))
	}
	return &Gateway{sc: stripe.NewClient(key, opts...), clock: clock}
}

// Name implements payments.Gateway.
func (*Gateway) Name() string { return "stripe" }

// SetupMethod implements payments.Gateway.
func (g *Gateway) SetupMethod(ctx context.Context, in payments.MethodSetup) (*payments.Method, error) {
	pmID := in.Token
	if pmID == "" {
		p := &stripe.PaymentMethodCreateParams{Type: stripe.String(in.Type)}
		switch in.Type {
		case payments.Card:
			p.Card = &stripe.PaymentMethodCreateCardParams{Number: stripe.String(in.CardNumber),
				ExpMonth: stripe.Int64(int64(in.ExpMonth)), ExpYear: stripe.Int64(int64(in.ExpYear)), CVC: stripe.String(in.CVC)}
		case payments.PayPal:
			p.Paypal = &stripe.PaymentMethodCreatePaypalParams{}
			p.BillingDetails = &stripe.PaymentMethodCreateBillingDetailsParams{Email: stripe.String(in.PayPalEmail)}
		case payments.USBankAccount:
			p.USBankAccount = &stripe.PaymentMethodCreateUSBankAccountParams{AccountHolderType: stripe.String("individual"),
				AccountNumber: stripe.String(in.AccountNumber), RoutingNumber: stripe.String(in.RoutingNumber)}
			p.BillingDetails = &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String(in.AccountHolder)}
		default:
			return nil, &payments.InvalidMethodError{Param: "type", Message: fmt.Sprintf("must be card, paypal or us_bank_account, got %q", in.Type)}
		}
		pm, err := g.sc.V1PaymentMethods.Create(ctx, p)
		if err != nil {
			return nil, invalid(err)
		}
		pmID = pm.ID
	}
	cus, err := g.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{})
	if err != nil {
		return nil, fmt.Errorf("stripe: create customer: %w", err)
	}
	pm, err := g.sc.V1PaymentMethods.Attach(ctx, pmID, &stripe.PaymentMethodAttachParams{Customer: stripe.String(cus.ID)})
	if err != nil {
		return nil, invalid(err)
	}
	m := &payments.Method{Token: cus.ID + "/" + pm.ID}
	switch {
	case pm.Card != nil:
		m.Brand, m.Last4 = string(pm.Card.Brand), pm.Card.Last4
	case pm.USBankAccount != nil:
		m.Brand, m.Last4 = pm.USBankAccount.BankName, pm.USBankAccount.Last4
	}
	if pm.BillingDetails != nil {
		m.Email = pm.BillingDetails.Email
	}
	if in.PayPalEmail != "" {
		m.Email = in.PayPalEmail
	}
	if in.Type == payments.USBankAccount {
		si, err := g.sc.V1SetupIntents.Create(ctx, &stripe.SetupIntentCreateParams{
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm.ID),
			PaymentMethodTypes: []*string{stripe.String("us_bank_account")}, Confirm: stripe.Bool(true),
			MandateData: &stripe.SetupIntentCreateMandateDataParams{CustomerAcceptance: &stripe.SetupIntentCreateMandateDataCustomerAcceptanceParams{
				Type: stripe.String("offline")}},
		})
		if err != nil {
			return nil, invalid(err)
		}
		m.Token += "/" + si.ID
		m.NeedsVerification = si.Status != stripe.SetupIntentStatusSucceeded
	}
	return m, nil
}

// Verify implements payments.Gateway with the microdeposit's descriptor
// code.
func (g *Gateway) Verify(ctx context.Context, token, code string) error {
	parts := strings.Split(token, "/")
	if len(parts) != 3 {
		return fmt.Errorf("stripe: payment method %q has no setup intent to verify", token)
	}
	_, err := g.sc.V1SetupIntents.VerifyMicrodeposits(ctx, parts[2], &stripe.SetupIntentVerifyMicrodepositsParams{
		DescriptorCode: stripe.String(strings.ToUpper(code))})
	var se *stripe.Error
	if errors.As(err, &se) && se.HTTPStatusCode == 400 && strings.Contains(string(se.Code), "microdeposit") {
		return payments.ErrWrongCode
	}
	if err != nil {
		return fmt.Errorf("stripe: verify microdeposits: %w", err)
	}
	return nil
}

// Charge implements payments.Gateway.
func (g *Gateway) Charge(ctx context.Context, in payments.ChargeRequest) (*payments.Charge, error) {
	parts := strings.Split(in.Token, "/")
	if len(parts) < 2 {
		return nil, fmt.Errorf("stripe: malformed payment method token %q", in.Token)
	}
	minor, err := MinorUnits(in.Amount, in.Currency)
	if err != nil {
		return nil, err
	}
	p := &stripe.PaymentIntentCreateParams{
		Amount: stripe.Int64(minor), Currency: stripe.String(strings.ToLower(string(in.Currency))),
		Customer: stripe.String(parts[0]), PaymentMethod: stripe.String(parts[1]),
		PaymentMethodTypes: []*string{stripe.String(in.MethodType)},
		Confirm:            stripe.Bool(true), OffSession: stripe.Bool(true),
		Description: stripe.String(in.Description),
	}
	p.SetIdempotencyKey(in.IdempotencyKey)
	pi, err := g.sc.V1PaymentIntents.Create(ctx, p)
	var se *stripe.Error
	if errors.As(err, &se) && se.Type == stripe.ErrorTypeCard {
		// A decline: Stripe answers 402 with the reason.
		id := ""
		if se.PaymentIntent != nil {
			id = se.PaymentIntent.ID
		}
		code := string(se.DeclineCode)
		if code == "" {
			code = string(se.Code)
		}
		return &payments.Charge{ID: id, Status: payments.Failed, FailureCode: code, FailureMessage: se.Msg}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("stripe: create payment intent: %w", err)
	}
	return g.charge(pi), nil
}

// charge maps a PaymentIntent to Coffer's view of a charge.
func (g *Gateway) charge(pi *stripe.PaymentIntent) *payments.Charge {
	c := &payments.Charge{ID: pi.ID}
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
		c.Status = payments.Succeeded
	case stripe.PaymentIntentStatusProcessing:
		c.Status = payments.Pending
		c.SettlesAt = payments.AddBusinessDays(g.clock.Now(), payments.SettlementBusinessDays)
	case stripe.PaymentIntentStatusRequiresAction, stripe.PaymentIntentStatusRequiresConfirmation:
		c.Status, c.FailureCode = payments.Failed, "authentication_required"
		c.FailureMessage = "the payment needs the customer to authenticate it, which an off-session charge cannot do"
	default:
		c.Status, c.FailureCode, c.FailureMessage = payments.Failed, "payment_failed", "the payment did not complete ("+string(pi.Status)+")"
		if e := pi.LastPaymentError; e != nil {
			c.FailureCode, c.FailureMessage = string(e.Code), e.Msg
			if e.DeclineCode != "" {
				c.FailureCode = string(e.DeclineCode)
			}
		}
	}
	return c
}

// Status implements payments.Gateway.
func (g *Gateway) Status(ctx context.Context, chargeID string) (*payments.Charge, error) {
	pi, err := g.sc.V1PaymentIntents.Retrieve(ctx, chargeID, nil)
	if err != nil {
		return nil, fmt.Errorf("stripe: retrieve payment intent: %w", err)
	}
	return g.charge(pi), nil
}

// Refund implements payments.Gateway.
func (g *Gateway) Refund(ctx context.Context, chargeID string, amount money.Amount, key string) (*payments.Refund, error) {
	p := &stripe.RefundCreateParams{PaymentIntent: stripe.String(chargeID)}
	if amount > 0 {
		pi, err := g.sc.V1PaymentIntents.Retrieve(ctx, chargeID, nil)
		if err != nil {
			return nil, fmt.Errorf("stripe: retrieve payment intent: %w", err)
		}
		minor, err := MinorUnits(amount, money.Currency(strings.ToUpper(string(pi.Currency))))
		if err != nil {
			return nil, err
		}
		p.Amount = stripe.Int64(minor)
	}
	p.SetIdempotencyKey(key)
	r, err := g.sc.V1Refunds.Create(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("stripe: create refund: %w", err)
	}
	return &payments.Refund{ID: r.ID, Status: string(r.Status)}, nil
}

// invalid turns Stripe's refusal of a method's details into a message for
// the owner; anything else stays an error.
func invalid(err error) error {
	var se *stripe.Error
	if errors.As(err, &se) && (se.Type == stripe.ErrorTypeCard || se.Type == stripe.ErrorTypeInvalidRequest) && se.HTTPStatusCode < 500 {
		param := se.Param
		if i := strings.LastIndex(param, "["); i >= 0 {
			param = strings.TrimSuffix(param[i+1:], "]")
		}
		if param == "number" {
			param = "card_number"
		}
		return &payments.InvalidMethodError{Param: param, Message: se.Msg}
	}
	return fmt.Errorf("stripe: %w", err)
}

// zeroDecimal are the currencies Stripe counts in whole units.
var zeroDecimal = map[money.Currency]bool{"BIF": true, "CLP": true, "DJF": true, "GNF": true, "JPY": true, "KMF": true,
	"KRW": true, "MGA": true, "PYG": true, "RWF": true, "UGX": true, "VND": true, "VUV": true, "XAF": true, "XOF": true, "XPF": true}

// threeDecimal are the currencies Stripe counts in thousandths.
var threeDecimal = map[money.Currency]bool{"BHD": true, "JOD": true, "KWD": true, "OMR": true, "TND": true}

// MinorUnits converts an amount to the integer Stripe expects (cents for
// USD). An amount finer than the currency's smallest unit is refused
// rather than rounded: Coffer never charges other than what it credits.
func MinorUnits(a money.Amount, cur money.Currency) (int64, error) {
	var per int64 = 10_000 // micro-units per cent
	switch {
	case zeroDecimal[cur]:
		per = 1_000_000
	case threeDecimal[cur]:
		per = 1_000
	}
	m := a.Micros()
	if m%per != 0 {
		return 0, fmt.Errorf("stripe: %s %s is finer than the currency's smallest unit", a, cur)
	}
	return m / per, nil
}
