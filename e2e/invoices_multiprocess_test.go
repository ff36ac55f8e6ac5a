package e2e

import (
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// TestTwoProcessesClosePeriods runs two servers on one PostgreSQL
// database, each on its own test clock, and moves both past the end of
// March at the same moment, so that both close the month for the same
// accounts at once. Only the database keeps them from closing an account
// twice or giving one number to two invoices: every account must have
// exactly one invoice for March, the numbers must run 1..N each once, a
// card must be charged once per invoice, and `coffer check` must pass.
//
// The two clocks go to instants a millisecond apart, so that an invoice's
// finalized_at says which process closed it: both must have closed some,
// or the closes did not overlap and the test proved nothing.
func TestTwoProcessesClosePeriods(t *testing.T) {
	t.Parallel()
	dsn := pgtest.TestPostgresDSN(t)
	a := start(t, dsn)
	b := startWith(t, dsn, nil)
	b.admin = client.New(b.srv.URL(), client.WithAPIKey(a.srv.AdminKey))

	const n = 300
	accts := openBilledAccounts(t, a.admin, n)
	if t.Failed() {
		return
	}
	// Half the postpaid accounts pay their invoice by card, so that the
	// two processes' collections race too; the others fail to pay.
	for i := 0; i < n; i += 4 {
		a.card(accts[i], payments.TestCardSuccess)
	}

	atA, atB := april.Add(2*time.Minute), april.Add(2*time.Minute+time.Millisecond)
	var wg sync.WaitGroup
	var errA, errB error
	begin := make(chan struct{})
	wg.Go(func() {
		<-begin
		_, errA = a.admin.AdvanceClock(a.ctx, api.ClockAdvance{To: &atA})
	})
	wg.Go(func() {
		<-begin
		_, errB = b.admin.AdvanceClock(b.ctx, api.ClockAdvance{To: &atB})
	})
	close(begin)
	wg.Wait()
	if errA != nil || errB != nil {
		t.Fatalf("advance: a %v, b %v", errA, errB)
	}

	wantOneInvoiceEach(t, a.admin, accts, april)
	all, err := allInvoices(a.ctx, a.admin)
	if err != nil {
		t.Fatal(err)
	}
	by := map[time.Time]int{}
	for _, inv := range all {
		by[timeOf(inv.FinalizedAt)]++
	}
	if by[atA] == 0 || by[atB] == 0 || by[atA]+by[atB] != n {
		t.Errorf("finalized by a %d, by b %d, otherwise %d: want both to have closed some of the %d", by[atA], by[atB], n-by[atA]-by[atB], n)
	}
	// Each card account's invoice was charged once and is paid.
	for i := 0; i < n; i += 4 {
		pays := a.payments(accts[i], "invoice")
		if len(pays) != 1 || pays[0].Status != "succeeded" {
			t.Errorf("account %s: invoice payments %+v, want one succeeded", accts[i], pays)
		}
		if inv := a.onlyInvoice(accts[i]); inv.Status != "paid" {
			t.Errorf("account %s: invoice %s is %s, want paid", accts[i], inv.Number, inv.Status)
		}
	}
	a.check()
	t.Logf("%d accounts: a closed %d, b closed %d", n, by[atA], by[atB])
}
