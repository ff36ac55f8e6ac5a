package api

import (
	"time"

	"github.com/cofferdev/coffer/money"
)

// ProgramReport is what a program's gifts came to, one row per
// enrollment and in total, as the ledger has it: for every row, issued =
// applied + remaining + expired + voided.
type ProgramReport struct {
	Object    string                 `json:"object" enum:"program_report"`
	ProgramID string                 `json:"program_id"`
	Currency  string                 `json:"currency"`
	Accounts  []ProgramReportAccount `json:"accounts" doc:"One row per enrollment, oldest first; an account enrolled twice has two."`
	Total     ProgramReportTotal     `json:"total"`
}

// ProgramReportAccount is one enrollment's gift: what was given, what the
// monthly true-up credited to the balance, what is left, and what went to
// breakage.
type ProgramReportAccount struct {
	EnrollmentID      string       `json:"enrollment_id"`
	AccountID         string       `json:"account_id"`
	Status            string       `json:"status" enum:"active,ended"`
	Issued            money.Amount `json:"issued" doc:"The gift granted: its true_up grant's amount."`
	Applied           money.Amount `json:"applied" doc:"What the monthly true-ups credited to the balance from the gift."`
	Remaining         money.Amount `json:"remaining" doc:"What is left of the gift now. A gift past its expiry that the expiry sweep has not reached yet is still counted here."`
	Expired           money.Amount `json:"expired" doc:"What was left of the gift when it expired after the credited period: moved to breakage."`
	Voided            money.Amount `json:"voided" doc:"What was left of the gift when it was voided, on unenrolment or by voiding the grant: moved to breakage."`
	CreditLastApplied string       `json:"credit_last_applied,omitempty" doc:"The last month whose usage the true-up credited, YYYY-MM."`
	ExhaustedAt       *time.Time   `json:"exhausted_at,omitempty" doc:"When a true-up used the gift up."`
}

// ProgramReportTotal sums the report's rows.
type ProgramReportTotal struct {
	Issued    money.Amount `json:"issued"`
	Applied   money.Amount `json:"applied"`
	Remaining money.Amount `json:"remaining"`
	Expired   money.Amount `json:"expired"`
	Voided    money.Amount `json:"voided"`
	Accounts  int          `json:"accounts" doc:"The number of distinct accounts enrolled."`
}
