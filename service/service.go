// Package service is Coffer's application layer: it checks who may do what,
// validates requests, makes every mutation idempotent, and sends every
// change of value through the batching committer. It speaks the wire types
// of package api, so the HTTP layer above it stays thin.
package service

import (
	"log/slog"
	"sync"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/invoicedoc"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/secretbox"
	"github.com/cofferdev/coffer/store"
)

// Config holds the deployment settings the service reads.
type Config struct {
	// DefaultCurrency is used when an account is created without one.
	DefaultCurrency money.Currency
	// DefaultCreditLimit is the credit limit of an account created without
	// one (or its min_balance, if lower): how far served usage may take a
	// balance below zero. Nil is -1,000.00; zero allows no overdraft.
	DefaultCreditLimit *money.Amount
	// MaxBatch bounds how many requests one committer transaction applies.
	MaxBatch int
	// MaxQueue bounds how many requests may wait for the committer; past it
	// callers get EOverloaded (HTTP 503 with Retry-After).
	MaxQueue int
	// Committers is how many committers run side by side, each owning a
	// share of the accounts (committer.Config); 0 lets the store choose:
	// one on SQLite, whose single writer gains nothing from more, two on
	// PostgreSQL.
	Committers int
	// CommitterDepth is how many of one committer's batches may be in
	// flight at once, over disjoint accounts (committer.Config.Depth); 0
	// lets the store choose: one on SQLite, four on PostgreSQL.
	CommitterDepth int
	// SweepInterval is how often the interval jobs (expiry, settlement,
	// schedules, the recharge sweep, recommendations) run on the system
	// clock. The service runs none of them itself: the jobs `coffer serve`
	// starts (package jobs) read it. Under a test clock, advancing the
	// clock runs them.
	SweepInterval time.Duration
	// Payments configures purchases and auto-recharge (payments.go).
	Payments PaymentsConfig
	// Notify configures e-mail and webhook delivery (notify.go).
	Notify NotifyConfig
	// Invoices configures periods, payment retries and the documents
	// (invoices.go).
	Invoices InvoiceConfig
	// Console configures the web console's users and sessions (users.go).
	Console ConsoleConfig
	// Secrets seals webhook signing secrets in the store (secrets.go);
	// nil keeps new ones in the clear.
	Secrets *secretbox.Keyring
	// Meter, if set, is told of every committer batch and answer
	// (committer.Config.Meter); package metrics provides one.
	Meter committer.Meter
	// Wall is the machine's monotonic clock, for durations that must not
	// follow Coffer's clock: cache lifetimes (a test clock moved a year
	// must not make every cached key stale, nor a frozen one keep them
	// forever) and how long a delivery took. Nil is time.Now. Nothing
	// that is stored or decides what falls due reads it.
	Wall func() time.Time
}

// DefaultConfig returns the settings used when nothing is configured. It
// is the one place the service's defaults are written: `coffer serve`'s
// flags start from it, and New fills a field left at its zero value from
// it.
func DefaultConfig() Config {
	limit := money.FromInt(-1000)
	return Config{
		DefaultCurrency:    "USD",
		DefaultCreditLimit: &limit,
		MaxBatch:           512,
		MaxQueue:           16384,
		SweepInterval:      time.Minute,
		Payments:           DefaultPaymentsConfig(),
		Invoices:           DefaultInvoiceConfig(),
		Console:            DefaultConsoleConfig(),
	}
}

// withDefaults fills the zero fields of c from DefaultConfig. Callers that
// build a Config field by field (tests, mostly) get the defaults for what
// they leave out; a field whose zero would mean something of its own is a
// pointer (DefaultCreditLimit) or reads "none" from a negative value.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.DefaultCurrency == "" {
		c.DefaultCurrency = d.DefaultCurrency
	}
	if c.DefaultCreditLimit == nil {
		c.DefaultCreditLimit = d.DefaultCreditLimit
	} else {
		limit := *c.DefaultCreditLimit // the service keeps its own
		c.DefaultCreditLimit = &limit
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = d.MaxBatch
	}
	if c.MaxQueue <= 0 {
		c.MaxQueue = d.MaxQueue
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = d.SweepInterval
	}
	c.Payments = c.Payments.withDefaults()
	c.Invoices = c.Invoices.withDefaults()
	c.Console = c.Console.withDefaults()
	return c
}

// Caller is who made a request, as authentication established it.
type Caller struct {
	KeyID        string      // the API key's id; for a subaccount, the subaccount id
	Role         coffer.Role // coffer.RoleAdmin, RoleUsage, RoleAccount, or RoleSubaccount
	AccountID    string      // the account an account key or subaccount is bound to
	SubaccountID string
}

// RoleSubaccount is the role of a request authenticated with a subaccount's
// auth id and token.
const RoleSubaccount coffer.Role = "subaccount"

// Actor is how the audit trail names the caller.
func (c *Caller) Actor() string { return c.KeyID }

// Call carries what every service method needs to know about the request
// beyond its body: the caller, and for mutations the Idempotency-Key header
// and a hash of the request (method, path and body) to detect a key reused
// for a different request.
type Call struct {
	Caller         *Caller
	IdempotencyKey string
	RequestHash    string
}

// Service is the application. It is safe for concurrent use.
//
// It runs no background work of its own: the time- and observer-driven
// work is exported as methods (Expire, SettlePayments, RunSchedules,
// RechargeSweep, RechargeNoted, Recommend, Deliver) that the jobs of
// package jobs run, and that RunDue runs in turn under a test clock.
type Service struct {
	store     store.Store
	clock     coffer.Clock
	ids       *coffer.IDs // every record id the process makes, so they sort in creation order
	log       *slog.Logger
	cfg       Config
	committer *committer.Committer
	keys      *keyCache // API keys by secret hash; see keycache.go
	pay       *payer    // payment gateway and what the recharge job checks; see payments.go
	docs      *invoicedoc.Renderer
	notifier  *notifier      // alerts e-mail and webhook delivery; see notify.go
	inflight  *inflight      // Idempotency-Keys whose request is running; see Once
	signIns   *signInLimiter // console sign-in attempts; see sessions.go
	// background is the writes of when keys were last used, which Close
	// waits for (apikeys.go).
	background sync.WaitGroup

	// observers are told what each committed batch wrote; see notify.
	observers []func(*store.Writes)
}
