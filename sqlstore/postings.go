package sqlstore

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// A transaction's postings are stored in its own txns row, in the postings
// column, as a JSON array in posting order:
//
//	[{"book":"customer","lot":"grant_…","asset":"USD","amount":-7500},
//	 {"book":"revenue","asset":"USD","amount":7500}]
//
// One row per transaction instead of one plus a row per posting: a debit
// is the ledger's commonest write, and its two posting rows, each with its
// own index entries, cost more to append than the transaction itself
// (migration 00005 and docs/performance.md have the figures). The view
// postings unnests the column back into the relation it was (txn_id, idx,
// book, account_id, lot_id, asset, amount, created_at), so coffer check and
// ad-hoc SQL read postings as before.
//
// A posting's account is not stored: customer and receivables postings
// always belong to their transaction's account (the ledger core makes them
// from the account's own state), and the other books belong to no account.
// Amounts are integer micro-units, which JSON carries exactly.

// postingJSON is one stored posting.
type postingJSON struct {
	Book   string `json:"book"`
	Lot    string `json:"lot,omitempty"`
	Asset  string `json:"asset"`
	Amount int64  `json:"amount"`
}

// ownsPostings reports whether postings of the book belong to their
// transaction's account.
func ownsPostings(b ledger.Book) bool {
	return b == ledger.BookCustomer || b == ledger.BookReceivables
}

// encodePostings renders t's postings for its postings column. It refuses
// postings it could not read back as they are.
func encodePostings(t *ledger.Txn) (string, error) {
	buf := make([]byte, 0, 64*len(t.Postings)+2)
	buf = append(buf, '[')
	for i, p := range t.Postings {
		want := ""
		if ownsPostings(p.Book) {
			want = t.AccountID
		}
		if p.AccountID != want {
			return "", fmt.Errorf("transaction %s: a %s posting names account %q, want %q", t.ID, p.Book, p.AccountID, want)
		}
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"book":`...)
		buf = appendJSONString(buf, string(p.Book))
		if p.LotID != "" {
			buf = append(buf, `,"lot":`...)
			buf = appendJSONString(buf, p.LotID)
		}
		buf = append(buf, `,"asset":`...)
		buf = appendJSONString(buf, p.Asset)
		buf = append(buf, `,"amount":`...)
		buf = strconv.AppendInt(buf, int64(p.Amount), 10)
		buf = append(buf, '}')
	}
	buf = append(buf, ']')
	return string(buf), nil
}

// decodePostings reads a postings column back into t.Postings.
func decodePostings(t *ledger.Txn, col string) error {
	var ps []postingJSON
	if err := json.Unmarshal([]byte(col), &ps); err != nil {
		return fmt.Errorf("transaction %s: postings: %w", t.ID, err)
	}
	t.Postings = make([]ledger.Posting, len(ps))
	for i, p := range ps {
		b := ledger.Book(p.Book)
		t.Postings[i] = ledger.Posting{Book: b, LotID: p.Lot, Asset: p.Asset, Amount: money.Amount(p.Amount)}
		if ownsPostings(b) {
			t.Postings[i].AccountID = t.AccountID
		}
	}
	return nil
}

// postingRows reads rows of (id, account_id, postings) of transactions
// and calls fn with each posting and the account of its transaction.
func postingRows(r rows, fn func(accountID string, p ledger.Posting)) error {
	var t ledger.Txn
	for r.Next() {
		var col string
		if err := r.Scan(&t.ID, &t.AccountID, &col); err != nil {
			return err
		}
		if err := decodePostings(&t, col); err != nil {
			return err
		}
		for _, p := range t.Postings {
			fn(t.AccountID, p)
		}
	}
	return r.Err()
}

// appendJSONString appends s as a JSON string. Books, ids and assets are
// plain ASCII, copied as they are; anything else goes through
// encoding/json.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(buf, q...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
