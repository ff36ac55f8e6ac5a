package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// jsonSink collects a stream of the command's output and hands over the
// URL of the serving record when it is written.
type jsonSink struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	serving chan string
}

func (s *jsonSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	if s.serving != nil {
		for line := range strings.SplitSeq(strings.TrimSuffix(string(p), "\n"), "\n") {
			var rec struct{ Msg, URL string }
			err := json.Unmarshal([]byte(line), &rec)
			// A line that is not JSON ends the wait too, with no URL: the
			// serving line would not come as JSON either.
			if err != nil || rec.Msg == "coffer serving" {
				s.serving <- rec.URL
				s.serving = nil
				break
			}
		}
	}
	return len(p), nil
}

func (s *jsonSink) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Split(strings.TrimSuffix(s.buf.String(), "\n"), "\n")
}

// With --log-format json every line `coffer serve` writes, on stdout and
// on stderr, from the first admin key to the last access-log line, is a
// JSON object; the access-log lines carry the request id.
func TestServeWritesOnlyJSON(t *testing.T) {
	serving := make(chan string, 1) // read here, never through the sink, whose Write clears its field
	stdout, stderr := &jsonSink{}, &jsonSink{serving: serving}
	cmd := newServeCmd()
	cmd.SetArgs([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "coffer.db"),
		"--log-format", "json", "--log-level", "debug"})
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	var url string
	select {
	case url = <-serving:
		if url == "" {
			stop()
			<-done
			t.Fatalf("stderr has a line that is not JSON before the serving record:\n%s", strings.Join(stderr.lines(), "\n"))
		}
	case err := <-done:
		t.Fatalf("serve stopped: %v\n%s", err, strings.Join(stderr.lines(), "\n"))
	}
	for _, path := range []string{"/healthz", "/v1/accounts", "/no-such-route"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Request-Id", "json-test")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}

	records := func(name string, s *jsonSink) []map[string]any {
		var out []map[string]any
		for _, line := range s.lines() {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Errorf("%s line is not JSON: %v: %q", name, err, line)
				continue
			}
			out = append(out, rec)
		}
		return out
	}
	banner := records("stdout", stdout)
	if len(banner) != 2 || !strings.HasPrefix(banner[0]["admin_key"].(string), "ck_admin_") ||
		!strings.HasPrefix(banner[0]["msg"].(string), "Created the first admin API key") {
		t.Errorf("stdout is not the admin-key record and the console-user record: %v", banner)
	} else if banner[1]["console_email"] != "admin@localhost" || len(banner[1]["console_password"].(string)) < 12 ||
		!strings.HasPrefix(banner[1]["msg"].(string), "Created the first console user") {
		t.Errorf("the second record is not the first console user: %v", banner[1])
	}
	requests := 0
	for _, rec := range records("stderr", stderr) {
		if rec["msg"] == "http request" {
			requests++
			if rec["request_id"] != "json-test" {
				t.Errorf("access-log line without the request id: %v", rec)
			}
		}
	}
	if requests != 3 {
		t.Errorf("%d access-log lines, want 3", requests)
	}
}
