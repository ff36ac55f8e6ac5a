package metrics

import (
	"strconv"
	"time"
)

// HTTP returns the observer of answered requests, for
// httpapi.Options.Metrics.
func (m *Metrics) HTTP() *HTTP { return &HTTP{m: m} }

// HTTP counts and times requests by route: the ServeMux pattern that
// matched ("POST /v1/debits"), never the raw path, so ids in paths do not
// make a series each; requests no route matched count as "unmatched".
type HTTP struct{ m *Metrics }

// ObserveRequest records one answered request.
func (h *HTTP) ObserveRequest(route string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	h.m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	h.m.requestDuration.WithLabelValues(route).Observe(took.Seconds())
}
