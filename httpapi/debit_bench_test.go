package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
)

// BenchmarkDebit measures POST /v1/debits in process, over a SQLite
// store in a temporary file: the handler New returns, every middleware
// included, called directly with a reused request and answer so that
// what is counted is the server's own work. service is the same debit
// through service.Debit, which leaves the HTTP and JSON layer out;
// refused is a body the schema refuses, which never reaches the store.
// The parallel variants keep 16 requests per core in flight, so the
// committer batches them as it does under load.
//
//	go test -run '^$' -bench BenchmarkDebit -benchmem ./httpapi
func BenchmarkDebit(b *testing.B) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "coffer.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	svc := service.New(st, coffer.SystemClock{}, logger, service.DefaultConfig())
	defer svc.Close()
	admin, err := svc.EnsureAdminKey(ctx)
	if err != nil {
		b.Fatal(err)
	}
	caller, err := svc.Authenticate(ctx, admin)
	if err != nil {
		b.Fatal(err)
	}
	acct, err := svc.CreateAccount(ctx, service.Call{Caller: caller}, api.AccountCreate{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateGrant(ctx, service.Call{Caller: caller}, acct.ID,
		api.GrantCreate{Amount: money.MustParse("1000000"), Category: "paid"}); err != nil {
		b.Fatal(err)
	}
	h := New(svc, Options{Logger: logger, Version: "bench"})
	var events eventIDs

	serve := func(b *testing.B, body func(buf []byte) []byte, want int) {
		b.Helper()
		req := newBenchRequest(admin)
		w := &benchWriter{header: http.Header{}}
		var buf []byte
		for b.Loop() {
			buf = body(buf[:0])
			req.reset(buf)
			w.reset()
			h.ServeHTTP(w, req.Request)
			if w.status != want {
				b.Fatalf("status %d, want %d: %s", w.status, want, w.body)
			}
		}
	}
	debitBody := func(buf []byte) []byte {
		buf = append(buf, `{"account_id":"`+acct.ID+`","event_id":"evt_`...)
		buf = strconv.AppendInt(buf, events.next(), 10)
		return append(buf, `","amount":"0.0075"}`...)
	}

	b.Run("http", func(b *testing.B) {
		b.ReportAllocs()
		serve(b, debitBody, http.StatusCreated)
	})
	b.Run("refused", func(b *testing.B) {
		b.ReportAllocs()
		serve(b, func(buf []byte) []byte {
			return append(buf, `{"account_id":"`+acct.ID+`","event_id":"evt_0","amount":0.0075}`...)
		}, http.StatusBadRequest)
	})
	b.Run("service", func(b *testing.B) {
		b.ReportAllocs()
		amount := money.MustParse("0.0075")
		call := service.Call{Caller: caller}
		for b.Loop() {
			in := api.DebitCreate{AccountID: acct.ID, EventID: "evt_" + strconv.FormatInt(events.next(), 10), Amount: &amount}
			if _, err := svc.Debit(ctx, call, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("http-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			req := newBenchRequest(admin)
			w := &benchWriter{header: http.Header{}}
			var buf []byte
			for pb.Next() {
				buf = debitBody(buf[:0])
				req.reset(buf)
				w.reset()
				h.ServeHTTP(w, req.Request)
				if w.status != http.StatusCreated {
					b.Errorf("status %d: %s", w.status, w.body)
					return
				}
			}
		})
	})
	b.Run("service-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(16)
		amount := money.MustParse("0.0075")
		call := service.Call{Caller: caller}
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				in := api.DebitCreate{AccountID: acct.ID, EventID: "evt_" + strconv.FormatInt(events.next(), 10), Amount: &amount}
				if _, err := svc.Debit(ctx, call, in); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
