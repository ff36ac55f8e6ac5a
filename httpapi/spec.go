package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"

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

// finishDocument adds to the document what no single route declares: the
// 413 answer of every operation that takes a body, where the API is served
// and under what terms. The server is `coffer serve`'s default address; a deployment
// elsewhere replaces it in its own copy or its clients' base URL.
//
// The repository declares no licence, so none is claimed: the document says
// so rather than naming one the project has not chosen.
func finishDocument(o *huma.OpenAPI) {
	documentBodyLimit(o)
	o.Servers = []*huma.Server{{
		URL:         "http://127.0.0.1:8080",
		Description: "The default local address of `coffer serve`. Point clients at your deployment's own address.",
	}}
	o.Info.License = &huma.License{Name: "No licence granted yet: all rights reserved"}
	o.Info.Contact = &huma.Contact{Name: "Coffer", URL: "https://github.com/cofferdev/coffer"}
}

// documentBodyLimit documents the 413 every operation with a request body
// answers when the body is over its limit (maxBodyBytes, maxBatchBodyBytes
// for a debit batch), with Coffer's error body.
func documentBodyLimit(o *huma.OpenAPI) {
	for _, item := range o.Paths {
		for _, op := range []*huma.Operation{item.Post, item.Put, item.Patch, item.Delete} {
			if op == nil || op.RequestBody == nil {
				continue
			}
			op.Responses[strconv.Itoa(http.StatusRequestEntityTooLarge)] = &huma.Response{
				Description: fmt.Sprintf("The request body is over its limit: %d MiB, or %d MiB for a debit batch.", maxBodyBytes>>20, maxBatchBodyBytes>>20),
				Content:     map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{Ref: "#/components/schemas/ErrorBody"}}},
			}
		}
	}
}
