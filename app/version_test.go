package app

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// What the go command stamps is read as it is, and a build that stamped
// nothing reads as "dev" at an unknown commit.
func TestBuildInfo(t *testing.T) {
	for _, c := range []struct {
		name string
		bi   debug.BuildInfo
		want BuildInfo
	}{
		{"release", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "false"}}},
			BuildInfo{Version: "v1.2.0", Commit: "0123456789abcdef", Time: "2026-01-02T03:04:05Z", GoVersion: "go1.26.0"}},
		{"dirty checkout", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.1-0.20260102030405-0123456789ab+dirty"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"}}},
			BuildInfo{Version: "v1.2.1-0.20260102030405-0123456789ab+dirty", Commit: "0123456789abcdef", Modified: true, GoVersion: "go1.26.0"}},
		{"go run", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			BuildInfo{Version: "dev", Commit: "unknown", GoVersion: runtime.Version()}},
	} {
		if got := buildInfo(&c.bi); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
	s := BuildInfo{Version: "v1.2.0", Commit: "abc", Modified: true, GoVersion: "go1.26.0"}.String()
	for _, want := range []string{"coffer v1.2.0\n", "commit abc (modified)\n", "go     go1.26.0\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("version report %q lacks %q", s, want)
		}
	}
}
