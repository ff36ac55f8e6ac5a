package app

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// rawDB opens the store beside the server, for rows a test changes
// behind its back.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver, src := "sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)"
	if strings.HasPrefix(dsn, "postgres://") {
		driver, src = "pgx", dsn
	}
	db, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// readyz asks the server's /readyz and returns its status and, for a 503,
// the reason it names.
func readyz(t *testing.T, s *Server) (int, string) {
	t.Helper()
	res, err := http.Get(s.URL() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  struct {
			Code    string            `json:"code"`
			Details map[string]string `json:"details"`
		} `json:"error"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("/readyz answered %s with a body that is not JSON: %v", res.Status, err)
	}
	if res.StatusCode == http.StatusOK && body.Status != "ready" {
		t.Errorf("/readyz 200 says %q, want ready", body.Status)
	}
	return res.StatusCode, body.Error.Details["reason"]
}

// A server is ready on a migrated store; not when the store lacks a
// migration, when the store is gone, or once it shuts down, when it stops
// listening as well.
func TestReadiness(t *testing.T) {
	t.Parallel()
	for name, dsn := range map[string]string{
		"sqlite":   filepath.Join(t.TempDir(), "coffer.db"),
		"postgres": pgtest.TestPostgresDSN(t),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := StartServer(t.Context(), ServerConfig{Addr: "127.0.0.1:0", DB: dsn, TestClock: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if code, reason := readyz(t, s); code != http.StatusOK {
				t.Fatalf("a fresh server: /readyz %d %s, want 200", code, reason)
			}

			db := rawDB(t, dsn)
			var last int64
			if err := db.QueryRow("SELECT MAX(version_id) FROM goose_db_version").Scan(&last); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec("DELETE FROM goose_db_version WHERE version_id = $1", last); err != nil {
				t.Fatal(err)
			}
			if code, reason := readyz(t, s); code != http.StatusServiceUnavailable || reason != reasonMigrations {
				t.Errorf("migration %d undone: /readyz %d %q, want 503 %s", last, code, reason, reasonMigrations)
			}
			if _, err := db.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)", last); err != nil {
				t.Fatal(err)
			}
			if code, reason := readyz(t, s); code != http.StatusOK {
				t.Errorf("migration %d recorded again: /readyz %d %q, want 200", last, code, reason)
			}

			s.Store().Close()
			if code, reason := readyz(t, s); code != http.StatusServiceUnavailable || reason != reasonStore {
				t.Errorf("the store closed: /readyz %d %q, want 503 %s", code, reason, reasonStore)
			}
			if res, err := http.Get(s.URL() + "/healthz"); err != nil || res.StatusCode != http.StatusOK {
				t.Errorf("/healthz with the store closed: %v %v, want 200: the process is alive", res, err)
			} else {
				res.Body.Close()
			}

			if err := s.Close(); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			_, err = http.Get(s.URL() + "/readyz")
			if opErr := (*net.OpError)(nil); !errors.As(err, &opErr) || opErr.Op != "dial" {
				t.Errorf("/readyz after shutdown: %v, want the connection refused", err)
			}
		})
	}
}
