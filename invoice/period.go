package invoice

import "time"

// Periods are UTC calendar months: [the 1st at 00:00, the next 1st).

// PeriodOf returns the period containing t.
func PeriodOf(t time.Time) (start, end time.Time) {
	t = t.UTC()
	start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 1, 0)
}

// PeriodName names a period by its month: "2026-11".
func PeriodName(start time.Time) string { return start.UTC().Format("2006-01") }

// ParsePeriod reads a period name back into its start and end.
func ParsePeriod(name string) (start, end time.Time, err error) {
	t, err := time.Parse("2006-01", name)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	start, end = PeriodOf(t)
	return start, end, nil
}
