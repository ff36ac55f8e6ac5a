package metrics_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/httpapi"
	"github.com/cofferdev/coffer/metrics"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// BenchmarkDebitMetrics measures the hot path, POST /v1/debits through the
// HTTP handler, the service, the committer and SQLite, with metrics off
// and on, side by side in one run (docs/metrics.md has the figures):
//
//	go test ./metrics -run '^$' -bench DebitMetrics -count 3
func BenchmarkDebitMetrics(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("metrics=%v", on), func(b *testing.B) { benchDebits(b, on) })
	}
}

func benchDebits(b *testing.B, on bool) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	cfg := service.DefaultConfig()
	cfg.Notify.NoDelivery = true
	var opts httpapi.Options
	var svc *service.Service
	if on {
		reg := metrics.NewRegistry()
		m := metrics.New(reg)
		cfg.Meter = m.Committer()
		svc = service.New(m.Store(st), coffer.SystemClock{}, slog.New(slog.DiscardHandler), cfg)
		m.WatchCommitter(svc)
		opts.Metrics = m.HTTP()
	} else {
		svc = service.New(st, coffer.SystemClock{}, slog.New(slog.DiscardHandler), cfg)
	}
	defer svc.Close()
	h := httpapi.New(svc, opts)
	secret, _, err := svc.CreateAPIKey(ctx, coffer.RoleAdmin, "", "bench")
	if err != nil {
		b.Fatal(err)
	}
	caller, err := svc.Authenticate(ctx, secret)
	if err != nil {
		b.Fatal(err)
	}
	call := service.Call{Caller: caller}
	accounts := make([]string, 64)
	for i := range accounts {
		a, err := svc.CreateAccount(ctx, call, api.AccountCreate{Name: fmt.Sprint("bench ", i), Currency: "USD"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.CreateGrant(ctx, call, a.ID, api.GrantCreate{Amount: money.FromInt(1_000_000), Category: "paid"}); err != nil {
			b.Fatal(err)
		}
		accounts[i] = a.ID
	}
	var seq atomic.Int64
	b.SetParallelism(128) // enough callers in flight for the committer to batch
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			body := fmt.Sprintf(`{"account_id":%q,"event_id":"e%d","amount":"0.0075"}`, accounts[n%int64(len(accounts))], n)
			r := httptest.NewRequest(http.MethodPost, "/v1/debits", bytes.NewBufferString(body))
			r.Header.Set("Authorization", "Bearer "+secret)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusCreated {
				b.Errorf("debit: %d %s", w.Code, w.Body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "debits/s")
}

// BenchmarkMeterPerDebit is what metrics add to one debit answered over
// HTTP, alone: the request's counter and histogram, the committer's
// answer, and a 64th of a batch's size, busy time and five phases.
func BenchmarkMeterPerDebit(b *testing.B) {
	m := metrics.New(metrics.NewRegistry())
	h, c := m.HTTP(), m.Committer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			h.ObserveRequest("POST /v1/debits", http.StatusCreated, 300_000)
			c.Answered(committer.KindDebit, nil)
			if i++; i%64 == 0 {
				c.Batch(64, 1_000_000)
			}
		}
	})
}
