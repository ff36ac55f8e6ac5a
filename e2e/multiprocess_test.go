package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// TestTwoProcessesOneAccount runs two `coffer serve` processes on one
// PostgreSQL database and has them race strict debits on the same account,
// offering more than its balance. Each process has its own committer, so
// only the database's row locks keep them from spending the same money:
// the account must never go below its floor, every debit must apply to the
// balance the previous one left, and the accepted debits must add up to
// exactly what the balance lost.
func TestTwoProcessesOneAccount(t *testing.T) {
	t.Parallel()
	dsn := pgtest.TestPostgresDSN(t)
	bin := cofferBin
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	a := startServe(t, bin, dsn, "coffer-a")
	key := a.AdminKey()
	if key == "" {
		t.Fatal("the first process printed no admin key on an empty store")
	}
	b := startServe(t, bin, dsn, "coffer-b")
	if b.AdminKey() != "" {
		t.Error("the second process printed an admin key although one existed")
	}
	hc := newLoadTransport().client()
	servers := []*client.Client{
		client.New(a.URL(), client.WithAPIKey(key), client.WithHTTPClient(hc)),
		client.New(b.URL(), client.WithAPIKey(key), client.WithHTTPClient(hc)),
	}

	const (
		clients   = 16 // half on each process
		perClient = 60
		credit    = "400.00"
	)
	// Every debit is between 0.50 and 1.00, so the 960 offered come to at
	// least 480.00: more than the credit, whatever the draw.
	start := money.MustParse(credit)
	floor := money.MustParse("0")
	acct, err := servers[0].CreateAccount(ctx, api.AccountCreate{Name: "hot", Currency: "USD",
		Email: "hot@example.com", MinBalance: &floor})
	if err != nil {
		t.Fatal(err)
	}
	// The grant goes through the other process: both must see the same
	// account from the first request on.
	if _, err := servers[1].CreateGrant(ctx, acct.ID, api.GrantCreate{Amount: start, Category: "paid", Reason: "opening credit"}); err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)

	type result struct {
		acked    map[string]accepted
		refused  []money.Amount
		errs     []string
		balances []money.Amount // every balance and available an answer showed
	}
	results := make([]result, clients)
	var wg sync.WaitGroup
	began := time.Now()
	for i := range clients {
		wg.Go(func() {
			r := result{acked: map[string]accepted{}}
			c := servers[i%2]
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			for n := range perClient {
				amount := money.FromMicros(500_000 + rng.Int64N(500_001))
				in := api.DebitCreate{AccountID: acct.ID, EventID: fmt.Sprintf("hot-%02d-%03d", i, n), Amount: &amount}
				d, err := c.Debit(ctx, in)
				switch {
				case err == nil:
					r.acked[in.EventID] = accepted{amount: amount, txnID: d.Transaction.ID}
					r.balances = append(r.balances, d.Balance, d.Available, d.Transaction.BalanceAfter)
				case client.ErrorCode(err) == "insufficient_balance":
					r.refused = append(r.refused, amount)
					avail, ok := refusalAvailable(err)
					if !ok || avail >= amount {
						r.errs = append(r.errs, fmt.Sprintf("%s (%s) refused, but the refusal reports %s available: %v", in.EventID, amount, avail, err))
					}
					r.balances = append(r.balances, avail)
				default:
					r.errs = append(r.errs, fmt.Sprintf("%s: %v", in.EventID, err))
				}
			}
			results[i] = r
		})
	}
	wg.Wait()
	elapsed := time.Since(began)

	acked := map[string]accepted{}
	var spent money.Amount
	perServer := [2]int{}
	var refused []money.Amount
	for i, r := range results {
		for _, e := range r.errs {
			t.Errorf("client %d: %s", i, e)
		}
		for _, v := range r.balances {
			if v < floor {
				t.Errorf("client %d saw %s, below the floor of %s", i, v, floor)
			}
		}
		for ev, x := range r.acked {
			acked[ev] = x
			spent += x.amount
		}
		perServer[i%2] += len(r.acked)
		refused = append(refused, r.refused...)
	}

	bal, err := servers[1].GetBalance(ctx, acct.ID, client.BalanceParams{})
	if err != nil {
		t.Fatal(err)
	}
	if bal.Balance < floor {
		t.Errorf("final balance %s is below the floor %s", bal.Balance, floor)
	}
	if start-bal.Balance != spent {
		t.Errorf("the balance fell by %s (%s → %s), but the accepted debits add up to %s", start-bal.Balance, start, bal.Balance, spent)
	}
	// The balance only falls, so a debit refused at any moment is more
	// than what is left at the end; one that is not was refused while the
	// money was there.
	for _, x := range refused {
		if x <= bal.Balance {
			t.Errorf("a debit of %s was refused, yet %s is left at the end", x, bal.Balance)
		}
	}
	if perServer[0] == 0 || perServer[1] == 0 || len(refused) == 0 {
		t.Errorf("no contest: accepted %d on a, %d on b, refused %d", perServer[0], perServer[1], len(refused))
	}

	hist, err := allTransactions(ctx, servers[0], acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	debits, granted := verifyDebits(t, hist, acked)
	if granted != start {
		t.Errorf("history grants %s, want %s", granted, start)
	}
	verifyChain(t, start, debits)
	runCheck(t, bin, dsn)

	t.Logf("%d debits offered in %s: %d accepted (%d on a, %d on b) for %s, %d refused; balance %s → %s",
		clients*perClient, elapsed.Round(time.Millisecond), len(acked), perServer[0], perServer[1], spent, len(refused), start, bal.Balance)
}
