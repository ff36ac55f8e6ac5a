package store

import (
	"context"
	"time"

	"github.com/cofferdev/coffer/ledger"
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
}
