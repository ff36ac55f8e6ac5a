package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/payments"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// The true-up tests below run the real binary on a test clock: a SIGKILL
// in the middle of a true-up, and two processes running the same true-up
// at once. Either way each account's month must be credited exactly once.

// fleetGift is each fleet member's gift; every member uses less than it.
var fleetGift = money.MustParse("100.00")

// member is an enrolled account and what it used in January.
type member struct {
	account string
	usage   money.Amount
}

// testClockArgs are the flags of a `coffer serve` on a test clock that
// starts at t.
func testClockArgs(t time.Time) []string {
	return []string{"--test-clock", "--test-clock-start", t.Format(time.RFC3339Nano)}
}

// enrolFleet makes a program and enrols n new accounts in it, each with a
// card that works, and has each use a different amount in January, all
// less than the gift. Eight clients do it side by side.
func enrolFleet(t *testing.T, c *client.Client, n int) []member {
	t.Helper()
	ctx := t.Context()
	p, err := c.CreateProgram(ctx, api.ProgramCreate{Name: "Fleet", Currency: "USD", Gift: fleetGift, StartsOn: "2026-01"})
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	ms := make([]member, n)
	errs := make(chan error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range next {
				usage := money.FromMicros(1_250_000 * (1 + int64(i%61))) // 1.25 to 76.25
				a, err := c.CreateAccount(ctx, api.AccountCreate{Name: fmt.Sprint("member ", i), Currency: "USD", Email: fmt.Sprintf("m%d@example.com", i)})
				if err == nil {
					_, err = c.AddPaymentMethod(ctx, a.ID, api.PaymentMethodCreate{Type: "card", CardNumber: payments.TestCardSuccess, ExpMonth: 12, ExpYear: 2030, CVC: "123"})
				}
				if err == nil {
					_, err = c.Enroll(ctx, p.ID, api.EnrollmentCreate{AccountID: a.ID})
				}
				if err == nil {
					_, err = c.Debit(ctx, api.DebitCreate{AccountID: a.ID, EventID: "january", Amount: &usage})
				}
				if err != nil {
					errs <- fmt.Errorf("member %d: %w", i, err)
					continue
				}
				ms[i] = member{account: a.ID, usage: usage}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return ms
}

// countTrueUps counts the store's true_up transactions, read beside the
// server.
func countTrueUps(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM txns WHERE type = 'true_up'").Scan(&n); err != nil {
		t.Fatalf("count true-ups: %v", err)
	}
	return n
}

// countRecorded counts the enrollments whose credit_last_applied a
// true-up recorded.
func countRecorded(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM enrollments WHERE credit_last_applied IS NOT NULL").Scan(&n); err != nil {
		t.Fatalf("count recorded true-ups: %v", err)
	}
	return n
}

// wantCreditedOnce checks every member's January was credited exactly
// once: one true_up transaction for 2026-01 of its usage, the balance back
// at zero, the gift less the usage left, credit_last_applied 2026-01.
func wantCreditedOnce(t *testing.T, c *client.Client, db *sql.DB, ms []member) {
	t.Helper()
	ctx := t.Context()
	if n := countTrueUps(t, db); n != len(ms) {
		t.Errorf("%d true_up transactions in the store for %d accounts", n, len(ms))
	}
	wrong := 0
	for i, m := range ms {
		if wrong == 5 {
			t.Fatalf("and more: stopped at member %d of %d", i, len(ms))
		}
		l, err := c.ListTransactions(ctx, m.account, client.TransactionListParams{ListParams: client.ListParams{Limit: 100}, Types: []string{"true_up"}})
		if err != nil {
			t.Fatalf("member %d true-ups: %v", i, err)
		}
		if len(l.Data) != 1 || l.Data[0].Metadata["month"] != "2026-01" || l.Data[0].Amount != m.usage {
			var got []string
			for _, x := range l.Data {
				got = append(got, x.Amount.String()+" for "+x.Metadata["month"]+" ("+x.ID+")")
			}
			t.Errorf("member %d (%s, used %s): true-ups %v, want one of %s for 2026-01", i, m.account, m.usage, got, m.usage)
			wrong++
			continue
		}
		b, err := c.GetBalance(ctx, m.account, client.BalanceParams{})
		if err != nil {
			t.Fatalf("member %d balance: %v", i, err)
		}
		if b.Balance != 0 || b.GiftedRemaining != fleetGift-m.usage || b.Gift == nil || b.Gift.CreditLastApplied != "2026-01" {
			t.Errorf("member %d (%s, used %s): balance %s, gifted_remaining %s, gift %+v; want 0.00, %s, credit_last_applied 2026-01",
				i, m.account, m.usage, b.Balance, b.GiftedRemaining, b.Gift, fleetGift-m.usage)
			wrong++
		}
	}
}

// TestTrueUpSIGKILLCreditsOnce kills `coffer serve` with SIGKILL in the
// middle of February 1's true-up of many accounts, restarts it on the
// same store with its test clock where the killed one stood, and moves
// the clock on a microsecond, so that the true-up runs again: every
// account's January is credited exactly once, those the killed run did
// and those it never reached. The kill must land mid-run (some true-ups
// made, not all) or the test fails rather than pass without a crash.
func TestTrueUpSIGKILLCreditsOnce(t *testing.T) {
	t.Parallel()
	const n = 100
	stores(t, func(t *testing.T, dsn string) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		bin := cofferBin
		p := startServe(t, bin, dsn, "coffer", testClockArgs(jan2026)...)
		key := p.AdminKey()
		c := client.New(p.URL(), client.WithAPIKey(key))
		ms := enrolFleet(t, c, n)
		db := openStoreDB(t, dsn)

		// The advance runs the true-up before it answers; it is made once
		// (a retry would reach the restarted process) and is cut off by
		// the kill.
		began := time.Now()
		once := client.New(p.URL(), client.WithAPIKey(key), client.WithMaxAttempts(1))
		advanced := make(chan error, 1)
		go func() {
			_, err := once.AdvanceClock(ctx, api.ClockAdvance{To: &feb2026})
			advanced <- err
		}()
		// Kill once a third of the accounts are credited, well inside the
		// run however fast the store is.
		var finished error
		done := false
		waitFor(t, fmt.Sprintf("%d true-ups", n/3), func() bool {
			select {
			case finished = <-advanced:
				done = true
				return true
			default:
			}
			return countTrueUps(t, db) >= n/3
		})
		if done {
			t.Fatalf("the advance finished (%v) before %d true-ups were seen: there was nothing to kill it in", finished, n/3)
		}
		p.kill()
		killedAt := time.Since(began)
		made, recorded := countTrueUps(t, db), countRecorded(t, db)
		if made == 0 || made >= n {
			t.Fatalf("the kill landed with %d of %d true-ups made: not mid-run; raise the number of accounts", made, n)
		}
		if err := <-advanced; err == nil {
			t.Fatalf("the advance the kill cut off answered")
		}

		if err := p.restart(testClockArgs(feb2026)...); err != nil {
			t.Fatalf("restart: %v", err)
		}
		c = client.New(p.URL(), client.WithAPIKey(key))
		if _, err := c.AdvanceClock(ctx, api.ClockAdvance{By: "1us"}); err != nil {
			t.Fatalf("advance after the restart: %v", err)
		}
		wantCreditedOnce(t, c, db, ms)
		runCheck(t, bin, dsn)
		t.Logf("killed %s into the advance with %d of %d true-ups made, %d of them recorded as credit_last_applied",
			killedAt.Round(time.Millisecond), made, n, recorded)
	})
}

// TestTrueUpTwoProcessesCreditsOnce runs two `coffer serve` processes on
// one PostgreSQL database, each on its own test clock, and moves both
// clocks past February 1 at once, so that both run the true-up of the
// same accounts side by side: each account's January is credited exactly
// once. The two advances must overlap, or nothing raced.
func TestTrueUpTwoProcessesCreditsOnce(t *testing.T) {
	t.Parallel()
	const n = 80
	dsn := pgtest.TestPostgresDSN(t)
	bin := cofferBin
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	a := startServe(t, bin, dsn, "coffer-a", testClockArgs(jan2026)...)
	key := a.AdminKey()
	b := startServe(t, bin, dsn, "coffer-b", testClockArgs(jan2026)...)
	servers := []*client.Client{client.New(a.URL(), client.WithAPIKey(key)), client.New(b.URL(), client.WithAPIKey(key))}
	ms := enrolFleet(t, servers[0], n)
	db := openStoreDB(t, dsn)

	type span struct {
		from, to time.Time
		err      error
	}
	spans := make([]span, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, c := range servers {
		wg.Go(func() {
			<-start
			spans[i].from = time.Now()
			_, spans[i].err = c.AdvanceClock(ctx, api.ClockAdvance{To: &feb2026})
			spans[i].to = time.Now()
		})
	}
	close(start)
	wg.Wait()
	for i, s := range spans {
		if s.err != nil {
			t.Fatalf("advance on process %d: %v", i, s.err)
		}
	}
	if !spans[0].from.Before(spans[1].to) || !spans[1].from.Before(spans[0].to) {
		t.Fatalf("the advances did not overlap: %+v", spans)
	}
	wantCreditedOnce(t, servers[1], db, ms)
	runCheck(t, bin, dsn)
	t.Logf("advances took %s and %s", spans[0].to.Sub(spans[0].from).Round(time.Millisecond), spans[1].to.Sub(spans[1].from).Round(time.Millisecond))
}
