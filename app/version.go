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
	// Version is the version the linker stamped (stampedVersion), or
	// else the module version the go command recorded: a release tag
	// (v1.2.0), a pseudo-version for an untagged commit, with "+dirty"
	// for uncommitted changes; "dev" when neither says, as for `go run`
	// or a build outside a VCS checkout.
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

// stampedVersion and stampedCommit are set by the linker, for builds
// that carry no VCS information (-buildvcs=false, a source tarball, a
// container build without .git) or that name their own release:
//
//	go build -ldflags "-X github.com/cofferdev/coffer/app.stampedVersion=v1.2.0 \
//	    -X github.com/cofferdev/coffer/app.stampedCommit=$(git rev-parse HEAD)" ./cmd/coffer
//
// `make build` stamps them from git. They are package variables because
// -X can set nothing else; nothing writes them at run time.
var (
	stampedVersion string
	stampedCommit  string
)

// ReadBuildInfo reads the binary's build information: what the linker
// stamped, else what the go command recorded.
func ReadBuildInfo() BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return resolveBuildInfo(bi, stampedVersion, stampedCommit)
}

// resolveBuildInfo is the build information with a stamped version or
// commit, when set, in place of the go command's: a stamp is a decision
// made for this build, build info only what the go command could find.
// bi is nil when the binary has none.
func resolveBuildInfo(bi *debug.BuildInfo, version, commit string) BuildInfo {
	b := BuildInfo{Version: devVersion, Commit: "unknown", GoVersion: runtime.Version()}
	if bi != nil {
		b = buildInfo(bi)
	}
	if version != "" {
		b.Version = version
	}
	if commit != "" && commit != b.Commit {
		// The recorded time and work-tree state belong to another commit.
		b.Commit, b.Time, b.Modified = commit, "", false
	}
	return b
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
