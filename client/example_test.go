package client_test

import (
	"context"
	"fmt"
	"log"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
)

// A gateway debits one unit of usage and tells a refusal apart from a
// failure.
func Example() {
	c := client.New("http://127.0.0.1:8080", client.WithAPIKey("ck_usage_…"))
	ctx := context.Background()

	qty := money.MustParse("1")
	price := money.MustParse("0.0075")
	d, err := c.Debit(ctx, api.DebitCreate{
		AccountID: "acct_01hx…",
		EventID:   "req-8f3a", // the usage event's own id: a repeat changes nothing
		Unit:      "sms", Quantity: &qty, UnitPrice: &price,
	})
	switch client.ErrorCode(err) {
	case "":
		if err != nil {
			log.Fatal(err) // never answered, even after retries with the same key
		}
		fmt.Println("balance after:", d.Balance)
	case "insufficient_balance", "account_suspended":
		fmt.Println("refused:", err)
	default:
		log.Fatal(err)
	}
}

// Keeping the key lets a caller repeat a call after a crash without
// applying it twice.
func ExampleWithIdempotencyKey() {
	c := client.New("http://127.0.0.1:8080", client.WithAPIKey("ck_admin_…"))
	key := client.NewIdempotencyKey() // store it with the job before calling
	g, err := c.CreateGrant(context.Background(), "acct_01hx…",
		api.GrantCreate{Amount: money.MustParse("25.00"), Reason: "welcome credit"},
		client.WithIdempotencyKey(key))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.ID)
}
