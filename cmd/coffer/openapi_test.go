package main

import (
	"encoding/json"
	"testing"

	"github.com/cofferdev/coffer/app"
)

func TestOpenAPICommand(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		testClock bool
	}{{[]string{"openapi"}, false}, {[]string{"openapi", "--test-clock"}, true}} {
		out, _, err := run(t, "http://127.0.0.1:1", tc.args...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		var doc struct {
			OpenAPI string                    `json:"openapi"`
			Info    struct{ Version string }  `json:"info"`
			Paths   map[string]map[string]any `json:"paths"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v: not JSON: %v", tc.args, err)
		}
		_, hasClock := doc.Paths["/v1/test_clock/advance"]
		if doc.OpenAPI != "3.1.0" || doc.Info.Version != app.ReadBuildInfo().Version || len(doc.Paths) < 20 || hasClock != tc.testClock {
			t.Errorf("%v: openapi %q, version %q, %d paths, test clock %v", tc.args, doc.OpenAPI, doc.Info.Version, len(doc.Paths), hasClock)
		}
	}
}
