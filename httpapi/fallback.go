package httpapi

import (
	"net/http"
	"strings"
)

// withFallback sends the requests no API route takes to other, the web
// console, and everything else to api. A request under /v1/ never leaves
// the API, so the hot path pays one prefix check and an unknown /v1 path
// stays a JSON 404. Outside /v1 the API's routes are all GETs (the docs,
// health, the spec, hosted invoices): a path one of them takes stays the
// API's whatever the method, so a POST there is still the API's 405.
func withFallback(mux *http.ServeMux, api, other http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") || apiPath(mux, r) {
			api.ServeHTTP(w, r)
			return
		}
		other.ServeHTTP(w, r)
	})
}

// apiPath reports whether a GET of r's path is one of the API's routes.
func apiPath(mux *http.ServeMux, r *http.Request) bool {
	get := r
	if r.Method != http.MethodGet {
		get = r.Clone(r.Context())
		get.Method = http.MethodGet
	}
	_, pattern := mux.Handler(get)
	return pattern != ""
}
