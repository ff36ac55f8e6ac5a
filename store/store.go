// Package store defines how Coffer keeps its records (package coffer) and
// ledger (package ledger): the interfaces a storage engine implements and
// the storage-only types they take. Package sqlstore implements it on SQLite and PostgreSQL; the
// contract suite in storetest runs against both.
//
// Every method is one store transaction. Ledger writes go only through
// Batch, which the service's committer drives: lock the touched accounts,
// load their live state, apply the pure ledger rules, write every effect.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/ledger"
)

// ErrRefused marks a store error caused by a value a request carried (text
// the engine cannot hold, a CHECK constraint it breaks) rather than by the
// store itself. The committer reruns a batch that failed with it without
// the request at fault, so one caller's bad request never fails another's.
var ErrRefused = errors.New("the store refused a value of the request")

// Idempotency is the stored first answer to a mutating request. It is
// written in the same store transaction as the request's effect, so a
// request either happened with its answer recorded or did not happen.
type Idempotency struct {
	Scope       string // the caller: an API key id or a subaccount id
	Key         string
	RequestHash string
	Status      int    // HTTP status of the first answer
	Body        []byte // JSON of the first answer
	CreatedAt   time.Time
}

// Page asks for one page of a list: at most Limit items after the id
// StartingAfter (ids sort in creation order).
type Page struct {
	Limit         int
	StartingAfter string
}

// LotFilter narrows a list of lots.
type LotFilter struct {
	Page
	Kind     ledger.Kind
	Category ledger.Category
	Status   ledger.LotStatus
	Unit     string
}

// TxnFilter narrows a transaction history.
type TxnFilter struct {
	Page
	Types        []ledger.TxnType
	From, To     time.Time // From inclusive, To exclusive; zero means open
	SubaccountID string
}

// EventKey names a usage event on an account; debits are unique by it.
type EventKey struct {
	AccountID string
	EventID   string
}

// Writes is everything a committer batch persists in one store transaction.
type Writes struct {
	States      []*ledger.State  // accounts whose debt, cached balance or status changed
	Effects     []*ledger.Effect // transactions, postings, lots, holds, events
	Idempotency []Idempotency
	// Invoices are new invoices, numbered from the counter Load locked,
	// which Write moves to LastInvoiceNumber; Voided are invoices the
	// batch voided, saved whole.
	Invoices          []*invoice.Invoice
	Voided            []*invoice.Invoice
	LastInvoiceNumber int64
}

// Lookup names what a batch must know was already recorded for its
// requests: debits by usage event, holds by event, answers by
// Idempotency-Key (only Scope and Key are read).
type Lookup struct {
	Debits      []EventKey
	Holds       []EventKey
	Idempotency []Idempotency
	// InvoiceNumbers locks the invoice counter, after the accounts, and
	// reads the last number given: for batches that finalize invoices.
	InvoiceNumbers bool
	// Now is the instant the batch's requests run at. With it, a large
	// account is loaded in part (ledger.Partial), answering for Now only;
	// without it every account is loaded whole.
	Now time.Time
	// HoldIDs are holds the requests capture or release: loaded with
	// their accounts, however many holds those have.
	HoldIDs []string
}

// Loaded is what Load read. The maps hold only what was found.
type Loaded struct {
	States      map[string]*ledger.State
	Debits      map[EventKey]*ledger.Txn // with their postings
	Holds       map[EventKey]*ledger.Hold
	Idempotency map[[2]string]*Idempotency // by {Scope, Key}
	// LastInvoiceNumber is the last invoice number given, if asked for.
	LastInvoiceNumber int64
	// Kept says the states are ones the store kept from the batches it
	// committed last, and that nothing was read: Debits holds none, Holds
	// only the active holds of those states, Idempotency none. A repeat
	// of a recorded event or Idempotency-Key that the batch records again
	// fails it on a unique index (a conflict: run it again). A repeat of
	// an event that is refused records nothing, so the batch must not
	// answer it: it returns ErrReadAgain instead.
	Kept bool
}

// ErrReadAgain, returned by a batch's function, runs the batch again with
// every state and lookup read from the database (Loaded.Kept).
var ErrReadAgain = errors.New("store: the batch must run again, reading what it kept")

// Batch is the committer's view of one open store transaction.
type Batch interface {
	// LoadStates locks the accounts in id order (SELECT … FOR UPDATE on
	// PostgreSQL; SQLite's single writer already excludes others) and loads
	// each one's active lots and active holds. Unknown ids are left out.
	LoadStates(ctx context.Context, accountIDs []string) (map[string]*ledger.State, error)
	// Load is LoadStates followed, once the locks are held, by the
	// lookups: everything a batch reads, in one round trip on PostgreSQL.
	Load(ctx context.Context, accountIDs []string, l Lookup) (*Loaded, error)
	// Write persists the batch's writes in bulk.
	Write(ctx context.Context, w *Writes) error
}

// Violation is one broken invariant found by Check.
type Violation struct {
	Rule    string // e.g. "postings_balance", "lot_remaining"
	Subject string // the transaction, lot or account at fault
	Detail  string
}

// Store is a storage engine: every role below, over one database, so that
// a store transaction may span them (a payment's grant and its account's
// status, an account and its idempotent answer).
type Store interface {
	Ledger
	Accounts
	Payments
	Notifications
	Invoices
	Programs
	Reports
	Users

	// Check verifies the ledger invariants and reports every violation.
	Check(ctx context.Context) ([]Violation, error)
	Close() error
}

// Ledger keeps the ledger: it writes through Batch alone, and reads lots,
// holds, transactions and the state they add up to.
type Ledger interface {
	// Batch runs fn in one store transaction and commits if it returns nil.
	// It retries fn on a serialization failure or deadlock.
	Batch(ctx context.Context, fn func(Batch) error) error

	GetLot(ctx context.Context, id string) (*ledger.Lot, error)
	ListLots(ctx context.Context, accountID string, f LotFilter) ([]*ledger.Lot, bool, error)
	GetHold(ctx context.Context, id string) (*ledger.Hold, error)
	GetTxn(ctx context.Context, id string) (*ledger.Txn, error)
	ListTxns(ctx context.Context, accountID string, f TxnFilter) ([]*ledger.Txn, bool, error)
	// LoadState reads an account's live ledger state without locking it.
	LoadState(ctx context.Context, accountID string) (*ledger.State, error)
	// LoadBalance is LoadState(…).Balance(at) for at the present, read in
	// one snapshot the way a committer batch loads the account: a large
	// account's first lots in consumption order and its totals, not all
	// of its lots and holds.
	LoadBalance(ctx context.Context, accountID string, at time.Time) (ledger.Balance, error)
	// StateAt rebuilds the account's ledger state as of instant t from the
	// postings: every lot created at or before t with its remaining value
	// at t (the sum of its postings up to t; status active when that is
	// positive, else the status it had then), the debt at t (minus the sum
	// of its receivables postings up to t), and the holds that were active
	// at t (created at or before t, not finished by t). With t = now it
	// equals LoadState.
	StateAt(ctx context.Context, accountID string, t time.Time) (*ledger.State, error)
	// AccountsDue lists accounts with an active lot expired or an active
	// hold past its TTL at now, at most limit of them.
	AccountsDue(ctx context.Context, now time.Time, limit int) ([]string, error)
}

// Accounts keeps accounts, their subaccounts, API keys and the idempotent
// answers to requests that changed nothing else.
type Accounts interface {
	CreateAccount(ctx context.Context, a *coffer.Account, events []ledger.Event, idem *Idempotency) error
	GetAccount(ctx context.Context, id string) (*coffer.Account, error)
	ListAccounts(ctx context.Context, p Page) ([]*coffer.Account, bool, error)
	// SearchAccounts lists accounts in id order that match f.
	SearchAccounts(ctx context.Context, f AccountFilter) ([]*coffer.Account, bool, error)
	// UpdateAccount locks the account, calls fn to change it, and saves it.
	UpdateAccount(ctx context.Context, id string, fn func(*coffer.Account) error, idem *Idempotency) (*coffer.Account, error)

	CreateSubaccount(ctx context.Context, s *coffer.Subaccount, idem *Idempotency) error
	GetSubaccount(ctx context.Context, id string) (*coffer.Subaccount, error)
	GetSubaccountByAuthID(ctx context.Context, authID string) (*coffer.Subaccount, error)
	ListSubaccounts(ctx context.Context, accountID string, p Page) ([]*coffer.Subaccount, bool, error)
	UpdateSubaccount(ctx context.Context, id string, fn func(*coffer.Subaccount) error, idem *Idempotency) (*coffer.Subaccount, error)

	CreateAPIKey(ctx context.Context, k *coffer.APIKey, idem *Idempotency) error
	GetAPIKeyByHash(ctx context.Context, hash []byte) (*coffer.APIKey, error)
	GetAPIKey(ctx context.Context, id string) (*coffer.APIKey, error)
	ListAPIKeys(ctx context.Context, p Page) ([]*coffer.APIKey, bool, error)
	// UpdateAPIKey locks the key, lets fn change its expiry, revocation
	// and successor, and saves them together with successor (a new key to
	// create, or nil) and idem. It moves APIKeyRevision.
	UpdateAPIKey(ctx context.Context, id string, fn func(*coffer.APIKey) error, successor *coffer.APIKey, idem *Idempotency) (*coffer.APIKey, error)
	// APIKeyRevision is a counter that moves whenever a key may have
	// stopped working early (revoked, its expiry brought forward):
	// processes poll it to drop the keys they cache.
	APIKeyRevision(ctx context.Context) (int64, error)
	// TouchAPIKeys records when keys were last used; a later mark
	// already stored stays.
	TouchAPIKeys(ctx context.Context, used map[string]time.Time) error
	CountAPIKeys(ctx context.Context) (int, error)

	GetIdempotency(ctx context.Context, scope, key string) (*Idempotency, error)
	// SaveIdempotency records the answer to a request that changed nothing
	// (a refusal); it is a no-op if the key is already recorded.
	SaveIdempotency(ctx context.Context, idem *Idempotency) error
}
