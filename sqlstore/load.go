package sqlstore

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// How a committer batch loads an account (docs/storage.md, "Accounts of
// any size"). An account of at most smallLots active lots has them all
// loaded, and one of at most smallHolds active holds has those: one
// statement for all such accounts of the batch, as before. A larger one
// is loaded as a ledger.Partial state: its first few realtime monetary
// lots and first few unit lots in consumption order (prefixLots; the
// lots_consume index), its true_up lots and the lots not usable at the
// batch's instant (lots_expiry, lots_scheduled), its holds past their TTL
// (holds_expiry), the holds the batch's requests name, and the totals in
// its account row; the state asks for more through the batch only when a
// debit consumes past what was loaded.
const (
	smallLots  = 32
	smallHolds = 32
)

// prefixLots is how many lots of each prefix a large account's first read
// takes: 16 on PostgreSQL, where asking for more is a round trip; 4 on
// SQLite, in-process, where each lot read costs more than asking again
// (measured: a 16-lot prefix took 0.3 ms of a 10,000-lot account's batch,
// a 4-lot one 0.1 ms with the rest of its reads).
func (b *batch) prefixLots() int {
	if b.s.d.name == "postgres" {
		return 16
	}
	return 4
}

// accountTotalsCols are the totals the account row keeps over its active
// lots and holds (ledger.Totals).
const accountTotalsCols = "lots_paid, lots_promotional, lots_gifted, lots_units, lots_active, holds_held, holds_active"

func scanAccountTotals(r scanner) (*ledger.Account, ledger.Totals, error) {
	var a ledger.Account
	var t ledger.Totals
	var currency, status, units string
	var minBalance, debt, creditLimit, paid, promo, gifted, held int64
	var postpaid *int64
	if err := r.Scan(&a.ID, &currency, &status, &minBalance, &debt, &creditLimit, &a.AtCreditLimit, &postpaid,
		&paid, &promo, &gifted, &units, &t.Lots, &held, &t.Holds); err != nil {
		return nil, t, err
	}
	a.PostpaidSince = fromNullMicros(postpaid)
	a.Currency, a.Status = money.Currency(currency), ledger.Status(status)
	a.MinBalance, a.Debt, a.CreditLimit = money.Amount(minBalance), money.Amount(debt), money.Amount(creditLimit)
	t.Paid, t.Promotional, t.Gifted, t.Held = money.Amount(paid), money.Amount(promo), money.Amount(gifted), money.Amount(held)
	var err error
	t.Units, err = readUnits(units)
	return &a, t, err
}

// readUnits reads lots_units: micro-units by unit.
func readUnits(s string) (map[string]money.Amount, error) {
	if s == "{}" {
		return nil, nil // most accounts hold no units: no decoding per batch
	}
	var m map[string]int64
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, nil
	}
	out := make(map[string]money.Amount, len(m))
	for k, v := range m {
		if v != 0 {
			out[k] = money.Amount(v)
		}
	}
	return out, nil
}

// unitsJSON writes lots_units.
func unitsJSON(m map[string]money.Amount) string {
	if len(m) == 0 {
		return "{}"
	}
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = int64(v)
	}
	b, _ := json.Marshal(out) // ints always encode
	return string(b)
}

// loading is one account's load in progress.
type loading struct {
	st           *ledger.State // account, alerts, and the lots and holds read so far
	totals       ledger.Totals
	money, units []*ledger.Lot // the prefixes of a large account
	soon         money.Amount  // a large account's value expiring soon (ledger.Load.ExpiringSoon)
	version      int64         // the account row's (warm.go)
}

// bigLots and bigHolds say whether the account is loaded in part.
func (l *loading) bigLots() bool  { return l.totals.Lots > smallLots }
func (l *loading) bigHolds() bool { return l.totals.Holds > smallHolds }

// lotScan reads lots into their accounts' loads, among the lots read
// for their own sake.
func lotScan(out map[string]*loading) func(rows) error {
	return func(r rows) error {
		for r.Next() {
			l, err := scanLot(r)
			if err != nil {
				return err
			}
			if ld := out[l.AccountID]; ld != nil {
				ld.st.Lots = append(ld.st.Lots, l)
			}
		}
		return r.Err()
	}
}

// holdScan reads holds into their accounts' loads, each once.
func holdScan(out map[string]*loading) func(rows) error {
	return func(r rows) error {
		for r.Next() {
			h, err := scanHold(r)
			if err != nil {
				return err
			}
			if ld := out[h.AccountID]; ld != nil && !slices.ContainsFunc(ld.st.Holds, func(x *ledger.Hold) bool { return x.ID == h.ID }) {
				ld.st.Holds = append(ld.st.Holds, h)
			}
		}
		return r.Err()
	}
}

// lock is what ends the read of the batch's account rows: the dialect's
// row lock, or nothing in a read-only snapshot.
func (b *batch) lock() string {
	if b.read {
		return ""
	}
	return b.s.d.forUpdate
}

// loadStmts are the first reads of a batch's accounts at now: the account
// rows with their totals, all the lots and holds of the small accounts,
// and the holds the batch names (moreStmts reads the rest of what a
// large account needs). With a zero now every account is loaded whole.
func (b *batch) loadStmts(ids []string, now time.Time, holdIDs []string, out map[string]*loading) []stmt {
	d := b.s.d
	in, args := d.in(1, ids)
	whole := now.IsZero()
	nLots, nHolds := strconv.Itoa(smallLots), strconv.Itoa(smallHolds)
	maxLots, maxHolds := smallLots, smallHolds
	if whole {
		nLots, nHolds, maxLots, maxHolds = "2147483647", "2147483647", -1, -1
	}
	addLot, addHold := lotScan(out), holdScan(out)
	stmts := []stmt{
		{sql: "SELECT " + ledgerAccountCols + ", " + accountTotalsCols + ", version FROM accounts WHERE id " + in + " ORDER BY id" + b.lock(),
			args: args, scan: func(r rows) error {
				for r.Next() {
					var version int64
					a, t, err := scanAccountTotals(thenScanner{r, &version})
					if err != nil {
						return err
					}
					out[a.ID] = &loading{st: &ledger.State{Account: *a}, totals: t, version: version}
				}
				return r.Err()
			}},
	}
	if d.name == "postgres" {
		stmts = append(stmts,
			stmt{sql: smallOf(d, "lots", lotColumns, in, "a.lots_active <= "+nLots, maxLots), args: args, scan: addLot},
			stmt{sql: smallOf(d, "holds", holdColumns, in, "a.holds_active <= "+nHolds, maxHolds), args: args, scan: addHold})
	}
	if len(holdIDs) > 0 {
		hin, hargs := d.in(1, holdIDs)
		stmts = append(stmts, stmt{sql: "SELECT " + holdCols + " FROM holds WHERE id " + hin + " AND status = 'active'",
			args: hargs, scan: addHold})
	}
	return stmts
}

// moreStmts are the reads of the large accounts of a batch, sent once the
// first reads have told which they are: a batch of small accounts never
// pays for them.
func (b *batch) moreStmts(big []string, now time.Time, out map[string]*loading) []stmt {
	if b.s.d.name == "postgres" {
		return sortless(b.pgBigStmts(big, now, out))
	}
	return b.sqliteBigStmts(big, now, out)
}

// sortless plans a large account's reads on PostgreSQL with explicit
// sorts priced out, then restores the setting. Each of these reads asks
// for the order of the one index that serves it (pgBigStmts), so that
// only that index can answer it without a sort: a generic plan is made
// once per connection and kept, and one made while the lots table was
// small and had no statistics otherwise read a large account's lots
// through another index that starts with account_id and filtered them
// all (measured: 1.5-2 ms a part at 10,000 lots against 0.02-0.06 ms,
// and 5 ms a batch), until the next ANALYZE replaced it. Planning the
// reads afresh each time instead costs 0.5 ms a batch (measured).
func sortless(stmts []stmt) []stmt {
	out := make([]stmt, 0, len(stmts)+2)
	out = append(out, stmt{sql: "SELECT set_config('coffer.enable_sort', current_setting('enable_sort'), true)," +
		" set_config('enable_sort', 'off', true)"})
	out = append(out, stmts...)
	return append(out, stmt{sql: "SELECT set_config('enable_sort', current_setting('coffer.enable_sort'), true)"})
}

// sqliteBigStmts are the reads of the large accounts among the batch's
// on SQLite, whose account rows are read already: one statement for the
// lots of those large in lots (sqliteBigLots) and one for the holds past
// their TTL of those large in holds.
func (b *batch) sqliteBigStmts(ids []string, now time.Time, out map[string]*loading) []stmt {
	var lots, holds []string
	for _, id := range ids {
		ld := out[id]
		if ld != nil && ld.bigLots() {
			lots = append(lots, id)
		}
		if ld != nil && ld.bigHolds() {
			holds = append(holds, id)
		}
	}
	var stmts []stmt
	if len(lots) > 0 {
		stmts = append(stmts, b.sqliteBigLots(lots, now, out))
	}
	if len(holds) > 0 {
		in, args := b.s.d.in(1, holds)
		stmts = append(stmts, stmt{sql: "SELECT " + holdCols + " FROM holds WHERE account_id " + in +
			" AND status = 'active' AND expires_at <= $2", args: append(args, micros(now)), scan: holdScan(out)})
	}
	return stmts
}

// sqliteBigLots reads what the large accounts' partial states need of
// their lots, in the parts pgBigStmts numbers, as one statement of one
// index range a part: in-process, each statement costs more than the
// range it reads (measured: 20-30 µs for a range that finds nothing).
// A part the account row's totals say is empty is left out: the true_up
// lots when nothing gifted is left, a prefix when nothing of its kind
// is.
func (b *batch) sqliteBigLots(ids []string, now time.Time, out map[string]*loading) stmt {
	args := []any{micros(now), micros(now.Add(ledger.ExpiringSoonWindow))}
	var parts []string
	for _, id := range ids {
		t := out[id].totals
		args = append(args, id)
		acct := "account_id = $" + strconv.Itoa(len(args)) + " AND status = 'active'"
		part := func(n, cond, order, limit string) string {
			return "SELECT * FROM (SELECT " + n + ", " + lotCols + " FROM lots WHERE " + acct + " AND " + cond + order + limit + ")"
		}
		if t.Gifted != 0 {
			parts = append(parts, part("0", "kind = 'monetary' AND application = 'true_up'", "", ""))
		}
		parts = append(parts,
			part("0", "expires_at IS NOT NULL AND expires_at <= $1", "", ""),
			part("0", "effective_at > created_at AND effective_at > $1", "", ""),
			"SELECT "+soonRow("$"+strconv.Itoa(len(args)), "CAST(COALESCE(SUM(remaining), 0) AS BIGINT)", "NULL")+
				" FROM lots WHERE "+acct+" AND "+moneyStream+
				" AND expires_at > $1 AND expires_at <= $2 AND effective_at <= $1")
		limit := " LIMIT " + strconv.Itoa(b.prefixLots())
		if t.Paid+t.Promotional != 0 {
			parts = append(parts, part("1", moneyStream, " ORDER BY consume_key", limit))
		}
		if len(t.Units) > 0 {
			parts = append(parts, part("2", unitStream, " ORDER BY unit, consume_key", limit))
		}
	}
	return stmt{sql: strings.Join(parts, " UNION ALL "), args: args, scan: partScan(out)}
}

// pgBigStmts are the reads of the large accounts among the batch's on
// PostgreSQL, in two statements: the large
// accounts' lots every rule must see (part 0), their prefixes (parts 1
// and 2, one index range per account cut at prefixLots()), and what their
// money expiring soon holds (part 3, a lot-shaped row carrying the sum);
// and their holds past their TTL.
//
// Every part reads its lots through a LATERAL subquery keyed by the
// account's id and ordered as the one index that serves it is (see
// sortless), so that it is one range of that index whatever the plan.
// Joined plainly, a generic plan was free to drive the join from the lots
// side (a LATERAL subquery with no LIMIT or OFFSET is flattened into
// one): measured, the true_up part read lots_consume for every account's
// lots (3 ms at 10,000 lots, and growing with the table, not with the
// batch's accounts) and the expiring-soon sum read lots_due, which spans
// every account.
func (b *batch) pgBigStmts(ids []string, now time.Time, out map[string]*loading) []stmt {
	nLots, nHolds := strconv.Itoa(smallLots), strconv.Itoa(smallHolds)
	with := "WITH big AS (SELECT id FROM accounts WHERE id = ANY($1::text[]) AND lots_active > " + nLots + ") "
	// part reads the lots of one index range, in that index's order: lots_consume
	// (unit, consume_key), lots_expiry (expires_at), lots_scheduled
	// (effective_at). OFFSET 0 and LIMIT keep the subquery from being
	// flattened.
	part := func(n, cond, order, limit string) string {
		return "SELECT " + n + ", " + prefixed("x.", lotColumns) + " FROM big CROSS JOIN LATERAL (SELECT " + lotCols +
			" FROM lots WHERE account_id = big.id AND status = 'active' AND " + cond + " ORDER BY " + order + limit + ") AS x"
	}
	const all = " OFFSET 0"
	prefix := " LIMIT " + strconv.Itoa(b.prefixLots())
	q := with + part("0", "kind = 'monetary' AND application = 'true_up'", "unit, consume_key", all) +
		" UNION ALL " + part("0", "expires_at IS NOT NULL AND expires_at <= $2", "expires_at", all) +
		" UNION ALL " + part("0", "effective_at > created_at AND effective_at > $2", "effective_at", all) +
		" UNION ALL " + part("1", moneyStream, "consume_key", prefix) +
		" UNION ALL " + part("2", unitStream, "unit, consume_key", prefix) +
		// The money expiring soon: the lots_expiry range of the window,
		// its other conditions applied outside it so that they cannot
		// make another index look better.
		" UNION ALL SELECT " + soonRow("big.id", "s.soon", "NULL::bigint") +
		" FROM big CROSS JOIN LATERAL (SELECT CAST(SUM(e.remaining) AS BIGINT) AS soon FROM (SELECT remaining, kind, application, unit, effective_at" +
		" FROM lots WHERE account_id = big.id AND status = 'active' AND expires_at IS NOT NULL AND expires_at > $2 AND expires_at <= $3" +
		" ORDER BY expires_at OFFSET 0) AS e WHERE e." + strings.ReplaceAll(moneyStream, " AND ", " AND e.") +
		" AND e.effective_at <= $2) AS s WHERE s.soon IS NOT NULL"
	lots := stmt{sql: q, args: []any{ids, micros(now), micros(now.Add(ledger.ExpiringSoonWindow))}, scan: partScan(out)}
	holds := stmt{sql: "WITH big AS (SELECT id FROM accounts WHERE id = ANY($1::text[]) AND holds_active > " + nHolds + ") SELECT " +
		prefixed("h.", holdColumns) + " FROM big CROSS JOIN LATERAL (SELECT " + holdCols +
		" FROM holds WHERE account_id = big.id AND status = 'active' AND expires_at <= $2 ORDER BY expires_at OFFSET 0) AS h",
		args: []any{ids, micros(now)}, scan: holdScan(out)}
	return []stmt{lots, holds}
}

// partScan reads the large accounts' lots in numbered parts into their
// loads: 0, lots read for their own sake; 1 and 2, the money and unit
// prefixes; 3, a lot-shaped row whose remaining is the account's money
// expiring soon.
func partScan(out map[string]*loading) func(rows) error {
	return func(r rows) error {
		for r.Next() {
			var n int
			l, err := scanLot(partScanner{r, &n})
			if err != nil {
				return err
			}
			ld := out[l.AccountID]
			if ld == nil {
				continue
			}
			switch n {
			case 1:
				ld.money = append(ld.money, l)
			case 2:
				ld.units = append(ld.units, l)
			case 3:
				ld.soon = l.Remaining
			default:
				ld.st.Lots = append(ld.st.Lots, l)
			}
		}
		return r.Err()
	}
}

// soonRow is part 3's lot-shaped row: the account's id as the lot's id
// and account, sum as its remaining value, the rest blank (null, the
// dialect's untyped or typed NULL for expires_at).
func soonRow(id, sum, null string) string {
	return "3, " + id + ", " + id + ", '', '', 0, " + sum + ", '', 0, 0, " + null + ", '', '', '', '', '', 0"
}

// partScanner scans a part number, then a lot's columns.
type partScanner struct {
	r    scanner
	part *int
}

func (p partScanner) Scan(dest ...any) error { return p.r.Scan(append([]any{p.part}, dest...)...) }

// thenScanner scans a row's columns, then one more.
type thenScanner struct {
	r    scanner
	last any
}

func (t thenScanner) Scan(dest ...any) error { return t.r.Scan(append(dest, t.last)...) }

// sqliteSmallStmts are SQLite's reads of every lot and hold of the
// accounts small enough to load whole, sent once the account rows have
// said which (in-process, a second step costs no round trip).
func (b *batch) sqliteSmallStmts(out map[string]*loading, whole bool) []stmt {
	var lots, holds []string
	for id, ld := range out {
		if whole || !ld.bigLots() {
			lots = append(lots, id)
		}
		if whole || !ld.bigHolds() {
			holds = append(holds, id)
		}
	}
	slices.Sort(lots)
	slices.Sort(holds)
	var stmts []stmt
	if len(lots) > 0 {
		in, args := b.s.d.in(1, lots)
		stmts = append(stmts, stmt{sql: "SELECT " + lotCols + " FROM lots WHERE account_id " + in + " AND status = 'active'",
			args: args, scan: lotScan(out)})
	}
	if len(holds) > 0 {
		in, args := b.s.d.in(1, holds)
		stmts = append(stmts, stmt{sql: "SELECT " + holdCols + " FROM holds WHERE account_id " + in + " AND status = 'active'",
			args: args, scan: holdScan(out)})
	}
	return stmts
}

// smallOf reads the active rows of table for the batch's accounts that
// pass cond, an account's bound on their number. On PostgreSQL it reads
// at most smallMax+1 rows of each account, one index range per account
// (LIMIT keeps the LATERAL from being flattened into a join, which left
// the planner free to read every row of a large account and drop them,
// or to scan the whole table; measured), and none of a large account's:
// the probe of its row, already locked by the batch, costs less than
// sending and decoding rows its partial state would only set aside
// (measured: 0.88× against 0.79-0.84× of a fresh account's debits at
// 10,000 lots, the fresh account's unchanged). On SQLite the plain join.
func smallOf(d dialect, table string, cols []string, in, cond string, smallMax int) string {
	if d.name == "postgres" && smallMax < 0 {
		return "SELECT " + strings.Join(cols, ", ") + " FROM " + table + " WHERE account_id " + in + " AND status = 'active'"
	}
	if d.name == "postgres" {
		return "SELECT " + prefixed("x.", cols) + " FROM unnest($1::text[]) AS k (id) JOIN accounts a ON a.id = k.id AND " + cond +
			" CROSS JOIN LATERAL (SELECT " + strings.Join(cols, ", ") +
			" FROM " + table + " WHERE account_id = k.id AND status = 'active' LIMIT " + strconv.Itoa(smallMax+1) + ") AS x"

	}
	return "SELECT " + prefixed("t.", cols) + " FROM accounts a JOIN " + table + " t ON t.account_id = a.id WHERE a.id " + in +
		" AND " + cond + " AND t.status = 'active'"
}

// bigIDs are the loaded accounts that are loaded in part.
func bigIDs(out map[string]*loading) []string {
	var ids []string
	for id, ld := range out {
		if ld.bigLots() || ld.bigHolds() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// The realtime monetary lots and the unit lots, as lots_consume has them.
const (
	moneyStream = "kind = 'monetary' AND application = 'realtime' AND unit = ''"
	unitStream  = "kind = 'units' AND application = 'realtime'"
)

// state makes the loaded account's State: whole for a small account, a
// ledger.Partial one for a large account.
func (b *batch) state(ctx context.Context, ld *loading, now time.Time) (*ledger.State, error) {
	st := ld.st
	if now.IsZero() || (!ld.bigLots() && !ld.bigHolds()) {
		return st, nil
	}
	l := ledger.Load{Account: st.Account, Alerts: st.Alerts, Totals: ld.totals, At: now, Others: st.Lots, ExpiringSoon: ld.soon,
		Holds: st.Holds, MoneyAll: true, UnitsAll: true, Source: &batchSource{b: b, ctx: ctx, account: st.Account.ID}}
	if !ld.bigLots() {
		// Every lot is loaded: what expires soon is theirs.
		l.ExpiringSoon = 0
		for _, x := range st.Lots {
			if x.Kind == ledger.Monetary && x.Application == ledger.Realtime && x.Usable(now) &&
				!x.ExpiresAt.IsZero() && x.ExpiresAt.Sub(now) <= ledger.ExpiringSoonWindow {
				l.ExpiringSoon += x.Remaining
			}
		}
	} else {
		// The prefixes arrive in their order on both engines; sorting
		// makes the last one read the cursor whatever the plan.
		slices.SortFunc(ld.money, ledger.ConsumptionOrder)
		slices.SortFunc(ld.units, func(x, y *ledger.Lot) int {
			if c := strings.Compare(x.Unit, y.Unit); c != 0 {
				return c
			}
			return ledger.ConsumptionOrder(x, y)
		})
		l.Money, l.MoneyAll = ld.money, len(ld.money) < b.prefixLots()
		l.Units, l.UnitsAll = ld.units, len(ld.units) < b.prefixLots()
	}
	return ledger.Partial(l)
}

// prefixed names each column with a table's alias.
func prefixed(alias string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = alias + c
	}
	return strings.Join(out, ", ")
}

// batchSource is where a partial state of the batch reads the rest of its
// account: the batch's own transaction, which holds the account's lock.
type batchSource struct {
	b       *batch
	ctx     context.Context
	account string
}

// run sends the batch's pending writes, then the statement.
func (s *batchSource) run(st stmt) error {
	stmts := append(s.b.pending, st)
	if s.b.s.d.name == "postgres" {
		stmts = append(s.b.pending, sortless([]stmt{st})...)
	}
	s.b.pending = nil
	return s.b.q.pipeline(s.ctx, stmts)
}

func (s *batchSource) lots(query string, args ...any) ([]*ledger.Lot, error) {
	var out []*ledger.Lot
	err := s.run(stmt{sql: query, args: args, scan: func(r rows) error {
		for r.Next() {
			l, err := scanLot(r)
			if err != nil {
				return err
			}
			s.b.loaded[l.ID] = true
			out = append(out, l)
		}
		return r.Err()
	}})
	return out, err
}

func (s *batchSource) Lots(unit string, after *ledger.Lot, n int) ([]*ledger.Lot, error) {
	kind := ledger.Monetary
	if unit != "" {
		kind = ledger.Units
	}
	key := ""
	if after != nil {
		key = consumeKey(after)
	}
	return s.lots("SELECT "+lotCols+" FROM lots WHERE account_id = $1 AND status = 'active' AND kind = $2"+
		" AND application = 'realtime' AND unit = $3 AND consume_key > $4 ORDER BY consume_key LIMIT $5",
		s.account, string(kind), unit, key, n)
}

func (s *batchSource) Lot(id string) (*ledger.Lot, error) {
	ls, err := s.lots("SELECT "+lotCols+" FROM lots WHERE id = $1 AND account_id = $2", id, s.account)
	if err != nil || len(ls) == 0 {
		return nil, err
	}
	return ls[0], nil
}

func (s *batchSource) holds(query string, args ...any) ([]*ledger.Hold, error) {
	var out []*ledger.Hold
	err := s.run(stmt{sql: query, args: args, scan: func(r rows) error {
		for r.Next() {
			h, err := scanHold(r)
			if err != nil {
				return err
			}
			out = append(out, h)
		}
		return r.Err()
	}})
	return out, err
}

func (s *batchSource) Hold(id string) (*ledger.Hold, error) {
	hs, err := s.holds("SELECT "+holdCols+" FROM holds WHERE id = $1 AND account_id = $2 AND status = 'active'", id, s.account)
	if err != nil || len(hs) == 0 {
		return nil, err
	}
	return hs[0], nil
}

func (s *batchSource) All() ([]*ledger.Lot, []*ledger.Hold, error) {
	ls, err := s.lots("SELECT "+lotCols+" FROM lots WHERE account_id = $1 AND status = 'active'", s.account)
	if err != nil {
		return nil, nil, err
	}
	hs, err := s.holds("SELECT "+holdCols+" FROM holds WHERE account_id = $1 AND status = 'active'", s.account)
	return ls, hs, err
}
