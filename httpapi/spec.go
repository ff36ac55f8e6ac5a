package httpapi

import (
	"net/http"
	"net/http/httptest"

	"github.com/danielgtaylor/huma/v2"
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

// describeServing adds to the document where the API is served and under
// what terms. The server is `coffer serve`'s default address; a deployment
// elsewhere replaces it in its own copy or its clients' base URL.
//
// The repository declares no licence, so none is claimed: the document says
// so rather than naming one the project has not chosen.
func describeServing(o *huma.OpenAPI) {
	o.Servers = []*huma.Server{{
		URL:         "http://127.0.0.1:8080",
		Description: "The default local address of `coffer serve`. Point clients at your deployment's own address.",
	}}
	o.Info.License = &huma.License{Name: "No licence granted yet: all rights reserved"}
	o.Info.Contact = &huma.Contact{Name: "Coffer", URL: "https://github.com/cofferdev/coffer"}
}
