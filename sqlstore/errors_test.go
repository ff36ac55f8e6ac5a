package sqlstore

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "40001"}, true},
		{&pgconn.PgError{Code: "40P01"}, true},
		{fmt.Errorf("commit: %w", &pgconn.PgError{Code: "40P01"}), true},
		{&pgconn.PgError{Code: "23505"}, false},
		{errors.New("boom"), false},
	} {
		if got := retryable(tc.err); got != tc.want {
			t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestUniqueViolationPostgres(t *testing.T) {
	err := &pgconn.PgError{Code: "23505", TableName: "txns",
		Detail: "Key (account_id, event_id)=(acct_1, e1) already exists."}
	key, ok := uniqueViolation(err)
	if !ok || key != "txns(account_id,event_id)" {
		t.Fatalf("uniqueViolation = %q, %v", key, ok)
	}
	if conflicts[key] == "" {
		t.Fatalf("no message for %s", key)
	}
}
