// Package api holds the JSON shapes of Coffer's v1 HTTP API. The server
// answers with them, the Go client decodes them, and stored idempotent
// answers are encoded with them, so all three always agree.
//
// Amounts are decimal strings (money.Amount marshals as text); times are
// RFC 3339; optional times are pointers so that "never" is null.
package api

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// List is one page of a list endpoint.
type List[T any] struct {
	Data    []T  `json:"data"`
	HasMore bool `json:"has_more"`
}

// ErrorBody is the body of every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes what went wrong. Type groups codes (as
// "invalid_request_error"); Code is stable and specific; Param names the
// field at fault; Details carries machine-readable extras such as the
// available balance on an insufficient_balance refusal; RequestID is the
// request's X-Request-Id, to quote when asking about the failure.
type ErrorDetail struct {
	Type      string            `json:"type"`
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Param     string            `json:"param,omitempty"`
	Details   map[string]string `json:"details,omitempty"`
	RequestID string            `json:"request_id,omitempty" doc:"The id of the request, as in its X-Request-Id answer header and the server's log lines about it."`
}

// Account is an account as the API shows it.
type Account struct {
	ID                 string            `json:"id"`
	Object             string            `json:"object"`
	Name               string            `json:"name"`
	Email              string            `json:"email"`
	NotificationEmails []string          `json:"notification_emails"`
	Currency           string            `json:"currency"`
	Status             string            `json:"status"`
	BillingMode        string            `json:"billing_mode"`
	PostpaidSince      *time.Time        `json:"postpaid_since,omitempty" doc:"When usage began to be billed afterwards; after a switch to postpaid, the start of the next period, when it takes effect."`
	MinBalance         money.Amount      `json:"min_balance"`
	CreditLimit        money.Amount      `json:"credit_limit"`
	TrustTier          int               `json:"trust_tier"`
	Metadata           map[string]string `json:"metadata"`
	CreatedAt          time.Time         `json:"created_at"`
	UpdatedAt          time.Time         `json:"updated_at"`
}

// AccountCreate is the body of POST /v1/accounts.
type AccountCreate struct {
	Name               string            `json:"name"`
	Email              string            `json:"email,omitempty"`
	NotificationEmails []string          `json:"notification_emails,omitempty"`
	Currency           string            `json:"currency"`
	BillingMode        string            `json:"billing_mode,omitempty"`
	MinBalance         *money.Amount     `json:"min_balance,omitempty"`
	CreditLimit        *money.Amount     `json:"credit_limit,omitempty"`
	TrustTier          *int              `json:"trust_tier,omitempty"`
	Metadata           map[string]string `json:"metadata,omitempty"`
}

// AccountUpdate is the body of PATCH /v1/accounts/{id}; absent fields stay.
type AccountUpdate struct {
	Name               *string           `json:"name,omitempty"`
	Email              *string           `json:"email,omitempty"`
	NotificationEmails *[]string         `json:"notification_emails,omitempty"`
	BillingMode        *string           `json:"billing_mode,omitempty"`
	MinBalance         *money.Amount     `json:"min_balance,omitempty"`
	CreditLimit        *money.Amount     `json:"credit_limit,omitempty"`
	TrustTier          *int              `json:"trust_tier,omitempty"`
	Status             *string           `json:"status,omitempty"` // admin only: "active" or "suspended"
	Metadata           map[string]string `json:"metadata,omitempty"`
}

// Subaccount is a subaccount as the API shows it. AuthToken is present only
// in the answer that created it.
type Subaccount struct {
	ID        string    `json:"id"`
	Object    string    `json:"object"`
	AccountID string    `json:"account_id"`
	Name      string    `json:"name"`
	Enabled   bool      `json:"enabled"`
	AuthID    string    `json:"auth_id"`
	AuthToken string    `json:"auth_token,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SubaccountCreate is the body of POST /v1/accounts/{id}/subaccounts.
type SubaccountCreate struct {
	Name string `json:"name"`
}

// SubaccountUpdate is the body of PATCH /v1/subaccounts/{id}.
type SubaccountUpdate struct {
	Name    *string `json:"name,omitempty"`
	Enabled *bool   `json:"enabled,omitempty"`
}

// Grant is a lot of credit as the API shows it.
type Grant struct {
	ID          string       `json:"id"`
	Object      string       `json:"object"`
	AccountID   string       `json:"account_id"`
	Kind        string       `json:"kind"`
	Unit        string       `json:"unit,omitempty"`
	Amount      money.Amount `json:"amount"`
	Remaining   money.Amount `json:"remaining"`
	Category    string       `json:"category"`
	Priority    int          `json:"priority"`
	EffectiveAt time.Time    `json:"effective_at"`
	ExpiresAt   *time.Time   `json:"expires_at"`
	Application string       `json:"application"`
	Status      string       `json:"status"`
	Origin      string       `json:"origin"`
	Reason      string       `json:"reason"`
	Actor       string       `json:"actor"`
	CreatedAt   time.Time    `json:"created_at"`
}

// GrantCreate is the body of POST /v1/accounts/{id}/grants.
type GrantCreate struct {
	Kind        string            `json:"kind,omitempty"` // monetary (default) or units
	Amount      money.Amount      `json:"amount"`
	Currency    string            `json:"currency,omitempty"` // if given, must be the account's
	Unit        string            `json:"unit,omitempty"`
	Category    string            `json:"category,omitempty"` // promotional (default) or paid
	Priority    *int              `json:"priority,omitempty"`
	EffectiveAt *time.Time        `json:"effective_at,omitempty"`
	ExpiresAt   *time.Time        `json:"expires_at,omitempty"`
	Application string            `json:"application,omitempty"` // realtime (default) or true_up
	Reason      string            `json:"reason,omitempty"`
	Metadata    map[string]string `json:"metadata,omitempty"`
}

// GrantVoid is the body of POST /v1/grants/{id}/void.
type GrantVoid struct {
	Reason string `json:"reason"`
}

// Posting is one line of a transaction.
type Posting struct {
	Book      string       `json:"book"`
	AccountID string       `json:"account_id,omitempty"`
	GrantID   string       `json:"grant_id,omitempty"`
	Asset     string       `json:"asset"`
	Amount    money.Amount `json:"amount"`
}

// Transaction is one ledger entry in an account's history.
type Transaction struct {
	ID           string            `json:"id"`
	Object       string            `json:"object"`
	AccountID    string            `json:"account_id"`
	Type         string            `json:"type"`
	Amount       money.Amount      `json:"amount"`
	BalanceAfter money.Amount      `json:"balance_after"`
	Currency     string            `json:"currency"`
	GrantID      string            `json:"grant_id,omitempty"`
	HoldID       string            `json:"hold_id,omitempty"`
	EventID      string            `json:"event_id,omitempty"`
	SubaccountID string            `json:"subaccount_id,omitempty"`
	Unit         string            `json:"unit,omitempty"`
	Quantity     *money.Amount     `json:"quantity,omitempty"`
	UnitPrice    *money.Amount     `json:"unit_price,omitempty"`
	Description  string            `json:"description,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	Actor        string            `json:"actor"`
	Reason       string            `json:"reason,omitempty"`
	CreatedAt    time.Time         `json:"created_at"`
	Postings     []Posting         `json:"postings"`
}

// DebitCreate is one debit: an Amount, or a Unit with Quantity and an
// optional UnitPrice. AccountID may be left out when a subaccount sends it.
type DebitCreate struct {
	AccountID     string            `json:"account_id,omitempty"`
	EventID       string            `json:"event_id"`
	Amount        *money.Amount     `json:"amount,omitempty"`
	Unit          string            `json:"unit,omitempty"`
	Quantity      *money.Amount     `json:"quantity,omitempty"`
	UnitPrice     *money.Amount     `json:"unit_price,omitempty"`
	AllowNegative bool              `json:"allow_negative,omitempty"`
	SubaccountID  string            `json:"subaccount_id,omitempty"`
	Description   string            `json:"description,omitempty"`
	Metadata      map[string]string `json:"metadata,omitempty"`
}

// Debit is the answer to a debit: the transaction it wrote and the
// account's balance and available amount after it. Replayed is true when
// the event had already been debited and nothing new happened.
type Debit struct {
	Object      string       `json:"object"`
	Transaction Transaction  `json:"transaction"`
	Balance     money.Amount `json:"balance"`
	Available   money.Amount `json:"available"`
	Replayed    bool         `json:"replayed"`
}

// DebitBatch is the body of POST /v1/debits/batch.
type DebitBatch struct {
	Debits []DebitCreate `json:"debits"`
}

// DebitBatchResult answers a batch: one item per debit, in order; each has
// either a Debit or an Error.
type DebitBatchResult struct {
	Data []DebitBatchItem `json:"data"`
}

// DebitBatchItem is one debit's outcome within a batch.
type DebitBatchItem struct {
	Status int          `json:"status"`
	Debit  *Debit       `json:"debit,omitempty"`
	Error  *ErrorDetail `json:"error,omitempty"`
}

// Hold is a reservation as the API shows it.
type Hold struct {
	ID            string        `json:"id"`
	Object        string        `json:"object"`
	AccountID     string        `json:"account_id"`
	SubaccountID  string        `json:"subaccount_id,omitempty"`
	EventID       string        `json:"event_id,omitempty"`
	Description   string        `json:"description,omitempty"`
	Amount        money.Amount  `json:"amount"`
	Captured      *money.Amount `json:"captured,omitempty"`
	Status        string        `json:"status"`
	TransactionID string        `json:"transaction_id,omitempty"`
	ExpiresAt     time.Time     `json:"expires_at"`
	CreatedAt     time.Time     `json:"created_at"`
	FinishedAt    *time.Time    `json:"finished_at,omitempty"`
}

// HoldCreate is the body of POST /v1/holds. TTL is a Go duration ("15m").
type HoldCreate struct {
	AccountID    string       `json:"account_id,omitempty"`
	Amount       money.Amount `json:"amount"`
	TTL          string       `json:"ttl"`
	EventID      string       `json:"event_id,omitempty"`
	SubaccountID string       `json:"subaccount_id,omitempty"`
	Description  string       `json:"description,omitempty"`
}

// HoldCapture is the body of POST /v1/holds/{id}/capture.
type HoldCapture struct {
	Amount money.Amount `json:"amount"`
}

// Balance is an account's balance as the API shows it.
type Balance struct {
	Object             string                  `json:"object"`
	AccountID          string                  `json:"account_id"`
	Currency           string                  `json:"currency"`
	Balance            money.Amount            `json:"balance"`
	Available          money.Amount            `json:"available"`
	Held               money.Amount            `json:"held"`
	Debt               money.Amount            `json:"debt"`
	MinBalance         money.Amount            `json:"min_balance"`
	Credits            map[string]money.Amount `json:"credits"`
	Units              map[string]money.Amount `json:"units"`
	ExpiringSoon       money.Amount            `json:"expiring_soon"`
	GiftedRemaining    money.Amount            `json:"gifted_remaining"`
	BalanceWithCredits money.Amount            `json:"balance_with_credits"`
	Pending            money.Amount            `json:"pending"`
	Gift               *GiftView               `json:"gift,omitempty" doc:"The gift of the program the account is enrolled in."`
	Status             string                  `json:"status"`
	At                 time.Time               `json:"at"`
}

// ClockAdvance is the body of POST /v1/test_clock/advance: exactly one of
// To (an RFC 3339 instant) or By (a Go duration such as "36h").
type ClockAdvance struct {
	To *time.Time `json:"to,omitempty"`
	By string     `json:"by,omitempty"`
}

// Clock is the test clock's time after an advance.
type Clock struct {
	Object string    `json:"object"`
	Now    time.Time `json:"now"`
}
