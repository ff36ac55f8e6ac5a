package app

import "testing"

// The default limit stays below the open-file limit, leaving room for the
// store and everything else, and is a fixed number when the file limit is
// high or unknown.
func TestDefaultMaxConnections(t *testing.T) {
	for _, c := range []struct {
		files uint64
		want  int
	}{
		{0, 4096}, {1 << 20, 4096}, {20000, 4096}, {4352, 4096}, {4096, 3840}, {1024, 768}, {513, 257}, {512, 256}, {100, 50}, {1, 1},
	} {
		if got := defaultMaxConnections(c.files); got != c.want {
			t.Errorf("defaultMaxConnections(%d) = %d, want %d", c.files, got, c.want)
		}
	}
}
