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

// staffUserNotice introduces the first console user.
const staffUserNotice = "Created the first console user (staff). Sign in at / with the e-mail and temporary password below, shown only this once; the console asks for a new password at once"

// writeStaffBanner shows the first console user's sign-in on w, as
// writeBanner does the first admin key: with the JSON log format one JSON
// object on one line, its console_email and console_password.
func writeStaffBanner(w io.Writer, format, email, password string) {
	if format == "json" {
		slog.New(slog.NewJSONHandler(w, nil)).Info(staffUserNotice,
			slog.String("console_email", email), slog.String("console_password", password))
		return
	}
	fmt.Fprintf(w, "%s:\n\n    e-mail:   %s\n    password: %s\n\n", staffUserNotice, email, password)
}
