package service

import (
	"context"
	"slices"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// Recommendation rules.
const (
	usageWindowDays   = 30
	recommendEvery    = 24 * time.Hour
	recommendChunk    = 200
	recommendRounding = 10_000 // micro-units: recommendations round up to 0.01
)

// Where an account's alert thresholds come from.
const (
	AlertsDefault     = "default"
	AlertsRecommended = "recommended"
	AlertsOwner       = "owner"
)

// GetBalanceAlerts returns the account's alerts, whether each is armed,
// and the recommendation: its average daily usage now.
func (s *Service) GetBalanceAlerts(ctx context.Context, c Call, accountID string) (*api.BalanceAlerts, error) {
	if err := authorizeID(c.Caller, accountID, readAccount); err != nil {
		return nil, err
	}
	return s.balanceAlerts(ctx, accountID)
}

func (s *Service) balanceAlerts(ctx context.Context, accountID string) (*api.BalanceAlerts, error) {
	acct, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	st, err := s.store.LoadState(ctx, accountID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &api.BalanceAlerts{Object: "balance_alerts", AccountID: accountID, Currency: string(acct.Currency),
		Source: AlertsDefault, Emails: []string{}, Balance: st.LedgerBalance(), Thresholds: []api.AlertState{}}
	thresholds := ledger.DefaultAlertThresholds()
	set, err := s.store.GetAlertSettings(ctx, accountID)
	switch {
	case err == nil:
		thresholds = set.Thresholds
		if set.OwnerSet {
			out.Source = AlertsOwner
		} else {
			out.Source = AlertsRecommended
		}
		if set.Emails != nil {
			out.Emails = set.Emails
		}
		if !set.RecommendedAt.IsZero() {
			at := set.RecommendedAt
			out.RecommendedAt = &at
		}
	case coffer.ErrorCode(err) != coffer.ENotFound:
		return nil, err
	}
	for _, t := range thresholds {
		// Armed: the balance is at or above the threshold, so the next
		// fall below it fires (ledger.State.alerts).
		out.Thresholds = append(out.Thresholds, api.AlertState{Threshold: t, Armed: out.Balance >= t})
	}
	if out.Recommended, err = s.recommendation(ctx, acct, now); err != nil {
		return nil, err
	}
	return out, nil
}

// PutBalanceAlerts saves the owner's thresholds (at most three, each
// above zero, no repeats) and extra recipients. Coffer never changes
// them afterwards.
func (s *Service) PutBalanceAlerts(ctx context.Context, c Call, accountID string, in api.BalanceAlertsUpdate) (*api.BalanceAlerts, error) {
	if err := authorizeID(c.Caller, accountID, manageAccount); err != nil {
		return nil, err
	}
	if len(in.Thresholds) > ledger.MaxAlerts {
		return nil, coffer.Invalid("thresholds", "has %d thresholds; an account may have at most %d",
			len(in.Thresholds), ledger.MaxAlerts)
	}
	th := slices.Clone(in.Thresholds)
	for _, t := range th {
		if t <= 0 {
			return nil, coffer.Invalid("thresholds", "must each be above zero, got %s", t)
		}
	}
	slices.Sort(th)
	slices.Reverse(th)
	for i := 1; i < len(th); i++ {
		if th[i] == th[i-1] {
			return nil, coffer.Invalid("thresholds", "lists %s twice", th[i])
		}
	}
	if err := checkEmails("emails", in.Emails); err != nil {
		return nil, err
	}
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	if th == nil {
		th = []money.Amount{}
	}
	err := s.store.PutAlertSettings(ctx, &coffer.AlertSettings{AccountID: accountID, OwnerSet: true,
		Thresholds: th, Emails: recipients(in.Emails), UpdatedAt: s.now()})
	if err != nil {
		return nil, err
	}
	return s.balanceAlerts(ctx, accountID)
}

// recommendation is the account's average daily usage over the last 30
// days on Coffer's clock — over its age in whole days when younger, so a
// new account's figure is not diluted by days it did not exist — rounded
// up to 0.01.
func (s *Service) recommendation(ctx context.Context, acct *coffer.Account, now time.Time) (money.Amount, error) {
	from, to := usageWindow(now)
	usage, err := s.store.UsageBetween(ctx, []string{acct.ID}, from, to)
	if err != nil {
		return 0, err
	}
	return dailyAverage(usage[acct.ID], acct.CreatedAt, now), nil
}

// usageWindow is the last 30 days up to and including now: usage posted
// at this very instant (a frozen test clock) counts.
func usageWindow(now time.Time) (from, to time.Time) {
	return now.Add(-usageWindowDays * 24 * time.Hour), now.Add(time.Microsecond)
}

func dailyAverage(usage money.Amount, created, now time.Time) money.Amount {
	if usage <= 0 {
		return 0
	}
	days := int64((now.Sub(created) + 24*time.Hour - 1) / (24 * time.Hour))
	days = min(max(days, 1), usageWindowDays)
	avg := (int64(usage) + days - 1) / days
	return money.Amount((avg + recommendRounding - 1) / recommendRounding * recommendRounding)
}

// recommendedThresholds are the alerts of an account whose owner never
// set any: one at the recommendation, the others at 100.00 and 10.00; the
// deployment defaults while there is no usage to go by.
func recommendedThresholds(rec money.Amount) []money.Amount {
	def := ledger.DefaultAlertThresholds()
	if rec <= 0 {
		return def
	}
	th := append([]money.Amount{rec}, def[1:]...)
	slices.Sort(th)
	slices.Reverse(th)
	return slices.Compact(th)
}

// Recommend does the daily recommendation: for every account last
// computed a day or more ago on Coffer's clock, it records the average
// daily usage and, unless the owner set the alerts, puts one at that
// figure. The recommendation job runs it; the store keeps an owner's
// thresholds even if the owner saves them meanwhile.
func (s *Service) Recommend(ctx context.Context) error {
	now := s.now()
	after := ""
	for {
		ids, err := s.store.AccountsToRecommend(ctx, now.Add(-recommendEvery), after, recommendChunk)
		if err != nil || len(ids) == 0 {
			return err
		}
		from, to := usageWindow(now)
		usage, err := s.store.UsageBetween(ctx, ids, from, to)
		if err != nil {
			return err
		}
		recs := make([]coffer.Recommendation, 0, len(ids))
		for _, id := range ids {
			acct, err := s.store.GetAccount(ctx, id)
			if err != nil {
				return err
			}
			rec := dailyAverage(usage[id], acct.CreatedAt, now)
			recs = append(recs, coffer.Recommendation{AccountID: id, Recommended: rec, Thresholds: recommendedThresholds(rec)})
		}
		if err := s.store.SaveRecommendations(ctx, recs, now); err != nil {
			return err
		}
		if len(ids) < recommendChunk {
			return nil
		}
		after = ids[len(ids)-1]
	}
}
