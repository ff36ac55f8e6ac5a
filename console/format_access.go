package console

import "time"

// formatWhen shows an optional instant, or what its absence means: an
// API key that never expires, a delivery with no retry pending.
func formatWhen(t *time.Time, none string) string {
	if t == nil || t.IsZero() {
		return none
	}
	return formatDateTime(*t)
}
