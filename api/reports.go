package api

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// CreditRow is one period's movement of credit of one currency (or unit)
// and category: opening + granted - consumed - expired - voided =
// remaining.
type CreditRow struct {
	PeriodStart time.Time    `json:"period_start"`
	PeriodEnd   time.Time    `json:"period_end" doc:"Exclusive."`
	Currency    string       `json:"currency,omitempty" doc:"For monetary credit."`
	Unit        string       `json:"unit,omitempty" doc:"For unit credit."`
	Kind        string       `json:"kind" enum:"monetary,units"`
	Category    string       `json:"category,omitempty" enum:"paid,promotional" doc:"Empty in totals: both categories."`
	Opening     money.Amount `json:"opening" doc:"What the credits held at period_start."`
	Granted     money.Amount `json:"granted"`
	Consumed    money.Amount `json:"consumed" doc:"Taken by usage, applied to invoices or repaying debt."`
	Expired     money.Amount `json:"expired" doc:"Breakage: lapsed at expiry."`
	Voided      money.Amount `json:"voided"`
	Remaining   money.Amount `json:"remaining" doc:"What the credits held at period_end."`
}

// CreditsReport is GET /v1/reports/credits.
type CreditsReport struct {
	Object     string      `json:"object" enum:"credits_report"`
	From       time.Time   `json:"from"`
	To         time.Time   `json:"to" doc:"Exclusive."`
	Group      string      `json:"group,omitempty" enum:"day,week,month"`
	Data       []CreditRow `json:"data"`
	Totals     []CreditRow `json:"totals" doc:"Per currency and unit over the whole range, both categories."`
	HasMore    bool        `json:"has_more"`
	NextCursor string      `json:"next_cursor,omitempty" doc:"Pass as starting_after for the next page."`
}

// LiabilityRow is credit still owed at an instant, of one currency (or
// unit), category and expiry bucket.
type LiabilityRow struct {
	Currency string       `json:"currency,omitempty"`
	Unit     string       `json:"unit,omitempty"`
	Kind     string       `json:"kind" enum:"monetary,units"`
	Category string       `json:"category" enum:"paid,promotional"`
	Bucket   string       `json:"bucket" enum:"lapsed,30d,90d,365d,later,never" doc:"When it expires, from at: lapsed (past expiry, not yet swept to breakage), within 30 days, 90, 365, later, never."`
	Amount   money.Amount `json:"amount"`
	Lots     int          `json:"grants" doc:"How many grants hold it."`
}

// LiabilityReport is GET /v1/reports/liability.
type LiabilityReport struct {
	Object string         `json:"object" enum:"liability_report"`
	At     time.Time      `json:"at"`
	Data   []LiabilityRow `json:"data"`
}

// UsageRow is one UTC day's usage of a unit (or plain money) by a
// subaccount (or the account itself).
type UsageRow struct {
	Date         string       `json:"date" doc:"YYYY-MM-DD, UTC."`
	AccountID    string       `json:"account_id"`
	SubaccountID string       `json:"subaccount_id,omitempty"`
	Unit         string       `json:"unit,omitempty"`
	Currency     string       `json:"currency"`
	Events       int          `json:"events" doc:"Debits and captures."`
	Quantity     money.Amount `json:"quantity"`
	Amount       money.Amount `json:"amount" doc:"The money charged."`
}

// UsageTotal is one currency's money, or one unit's quantity, over the
// report's range.
type UsageTotal struct {
	Currency     string       `json:"currency,omitempty"`
	Unit         string       `json:"unit,omitempty"`
	Total        money.Amount `json:"total"`
	DailyAverage money.Amount `json:"daily_average"`
}

// UsageReport is GET /v1/reports/usage.
type UsageReport struct {
	Object     string       `json:"object" enum:"usage_report"`
	From       time.Time    `json:"from"`
	To         time.Time    `json:"to" doc:"Exclusive."`
	AccountID  string       `json:"account_id,omitempty"`
	Days       int64        `json:"days" doc:"The days the daily averages divide by: the range, from the account's creation if later."`
	Data       []UsageRow   `json:"data"`
	Totals     []UsageTotal `json:"totals"`
	HasMore    bool         `json:"has_more"`
	NextCursor string       `json:"next_cursor,omitempty" doc:"Pass as starting_after for the next page."`
}

// Runway is GET /v1/accounts/{id}/runway.
type Runway struct {
	Object      string       `json:"object" enum:"runway"`
	AccountID   string       `json:"account_id"`
	Currency    string       `json:"currency"`
	AsOf        time.Time    `json:"as_of"`
	Usage       money.Amount `json:"usage" doc:"Money usage took over the window."`
	WindowStart time.Time    `json:"window_start" doc:"The last 30 days, or since the account was created if later."`
	BurnPerDay  money.Amount `json:"burn_per_day"`
	Available   money.Amount `json:"available" doc:"What may be spent now, down to the floor."`
	Expiring    money.Amount `json:"expiring" doc:"Credit that expires unspent before the date."`
	RunsOutAt   *time.Time   `json:"runs_out_at,omitempty" doc:"When the balance reaches its floor at the burn rate."`
	Days        *int64       `json:"days,omitempty" doc:"Whole days until runs_out_at."`
	Reason      string       `json:"reason,omitempty" doc:"Why there is no date."`
}
