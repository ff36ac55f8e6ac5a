package httpapi

// The alert, webhook endpoint and event routes, added to the list the
// OpenAPI test checks.
func init() {
	routes = append(routes, []struct{ method, path string }{
		{"get", "/v1/accounts/{id}/balance_alerts"}, {"put", "/v1/accounts/{id}/balance_alerts"},
		{"post", "/v1/webhook_endpoints"}, {"get", "/v1/webhook_endpoints"},
		{"get", "/v1/webhook_endpoints/{id}"}, {"patch", "/v1/webhook_endpoints/{id}"}, {"delete", "/v1/webhook_endpoints/{id}"},
		{"get", "/v1/events"}, {"get", "/v1/events/{id}"},
		{"post", "/v1/events/{id}/redeliver"}, {"post", "/v1/events/redeliver"},
	}...)
}
