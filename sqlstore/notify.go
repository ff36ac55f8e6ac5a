package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/store"
)

var _ store.Notifications = (*Store)(nil)

// ---- balance alerts ----

const alertCols = "account_id, owner_set, thresholds, emails, recommended, recommended_at, updated_at"

func amountsJSON(as []money.Amount) string {
	ints := make([]int64, len(as))
	for i, a := range as {
		ints[i] = int64(a)
	}
	b, _ := json.Marshal(ints) // a list of integers always encodes
	return string(b)
}

func readAmounts(s string) ([]money.Amount, error) {
	var ints []int64
	if err := json.Unmarshal([]byte(s), &ints); err != nil {
		return nil, fmt.Errorf("decode thresholds: %w", err)
	}
	out := make([]money.Amount, len(ints))
	for i, v := range ints {
		out[i] = money.Amount(v)
	}
	return out, nil
}

func scanAlerts(r scanner) (*coffer.AlertSettings, error) {
	var a coffer.AlertSettings
	var th, emails string
	var rec int64
	var recAt *int64
	var upd int64
	if err := r.Scan(&a.AccountID, &a.OwnerSet, &th, &emails, &rec, &recAt, &upd); err != nil {
		return nil, err
	}
	var err error
	if a.Thresholds, err = readAmounts(th); err != nil {
		return nil, err
	}
	if a.Emails, err = readStrings(emails); err != nil {
		return nil, err
	}
	a.Recommended, a.RecommendedAt, a.UpdatedAt = money.Amount(rec), fromNullMicros(recAt), fromMicros(upd)
	return &a, nil
}

// GetAlertSettings returns the account's alert row.
func (s *Store) GetAlertSettings(ctx context.Context, accountID string) (*coffer.AlertSettings, error) {
	a, err := getOne(ctx, s.eng.pool(false), scanAlerts,
		coffer.Errorf(coffer.ENotFound, "account %s has no alert settings of its own", accountID),
		"SELECT "+alertCols+" FROM balance_alerts WHERE account_id = $1", accountID)
	return a, s.translate(err)
}

// PutAlertSettings saves the owner's settings, keeping the last
// recommendation.
func (s *Store) PutAlertSettings(ctx context.Context, a *coffer.AlertSettings) error {
	return s.write(ctx, func(t tx) error {
		_, err := t.exec(ctx, `INSERT INTO balance_alerts (account_id, owner_set, thresholds, emails, recommended, updated_at)
			VALUES ($1, $2, $3, $4, 0, $5)
			ON CONFLICT (account_id) DO UPDATE SET owner_set = excluded.owner_set, thresholds = excluded.thresholds,
				emails = excluded.emails, updated_at = excluded.updated_at`,
			a.AccountID, a.OwnerSet, amountsJSON(a.Thresholds), mustJSON(a.Emails), micros(a.UpdatedAt))
		if err != nil {
			return err
		}
		return t.pipeline(ctx, []stmt{thresholdsChanged(s.d, []string{a.AccountID})})
	})
}

// thresholdsChanged marks the accounts' rows changed: a batch loads their
// alert thresholds with them, so a state kept warm (warm.go) must be read
// afresh.
func thresholdsChanged(d dialect, ids []string) stmt {
	in, args := d.in(1, ids)
	return stmt{sql: "UPDATE accounts SET version = version + 1 WHERE id " + in, args: args}
}

// AccountsToRecommend lists open accounts the recommendation job is due for.
func (s *Store) AccountsToRecommend(ctx context.Context, before time.Time, after string, limit int) ([]string, error) {
	r, err := s.eng.pool(false).query(ctx, `SELECT a.id FROM accounts a
		LEFT JOIN balance_alerts b ON b.account_id = a.id
		WHERE a.id > $1 AND a.status <> 'closed'
		  AND (b.recommended_at IS NULL OR b.recommended_at <= $2)
		ORDER BY a.id LIMIT $3`, after, micros(before), limit)
	if err != nil {
		return nil, s.translate(err)
	}
	ids, _, err := collect(r, noLimit, func(r scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	return ids, s.translate(err)
}

// SaveRecommendations upserts the job's figures. The WHERE on the update
// keeps an owner's thresholds even if the owner saved them after the job
// read the account list.
func (s *Store) SaveRecommendations(ctx context.Context, recs []coffer.Recommendation, now time.Time) error {
	if len(recs) == 0 {
		return nil
	}
	rows := make([][]any, len(recs))
	for i, rc := range recs {
		rows[i] = []any{rc.AccountID, false, amountsJSON(rc.Thresholds), "[]", int64(rc.Recommended), micros(now), micros(now)}
	}
	// The owner's row keeps its thresholds but learns the recommendation,
	// which the API serves beside the settings.
	stmts := insertRows("balance_alerts",
		[]string{"account_id", "owner_set", "thresholds", "emails", "recommended", "recommended_at", "updated_at"}, rows,
		` ON CONFLICT (account_id) DO UPDATE SET recommended = excluded.recommended,
			recommended_at = excluded.recommended_at,
			thresholds = CASE WHEN balance_alerts.owner_set THEN balance_alerts.thresholds ELSE excluded.thresholds END,
			updated_at = CASE WHEN balance_alerts.owner_set THEN balance_alerts.updated_at ELSE excluded.updated_at END`)
	ids := make([]string, len(recs))
	for i, rc := range recs {
		ids[i] = rc.AccountID
	}
	// An owner's thresholds stay, but telling which rows kept theirs would
	// cost a read: every account's kept state is read afresh once a day.
	stmts = append(stmts, thresholdsChanged(s.d, ids))
	return s.write(ctx, func(t tx) error { return t.pipeline(ctx, stmts) })
}

// alertStmt reads the alert thresholds of the batch's accounts, in the
// same round trip as their state (it must follow stateReads): the
// account's own, or the deployment defaults when it has no row.
func alertStmt(d dialect, ids []string, state func(id string) *ledger.State) stmt {
	in, args := d.in(1, ids)
	return stmt{sql: "SELECT account_id, thresholds FROM balance_alerts WHERE account_id " + in, args: args,
		scan: func(r rows) error {
			for r.Next() {
				var id, th string
				if err := r.Scan(&id, &th); err != nil {
					return err
				}
				if st := state(id); st != nil {
					t, err := readAmounts(th)
					if err != nil {
						return err
					}
					st.Alerts = t
				}
			}
			if err := r.Err(); err != nil {
				return err
			}
			for _, id := range ids {
				if st := state(id); st != nil && st.Alerts == nil {
					st.Alerts = ledger.DefaultAlertThresholds()
				}
			}
			return nil
		}}
}
