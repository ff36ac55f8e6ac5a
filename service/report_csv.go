package service

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
)

// The reports as CSV, for the API's ?format=csv and the console's
// downloads alike, so a spreadsheet gets the same file from either: a
// header row (docs/reports.md describes the columns), exact decimal
// strings without grouping, RFC 3339 instants, UTF-8. Nothing is written
// if rendering fails.

// CSV columns, one header row each.
var (
	creditsCSVHeader   = []string{"period_start", "period_end", "currency", "unit", "kind", "category", "opening", "granted", "consumed", "expired", "voided", "remaining"}
	liabilityCSVHeader = []string{"at", "currency", "unit", "kind", "category", "bucket", "amount", "grants"}
	usageCSVHeader     = []string{"date", "account_id", "subaccount_id", "unit", "currency", "events", "quantity", "amount"}
)

// WriteCreditsCSV writes the credit usage report: one row per period,
// currency or unit, and category.
func WriteCreditsCSV(w io.Writer, r *api.CreditsReport) error {
	out := [][]string{creditsCSVHeader}
	for _, x := range r.Data {
		out = append(out, append([]string{csvInstant(x.PeriodStart), csvInstant(x.PeriodEnd), x.Currency, x.Unit, x.Kind, x.Category},
			csvAmounts(x.Opening, x.Granted, x.Consumed, x.Expired, x.Voided, x.Remaining)...))
	}
	return writeCSV(w, out)
}

// WriteLiabilityCSV writes the liability report: one row per currency or
// unit, category and expiry bucket.
func WriteLiabilityCSV(w io.Writer, r *api.LiabilityReport) error {
	out := [][]string{liabilityCSVHeader}
	for _, x := range r.Data {
		out = append(out, []string{csvInstant(r.At), x.Currency, x.Unit, x.Kind, x.Category, x.Bucket, x.Amount.String(), strconv.Itoa(x.Lots)})
	}
	return writeCSV(w, out)
}

// WriteUsageCSV writes the usage report: one row per day, account,
// subaccount and unit.
func WriteUsageCSV(w io.Writer, r *api.UsageReport) error {
	out := [][]string{usageCSVHeader}
	for _, x := range r.Data {
		out = append(out, append([]string{x.Date, x.AccountID, x.SubaccountID, x.Unit, x.Currency, strconv.Itoa(x.Events)},
			csvAmounts(x.Quantity, x.Amount)...))
	}
	return writeCSV(w, out)
}

func writeCSV(w io.Writer, records [][]string) error {
	var buf bytes.Buffer
	if err := csv.NewWriter(&buf).WriteAll(records); err != nil {
		return fmt.Errorf("render csv: %w", err)
	}
	_, err := buf.WriteTo(w)
	return err
}

func csvInstant(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func csvAmounts(vs ...money.Amount) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}
