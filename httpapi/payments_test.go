package httpapi

// The payment routes, added to the list the OpenAPI test checks.
func init() {
	routes = append(routes, []struct{ method, path string }{
		{"post", "/v1/accounts/{id}/payment_methods"}, {"get", "/v1/accounts/{id}/payment_methods"},
		{"get", "/v1/payment_methods/{id}"}, {"delete", "/v1/payment_methods/{id}"},
		{"post", "/v1/payment_methods/{id}/verify"}, {"post", "/v1/payment_methods/{id}/set_default"},
		{"get", "/v1/payment_methods/{id}/sandbox_verification_code"},
		{"post", "/v1/accounts/{id}/purchases"}, {"get", "/v1/accounts/{id}/purchases"},
		{"get", "/v1/accounts/{id}/payments"}, {"get", "/v1/payments/{id}"},
		{"get", "/v1/accounts/{id}/auto_recharge"}, {"put", "/v1/accounts/{id}/auto_recharge"},
		{"post", "/v1/accounts/{id}/payment_schedules"}, {"get", "/v1/accounts/{id}/payment_schedules"},
		{"delete", "/v1/payment_schedules/{id}"},
	}...)
}
