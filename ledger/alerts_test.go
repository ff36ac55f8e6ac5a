package ledger_test

import (
	"slices"
	"testing"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// alertsOf lists the thresholds an effect's balance.alert_triggered events
// name, in order.
func alertsOf(e *ledger.Effect) []string {
	var out []string
	for _, ev := range e.Events {
		if ev.Type == ledger.EventAlertTriggered {
			out = append(out, ev.Data["threshold"].(string))
		}
	}
	return out
}

func TestAlertsFireOnceAndRearm(t *testing.T) {
	b := newBook(t, "0")
	b.s.Alerts = []money.Amount{amt("10"), amt("250"), amt("100")} // any order
	b.grant("a", ledger.Grant{Kind: ledger.Monetary, Amount: amt("300"), Category: ledger.Paid,
		Priority: 50, Application: ledger.Realtime, Origin: ledger.OriginGrant})

	steps := []struct {
		debit string
		grant string
		want  []string
	}{
		{debit: "40", want: nil},                                    // 260: above every threshold
		{debit: "10", want: nil},                                    // 250: at the threshold is not below it
		{debit: "0.01", want: []string{"250.00"}},                   // 249.99: crossed
		{debit: "49.99", want: nil},                                 // 200: still below 250, no repeat
		{debit: "195", want: []string{"100.00", "10.00"}},           // 5: two at once, highest first
		{debit: "1", want: nil},                                     // 4
		{grant: "300", want: nil},                                   // 304: every alert re-armed, none fired
		{debit: "304", want: []string{"250.00", "100.00", "10.00"}}, // 0: all three from one debit
	}
	for i, s := range steps {
		var e *ledger.Effect
		if s.grant != "" {
			var err error
			e, err = b.s.Grant(b.env(), ledger.Grant{Kind: ledger.Monetary, Amount: amt(s.grant), Category: ledger.Paid,
				Priority: 50, Application: ledger.Realtime, Origin: ledger.OriginGrant})
			if err != nil {
				t.Fatal(err)
			}
			b.record(e)
		} else {
			e = b.mustDebit(ledger.Debit{EventID: s.debit, Amount: amt(s.debit)})
		}
		got := alertsOf(e)
		if !slices.Equal(got, s.want) {
			t.Fatalf("step %d: alerts %v, want %v (balance %s)", i, got, s.want, b.s.LedgerBalance())
		}
		for _, ev := range e.Events {
			if ev.Type == ledger.EventAlertTriggered && ev.Data["balance"] != b.s.LedgerBalance().String() {
				t.Fatalf("step %d: event balance %v, ledger %s", i, ev.Data["balance"], b.s.LedgerBalance())
			}
		}
	}
	b.audit()
}

func TestAlertsOnVoidAndWithoutThresholds(t *testing.T) {
	b := newBook(t, "0")
	b.s.Alerts = ledger.DefaultAlertThresholds()
	l := b.grant("a", ledger.Grant{Kind: ledger.Monetary, Amount: amt("120"), Category: ledger.Paid,
		Priority: 50, Application: ledger.Realtime, Origin: ledger.OriginGrant})
	e, err := b.s.Void(b.env(), l.ID, "granted by mistake", "admin")
	if err != nil {
		t.Fatal(err)
	}
	if got := alertsOf(b.record(e)); !slices.Equal(got, []string{"100.00", "10.00"}) {
		t.Fatalf("void crossed %v", got)
	}

	// No thresholds, no alerts; a refused debit raises nothing either.
	c := newBook(t, "0")
	c.grant("a", ledger.Grant{Kind: ledger.Monetary, Amount: amt("300"), Category: ledger.Paid,
		Priority: 50, Application: ledger.Realtime, Origin: ledger.OriginGrant})
	if got := alertsOf(c.mustDebit(ledger.Debit{EventID: "1", Amount: amt("299")})); got != nil {
		t.Fatalf("alerts without thresholds: %v", got)
	}
}
