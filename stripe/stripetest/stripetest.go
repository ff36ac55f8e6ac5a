// Package stripetest starts stripe-mock, Stripe's local API server, for
// tests of the Stripe gateway.
package stripetest

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Start starts stripe-mock on free ports and returns its HTTP URL. It is
// installed with `go install github.com/stripe/stripe-mock@v0.203.0`.
// Without it the test is skipped, loudly, except in CI (CI=true), where it
// fails. Both listeners get port 0 — stripe-mock would otherwise also take
// its fixed HTTPS port, and a second instance (another package's tests, in
// parallel) would fail to start — and the HTTP address is read from what
// stripe-mock prints.
func Start(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		if gopath, gerr := exec.Command("go", "env", "GOPATH").Output(); gerr == nil {
			cand := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "stripe-mock")
			if _, serr := os.Stat(cand); serr == nil {
				bin, err = cand, nil
			}
		}
	}
	if err != nil {
		msg := "stripe-mock not found: install it with `go install github.com/stripe/stripe-mock@v0.203.0`"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPING the Stripe adapter tests: " + msg)
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		const prefix = "Listening for HTTP at address: "
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), prefix); ok {
				addr <- a
				break
			}
		}
		_, _ = io.Copy(io.Discard, out) // keep the pipe drained
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("stripe-mock did not say where it listens within 30s")
	}
	return ""
}
