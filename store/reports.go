package store

import (
	"context"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// TxnScan narrows a scan of transactions for a report.
type TxnScan struct {
	From, To  time.Time // From inclusive, To exclusive; zero means open
	AccountID string    // empty: every account
	Types     []ledger.TxnType
}

// LotScan narrows a scan of lots for a report.
type LotScan struct {
	AccountID string    // empty: every account
	CreatedBy time.Time // only lots created at or before it; zero: all
	// Active keeps only active lots with value left: the lots that hold
	// value now, as the lots table says.
	Active bool
}

// Reports streams the ledger for reports. Both scans read one row at a
// time and hand it to fn, so a report over any number of rows runs in the
// memory its accumulator needs; neither orders its rows (a report's
// accumulator takes them in any order), so neither sorts. Each is one
// statement, so it reads one consistent snapshot. A scan stops at the
// first error fn returns, or when ctx ends: a client that disconnects
// stops the query.
type Reports interface {
	// ScanTxns calls fn with every transaction the scan matches, with
	// its postings. fn must not keep the *ledger.Txn past its call.
	ScanTxns(ctx context.Context, s TxnScan, fn func(*ledger.Txn) error) error
	// ScanLots calls fn with every lot the scan matches, as the lots
	// table has it now.
	ScanLots(ctx context.Context, s LotScan, fn func(*ledger.Lot) error) error

	// The reads below add up the hourly sums of the postings (whole
	// hours) and read the journal only for the hours that a bound cuts,
	// so they cost an account's hours of activity, not its history.

	// LotSumsAt returns what the customer postings created at or before
	// at put in each lot, by lot id, of one account or (accountID empty)
	// of all: a lot's remaining value at that instant. Each call reads
	// one snapshot.
	LotSumsAt(ctx context.Context, accountID string, at time.Time) (map[string]money.Amount, error)
	// SumPeriods splits the account's postings at ends, which must
	// ascend: period i holds those created in [ends[i-1], ends[i]), the
	// first from from (from the start when from is zero). It reads one
	// snapshot, and nothing created before from or at or after the last
	// end.
	SumPeriods(ctx context.Context, accountID string, from time.Time, ends []time.Time) ([]PeriodSums, error)
}

// PeriodSums is what one period of an account's postings adds up to.
type PeriodSums struct {
	// Lots is the sum of the period's postings into each of the
	// account's lots, by lot id, and under "" into its receivables
	// (minus the debt they incurred); a lot or the receivables the
	// period did not touch is missing.
	Lots map[string]money.Amount
	// Usage is the money the period's debits and captures used (value
	// drawn from monetary lots plus debt incurred), as UsageBetween sums
	// it.
	Usage money.Amount
}
