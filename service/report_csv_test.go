package service_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
)

// The credit report's CSV is a header row and one row per report row,
// amounts as exact decimals and instants in RFC 3339.
func TestWriteCreditsCSV(t *testing.T) {
	day := time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)
	r := &api.CreditsReport{Data: []api.CreditRow{{PeriodStart: day, PeriodEnd: day.AddDate(0, 0, 1), Currency: "USD", Kind: "monetary",
		Category: "paid", Granted: money.MustParse("1250.5"), Consumed: money.MustParse("0.000001"), Remaining: money.MustParse("1250.499999")}}}
	var b strings.Builder
	if err := service.WriteCreditsCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	want := "period_start,period_end,currency,unit,kind,category,opening,granted,consumed,expired,voided,remaining\n" +
		"2030-01-02T00:00:00Z,2030-01-03T00:00:00Z,USD,,monetary,paid,0.00,1250.50,0.000001,0.00,0.00,1250.499999\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}
