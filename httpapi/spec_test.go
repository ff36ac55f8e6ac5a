package httpapi

import (
	"bytes"
	"testing"
)

// Document is what a server serves, byte for byte, with or without the
// test clock.
func TestDocumentIsTheServedOne(t *testing.T) {
	t.Parallel()
	for _, opts := range []Options{{Version: "1.2.3"}, {Version: "1.2.3", TestClock: true}} {
		served := newTestServer(t, opts).do(t, "GET", "/openapi.json", nil, "Authorization", "").body
		if got := Document(opts); !bytes.Equal(got, served) {
			t.Errorf("test clock %v: Document gives %d bytes, the server serves %d", opts.TestClock, len(got), len(served))
		}
	}
}
