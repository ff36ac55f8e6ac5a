package service_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/sqlstore"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
	"github.com/cofferdev/coffer/store"
)

// heldGateway holds the first charge it is asked for until release is
// closed, telling held when it has it; every other charge goes through.
type heldGateway struct {
	payments.Gateway
	held    chan struct{}
	release chan struct{}
	first   chan struct{} // a token: whoever takes it is the first charge
}

func (g *heldGateway) Charge(ctx context.Context, in payments.ChargeRequest) (*payments.Charge, error) {
	select {
	case <-g.first:
		close(g.held)
		select {
		case <-g.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	default:
	}
	return g.Gateway.Charge(ctx, in)
}

// Two recharge runs on one account at once never pass the daily cap. The
// first run's charge is held at the gateway while the clock moves past
// its lease, so a second run takes the account over and charges while
// the first is still charging: the second must count the first's charge.
// With a cap of 50.00 and charges of 20.00 from a balance of zero, the two
// runs together make two charges.
func TestRechargeRunsTogetherKeepTheDailyCap(t *testing.T) {
	for _, eng := range []struct{ name, dsn string }{
		{"sqlite", filepath.Join(t.TempDir(), "coffer.db")},
		{"postgres", pgtest.TestPostgresDSN(t)},
	} {
		t.Run(eng.name, func(t *testing.T) {
			ctx := t.Context()
			st, err := sqlstore.Open(ctx, eng.dsn)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			clock := coffer.NewTestClock(time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC))
			gw := &heldGateway{Gateway: payments.NewSandbox(clock), held: make(chan struct{}),
				release: make(chan struct{}), first: make(chan struct{}, 1)}
			gw.first <- struct{}{}
			cfg := service.DefaultConfig()
			cfg.Payments.Gateway = gw
			svc := service.New(st, clock, slog.New(slog.DiscardHandler), cfg)
			t.Cleanup(func() { svc.Close(); st.Close() })
			admin := service.Call{Caller: &service.Caller{KeyID: "key_test", Role: coffer.RoleAdmin}}

			a, err := svc.CreateAccount(ctx, admin, api.AccountCreate{Name: "capped", Currency: "USD"})
			if err != nil {
				t.Fatal(err)
			}
			m, err := svc.AddPaymentMethod(ctx, admin, a.ID, api.PaymentMethodCreate{Type: "card",
				CardNumber: payments.TestCardSuccess, ExpMonth: 12, ExpYear: 2035, CVC: "123"})
			if err != nil {
				t.Fatal(err)
			}
			on, threshold, amount, dailyCap := true, money.MustParse("100"), money.MustParse("20"), money.MustParse("50")
			if _, err := svc.PutAutoRecharge(ctx, admin, a.ID, api.AutoRechargeUpdate{Enabled: &on, PaymentMethodID: &m.ID,
				Threshold: &threshold, Amount: &amount, DailyCap: &dailyCap}); err != nil {
				t.Fatal(err)
			}

			first := make(chan error, 1)
			go func() { first <- svc.RechargeSweep(ctx) }()
			select {
			case <-gw.held:
			case err := <-first:
				t.Fatalf("the first run ended before charging: %v", err)
			}
			// Past the first run's lease, the same day.
			if err := clock.Set(clock.Now().Add(3 * time.Minute)); err != nil {
				t.Fatal(err)
			}
			if err := svc.RechargeSweep(ctx); err != nil {
				t.Fatal(err)
			}
			close(gw.release)
			if err := <-first; err != nil {
				t.Fatal(err)
			}

			ps, _, err := st.ListPayments(ctx, a.ID, coffer.SourceAutoRecharge, store.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var charged money.Amount
			for _, p := range ps {
				if p.Status != coffer.PaymentSucceeded {
					t.Fatalf("recharge %+v", p)
				}
				charged += p.Amount
			}
			if charged > dailyCap || len(ps) != 2 {
				t.Fatalf("%d recharges charged %s in one day, past the daily cap of %s", len(ps), charged, dailyCap)
			}
			ar, err := svc.GetAutoRecharge(ctx, admin, a.ID)
			if err != nil || ar.SpentToday != charged {
				t.Fatalf("auto-recharge %+v %v, want %s spent today", ar, err, charged)
			}
		})
	}
}
