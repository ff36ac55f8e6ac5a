package program_test

import (
	"testing"
	"time"

	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/program"
)

func amt(s string) money.Amount { return money.MustParse(s) }

// The reference program's auto-payment: at a balance with credits of 0,
// or a balance of -500 if that comes first, a refill of 20.
func TestAutoPayment(t *testing.T) {
	l := program.DefaultLevels()
	for _, c := range []struct{ left, threshold, target string }{
		{"380.00", "-379.999999", "-360.00"}, // balance with credits reaches 0 at a balance of -380
		{"500.00", "-499.999999", "-480.00"},
		{"600.00", "-499.999999", "-480.00"}, // the balance level comes first
		{"0.00", "0.000001", "20.00"},
	} {
		th, tg := l.AutoPayment(amt(c.left))
		if th != amt(c.threshold) || tg != amt(c.target) {
			t.Errorf("gift left %s: threshold %s target %s, want %s and %s", c.left, th, tg, c.threshold, c.target)
		}
	}
}

func TestCheck(t *testing.T) {
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := program.Program{Name: "Impact", Currency: "USD", Gift: amt("500"), StartsOn: jan, Levels: program.DefaultLevels()}
	if p := ok.Check(); p != nil {
		t.Fatalf("the defaults: %v", p)
	}
	for field, change := range map[string]func(*program.Program){
		"gift":                       func(p *program.Program) { p.Gift = 0 },
		"ends_on":                    func(p *program.Program) { p.EndsOn = jan.AddDate(0, -1, 0) },
		"suspend_at":                 func(p *program.Program) { p.Levels.SuspendAt = amt("-504") },
		"payment_method_required_at": func(p *program.Program) { p.Levels.PaymentMethodRequiredAt = amt("-400") },
		"after_exhaustion.target":    func(p *program.Program) { p.Levels.AfterTarget = amt("10") },
		"auto_payment.balance":       func(p *program.Program) { p.Levels.AutoPaymentBalance = amt("1") },
	} {
		p := ok
		change(&p)
		if got := p.Check(); got == nil || got.Field != field {
			t.Errorf("%s: got %v", field, got)
		}
	}
	ends := ok
	ends.EndsOn = jan.AddDate(0, 2, 0)
	if !ends.GiftExpiry().Equal(time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)) || !ends.Credited(jan.AddDate(0, 2, 0)) || ends.Credited(jan.AddDate(0, 3, 0)) {
		t.Fatalf("a period ending in March: expiry %s", ends.GiftExpiry())
	}
}
