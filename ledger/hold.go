package ledger

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// HoldStatus is a hold's life-cycle state.
type HoldStatus string

// Hold statuses. Only an active hold reserves value.
const (
	HoldActive   HoldStatus = "active"
	HoldCaptured HoldStatus = "captured"
	HoldReleased HoldStatus = "released"
	HoldExpired  HoldStatus = "expired"
)

// Hold reserves part of an account's available balance for work whose cost is
// not known yet. It touches no lot: capture turns it into a debit.
type Hold struct {
	ID           string
	AccountID    string
	SubaccountID string
	EventID      string
	Description  string
	Amount       money.Amount
	Captured     money.Amount // the final amount, once captured
	Status       HoldStatus
	TxnID        string // the capture's transaction
	ExpiresAt    time.Time
	CreatedAt    time.Time
	FinishedAt   time.Time // when it was captured, released or expired
}

// Reserving reports whether the hold still lowers the available balance at
// now: active and within its TTL, even if the expiry sweep has not run.
func (h *Hold) Reserving(now time.Time) bool {
	return h.Status == HoldActive && now.Before(h.ExpiresAt)
}
