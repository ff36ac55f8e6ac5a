package app

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// BuildInfo identifies the running binary: what `coffer version` prints,
// the OpenAPI document's info.version and every answer's X-Coffer-Version
// header.
type BuildInfo struct {
	// Version is the module version the go command stamped: a release
	// tag (v1.2.0), a pseudo-version for an untagged commit, with
	// "+dirty" for uncommitted changes; "dev" when it stamped none, as
	// for `go run` or a build outside a VCS checkout.
	Version string
	// Commit is the VCS revision, "unknown" without one; Modified says
	// the work tree had uncommitted changes.
	Commit   string
	Modified bool
	// Time is the commit's time (RFC 3339), empty without one.
	Time      string
	GoVersion string
}

// devVersion is the version of a binary whose build stamped none.
const devVersion = "dev"

// ReadBuildInfo reads the binary's build information.
func ReadBuildInfo() BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return BuildInfo{Version: devVersion, Commit: "unknown", GoVersion: runtime.Version()}
	}
	return buildInfo(bi)
}

// buildInfo reads what the go command recorded in bi.
func buildInfo(bi *debug.BuildInfo) BuildInfo {
	b := BuildInfo{Version: bi.Main.Version, Commit: "unknown", GoVersion: bi.GoVersion}
	if b.Version == "" || b.Version == "(devel)" {
		b.Version = devVersion
	}
	if b.GoVersion == "" {
		b.GoVersion = runtime.Version()
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		case "vcs.time":
			b.Time = s.Value
		}
	}
	return b
}

// String is the report `coffer version` and `coffer --version` print.
func (b BuildInfo) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "coffer %s\n", b.Version)
	commit := b.Commit
	if b.Modified {
		commit += " (modified)"
	}
	if b.Time != "" {
		commit += " " + b.Time
	}
	fmt.Fprintf(&s, "commit %s\n", commit)
	fmt.Fprintf(&s, "go     %s\n", b.GoVersion)
	return s.String()
}
