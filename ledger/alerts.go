package ledger

import (
	"slices"

	"github.com/cofferdev/coffer/money"
)

// EventAlertTriggered is raised when an operation takes the ledger balance
// from at or above an alert threshold to below it.
const EventAlertTriggered = "balance.alert_triggered"

// MaxAlerts is how many balance alert thresholds an account may have.
const MaxAlerts = 3

// DefaultAlertThresholds are the alerts of an account whose owner never set
// any and that has no usage to recommend from: 250.00, 100.00 and 10.00 of
// its currency.
func DefaultAlertThresholds() []money.Amount {
	return []money.Amount{money.FromInt(250), money.FromInt(100), money.FromInt(10)}
}

// alerts raises balance.alert_triggered once for every threshold the
// operation crossed: the balance was at or above it before and is below it
// now. An alert therefore fires once per crossing and is armed again by
// whatever brings the balance back to the threshold or above — no flag to
// keep, since the crossing is read from the balance before and after. A
// debit that crosses several thresholds raises one event per threshold,
// highest first.
func (s *State) alerts(env Env, effect *Effect, before money.Amount) {
	after := s.LedgerBalance()
	if after >= before || len(s.Alerts) == 0 {
		return
	}
	th := slices.Clone(s.Alerts)
	slices.Sort(th)
	slices.Reverse(th)
	th = slices.Compact(th)
	for _, t := range th {
		if before >= t && after < t {
			effect.Events = append(effect.Events, s.event(env, EventAlertTriggered, map[string]any{
				"threshold": t.String(), "balance": after.String(), "previous_balance": before.String(),
				"currency": string(s.Account.Currency)}))
		}
	}
}
