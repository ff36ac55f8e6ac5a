package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/cofferdev/coffer/api"
)

// Error is a non-2xx answer from the server: the HTTP status and the
// error the server described (Code, Message, Param, Details). Code is
// stable and meant for programs; Message is meant for people.
type Error struct {
	Status int
	api.ErrorDetail
}

// Error reads as "code: message (param p)", for example
// "insufficient_balance: insufficient balance: 5.00 is more than the 3.20
// available (param amount)".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Code != "" {
		b.WriteString(e.Code)
	} else {
		fmt.Fprintf(&b, "http %d", e.Status)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Param != "" {
		fmt.Fprintf(&b, " (param %s)", e.Param)
	}
	return b.String()
}

// ErrorCode returns the server's error code if err is or wraps an *Error,
// and "" otherwise (nil, or a failure that never got an answer, such as a
// refused connection).
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// decodeError turns an error answer into an *Error. A body that is not an
// api.ErrorBody (a proxy's HTML page, say) still gives a readable message.
func decodeError(status int, data []byte) *Error {
	var body api.ErrorBody
	if err := json.Unmarshal(data, &body); err == nil && body.Error.Code != "" {
		return &Error{Status: status, ErrorDetail: body.Error}
	}
	msg := http.StatusText(status)
	if text := strings.TrimSpace(string(data)); text != "" {
		msg += ": " + truncate(text, 200)
	}
	return &Error{Status: status, ErrorDetail: api.ErrorDetail{Message: msg}}
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
