package coffer

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// AccountStatus is an account's standing. It is defined here, beside the
// Account record, because the ledger rules read it too and package ledger
// already depends on this one (ledger.Status is an alias of it).
type AccountStatus string

// Account statuses.
const (
	AccountActive    AccountStatus = "active"
	AccountSuspended AccountStatus = "suspended" // strict debits and holds refused; served usage still posts
	AccountClosed    AccountStatus = "closed"    // nothing moves any more
)

// Account is an account's full record. Its ledger fields (currency, status,
// floor, debt) are what ledger.Account carries.
type Account struct {
	ID                 string
	Name               string
	Email              string
	NotificationEmails []string
	Currency           money.Currency
	Status             AccountStatus
	BillingMode        string // "prepaid" or "postpaid"
	// PostpaidSince is when the account's usage began to be billed
	// afterwards: zero while prepaid; the next period's start after a
	// switch to postpaid, which takes effect then.
	PostpaidSince time.Time
	MinBalance    money.Amount
	CreditLimit   money.Amount // the lowest balance any usage may reach; at or below MinBalance
	TrustTier     int
	Metadata      map[string]string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Subaccount draws on its parent's balance; it holds no money of its own.
type Subaccount struct {
	ID        string
	AccountID string
	Name      string
	Enabled   bool
	Deleted   bool
	AuthID    string // public half of the basic-auth credential
	TokenHash []byte // SHA-256 of the token; the token itself is shown once
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Role is what an API key may do.
type Role string

// Roles an API key can have.
const (
	RoleAdmin   Role = "admin"   // everything
	RoleUsage   Role = "usage"   // debits, holds and balance reads for any account
	RoleAccount Role = "account" // only its own account
)

// APIKey is a bearer credential, kept as the SHA-256 of the secret. A key
// works from its creation until it expires or is revoked, whichever is
// first; a revoked key never works again.
type APIKey struct {
	ID         string
	Role       Role
	AccountID  string // for RoleAccount
	Name       string
	Hash       []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	RevokedAt  time.Time // zero: not revoked
	LastUsedAt time.Time // zero: never used; recorded to about a minute
	ReplacedBy string    // the key a rotation made to succeed this one
}

// Usable reports why the key cannot be used at now: "" when it can,
// "revoked" or "expired".
func (k *APIKey) Usable(now time.Time) string {
	switch {
	case !k.RevokedAt.IsZero():
		return "revoked"
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return "expired"
	}
	return ""
}
