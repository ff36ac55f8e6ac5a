package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
)

// TestWalkthrough follows the README's walk-through: account, grants,
// debits, a hold, the balance and the history.
func TestWalkthrough(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Acme", "")
		h.grant(a.ID, api.GrantCreate{Amount: amt("25.00"), Category: "paid", Reason: "opening credit"})
		promo := h.grant(a.ID, api.GrantCreate{Amount: amt("5.00"), Reason: "welcome"})
		h.grant(a.ID, api.GrantCreate{Kind: "units", Unit: "sms", Amount: amt("10"), Reason: "free sms"})

		d, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "evt-1", Amount: amtp("7.50")})
		if err != nil {
			t.Fatal(err)
		}
		// Promotional (5.00) is consumed before paid, then 2.50 of paid.
		wantAmount(t, "balance after debit", d.Balance, "22.50")
		g, _ := h.admin.GetGrant(h.ctx, promo.ID)
		if g.Status != "depleted" || g.Remaining != 0 {
			t.Fatalf("promotional grant not consumed first: %+v", g)
		}

		// 12 sms: 10 from unit credits, 2 priced at 0.05 from money.
		d, err = h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "evt-2", Unit: "sms",
			Quantity: amtp("12"), UnitPrice: amtp("0.05")})
		if err != nil {
			t.Fatal(err)
		}
		wantAmount(t, "balance after sms", d.Balance, "22.40")

		hold, err := h.admin.CreateHold(h.ctx, api.HoldCreate{AccountID: a.ID, Amount: amt("10.00"), TTL: "15m"})
		if err != nil {
			t.Fatal(err)
		}
		b := h.balance(a.ID)
		wantAmount(t, "held", b.Held, "10.00")
		wantAmount(t, "available", b.Available, "12.40")
		hold, err = h.admin.CaptureHold(h.ctx, hold.ID, api.HoldCapture{Amount: amt("12.00")})
		if err != nil {
			t.Fatal(err)
		}
		if hold.Status != "captured" || hold.TransactionID == "" {
			t.Fatalf("hold after capture: %+v", hold)
		}
		b = h.balance(a.ID)
		wantAmount(t, "balance", b.Balance, "10.40")
		wantAmount(t, "held", b.Held, "0")
		wantAmount(t, "paid credits", b.Credits["paid"], "10.40")
		if b.Units["sms"] != 0 || b.Currency != "USD" || b.Status != "active" {
			t.Fatalf("balance: %+v", b)
		}

		hist, err := h.admin.ListTransactions(h.ctx, a.ID, client.TransactionListParams{})
		if err != nil {
			t.Fatal(err)
		}
		if len(hist.Data) != 6 {
			t.Fatalf("history has %d entries, want 6 (3 grants, 2 debits, 1 capture)", len(hist.Data))
		}
		debits, _ := h.admin.ListTransactions(h.ctx, a.ID, client.TransactionListParams{Types: []string{"debit"}})
		if len(debits.Data) != 2 {
			t.Fatalf("filtered history: %d debits, want 2", len(debits.Data))
		}
	})
}

func TestStrictDebitRefusedWhole(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Tight", "")
		h.grant(a.ID, api.GrantCreate{Amount: amt("3.20")})
		_, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "big", Amount: amtp("5.00")})
		wantCode(t, err, coffer.EInsufficientBalance)
		var ce *client.Error
		if e, ok := err.(*client.Error); ok {
			ce = e
		}
		if ce == nil || ce.Status != 402 || ce.Details["available"] != "3.20" {
			t.Fatalf("refusal should be a 402 carrying the available amount, got %#v", err)
		}
		wantAmount(t, "balance after refusal", h.balance(a.ID).Balance, "3.20")

		// Served usage is never refused: it runs into debt...
		d, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "late", Amount: amtp("6.40"), AllowNegative: true})
		if err != nil {
			t.Fatal(err)
		}
		wantAmount(t, "balance in debt", d.Balance, "-3.20")
		// ...which the next grant repays first.
		h.grant(a.ID, api.GrantCreate{Amount: amt("10.00"), Category: "paid"})
		b := h.balance(a.ID)
		wantAmount(t, "balance after repay", b.Balance, "6.80")
		wantAmount(t, "debt after repay", b.Debt, "0")
	})
}

func TestNegativeFloor(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Trusted", "-10.00")
		h.grant(a.ID, api.GrantCreate{Amount: amt("5.00")})
		if _, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "1", Amount: amtp("14.00")}); err != nil {
			t.Fatal(err)
		}
		_, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "2", Amount: amtp("1.01")})
		wantCode(t, err, coffer.EInsufficientBalance)
		b := h.balance(a.ID)
		wantAmount(t, "balance", b.Balance, "-9.00")
		wantAmount(t, "available", b.Available, "1.00")
	})
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Idem", "")
		key := client.WithIdempotencyKey("grant-once")
		g1, err := h.admin.CreateGrant(h.ctx, a.ID, api.GrantCreate{Amount: amt("10.00")}, key)
		if err != nil {
			t.Fatal(err)
		}
		g2, err := h.admin.CreateGrant(h.ctx, a.ID, api.GrantCreate{Amount: amt("10.00")}, key)
		if err != nil {
			t.Fatal(err)
		}
		if g1.ID != g2.ID {
			t.Fatalf("replay made a second grant: %s then %s", g1.ID, g2.ID)
		}
		_, err = h.admin.CreateGrant(h.ctx, a.ID, api.GrantCreate{Amount: amt("11.00")}, key)
		wantCode(t, err, coffer.EIdempotencyReuse)
		wantAmount(t, "balance", h.balance(a.ID).Balance, "10.00")

		// Debits are idempotent by event id too, without any key.
		d1, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "e-1", Amount: amtp("1.00")})
		if err != nil {
			t.Fatal(err)
		}
		d2, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "e-1", Amount: amtp("1.00")})
		if err != nil {
			t.Fatal(err)
		}
		if !d2.Replayed || d2.Transaction.ID != d1.Transaction.ID {
			t.Fatalf("event replay: %+v", d2)
		}
		_, err = h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "e-1", Amount: amtp("2.00")})
		wantCode(t, err, coffer.EConflict)
		wantAmount(t, "balance", h.balance(a.ID).Balance, "9.00")

		// A refusal is the first answer too: replaying its key repeats it.
		rk := client.WithIdempotencyKey("too-big")
		_, err = h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "e-2", Amount: amtp("50")}, rk)
		wantCode(t, err, coffer.EInsufficientBalance)
		_, err = h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "e-2", Amount: amtp("50")}, rk)
		wantCode(t, err, coffer.EInsufficientBalance)

		// Account creation replays as well.
		k := client.WithIdempotencyKey("acct-once")
		x1, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: "Once", Currency: "EUR"}, k)
		if err != nil {
			t.Fatal(err)
		}
		x2, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: "Once", Currency: "EUR"}, k)
		if err != nil || x2.ID != x1.ID {
			t.Fatalf("account replay: %v %v", x2, err)
		}
	})
}

func TestExpiryAndHoldsOnTestClock(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Clock", "")
		soon := clockStart.Add(2 * time.Hour)
		g := h.grant(a.ID, api.GrantCreate{Amount: amt("4.00"), ExpiresAt: &soon})
		h.grant(a.ID, api.GrantCreate{Amount: amt("6.00"), Category: "paid"})
		b := h.balance(a.ID)
		wantAmount(t, "expiring soon", b.ExpiringSoon, "4.00")
		if _, err := h.admin.CreateHold(h.ctx, api.HoldCreate{AccountID: a.ID, Amount: amt("5.00"), TTL: "1h"}); err != nil {
			t.Fatal(err)
		}
		wantAmount(t, "available with hold", h.balance(a.ID).Available, "5.00")

		h.advance("3h")
		b = h.balance(a.ID)
		wantAmount(t, "balance after expiry", b.Balance, "6.00")
		wantAmount(t, "held after hold expiry", b.Held, "0")
		eg, _ := h.admin.GetGrant(h.ctx, g.ID)
		if eg.Status != "expired" {
			t.Fatalf("grant status %s, want expired", eg.Status)
		}
		exp, _ := h.admin.ListTransactions(h.ctx, a.ID, client.TransactionListParams{Types: []string{"expire"}})
		if len(exp.Data) != 1 || exp.Data[0].Amount != amt("-4.00") {
			t.Fatalf("expire entries: %+v", exp.Data)
		}
		// The balance as of before the expiry is answered from the ledger.
		past, err := h.admin.GetBalance(h.ctx, a.ID, client.BalanceParams{At: clockStart.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		wantAmount(t, "balance an hour in", past.Balance, "10.00")
	})
}

func TestSubaccounts(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Parent", "")
		h.grant(a.ID, api.GrantCreate{Amount: amt("10.00")})
		sub, err := h.admin.CreateSubaccount(h.ctx, a.ID, api.SubaccountCreate{Name: "eu-west"})
		if err != nil {
			t.Fatal(err)
		}
		if sub.AuthToken == "" || sub.AuthID == "" {
			t.Fatalf("subaccount credentials not returned: %+v", sub)
		}
		sc := h.client(client.WithSubaccount(sub.AuthID, sub.AuthToken))
		d, err := sc.Debit(h.ctx, api.DebitCreate{EventID: "s-1", Amount: amtp("2.00")})
		if err != nil {
			t.Fatal(err)
		}
		if d.Transaction.SubaccountID != sub.ID || d.Transaction.AccountID != a.ID {
			t.Fatalf("subaccount debit not tagged: %+v", d.Transaction)
		}
		if b, err := sc.GetBalance(h.ctx, a.ID, client.BalanceParams{}); err != nil || b.Balance != amt("8.00") {
			t.Fatalf("subaccount reads parent balance: %v %v", b, err)
		}
		tagged, _ := h.admin.ListTransactions(h.ctx, a.ID, client.TransactionListParams{SubaccountID: sub.ID})
		if len(tagged.Data) != 1 {
			t.Fatalf("history by subaccount: %d entries", len(tagged.Data))
		}
		// A subaccount may not grant.
		_, err = sc.CreateGrant(h.ctx, a.ID, api.GrantCreate{Amount: amt("1")})
		wantCode(t, err, coffer.EForbidden)

		off := false
		if _, err := h.admin.UpdateSubaccount(h.ctx, sub.ID, api.SubaccountUpdate{Enabled: &off}); err != nil {
			t.Fatal(err)
		}
		_, err = sc.Debit(h.ctx, api.DebitCreate{EventID: "s-2", Amount: amtp("1.00")})
		wantCode(t, err, coffer.ESubaccountDisabled)
		if _, err := h.admin.DeleteSubaccount(h.ctx, sub.ID); err != nil {
			t.Fatal(err)
		}
		_, err = sc.Debit(h.ctx, api.DebitCreate{EventID: "s-3", Amount: amtp("1.00")})
		wantCode(t, err, coffer.ESubaccountDisabled)
	})
}

func TestAuthScopes(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		mine, other := h.account("Mine", ""), h.account("Other", "")
		secret, _, err := h.srv.Service().CreateAPIKey(h.ctx, "account", mine.ID, "owner")
		if err != nil {
			t.Fatal(err)
		}
		owner := h.client(client.WithAPIKey(secret))
		if _, err := owner.GetAccount(h.ctx, mine.ID); err != nil {
			t.Fatal(err)
		}
		_, err = owner.GetAccount(h.ctx, other.ID)
		wantCode(t, err, coffer.ENotFound)
		_, err = owner.CreateGrant(h.ctx, mine.ID, api.GrantCreate{Amount: amt("1")})
		wantCode(t, err, coffer.EForbidden)

		usageKey, _, _ := h.srv.Service().CreateAPIKey(h.ctx, "usage", "", "gateway")
		gw := h.client(client.WithAPIKey(usageKey))
		if _, err := gw.GetBalance(h.ctx, other.ID, client.BalanceParams{}); err != nil {
			t.Fatal(err)
		}
		_, err = gw.ListAccounts(h.ctx, client.ListParams{})
		wantCode(t, err, coffer.EForbidden)

		nobody := h.client(client.WithAPIKey("ck_admin_not-a-real-key"))
		_, err = nobody.GetAccount(h.ctx, mine.ID)
		wantCode(t, err, coffer.EUnauthenticated)
	})
}

// TestConcurrentDebitsNeverOverdraw races 50 clients debiting one account
// over HTTP: the accepted debits sum exactly to what was there, and the
// balance never crosses its floor.
func TestConcurrentDebitsNeverOverdraw(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Hot", "-1.00")
		h.grant(a.ID, api.GrantCreate{Amount: amt("20.00")})
		const workers, each = 50, 6
		var mu sync.Mutex
		var accepted money.Amount
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					_, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID,
						EventID: fmt.Sprintf("w%d-%d", w, i), Amount: amtp("0.10")})
					switch client.ErrorCode(err) {
					case "":
						mu.Lock()
						accepted += amt("0.10")
						mu.Unlock()
					case coffer.EInsufficientBalance:
					default:
						t.Errorf("debit: %v", err)
					}
				}
			})
		}
		wg.Wait()
		b := h.balance(a.ID)
		wantAmount(t, "accepted", accepted, "21.00") // 20.00 plus the 1.00 floor; 300 × 0.10 was offered
		wantAmount(t, "balance", b.Balance, "-1.00")
	})
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Strict", "")
		cases := []struct {
			name  string
			call  func() error
			param string
		}{
			{"unknown currency", func() error {
				_, err := h.admin.CreateAccount(h.ctx, api.AccountCreate{Name: "x", Currency: "ZZZ"})
				return err
			}, "currency"},
			{"grant in another currency", func() error {
				_, err := h.admin.CreateGrant(h.ctx, a.ID, api.GrantCreate{Amount: amt("1"), Currency: "EUR"})
				return err
			}, "currency"},
			{"negative grant", func() error {
				_, err := h.admin.CreateGrant(h.ctx, a.ID, api.GrantCreate{Amount: amt("-1")})
				return err
			}, "amount"},
			{"wrong id prefix", func() error {
				_, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: "txn_01hzzzzzzzzzzzzzzzzzzzzzzz", EventID: "x", Amount: amtp("1")})
				return err
			}, "account_id"},
			{"missing event id", func() error {
				_, err := h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, Amount: amtp("1")})
				return err
			}, "event_id"},
			{"void without reason", func() error {
				g := h.grant(a.ID, api.GrantCreate{Amount: amt("1")})
				_, err := h.admin.VoidGrant(h.ctx, g.ID, api.GrantVoid{})
				return err
			}, "reason"},
		}
		for _, c := range cases {
			err := c.call()
			ce, ok := err.(*client.Error)
			if !ok || ce.Status != 400 || ce.Code != coffer.EInvalid || ce.Param != c.param {
				t.Errorf("%s: want 400 invalid_request on %s, got %v", c.name, c.param, err)
			}
		}
	})
}
