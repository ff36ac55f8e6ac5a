package app

import (
	"fmt"
	"io"
	"log/slog"
)

// adminKeyNotice introduces the first admin key.
const adminKeyNotice = "Created the first admin API key. It is shown only this once; keep it safe"

// writeBanner shows the first admin key on w, which is never the log's
// stream. With the JSON log format it is one JSON object on one line, so
// that everything the process writes parses as JSON; the key is its
// admin_key.
func writeBanner(w io.Writer, format, key string) {
	if format == "json" {
		slog.New(slog.NewJSONHandler(w, nil)).Info(adminKeyNotice, slog.String("admin_key", key))
		return
	}
	fmt.Fprintf(w, "\n%s:\n\n    %s\n\n", adminKeyNotice, key)
}
