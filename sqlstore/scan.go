package sqlstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

// Conversions between Go values and columns, the column lists of each
// record, and the functions that scan them. Keeping a record's column list
// next to its scan function keeps the two in step.

// scanner is a row: pgx.Rows, *sql.Rows and friends.
type scanner interface{ Scan(dest ...any) error }

// micros is a timestamp column value: unix microseconds UTC.
func micros(t time.Time) int64 { return t.UnixMicro() }

// nullMicros is an optional timestamp: NULL for the zero time.
func nullMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// fromMicros reads a timestamp column back as a UTC time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func fromNullMicros(us *int64) time.Time {
	if us == nil {
		return time.Time{}
	}
	return fromMicros(*us)
}

// jsonText encodes metadata and lists as JSON text; nil and empty encode
// as "{}" or "[]" so the column is never NULL.
func jsonText(v any) (string, error) {
	switch x := v.(type) {
	case map[string]string:
		if len(x) == 0 {
			return "{}", nil
		}
	case map[string]any:
		if len(x) == 0 {
			return "{}", nil
		}
	case []string:
		if len(x) == 0 {
			return "[]", nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json: %w", err)
	}
	return string(b), nil
}

// mustJSON is jsonText for values that always encode (string maps and
// lists); it never fails for them.
func mustJSON(v any) string {
	s, err := jsonText(v)
	if err != nil {
		panic(err)
	}
	return s
}

// readStringMap decodes metadata; an empty object reads back as nil.
func readStringMap(s string) (map[string]string, error) {
	if s == "" || s == "{}" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode metadata: %w", err)
	}
	return m, nil
}

func readStrings(s string) ([]string, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("decode list: %w", err)
	}
	return l, nil
}

// placeholders returns "$from, $from+1, …" for n parameters.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}

// insertRows returns a bulk INSERT of rows into table, its columns' types
// read off the rows; suffix follows the rows (ON CONFLICT …).
func insertRows(table string, cols []string, rows [][]any, suffix string) []stmt {
	if len(rows) == 0 {
		return nil
	}
	return newRowInsert(table, typedColumns(cols, arrayTypes(rows)...), suffix).of(rows)
}

// rowInsert is insertRows built once, not per batch, for the tables every
// debit writes (the journal, the hourly sums, the events): its columns'
// types are declared instead of read off the rows, and its text made when
// the package loads. A row whose value does not fit its column's declared
// type fails the batch, naming the column's place (bulk.columns).
type rowInsert struct {
	one, arrays string
	types       []string
	copyTo      *copyTarget // set for a plain append (newRowAppend)
}

func newRowInsert(table string, cols []column, suffix string) rowInsert {
	names, types := columnNames(cols), columnTypes(cols)
	into := "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") "
	return rowInsert{
		one:    into + "VALUES (" + placeholders(1, len(cols)) + ")" + suffix,
		arrays: into + "SELECT * FROM " + unnest(types) + suffix,
		types:  types,
	}
}

// newRowAppend is newRowInsert for a plain append, which PostgreSQL may
// send as COPY when there are many rows.
func newRowAppend(table string, cols []column) rowInsert {
	u := newRowInsert(table, cols, "")
	u.copyTo = &copyTarget{table: table, cols: columnNames(cols)}
	return u
}

// of is the insert of rows.
func (u rowInsert) of(rows [][]any) []stmt {
	if len(rows) == 0 {
		return nil
	}
	return []stmt{{bulk: &bulk{one: u.one, arrays: u.arrays, types: u.types, copyTo: u.copyTo, rows: rows}}}
}

func columnNames(cols []column) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return names
}

func columnTypes(cols []column) []string {
	types := make([]string, len(cols))
	for i, c := range cols {
		types[i] = c.sqlType
	}
	return types
}

// typedColumns pairs column names with their SQL types, in order.
func typedColumns(names []string, types ...string) []column {
	if len(names) != len(types) {
		panic(fmt.Sprintf("sqlstore: %d columns, %d types", len(names), len(types)))
	}
	cols := make([]column, len(names))
	for i := range names {
		cols[i] = column{names[i], types[i]}
	}
	return cols
}

// ---- accounts ----

const accountCols = "id, name, email, notification_emails, currency, status, billing_mode, min_balance, trust_tier, metadata, created_at, updated_at, credit_limit, postpaid_since"

func scanAccount(r scanner) (*coffer.Account, error) {
	var a coffer.Account
	var emails, meta, currency, status string
	var minBalance, created, updated, creditLimit int64
	var postpaid *int64
	if err := r.Scan(&a.ID, &a.Name, &a.Email, &emails, &currency, &status, &a.BillingMode,
		&minBalance, &a.TrustTier, &meta, &created, &updated, &creditLimit, &postpaid); err != nil {
		return nil, err
	}
	a.PostpaidSince = fromNullMicros(postpaid)
	a.Currency, a.Status, a.MinBalance = money.Currency(currency), ledger.Status(status), money.Amount(minBalance)
	a.CreditLimit = money.Amount(creditLimit)
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	var err error
	if a.NotificationEmails, err = readStrings(emails); err != nil {
		return nil, err
	}
	if a.Metadata, err = readStringMap(meta); err != nil {
		return nil, err
	}
	return &a, nil
}

func accountArgs(a *coffer.Account) []any {
	return []any{a.ID, a.Name, a.Email, mustJSON(a.NotificationEmails), string(a.Currency), string(a.Status),
		a.BillingMode, int64(a.MinBalance), a.TrustTier, mustJSON(a.Metadata), micros(a.CreatedAt), micros(a.UpdatedAt),
		int64(a.CreditLimit), nullMicros(a.PostpaidSince)}
}

// ledgerAccountCols are what ledger.Account carries.
const ledgerAccountCols = "id, currency, status, min_balance, debt, credit_limit, at_credit_limit, postpaid_since"

func scanLedgerAccount(r scanner) (*ledger.Account, error) {
	var a ledger.Account
	var currency, status string
	var minBalance, debt, creditLimit int64
	var postpaid *int64
	if err := r.Scan(&a.ID, &currency, &status, &minBalance, &debt, &creditLimit, &a.AtCreditLimit, &postpaid); err != nil {
		return nil, err
	}
	a.PostpaidSince = fromNullMicros(postpaid)
	a.Currency, a.Status = money.Currency(currency), ledger.Status(status)
	a.MinBalance, a.Debt, a.CreditLimit = money.Amount(minBalance), money.Amount(debt), money.Amount(creditLimit)
	return &a, nil
}

// ---- subaccounts, keys, idempotency ----

const subaccountCols = "id, account_id, name, enabled, deleted, auth_id, token_hash, created_at, updated_at"

func scanSubaccount(r scanner) (*coffer.Subaccount, error) {
	var s coffer.Subaccount
	var created, updated int64
	if err := r.Scan(&s.ID, &s.AccountID, &s.Name, &s.Enabled, &s.Deleted, &s.AuthID, &s.TokenHash,
		&created, &updated); err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &s, nil
}

func subaccountArgs(s *coffer.Subaccount) []any {
	return []any{s.ID, s.AccountID, s.Name, s.Enabled, s.Deleted, s.AuthID, nonNil(s.TokenHash),
		micros(s.CreatedAt), micros(s.UpdatedAt)}
}

// nonNil keeps a NOT NULL blob column from receiving NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

var idemColumns = []string{"scope", "key", "request_hash", "status", "body", "created_at"}

const idemCols = "scope, key, request_hash, status, body, created_at"

func scanIdem(r scanner) (*store.Idempotency, error) {
	var i store.Idempotency
	var created int64
	if err := r.Scan(&i.Scope, &i.Key, &i.RequestHash, &i.Status, &i.Body, &created); err != nil {
		return nil, err
	}
	i.CreatedAt = fromMicros(created)
	return &i, nil
}

func idemRow(i *store.Idempotency) []any {
	return []any{i.Scope, i.Key, i.RequestHash, i.Status, nonNil(i.Body), micros(i.CreatedAt)}
}

// ---- ledger records ----

var lotColumns = []string{"id", "account_id", "kind", "unit", "amount", "remaining", "category", "priority",
	"effective_at", "expires_at", "application", "status", "origin", "reason", "actor", "created_at"}

var lotCols = strings.Join(lotColumns, ", ")

// lotInsertColumns are what a new lot's row is written with: its columns
// and its place in the consumption order (consumeKey).
var lotInsertColumns = append(slices.Clone(lotColumns), "consume_key")

func scanLot(r scanner) (*ledger.Lot, error) {
	var l ledger.Lot
	var kind, category, application, status, origin string
	var amount, remaining, effective, created int64
	var expires *int64
	if err := r.Scan(&l.ID, &l.AccountID, &kind, &l.Unit, &amount, &remaining, &category, &l.Priority,
		&effective, &expires, &application, &status, &origin, &l.Reason, &l.Actor, &created); err != nil {
		return nil, err
	}
	l.Kind, l.Category, l.Application = ledger.Kind(kind), ledger.Category(category), ledger.Application(application)
	l.Status, l.Origin = ledger.LotStatus(status), ledger.Origin(origin)
	l.Amount, l.Remaining = money.Amount(amount), money.Amount(remaining)
	l.EffectiveAt, l.ExpiresAt, l.CreatedAt = fromMicros(effective), fromNullMicros(expires), fromMicros(created)
	return &l, nil
}

func lotRow(l *ledger.Lot) []any {
	return []any{l.ID, l.AccountID, string(l.Kind), l.Unit, int64(l.Amount), int64(l.Remaining), string(l.Category),
		l.Priority, micros(l.EffectiveAt), nullMicros(l.ExpiresAt), string(l.Application), string(l.Status),
		string(l.Origin), l.Reason, l.Actor, micros(l.CreatedAt), consumeKey(l)}
}

var holdColumns = []string{"id", "account_id", "subaccount_id", "event_id", "description", "amount", "captured",
	"status", "txn_id", "expires_at", "created_at", "finished_at"}

var holdCols = strings.Join(holdColumns, ", ")

func scanHold(r scanner) (*ledger.Hold, error) {
	var h ledger.Hold
	var status string
	var amount, captured, expires, created int64
	var finished *int64
	if err := r.Scan(&h.ID, &h.AccountID, &h.SubaccountID, &h.EventID, &h.Description, &amount, &captured,
		&status, &h.TxnID, &expires, &created, &finished); err != nil {
		return nil, err
	}
	h.Status, h.Amount, h.Captured = ledger.HoldStatus(status), money.Amount(amount), money.Amount(captured)
	h.ExpiresAt, h.CreatedAt, h.FinishedAt = fromMicros(expires), fromMicros(created), fromNullMicros(finished)
	return &h, nil
}

func holdRow(h *ledger.Hold) []any {
	return []any{h.ID, h.AccountID, h.SubaccountID, h.EventID, h.Description, int64(h.Amount), int64(h.Captured),
		string(h.Status), h.TxnID, micros(h.ExpiresAt), micros(h.CreatedAt), nullMicros(h.FinishedAt)}
}

var txnColumns = []string{"id", "account_id", "type", "amount", "balance_after", "lot_id", "hold_id", "event_id",
	"subaccount_id", "unit", "quantity", "unit_price", "description", "metadata", "actor", "reason", "created_at", "postings"}

var txnCols = strings.Join(txnColumns, ", ")

// txnAppend appends journal rows (txnRow).
var txnAppend = newRowAppend("txns", typedColumns(txnColumns,
	"text", "text", "text", "bigint", "bigint", "text", "text", "text",
	"text", "text", "bigint", "bigint", "text", "text", "text", "text", "bigint", "text"))

// scanTxn reads a transaction with its postings.
func scanTxn(r scanner) (*ledger.Txn, error) {
	var t ledger.Txn
	var typ, meta, postings string
	var amount, after, quantity, price, created int64
	if err := r.Scan(&t.ID, &t.AccountID, &typ, &amount, &after, &t.LotID, &t.HoldID, &t.EventID,
		&t.SubaccountID, &t.Unit, &quantity, &price, &t.Description, &meta, &t.Actor, &t.Reason, &created, &postings); err != nil {
		return nil, err
	}
	t.Type, t.Amount, t.BalanceAfter = ledger.TxnType(typ), money.Amount(amount), money.Amount(after)
	t.Quantity, t.UnitPrice, t.CreatedAt = money.Amount(quantity), money.Amount(price), fromMicros(created)
	var err error
	if t.Metadata, err = readStringMap(meta); err != nil {
		return nil, err
	}
	if err := decodePostings(&t, postings); err != nil {
		return nil, err
	}
	return &t, nil
}

func txnRow(t *ledger.Txn) ([]any, error) {
	postings, err := encodePostings(t)
	if err != nil {
		return nil, err
	}
	return []any{t.ID, t.AccountID, string(t.Type), int64(t.Amount), int64(t.BalanceAfter), t.LotID, t.HoldID,
		t.EventID, t.SubaccountID, t.Unit, int64(t.Quantity), int64(t.UnitPrice), t.Description,
		mustJSON(t.Metadata), t.Actor, t.Reason, micros(t.CreatedAt), postings}, nil
}

var eventColumns = []string{"id", "type", "account_id", "data", "created_at"}

// eventInsert adds events to the outbox (eventRow).
var eventInsert = newRowInsert("events", typedColumns(eventColumns, "text", "text", "text", "text", "bigint"), "")

func eventRow(e *ledger.Event) ([]any, error) {
	data, err := jsonText(e.Data)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", e.ID, err)
	}
	return []any{e.ID, e.Type, e.AccountID, data, micros(e.CreatedAt)}, nil
}
