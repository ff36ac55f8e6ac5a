package e2e

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// A version stamped with -ldflags -X, as `make build` stamps one, wins
// over the build info the go command records: `coffer version`, the
// OpenAPI document and every answer's X-Coffer-Version all say it.
func TestVersionStamped(t *testing.T) {
	t.Parallel()
	out, _, err := runCoffer(t, nil, "version")
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(out, "\n"); first != "coffer "+stampedVersion {
		t.Errorf("coffer version printed %q, want the stamped %s first", out, stampedVersion)
	}
	spec, _, err := runCoffer(t, nil, "openapi")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Info struct{ Version string }
	}
	if err := json.Unmarshal([]byte(spec), &doc); err != nil || doc.Info.Version != stampedVersion {
		t.Errorf("coffer openapi: info.version %q (%v), want %s", doc.Info.Version, err, stampedVersion)
	}
	p := startServe(t, cofferBin, filepath.Join(t.TempDir(), "coffer.db"), "coffer")
	res, err := http.Get(p.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if v := res.Header.Get("X-Coffer-Version"); v != stampedVersion {
		t.Errorf("X-Coffer-Version %q, want %s", v, stampedVersion)
	}
}
