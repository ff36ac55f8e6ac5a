package service_test

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// BenchmarkAuthenticate is a request's authentication with its key cached,
// as on the hot path, on SQLite: the cache's one lock, plus the revision
// read once a second that keeps revocations in step across processes.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := b.Context()
	st, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "coffer.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	svc := service.New(st, coffer.SystemClock{}, slog.New(slog.DiscardHandler), service.DefaultConfig())
	defer svc.Close()
	secret, _, err := svc.CreateAPIKey(ctx, coffer.RoleUsage, "", "bench")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := svc.Authenticate(ctx, secret); err != nil {
				b.Fatal(err)
			}
		}
	})
}
