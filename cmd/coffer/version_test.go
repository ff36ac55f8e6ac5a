package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

// `coffer version` and `coffer --version` print the same report, naming
// the version, the commit and the Go version.
func TestVersion(t *testing.T) {
	out := func(args ...string) string {
		t.Helper()
		root := newRootCmd()
		var b bytes.Buffer
		root.SetOut(&b)
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatalf("coffer %s: %v", strings.Join(args, " "), err)
		}
		return b.String()
	}
	cmd, flag := out("version"), out("--version")
	if cmd != flag {
		t.Errorf("coffer version printed %q, coffer --version %q", cmd, flag)
	}
	for _, want := range []string{"coffer ", "\ncommit ", "\ngo     " + runtime.Version()} {
		if !strings.Contains(cmd, want) {
			t.Errorf("coffer version printed %q, which lacks %q", cmd, want)
		}
	}
}
