package payments

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/money"
)

// Sandbox test numbers. They are the whole contract of the sandbox: what a
// method is set up with decides, forever, how its charges end.
const (
	// Cards (any future expiry, any CVC).
	TestCardSuccess           = "4242424242424242" // every charge succeeds
	TestCardDecline           = "4000000000000002" // every charge is declined: card_declined
	TestCardInsufficientFunds = "4000000000009995" // every charge fails: insufficient_funds

	// PayPal: any address succeeds except this one, which declines.
	TestPayPalDecline = "declined@sandbox.paypal.com"

	// US bank accounts: routing number 110000000 (any valid one works).
	TestRoutingNumber     = "110000000"
	TestBankAccount       = "000123456789" // debits settle successfully
	TestBankAccountFailed = "000222222227" // debits fail when they settle: insufficient_funds

	// SettlementBusinessDays is how long a bank debit stays pending.
	SettlementBusinessDays = 4
)

// maxSeen bounds the sandbox's idempotency map.
const maxSeen = 100_000

// outcomes a sandbox method is born with.
const (
	outcomeOK       = "ok"
	outcomeDecline  = "decline"
	outcomeNSF      = "nsf"
	outcomeBankFail = "bankfail"
)

// Sandbox is the built-in deterministic gateway. Its tokens and charge ids
// carry what it needs to answer later (the method's behaviour, when a bank
// debit settles), so it keeps no state beyond an in-memory idempotency map:
// a charge repeated with the same key in the same process returns the
// first charge. Bank debits settle SettlementBusinessDays business days
// (Monday to Friday) after they are made, on the clock it is given, which
// is Coffer's clock: a test clock moves settlement too.
type Sandbox struct {
	clock coffer.Clock
	mu    sync.Mutex
	seen  map[string]*Charge
}

// NewSandbox returns a sandbox gateway reading clock.
func NewSandbox(clock coffer.Clock) *Sandbox {
	return &Sandbox{clock: clock, seen: map[string]*Charge{}}
}

// Name implements Gateway.
func (*Sandbox) Name() string { return "sandbox" }

// SetupMethod implements Gateway.
func (s *Sandbox) SetupMethod(_ context.Context, in MethodSetup) (*Method, error) {
	switch in.Type {
	case Card:
		n := strings.ReplaceAll(strings.ReplaceAll(in.CardNumber, " ", ""), "-", "")
		if len(n) < 12 || len(n) > 19 || !luhn(n) {
			return nil, &InvalidMethodError{Param: "card_number", Message: "is not a valid card number (sandbox test cards: " +
				TestCardSuccess + " succeeds, " + TestCardDecline + " declines, " + TestCardInsufficientFunds + " has insufficient funds)"}
		}
		if in.ExpMonth < 1 || in.ExpMonth > 12 {
			return nil, &InvalidMethodError{Param: "exp_month", Message: "must be 1 to 12"}
		}
		now := s.clock.Now()
		if in.ExpYear < now.Year() || (in.ExpYear == now.Year() && in.ExpMonth < int(now.Month())) {
			return nil, &InvalidMethodError{Param: "exp_year", Message: "the card has expired"}
		}
		outcome := outcomeOK
		switch n {
		case TestCardDecline:
			outcome = outcomeDecline
		case TestCardInsufficientFunds:
			outcome = outcomeNSF
		}
		return &Method{Token: token(Card, outcome), Brand: brand(n), Last4: n[len(n)-4:]}, nil
	case PayPal:
		e := strings.TrimSpace(in.PayPalEmail)
		if !strings.Contains(e, "@") {
			return nil, &InvalidMethodError{Param: "paypal_email", Message: "must be the PayPal account's e-mail address"}
		}
		outcome := outcomeOK
		if strings.EqualFold(e, TestPayPalDecline) {
			outcome = outcomeDecline
		}
		return &Method{Token: token(PayPal, outcome), Brand: "paypal", Email: e}, nil
	case USBankAccount:
		if len(in.RoutingNumber) != 9 || !digits(in.RoutingNumber) {
			return nil, &InvalidMethodError{Param: "routing_number", Message: "must be 9 digits (sandbox: " + TestRoutingNumber + ")"}
		}
		if len(in.AccountNumber) < 4 || len(in.AccountNumber) > 17 || !digits(in.AccountNumber) {
			return nil, &InvalidMethodError{Param: "account_number", Message: "must be 4 to 17 digits"}
		}
		outcome := outcomeOK
		if in.AccountNumber == TestBankAccountFailed {
			outcome = outcomeBankFail
		}
		return &Method{Token: token(USBankAccount, outcome), Brand: "STRIPE TEST BANK",
			Last4: in.AccountNumber[len(in.AccountNumber)-4:], NeedsVerification: true}, nil
	}
	return nil, &InvalidMethodError{Param: "type", Message: fmt.Sprintf("must be card, paypal or us_bank_account, got %q", in.Type)}
}

// VerificationCode is the 6-digit code the sandbox's verification deposit
// to a bank account carries. Coffer shows it only to admins, standing in
// for the customer's bank statement.
func (s *Sandbox) VerificationCode(tok string) (string, error) {
	typ, _, err := parseToken(tok)
	if err != nil {
		return "", err
	}
	if typ != USBankAccount {
		return "", fmt.Errorf("only a bank account has a verification code")
	}
	m := hmac.New(sha256.New, []byte("coffer sandbox verification"))
	m.Write([]byte(tok))
	n := binary.BigEndian.Uint32(m.Sum(nil)) % 1_000_000
	return fmt.Sprintf("%06d", n), nil
}

// Verify implements Gateway.
func (s *Sandbox) Verify(_ context.Context, tok, code string) error {
	want, err := s.VerificationCode(tok)
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(want), []byte(strings.TrimSpace(code))) {
		return ErrWrongCode
	}
	return nil
}

// Charge implements Gateway.
func (s *Sandbox) Charge(_ context.Context, in ChargeRequest) (*Charge, error) {
	typ, outcome, err := parseToken(in.Token)
	if err != nil {
		return nil, err
	}
	if in.Amount <= 0 {
		return nil, fmt.Errorf("sandbox: charge amount must be positive, got %s", in.Amount)
	}
	if in.IdempotencyKey == "" {
		return nil, fmt.Errorf("sandbox: a charge needs an idempotency key")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.seen[in.IdempotencyKey]; ok {
		cp := *c
		return &cp, nil
	}
	sum := sha256.Sum256([]byte(in.IdempotencyKey))
	ref := hex.EncodeToString(sum[:10])
	now := s.clock.Now()
	var c *Charge
	if typ == USBankAccount {
		at := AddBusinessDays(now, SettlementBusinessDays)
		c = &Charge{ID: fmt.Sprintf("ch_sbx_%s_%d_%s", outcome, at.UnixMicro(), ref), Status: Pending, SettlesAt: at}
	} else {
		c = &Charge{ID: fmt.Sprintf("ch_sbx_%s_0_%s", outcome, ref)}
		settle(c, outcome)
	}
	if len(s.seen) >= maxSeen {
		// A bound for long-running development servers: outcomes are
		// decided by the method, so a forgotten key only moves a replayed
		// bank debit's settlement date.
		clear(s.seen)
	}
	s.seen[in.IdempotencyKey] = c
	cp := *c
	return &cp, nil
}

// settle sets a charge's final status from its method's outcome.
func settle(c *Charge, outcome string) {
	switch outcome {
	case outcomeDecline:
		c.Status, c.FailureCode, c.FailureMessage = Failed, "card_declined", "the payment was declined"
	case outcomeNSF:
		c.Status, c.FailureCode, c.FailureMessage = Failed, "insufficient_funds", "the card has insufficient funds"
	case outcomeBankFail:
		c.Status, c.FailureCode, c.FailureMessage = Failed, "insufficient_funds", "the bank returned the debit: insufficient funds"
	default:
		c.Status = Succeeded
	}
}

// Status implements Gateway: a bank debit is pending until its settlement
// time on the clock, then settles as its account number decided.
func (s *Sandbox) Status(_ context.Context, id string) (*Charge, error) {
	parts := strings.Split(id, "_")
	if len(parts) != 5 || parts[0] != "ch" || parts[1] != "sbx" {
		return nil, fmt.Errorf("sandbox: unknown charge %q", id)
	}
	at, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("sandbox: unknown charge %q", id)
	}
	c := &Charge{ID: id}
	if at != 0 {
		c.SettlesAt = time.UnixMicro(at).UTC()
		if s.clock.Now().Before(c.SettlesAt) {
			c.Status = Pending
			return c, nil
		}
	}
	settle(c, parts[2])
	return c, nil
}

// Refund implements Gateway. Sandbox refunds always succeed.
func (s *Sandbox) Refund(_ context.Context, chargeID string, amount money.Amount, key string) (*Refund, error) {
	if !strings.HasPrefix(chargeID, "ch_sbx_") {
		return nil, fmt.Errorf("sandbox: unknown charge %q", chargeID)
	}
	sum := sha256.Sum256([]byte(chargeID + "/" + key + "/" + amount.String()))
	return &Refund{ID: "re_sbx_" + hex.EncodeToString(sum[:10]), Status: Succeeded}, nil
}

// AddBusinessDays returns t moved n weekdays on (Saturday and Sunday do
// not count), at the same time of day.
func AddBusinessDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

func token(typ, outcome string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("payments: crypto/rand failed: " + err.Error())
	}
	return "sbx_" + typ + "." + outcome + "." + hex.EncodeToString(b[:])
}

func parseToken(tok string) (typ, outcome string, err error) {
	rest, ok := strings.CutPrefix(tok, "sbx_")
	parts := strings.Split(rest, ".")
	if !ok || len(parts) != 3 {
		return "", "", fmt.Errorf("sandbox: unknown payment method token %q", tok)
	}
	return parts[0], parts[1], nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// luhn checks a card number's check digit.
func luhn(n string) bool {
	if !digits(n) {
		return false
	}
	sum := 0
	for i := range len(n) {
		d := int(n[len(n)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func brand(n string) string {
	switch {
	case strings.HasPrefix(n, "4"):
		return "visa"
	case strings.HasPrefix(n, "5"):
		return "mastercard"
	case strings.HasPrefix(n, "3"):
		return "amex"
	}
	return "card"
}
