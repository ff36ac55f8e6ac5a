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

// A version or commit stamped with -ldflags -X wins over the go
// command's build info, and stands alone in a binary that has none.
func TestBuildInfoStamped(t *testing.T) {
	recorded := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.1-0.20260102030405-0123456789ab+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"},
			{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"}}}
	for _, c := range []struct {
		name            string
		bi              *debug.BuildInfo
		version, commit string
		want            BuildInfo
	}{
		{"build info alone", recorded, "", "",
			BuildInfo{Version: "v1.2.1-0.20260102030405-0123456789ab+dirty", Commit: "0123456789abcdef", Modified: true,
				Time: "2026-01-02T03:04:05Z", GoVersion: "go1.26.0"}},
		{"stamped version", recorded, "v1.3.0", "",
			BuildInfo{Version: "v1.3.0", Commit: "0123456789abcdef", Modified: true, Time: "2026-01-02T03:04:05Z", GoVersion: "go1.26.0"}},
		{"stamped version and the same commit", recorded, "v1.3.0", "0123456789abcdef",
			BuildInfo{Version: "v1.3.0", Commit: "0123456789abcdef", Modified: true, Time: "2026-01-02T03:04:05Z", GoVersion: "go1.26.0"}},
		{"stamped other commit", recorded, "v1.3.0", "fedcba9876543210",
			BuildInfo{Version: "v1.3.0", Commit: "fedcba9876543210", GoVersion: "go1.26.0"}},
		{"-buildvcs=false, stamped", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}}, "v1.3.0", "fedcba9876543210",
			BuildInfo{Version: "v1.3.0", Commit: "fedcba9876543210", GoVersion: "go1.26.0"}},
		{"-buildvcs=false", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}}, "", "",
			BuildInfo{Version: "dev", Commit: "unknown", GoVersion: "go1.26.0"}},
		{"no build info, stamped", nil, "v1.3.0", "",
			BuildInfo{Version: "v1.3.0", Commit: "unknown", GoVersion: runtime.Version()}},
	} {
		if got := resolveBuildInfo(c.bi, c.version, c.commit); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
