package sqlstore

import (
	"slices"
	"testing"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// TestInsertsDeclareTheirRowsTypes holds the inserts built once to the
// rows they are given: each declared column type is the one insertRows
// would read off the row, so a column added to a row without its type
// (or the other way round) fails here rather than in a batch.
func TestInsertsDeclareTheirRowsTypes(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	txn := &ledger.Txn{ID: "txn_1", AccountID: "acct_1", Type: ledger.TxnDebit, Amount: -money.MustParse("1.25"),
		BalanceAfter: money.MustParse("3.00"), LotID: "lot_1", HoldID: "hold_1", EventID: "ev_1", SubaccountID: "sub_1",
		Unit: "sms", Quantity: money.MustParse("2"), UnitPrice: money.MustParse("0.50"), Description: "d",
		Metadata: map[string]string{"k": "v"}, Actor: "key_1", Reason: "r", CreatedAt: at,
		Postings: []ledger.Posting{
			{Book: ledger.BookCustomer, AccountID: "acct_1", LotID: "lot_1", Asset: "USD", Amount: -money.MustParse("1.25")},
			{Book: ledger.BookRevenue, Asset: "USD", Amount: money.MustParse("1.25")},
		}}
	txnRow, err := txnRow(txn)
	if err != nil {
		t.Fatalf("txn row: %v", err)
	}
	event, err := eventRow(&ledger.Event{ID: "evt_1", Type: ledger.EventGranted, AccountID: "acct_1",
		Data: map[string]any{"amount": "1.00"}, CreatedAt: at})
	if err != nil {
		t.Fatalf("event row: %v", err)
	}
	h := &hourSums{}
	h.add(txn)
	for _, c := range []struct {
		name string
		ins  rowInsert
		rows [][]any
	}{
		{"txns", txnAppend, [][]any{txnRow}},
		{"events", eventInsert, [][]any{event}},
		{"ledger_hours", hourAdds, h.stmts()[0].bulk.rows},
	} {
		if got := arrayTypes(c.rows); !slices.Equal(got, c.ins.types) {
			t.Errorf("%s: the rows' types are %v, the insert declares %v", c.name, got, c.ins.types)
		}
		if _, err := c.ins.of(c.rows)[0].bulk.columns(); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if txnAppend.copyTo == nil || eventInsert.copyTo != nil {
		t.Errorf("only the journal's append may go as COPY")
	}
}
