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

func TestRebind(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		order   []int
	}{
		{"SELECT 1", "SELECT 1", nil},
		{"SELECT a FROM t WHERE x = $1 AND y = $2", "SELECT a FROM t WHERE x = ? AND y = ?", []int{0, 1}},
		{"WHERE a <= $2 UNION WHERE b <= $2 LIMIT $1", "WHERE a <= ? UNION WHERE b <= ? LIMIT ?", []int{1, 1, 0}},
		{"VALUES ($10, $11)", "VALUES (?, ?)", []int{9, 10}},
		{"WHERE s = '$1' AND n = $1", "WHERE s = '$1' AND n = ?", []int{0}},
	} {
		out, order := rebind(tc.in)
		if out != tc.out || fmt.Sprint(order) != fmt.Sprint(tc.order) {
			t.Errorf("rebind(%q) = %q, %v; want %q, %v", tc.in, out, order, tc.out, tc.order)
		}
	}
	args := []any{"a", "b"}
	if got := reorder(args, []int{1, 1, 0}); fmt.Sprint(got) != "[b b a]" {
		t.Errorf("reorder: %v", got)
	}
}
