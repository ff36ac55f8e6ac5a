package sqlstore

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/store"
)

// Driver errors are translated here, once: a unique violation becomes a
// coffer conflict naming what was duplicated, a foreign-key violation a
// not-found, and transient conflicts (deadlock, serialization failure,
// SQLITE_BUSY) are recognised so write transactions can be retried. A
// missing row is turned into a not-found by the method that looked, since
// only it knows what it was looking for.

// conflicts names, for each unique key of the schema, what a duplicate
// means to the caller.
var conflicts = map[string]string{
	"accounts(id)":               "an account with this id already exists",
	"subaccounts(id)":            "a subaccount with this id already exists",
	"subaccounts(auth_id)":       "this auth id is already in use by another subaccount",
	"api_keys(id)":               "an API key with this id already exists",
	"api_keys(hash)":             "an API key with this secret already exists",
	"lots(id)":                   "a grant with this id already exists",
	"holds(id)":                  "a hold with this id already exists",
	"holds(account_id,event_id)": "a hold for this event is already placed on the account",
	"txns(id)":                   "a transaction with this id already exists",
	"txns(account_id,event_id)":  "a debit for this event is already recorded on the account",
	"events(id)":                 "an event with this id already exists",
	"idempotency(scope,key)":     "a response is already recorded for this idempotency key",
	"users(id)":                  "a user with this id already exists",
	"users(email)":               "a user with this e-mail already exists",
	"sessions(id)":               "a session with this id already exists",
	"sessions(hash)":             "a session with this secret already exists",
	"audit_events(id)":           "an audit event with this id already exists",
}

// translate maps a driver error to a coffer error where one applies, and
// otherwise returns it unchanged (it is then an internal error).
func (s *Store) translate(err error) error {
	if err == nil {
		return nil
	}
	var ce *coffer.Error
	if errors.As(err, &ce) {
		return err
	}
	if stale(err) {
		return errStale
	}
	if key, ok := uniqueViolation(err); ok {
		msg, known := conflicts[key]
		if !known {
			msg = "duplicate " + key
		}
		return coffer.Errorf(coffer.EConflict, "%s", msg)
	}
	if isForeignKeyViolation(err) {
		return coffer.Errorf(coffer.ENotFound, "a record this one refers to does not exist")
	}
	if refusedValue(err) {
		return fmt.Errorf("%w: %w", store.ErrRefused, err)
	}
	return err
}

// refusedValue reports whether the engine refused a value it was given
// rather than failed itself: a PostgreSQL data exception (class 22, such as
// a NUL in text or a number out of range) or integrity violation (class 23:
// a CHECK or NOT NULL; unique and foreign keys are translated above), or a
// SQLite CHECK, NOT NULL, too-big or type-mismatch error.
func refusedValue(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "22") || strings.HasPrefix(pe.Code, "23")
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_MISMATCH:
			return true
		}
	}
	return false
}

// pgDetailKey reads the columns from PostgreSQL's unique-violation detail:
// `Key (account_id, event_id)=(acct_…, e1) already exists.`
var pgDetailKey = regexp.MustCompile(`^Key \(([^)]*)\)=`)

// uniqueViolation reports whether err is a unique-key violation, and which
// key as "table(col,col)".
func uniqueViolation(err error) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		cols := ""
		if m := pgDetailKey.FindStringSubmatch(pe.Detail); m != nil {
			cols = strings.ReplaceAll(m[1], " ", "")
		}
		return pe.TableName + "(" + cols + ")", true
	}
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		// "UNIQUE constraint failed: txns.account_id, txns.event_id (2067)"
		// The driver may put its own "constraint failed: " before
		// SQLite's message, so the columns follow the last one.
		msg := se.Error()
		cols := msg
		if i := strings.LastIndex(msg, "failed: "); i >= 0 {
			cols = msg[i+len("failed: "):]
		}
		cols, _, _ = strings.Cut(cols, " (")
		table := ""
		var names []string
		for c := range strings.SplitSeq(cols, ",") {
			t, col, _ := strings.Cut(strings.TrimSpace(c), ".")
			table = t
			names = append(names, col)
		}
		return table + "(" + strings.Join(names, ",") + ")", true
	}
	return "", false
}

func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// retryable reports whether err means the transaction lost a race and may
// succeed if run again: a PostgreSQL serialization failure or deadlock, or
// a SQLite database that stayed busy or locked past busy_timeout.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff // primary code; extended codes share it
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// errStale is a batch that used a kept state (warm.go) whose account
// another writer had changed since: Store.Batch runs it again, reading.
var errStale = errors.New("an account changed since this process kept its state")

// stale reports whether err is errStale, or PostgreSQL's coffer_lock_fresh
// failing the transaction for it (SQLSTATE CF001, migration 00012).
func stale(err error) bool {
	var pe *pgconn.PgError
	return errors.Is(err, errStale) || (errors.As(err, &pe) && pe.Code == "CF001")
}
