package e2e

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/sqlstore/pgtest"
)

// TestInvoiceCloseCrash kills the real binary with SIGKILL while it closes
// March for a few hundred accounts, once some of them have their invoice
// and others not, then restarts it on the same store and lets the close
// run again. Every account must end with exactly one invoice for March,
// numbered 1..N with no gap and no number twice, and `coffer check` must
// pass. A kill that lands after the close finished proves nothing, so the
// test then starts over on a new store with twice the accounts, and fails
// if the kill never lands mid-close.
func TestInvoiceCloseCrash(t *testing.T) {
	t.Parallel()
	bin := cofferBin
	stores(t, func(t *testing.T, dsn string) {
		n := 400
		for attempt := 1; ; attempt++ {
			if closeCrashRun(t, bin, dsn, n) || t.Failed() {
				return
			}
			if attempt == 3 {
				t.Fatalf("in %d attempts, up to %d accounts, the kill never landed while the close ran", attempt, n)
			}
			n *= 2
			dsn = freshStore(t, dsn)
		}
	})
}

// closeCrashRun is one attempt of TestInvoiceCloseCrash on an empty store
// with n accounts. It reports false if the kill came too late: the close
// had finished.
func closeCrashRun(t *testing.T, bin, dsn string, n int) bool {
	ctx := t.Context()
	p := startServe(t, bin, dsn, "closer", "--test-clock", "--test-clock-start", clockStart.Format(time.RFC3339))
	key := p.AdminKey()
	c := client.New(p.URL(), client.WithAPIKey(key))
	accts := openBilledAccounts(t, c, n)
	if t.Failed() {
		return true
	}
	db := openRawDB(t, dsn)
	invoices := func() int {
		var k int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM invoices").Scan(&k); err != nil {
			t.Fatalf("count the invoices: %v", err)
		}
		return k
	}

	// The advance runs the close inside the request; the kill cuts it
	// off, so it must fail. One attempt, no timeout: a retry would meet
	// the dead process, and the close may outlast a client's timeout.
	once := client.New(p.URL(), client.WithAPIKey(key), client.WithMaxAttempts(1),
		client.WithHTTPClient(&http.Client{}))
	advanced := make(chan error, 1)
	go func() {
		_, err := once.AdvanceClock(ctx, api.ClockAdvance{To: ptr(april.Add(2 * time.Minute))})
		advanced <- err
	}()
	// Kill once a quarter of the accounts have their invoice: the close
	// writes them one committer request at a time, each a few
	// milliseconds, far more than the poll's gap between reading the
	// count and the kill.
	waitFor(t, "a quarter of the invoices", func() bool { return invoices() >= n/4 })
	p.kill()
	err := <-advanced
	before := invoices()
	if before == n || err == nil {
		t.Logf("%d accounts: the kill came after the close (%d invoices, advance answered %v); again with more", n, before, err)
		return false
	}
	if before == 0 || before > n {
		t.Fatalf("%d invoices for %d accounts after the kill", before, n)
	}

	// The new run's clock starts where the old one stood; any advance
	// runs the close again.
	p.setArgs("--test-clock", "--test-clock-start", april.Add(2*time.Minute).Format(time.RFC3339))
	if err := p.start(); err != nil {
		t.Fatalf("restart: %v", err)
	}
	c = client.New(p.URL(), client.WithAPIKey(key))
	if _, err := c.AdvanceClock(ctx, api.ClockAdvance{By: "1us"}); err != nil {
		t.Fatalf("advance after the restart: %v", err)
	}
	wantOneInvoiceEach(t, c, accts, april)
	runCheck(t, bin, dsn)
	t.Logf("%d accounts: killed with %d invoices written, the rest after the restart", n, before)
	return true
}

// freshStore is a new, empty store of the same engine as dsn.
func freshStore(t *testing.T, dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") {
		return pgtest.TestPostgresDSN(t)
	}
	return filepath.Join(t.TempDir(), "coffer.db")
}

// openBilledAccounts opens n accounts on the test clock's March, every
// other one postpaid on a credit line with a little promotional credit and
// the rest prepaid with a paid grant, and debits each of them three times, several requests at once. It
// returns their ids in the order opened.
func openBilledAccounts(t *testing.T, c *client.Client, n int) []string {
	t.Helper()
	ctx := t.Context()
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && !t.Failed(); i = int(next.Add(1) - 1) {
				in := api.AccountCreate{Name: fmt.Sprintf("billed %d", i), Currency: "USD"}
				if i%2 == 0 {
					in.BillingMode, in.CreditLimit = "postpaid", amtp("-1000.00")
				}
				a, err := c.CreateAccount(ctx, in)
				if err != nil {
					t.Errorf("create account %d: %v", i, err)
					return
				}
				// A prepaid account pays from its grant as it goes; a
				// postpaid one's promotional credit is applied at the
				// close, in an invoice_credit transaction of its own.
				g := api.GrantCreate{Amount: amt("100.00"), Category: "paid", Reason: "top-up"}
				if i%2 == 0 {
					g = api.GrantCreate{Amount: amt("2.00"), Category: "promotional", Reason: "welcome"}
				}
				if _, err := c.CreateGrant(ctx, a.ID, g); err != nil {
					t.Errorf("grant account %d: %v", i, err)
					return
				}
				ids[i] = a.ID
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return nil
	}
	var all []api.DebitCreate
	for i, id := range ids {
		for k, a := range []string{"1.25", "2.50", "0.75"} {
			all = append(all, api.DebitCreate{AccountID: id, EventID: "use-" + strconv.Itoa(i) + "-" + strconv.Itoa(k), Amount: amtp(a)})
		}
	}
	for len(all) > 0 {
		part := all[:min(len(all), 1000)]
		all = all[len(part):]
		res, err := c.DebitBatch(ctx, api.DebitBatch{Debits: part})
		if err != nil {
			t.Fatalf("debit batch: %v", err)
		}
		for i, it := range res.Data {
			if it.Error != nil {
				t.Fatalf("debit %s: %+v", part[i].EventID, it.Error)
			}
		}
	}
	return ids
}

// wantOneInvoiceEach fails the test unless the store holds exactly one
// invoice per account, for the period ending at end, and nothing else,
// numbered 1..N with no gap and no number twice.
func wantOneInvoiceEach(t *testing.T, c *client.Client, accts []string, end time.Time) {
	t.Helper()
	all, err := allInvoices(t.Context(), c)
	if err != nil {
		t.Fatalf("list invoices: %v", err)
	}
	want := map[string]bool{}
	for _, a := range accts {
		want[a] = true
	}
	per := map[string][]string{}
	numbered := map[int]string{}
	for _, inv := range all {
		per[inv.AccountID] = append(per[inv.AccountID], inv.Number)
		if !want[inv.AccountID] {
			t.Errorf("invoice %s (%s) is of account %s, not one of the test's", inv.ID, inv.Number, inv.AccountID)
		}
		if !inv.PeriodEnd.Equal(end) {
			t.Errorf("invoice %s (%s) of %s ends at %s, want %s", inv.ID, inv.Number, inv.AccountID, inv.PeriodEnd, end)
		}
		k, err := strconv.Atoi(strings.TrimPrefix(inv.Number, "INV-"))
		if err != nil || k <= 0 {
			t.Errorf("invoice %s has number %q", inv.ID, inv.Number)
			continue
		}
		if prev, dup := numbered[k]; dup {
			t.Errorf("number %s given twice: invoices %s and %s", inv.Number, prev, inv.ID)
		}
		numbered[k] = inv.ID
	}
	for _, a := range accts {
		if got := per[a]; len(got) != 1 {
			t.Errorf("account %s has %d invoices %v, want 1", a, len(got), got)
		}
	}
	for k := 1; k <= len(accts); k++ {
		if _, ok := numbered[k]; !ok {
			t.Errorf("no invoice is numbered %d: the numbers of %d invoices for %d accounts have a gap", k, len(all), len(accts))
			break
		}
	}
	if len(all) != len(accts) {
		t.Errorf("%d invoices for %d accounts", len(all), len(accts))
	}
}

// allInvoices reads every invoice, page by page.
func allInvoices(ctx context.Context, c *client.Client) ([]api.Invoice, error) {
	var all []api.Invoice
	p := client.InvoiceListParams{ListParams: client.ListParams{Limit: 100}}
	for {
		page, err := c.ListInvoices(ctx, p)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		if !page.HasMore || len(page.Data) == 0 {
			return all, nil
		}
		p.StartingAfter = page.Data[len(page.Data)-1].ID
	}
}
