package httpapi

// The invoice routes, added to the list the OpenAPI test checks.
func init() {
	routes = append(routes, []struct{ method, path string }{
		{"get", "/v1/invoices"}, {"get", "/v1/invoices/{id}"}, {"get", "/v1/accounts/{id}/invoices/upcoming"},
		{"post", "/v1/invoices/{id}/pay"}, {"post", "/v1/invoices/{id}/void"},
		{"get", "/v1/invoices/{id}/pdf"}, {"get", "/v1/invoices/{id}/html"}, {"get", "/v1/invoices/{id}/lines"},
	}...)
}
