package api

import "time"

// APIKey is an API key as the API shows it. Secret is present only in the
// answer that created the key (or made it by rotation); it is never
// stored, and a replay of the same Idempotency-Key answers without it.
type APIKey struct {
	ID         string     `json:"id"`
	Object     string     `json:"object"`
	Role       string     `json:"role" enum:"admin,usage,account"`
	AccountID  string     `json:"account_id,omitempty" doc:"The account an account key is bound to."`
	Name       string     `json:"name"`
	Status     string     `json:"status" enum:"active,expired,revoked" doc:"active until expires_at passes or the key is revoked."`
	Secret     string     `json:"secret,omitempty" doc:"The bearer secret (ck_…), shown in this answer only."`
	ExpiresAt  *time.Time `json:"expires_at" doc:"When the key stops working; null: never."`
	RevokedAt  *time.Time `json:"revoked_at" doc:"When the key was revoked; null: it was not."`
	LastUsedAt *time.Time `json:"last_used_at" doc:"When the key was last used, to about a minute; null: never."`
	ReplacedBy string     `json:"replaced_by,omitempty" doc:"The key a rotation made to succeed this one."`
	CreatedAt  time.Time  `json:"created_at"`
}

// APIKeyCreate is the body of POST /v1/api_keys.
type APIKeyCreate struct {
	Role      string     `json:"role" enum:"admin,usage,account" doc:"admin: everything; usage: debits, holds and balance reads of any account; account: only the account named by account_id."`
	AccountID string     `json:"account_id,omitempty" doc:"Required for an account key, refused for the others."`
	Name      string     `json:"name,omitempty" doc:"What the key is for, shown in lists."`
	ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"When the key stops working, in the future; absent: never."`
}

// APIKeyRotate is the body of POST /v1/api_keys/{id}/rotate.
type APIKeyRotate struct {
	Overlap string `json:"overlap,omitempty" doc:"How long the old key keeps working beside its successor, a duration from 0s to 720h such as \"24h\"; 24h when absent. An earlier expiry of the old key stays."`
	Name    string `json:"name,omitempty" doc:"The successor's name; the old key's when absent."`
}
