// Package program is the pure core of gifted-credit programs: the program
// and enrollment records, their rules, and what a program's levels mean
// for an enrolled account's auto-payment. Like package ledger it does no
// I/O and reads no clock.
//
// A program (an impact or startup program) gives each enrolled account a
// one-off gift, held as a true_up lot that debits never touch. During the
// month the account's balance runs negative; on the 1st the monthly
// true-up credits the previous month's usage from the gift, up to what is
// left (ledger.State.ApplyGift). Around that, the program's levels decide
// when the account's card is charged, when its owner is asked for a
// payment method, and when it is suspended.
package program

import (
	"fmt"
	"time"

	"github.com/cofferdev/coffer/money"
)

// Program is an operator's gifted-credit program.
type Program struct {
	ID       string
	Name     string
	Currency money.Currency
	Gift     money.Amount
	// StartsOn and EndsOn are the credited period, as months (the 1st at
	// 00:00 UTC). EndsOn zero: the gift never expires; otherwise what is
	// left of it expires once the true-up of EndsOn's month has run.
	StartsOn time.Time
	EndsOn   time.Time
	// RequiresPaymentMethod refuses enrolment without a card or PayPal
	// account, and locks auto-recharge on.
	RequiresPaymentMethod bool
	Levels                Levels
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

// Levels are the balance levels that drive an enrolled account.
type Levels struct {
	// Auto-payment begins when balance with credits falls to
	// AutoPaymentBalanceWithCredits, or the balance to AutoPaymentBalance.
	AutoPaymentBalanceWithCredits money.Amount
	AutoPaymentBalance            money.Amount
	// PaymentMethodRequiredAt: after a failed payment, at this balance the
	// owner is asked for a valid payment method.
	PaymentMethodRequiredAt money.Amount
	// SuspendAt: at this balance, with the payment failing, the account is
	// suspended. It is the enrolled account's floor: usage is served down
	// to it.
	SuspendAt money.Amount
	// Once the gift is used up, auto-recharge refills to AfterTarget when
	// the balance falls below AfterThreshold.
	AfterThreshold money.Amount
	AfterTarget    money.Amount
}

// DefaultLevels are the reference program's levels: auto-payment at a
// balance with credits of 0.00 or a balance of −500.00, a payment method
// asked for at −505.00, suspension at −510.00, and after the gift a refill
// to 20.00 below 10.00.
func DefaultLevels() Levels {
	return Levels{
		AutoPaymentBalanceWithCredits: 0,
		AutoPaymentBalance:            money.FromInt(-500),
		PaymentMethodRequiredAt:       money.FromInt(-505),
		SuspendAt:                     money.FromInt(-510),
		AfterThreshold:                money.FromInt(10),
		AfterTarget:                   money.FromInt(20),
	}
}

// Month is the start of the month holding t.
func Month(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// MonthName names a month: "2026-01".
func MonthName(m time.Time) string { return m.UTC().Format("2006-01") }

// ParseMonth reads "2026-01" as that month's start.
func ParseMonth(s string) (time.Time, error) { return time.Parse("2006-01", s) }

// Problem is a program that cannot be: the field at fault, in the API's
// words, and why.
type Problem struct {
	Field, Message string
}

func (p *Problem) Error() string { return p.Field + " " + p.Message }

func problem(field, format string, args ...any) *Problem {
	return &Problem{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Check reports the first thing wrong with the program, or nil.
func (p *Program) Check() *Problem {
	l := p.Levels
	switch {
	case p.Name == "":
		return problem("name", "is required")
	case p.Gift <= 0:
		return problem("gift", "must be greater than zero")
	case p.StartsOn.IsZero():
		return problem("starts_on", "is required: the first month credited, as YYYY-MM")
	case !p.EndsOn.IsZero() && p.EndsOn.Before(p.StartsOn):
		return problem("ends_on", "must be on or after starts_on (%s)", MonthName(p.StartsOn))
	case l.AutoPaymentBalanceWithCredits > 0:
		return problem("auto_payment.balance_with_credits", "must be zero or below")
	case l.AutoPaymentBalance > 0:
		return problem("auto_payment.balance", "must be zero or below")
	case l.PaymentMethodRequiredAt > l.AutoPaymentBalance:
		return problem("payment_method_required_at", "must be at or below auto_payment.balance (%s)", l.AutoPaymentBalance)
	case l.SuspendAt > l.PaymentMethodRequiredAt:
		return problem("suspend_at", "must be at or below payment_method_required_at (%s)", l.PaymentMethodRequiredAt)
	case l.AfterThreshold <= 0:
		return problem("after_exhaustion.threshold", "must be greater than zero")
	case l.AfterTarget <= l.AfterThreshold:
		return problem("after_exhaustion.target", "must be above after_exhaustion.threshold (%s)", l.AfterThreshold)
	}
	return nil
}

// GiftExpiry is when what is left of the gift expires: never, or a day
// into the month after the credited period, when that month's true-up has
// credited the period's last month.
func (p *Program) GiftExpiry() time.Time {
	if p.EndsOn.IsZero() {
		return time.Time{}
	}
	return p.EndsOn.AddDate(0, 1, 1)
}

// Credited reports whether the month m's usage is credited from the gift.
func (p *Program) Credited(m time.Time) bool {
	return !m.Before(p.StartsOn) && (p.EndsOn.IsZero() || !m.After(p.EndsOn))
}

// AutoPayment is the auto-recharge an enrolled account has while its gift
// lasts. It charges when the balance reaches the level that comes first
// (the balance-with-credits level, which is a balance of that level less
// the gift left, or the balance level), and each charge brings the
// balance back to AfterTarget above that level: with the defaults and
// 380.00 of gift left, a balance of −380.00 (balance with credits 0.00)
// is charged 20.00. Threshold is one micro-unit above the level, because
// auto-recharge runs below its threshold and the level is reached at it.
func (l Levels) AutoPayment(giftLeft money.Amount) (threshold, target money.Amount) {
	level := max(l.AutoPaymentBalanceWithCredits-giftLeft, l.AutoPaymentBalance)
	return level + 1, level + l.AfterTarget
}

// EnrollmentStatus is where an enrollment stands.
type EnrollmentStatus string

// Enrollment statuses.
const (
	Active EnrollmentStatus = "active"
	Ended  EnrollmentStatus = "ended" // unenrolled: the gift's rest was voided
)

// Enrollment is one account's membership of a program, and its gift.
type Enrollment struct {
	ID        string
	ProgramID string
	AccountID string
	LotID     string // the gift: a true_up lot, once granted
	Status    EnrollmentStatus
	// The gift and credited period as they were at enrolment: a program
	// changed later changes what later enrolments get.
	Gift     money.Amount
	StartsOn time.Time
	EndsOn   time.Time
	// CreditLastApplied is the last month of the credited period whose
	// usage the true-up credited; zero before the first.
	CreditLastApplied time.Time
	// TrueUpThrough is the last month the true-up has dealt with, in the
	// credited period or not: where the next run starts.
	TrueUpThrough time.Time
	// ExhaustedAt is when the gift was done with: a true-up used it up,
	// or its credited period ended; then the program's default
	// auto-recharge was switched on and the account's floor given back.
	ExhaustedAt time.Time
	// What enrolment changed on the account, given back when the gift is
	// used up or the account unenrolled.
	PreviousMinBalance  money.Amount
	PreviousCreditLimit money.Amount
	CreatedAt           time.Time
	EndedAt             time.Time
	UpdatedAt           time.Time
}

// Credits reports whether month m's usage is credited from the gift: m
// lies in the credited period as it was at enrolment.
func (e *Enrollment) Credits(m time.Time) bool {
	return (&Program{StartsOn: e.StartsOn, EndsOn: e.EndsOn}).Credited(m)
}

// NextMonth is the next month the true-up deals with: the month after the
// last it dealt with, or the first of the credited period the account was
// enrolled for.
func (e *Enrollment) NextMonth(p *Program) time.Time {
	last := e.TrueUpThrough
	if e.CreditLastApplied.After(last) {
		last = e.CreditLastApplied
	}
	if !last.IsZero() {
		return last.AddDate(0, 1, 0)
	}
	if m := Month(e.CreatedAt); m.After(p.StartsOn) {
		return m
	}
	return p.StartsOn
}
