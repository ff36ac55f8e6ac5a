package httpapi

// The invoice and program routes, added to the list the OpenAPI test checks.
func init() {
	routes = append(routes, []struct{ method, path string }{
		{"get", "/v1/invoices"}, {"get", "/v1/invoices/{id}"}, {"get", "/v1/accounts/{id}/invoices/upcoming"},
		{"post", "/v1/invoices/{id}/pay"}, {"post", "/v1/invoices/{id}/void"},
		{"get", "/v1/invoices/{id}/pdf"}, {"get", "/v1/invoices/{id}/html"}, {"get", "/v1/invoices/{id}/lines"},
		{"post", "/v1/programs"}, {"get", "/v1/programs"}, {"get", "/v1/programs/{id}"}, {"patch", "/v1/programs/{id}"},
		{"post", "/v1/programs/{id}/enrollments"}, {"get", "/v1/programs/{id}/enrollments"}, {"delete", "/v1/enrollments/{id}"},
		{"get", "/v1/programs/{id}/report"},
		{"get", "/v1/reports/credits"}, {"get", "/v1/reports/liability"}, {"get", "/v1/reports/usage"}, {"get", "/v1/accounts/{id}/runway"},
		{"post", "/v1/api_keys"}, {"get", "/v1/api_keys"}, {"get", "/v1/api_keys/{id}"}, {"delete", "/v1/api_keys/{id}"},
		{"post", "/v1/api_keys/{id}/rotate"},
	}...)
}
