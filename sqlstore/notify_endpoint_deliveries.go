package sqlstore

import (
	"context"
	"strconv"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/store"
)

// ListEndpointDeliveries returns a page of one endpoint's deliveries,
// newest first (StartingAfter pages to older ones), and each one's
// attempts in order. It reads the deliveries_endpoint index.
func (s *Store) ListEndpointDeliveries(ctx context.Context, endpointID string, p store.Page) ([]*coffer.Delivery, bool, map[string][]*coffer.Attempt, error) {
	limit := pageLimit(p)
	var ds []*coffer.Delivery
	var more bool
	atts := map[string][]*coffer.Attempt{}
	err := s.read(ctx, func(q querier) error {
		query, args := "SELECT "+deliveryCols+" FROM deliveries WHERE endpoint_id = $1", []any{endpointID}
		if p.StartingAfter != "" {
			query += " AND id < $2"
			args = append(args, p.StartingAfter)
		}
		args = append(args, limit+1)
		r, err := q.query(ctx, query+" ORDER BY id DESC LIMIT $"+strconv.Itoa(len(args)), args...)
		if err != nil {
			return err
		}
		if ds, more, err = collect(r, limit, scanDelivery); err != nil || len(ds) == 0 {
			return err
		}
		ids := make([]string, len(ds))
		for i, d := range ds {
			ids[i] = d.ID
		}
		in, inArgs := s.d.in(1, ids)
		r, err = q.query(ctx, `SELECT delivery_id, n, status_code, latency_us, response, succeeded, attempted_at
			FROM delivery_attempts WHERE delivery_id `+in+` ORDER BY delivery_id, n`, inArgs...)
		if err != nil {
			return err
		}
		list, _, err := collect(r, noLimit, scanAttempt)
		for _, a := range list {
			atts[a.DeliveryID] = append(atts[a.DeliveryID], a)
		}
		return err
	})
	if err != nil {
		return nil, false, nil, err
	}
	return ds, more, atts, nil
}

func scanAttempt(r scanner) (*coffer.Attempt, error) {
	var a coffer.Attempt
	var lat, at int64
	if err := r.Scan(&a.DeliveryID, &a.N, &a.StatusCode, &lat, &a.Response, &a.Succeeded, &at); err != nil {
		return nil, err
	}
	a.Latency, a.AttemptedAt = time.Duration(lat)*time.Microsecond, fromMicros(at)
	return &a, nil
}
