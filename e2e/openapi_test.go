package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// The tests that must cover every route (hostile input, Idempotency-Key,
// body-less operations) read the routes from the server's own OpenAPI
// document, so a route added later is covered without a test naming it.

// docOp is one operation of the served OpenAPI document.
type docOp struct {
	id, method, path, tag string
	params                []docParam
	hasBody               bool       // the operation declares a request body
	body                  *docSchema // its JSON schema; nil without a JSON body
}

type docParam struct {
	Name   string     `json:"name"`
	In     string     `json:"in"`
	Schema *docSchema `json:"schema"`
}

type docSchema struct {
	Ref                  string                `json:"$ref"`
	Type                 any                   `json:"type"`
	Format               string                `json:"format"`
	Enum                 []any                 `json:"enum"`
	Properties           map[string]*docSchema `json:"properties"`
	Items                *docSchema            `json:"items"`
	AdditionalProperties any                   `json:"additionalProperties"`
}

// is reports whether the schema's type is, or includes, typ.
func (s *docSchema) is(typ string) bool {
	switch t := s.Type.(type) {
	case string:
		return t == typ
	case []any:
		return slices.Contains(t, any(typ))
	}
	return false
}

func (h *harness) documentedOperations() []*docOp {
	h.t.Helper()
	res, err := http.Get(h.srv.URL() + "/openapi.json")
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string     `json:"operationId"`
			Tags        []string   `json:"tags"`
			Parameters  []docParam `json:"parameters"`
			RequestBody *struct {
				Content map[string]struct {
					Schema *docSchema `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]*docSchema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		h.t.Fatal(err)
	}
	var resolve func(s *docSchema, depth int) *docSchema
	resolve = func(s *docSchema, depth int) *docSchema {
		if s == nil || depth > 8 {
			return s
		}
		if s.Ref != "" {
			s = doc.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
		}
		for k, p := range s.Properties {
			s.Properties[k] = resolve(p, depth+1)
		}
		s.Items = resolve(s.Items, depth+1)
		if m, ok := s.AdditionalProperties.(map[string]any); ok {
			b, _ := json.Marshal(m)
			var as docSchema
			_ = json.Unmarshal(b, &as)
			s.AdditionalProperties = &as
		}
		return s
	}
	var ops []*docOp
	for path, item := range doc.Paths {
		for method, o := range item {
			op := &docOp{id: o.OperationID, method: strings.ToUpper(method), path: path, params: o.Parameters}
			if len(o.Tags) > 0 {
				op.tag = o.Tags[0]
			}
			if o.RequestBody != nil {
				op.hasBody = true
				op.body = resolve(o.RequestBody.Content["application/json"].Schema, 0)
			}
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].id < ops[j].id })
	if len(ops) < 40 {
		h.t.Fatalf("the document has %d operations", len(ops))
	}
	return ops
}
