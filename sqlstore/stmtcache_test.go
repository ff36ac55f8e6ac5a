package sqlstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestSQLiteStatementCache: a statement the writer's transaction runs is
// prepared once the transaction ends and reused by the next ones; past the
// cache's bound statements still run, unprepared.
func TestSQLiteStatementCache(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cache := s.eng.(*sqliteEngine).stmts
	count := func(q string) int64 {
		var n int64
		err := s.write(ctx, func(t tx) error {
			r, err := t.query(ctx, q)
			if err != nil {
				return err
			}
			defer r.Close()
			r.Next()
			return r.Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	const q = "SELECT COUNT(*) FROM accounts"
	count(q)
	cache.mu.Lock()
	first := cache.m[q]
	cache.mu.Unlock()
	if first == nil {
		t.Fatal("the statement was not prepared after its transaction ended")
	}
	count(q)
	cache.mu.Lock()
	again, n := cache.m[q], len(cache.m)
	cache.mu.Unlock()
	if again != first {
		t.Fatal("the statement was prepared again")
	}
	for i := n; i < stmtCacheSize+10; i++ {
		if got := count(fmt.Sprintf("SELECT COUNT(*) + %d FROM accounts", i)); got != int64(i) {
			t.Fatalf("statement %d answered %d", i, got)
		}
	}
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if len(cache.m) != stmtCacheSize {
		t.Fatalf("%d statements cached, want the bound %d", len(cache.m), stmtCacheSize)
	}
}
