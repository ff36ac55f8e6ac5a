package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cofferBin is the coffer binary, built once by TestMain for every test
// that runs it as a child process (serve_proc_test.go, the cli_ tests). It
// is the package's one piece of shared state: set before any test runs,
// never written after.
var cofferBin string

// stampedVersion is the version cofferBin is stamped with, as `make
// build` stamps one: over the build info the go command records.
const stampedVersion = "v0.0.0-e2e.stamped"

// parallel is how many tests run at once unless -parallel says otherwise.
// The default, GOMAXPROCS, suits tests that compute; these mostly wait —
// on PostgreSQL's fsync, on a child process, on a webhook round trip — so
// on a machine of two cores the default left it mostly idle. Eight keeps
// the PostgreSQL connections of the servers running at once (four or fewer
// each) well inside the server's default limit of 100.
const parallel = 8

func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", strconv.Itoa(parallel)); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			os.Exit(1)
		}
	}
	os.Exit(run(m))
}

// run builds the binary into a temporary directory, runs the tests and
// removes the directory, so the deferred cleanup happens before os.Exit.
func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "coffer-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	cofferBin = filepath.Join(dir, "coffer")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-ldflags", "-X github.com/cofferdev/coffer/app.stampedVersion="+stampedVersion,
		"-o", cofferBin, "github.com/cofferdev/coffer/cmd/coffer").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build coffer: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// cliError is a coffer command that exited non-zero: its message is the
// one main printed after "coffer: ", as the command returned it.
type cliError struct{ msg string }

func (e *cliError) Error() string { return e.msg }

// runCoffer runs the coffer binary with args and, added to the test's own
// environment, env. It returns what the command wrote to stdout and to
// stderr, and on a non-zero exit a *cliError with main's message, which is
// then taken off stderr: the outputs are what the command itself wrote.
func runCoffer(t *testing.T, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cofferBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		if err != nil {
			t.Fatalf("run coffer %s: %v", strings.Join(args, " "), err)
		}
		return out.String(), errOut.String(), nil
	}
	stderr = errOut.String()
	i := strings.LastIndex("\n"+stderr, "\ncoffer: ")
	if i < 0 {
		return out.String(), stderr, &cliError{msg: fmt.Sprintf("%v: %s", err, strings.TrimSpace(stderr))}
	}
	rest, msg := stderr[:i], strings.TrimSuffix(stderr[i+len("coffer: "):], "\n")
	return out.String(), rest, &cliError{msg: msg}
}
