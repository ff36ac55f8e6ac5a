package httpapi

import (
	"net/http"
	"net/http/httptest"
)

// Document returns the OpenAPI document a server built with opts serves at
// /openapi.json, without a store: building the routes reads no data, so a
// handler over no service describes the API exactly as a running server
// does. `coffer openapi` prints it for linters and client generators.
func Document(opts Options) []byte {
	rec := httptest.NewRecorder()
	New(nil, opts).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	return rec.Body.Bytes()
}
