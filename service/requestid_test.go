package service

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// What the service logs with a request's context names the request; what
// it logs outside one (a job) names none.
func TestLogLinesCarryTheRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := withRequestIDs(slog.New(slog.NewJSONHandler(&buf, nil))).With("component", "test")
	log.ErrorContext(WithRequestID(context.Background(), "req_0123456789abcdef"), "in a request")
	log.ErrorContext(context.Background(), "in a job")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.String())
	}
	for i, want := range []any{"req_0123456789abcdef", nil} {
		var rec map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["request_id"] != want || rec["component"] != "test" {
			t.Errorf("line %d: request_id %v, want %v: %s", i, rec["request_id"], want, lines[i])
		}
	}
}
