package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
)

// typeAPI is the error type of failures that are the server's, not the
// caller's. The mapping of every other code to its type is service.ErrorType.
const typeAPI = "api_error"

// classify returns the status and type an error code is answered with, and
// whether the code is one a caller may see. The status comes from
// coffer.HTTPStatus, which stored idempotent answers record too, and the
// type from service.ErrorType, which batch items carry, so an error reads
// the same wherever it appears. Unknown codes and internal_error are 500s.
func classify(code string) (status int, typ string, ok bool) {
	status = coffer.HTTPStatus(code)
	if status == http.StatusInternalServerError {
		return status, typeAPI, false
	}
	return status, service.ErrorType(code), true
}

// internalMessage is all a caller learns about a failure that is not theirs.
const internalMessage = "internal error"

// errorBody is every error answer: api.ErrorBody on the wire, plus the
// status and headers it travels with. It satisfies huma.StatusError and
// huma.HeadersError, so handlers return it as an error and huma writes it.
type errorBody struct {
	api.ErrorBody
	status int
	header http.Header
}

func (e *errorBody) Error() string {
	return e.ErrorBody.Error.Code + ": " + e.ErrorBody.Error.Message
}

// GetStatus returns the HTTP status of the answer.
func (e *errorBody) GetStatus() int { return e.status }

// GetHeaders returns the headers the answer must carry.
func (e *errorBody) GetHeaders() http.Header { return e.header }

// newErrorBody builds the answer for a code, filling status, type and the
// headers some statuses need (WWW-Authenticate, Retry-After).
func newErrorBody(code, message, param string, details map[string]string) *errorBody {
	status, typ, ok := classify(code)
	if !ok {
		code, message, param, details = coffer.EInternal, internalMessage, "", nil
	}
	e := &errorBody{
		ErrorBody: api.ErrorBody{Error: api.ErrorDetail{
			Type: typ, Code: code, Message: message, Param: param, Details: details,
		}},
		status: status,
		header: http.Header{},
	}
	switch status {
	case http.StatusUnauthorized:
		e.header.Add("WWW-Authenticate", `Bearer realm="coffer"`)
		e.header.Add("WWW-Authenticate", `Basic realm="coffer"`)
	case http.StatusServiceUnavailable:
		e.header.Set("Retry-After", "1")
	}
	return e
}

// errorFor turns an error from the service into its answer. An error that
// is not a *coffer.Error is a bug or an outage: it is logged with the
// request's logger and answered with a bare "internal error".
func errorFor(ctx context.Context, err error) *errorBody {
	var ce *coffer.Error
	if errors.As(err, &ce) {
		if _, _, ok := classify(ce.Code); ok {
			return newErrorBody(ce.Code, ce.Message, ce.Param, ce.Details)
		}
	}
	loggerFrom(ctx).LogAttrs(ctx, slog.LevelError, "request failed", slog.String("error", err.Error()))
	return newErrorBody(coffer.EInternal, internalMessage, "", nil)
}

// fail is errorFor as an error, for handlers to return.
func fail(ctx context.Context, err error) error { return errorFor(ctx, err) }

// humaError is the answer to an error huma raises itself (body not JSON,
// unknown or missing fields, wrong types, bad parameters, body too large):
// the same shape as every other error, a 400 naming the field at fault for
// what fails validation.
func humaError(ctx context.Context, status int, msg string, errs ...error) huma.StatusError {
	switch {
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		return validationError(msg, errs)
	case status == http.StatusRequestEntityTooLarge:
		e := newErrorBody(coffer.EInvalid, "request body is too large", "", nil)
		e.status = status
		return e
	case status == http.StatusUnsupportedMediaType:
		e := newErrorBody(coffer.EInvalid, "request body must be JSON (Content-Type: application/json)", "", nil)
		e.status = status
		return e
	case status == http.StatusNotFound:
		return newErrorBody(coffer.ENotFound, msg, "", nil)
	case status >= 500:
		if ctx != nil {
			loggerFrom(ctx).LogAttrs(ctx, slog.LevelError, "request failed",
				slog.Int("status", status), slog.String("error", joinErrors(msg, errs)))
		}
		e := newErrorBody(coffer.EInternal, internalMessage, "", nil)
		e.status = status
		return e
	case status >= 400:
		// 406, 408 and the like: the request, not the server, is at fault.
		e := newErrorBody(coffer.EInvalid, joinErrors(msg, errs), "", nil)
		e.status = status
		return e
	}
	// huma raises nothing below 400 on these routes; should it, it is not
	// the caller's doing.
	return newErrorBody(coffer.EInternal, internalMessage, "", nil)
}

// validationError turns huma's list of validation failures into one 400.
// The message names every field at fault; Param is the first of them and
// Details maps each field to its own message when there are several.
func validationError(msg string, errs []error) *errorBody {
	var params, messages []string
	for _, err := range errs {
		if err == nil {
			continue
		}
		param, m := describe(err)
		params = append(params, param)
		messages = append(messages, m)
	}
	if len(messages) == 0 {
		return newErrorBody(coffer.EInvalid, msg, "", nil)
	}
	var details map[string]string
	if len(messages) > 1 {
		details = make(map[string]string, len(messages))
		for i, p := range params {
			key := p
			if key == "" {
				key = "body"
			}
			if prev, ok := details[key]; ok {
				details[key] = prev + "; " + messages[i]
			} else {
				details[key] = messages[i]
			}
		}
	}
	first := ""
	for _, p := range params {
		if p != "" {
			first = p
			break
		}
	}
	return newErrorBody(coffer.EInvalid, strings.Join(messages, "; "), first, details)
}

// describe returns the field an error is about, as the client spelled it
// ("amount", "debits[3].event_id", "limit", "Idempotency-Key"), and a
// message that starts with that field.
func describe(err error) (param, message string) {
	var d *huma.ErrorDetail
	if !errors.As(err, &d) {
		return "", err.Error()
	}
	loc := d.Location
	for _, prefix := range []string{"body.", "query.", "path.", "header."} {
		if rest, ok := strings.CutPrefix(loc, prefix); ok {
			param = rest
			break
		}
	}
	m := plainBounds(d.Message)
	switch {
	case strings.HasPrefix(m, "expected required property ") && strings.HasSuffix(m, " to be present"):
		name := strings.TrimSuffix(strings.TrimPrefix(m, "expected required property "), " to be present")
		if param != "" {
			name = param + "." + name
		}
		return name, name + " is required"
	case m == "unexpected property":
		return param, param + " is not a known field"
	case loc == "body" && param == "" && isSyntaxError(m):
		return "", "request body is not valid JSON: " + strings.TrimPrefix(m, "json: ")
	case loc == "body" && param == "":
		if field, msg, ok := decodeError(m); ok {
			return field, field + ": " + msg
		}
		return "", "request body: " + strings.TrimPrefix(m, "json: ")
	case strings.HasPrefix(m, "required ") && strings.HasSuffix(m, " parameter is missing"):
		return param, param + " is required"
	case param == "":
		return "", m
	}
	return param, param + ": " + m
}

// schemaBound matches huma's message for a number out of its schema's
// range, whose bound huma prints in exponent form ("<= 2.147483647e+09").
var schemaBound = regexp.MustCompile(`^(expected number [<>]=? )(\S+)$`)

// plainBounds writes the bound of a range message as a person would:
// "expected number <= 2147483647".
func plainBounds(m string) string {
	g := schemaBound.FindStringSubmatch(m)
	if g == nil {
		return m
	}
	f, err := strconv.ParseFloat(g[2], 64)
	if err != nil {
		return m
	}
	return g[1] + strconv.FormatFloat(f, 'f', -1, 64)
}

// unmarshalTypeError matches encoding/json's message for a value the Go
// field cannot take: "json: cannot unmarshal number 1e30 into Go struct
// field AccountCreate.trust_tier of type int".
var unmarshalTypeError = regexp.MustCompile(`^json: cannot unmarshal (\w+)(?: (\S+))? into Go struct field [^.\s]+\.(\S+) of type (\S+)$`)

// decodeError turns a decoding failure that schema validation let through
// into the field it is about, spelled as on the wire ("debits[0].amount"),
// and a message free of Go's names for types. The schema refuses most
// such values first; this keeps a gap in it from reading like a stack
// trace.
func decodeError(m string) (field, message string, ok bool) {
	g := unmarshalTypeError.FindStringSubmatch(m)
	if g == nil {
		return "", "", false
	}
	kind, value, path, goType := g[1], g[2], g[3], g[4]
	parts := strings.Split(path, ".")
	var b strings.Builder
	for i, p := range parts {
		if _, err := strconv.Atoi(p); err == nil && i > 0 {
			b.WriteString("[" + p + "]")
			continue
		}
		if i > 0 {
			b.WriteString(".")
		}
		b.WriteString(p)
	}
	field = b.String()
	switch {
	case kind == "number" && strings.Contains(goType, "int"):
		return field, value + " is out of range", true
	case kind == "number":
		return field, "expected a number of another kind, got " + value, true
	}
	return field, "expected another type than " + kind, true
}

// isSyntaxError reports whether an encoding/json message is about the
// JSON text itself rather than about a value in it.
func isSyntaxError(m string) bool {
	return strings.HasPrefix(m, "invalid character") ||
		strings.HasPrefix(m, "unexpected end of JSON input") ||
		strings.Contains(m, "syntax error")
}

func joinErrors(msg string, errs []error) string {
	parts := []string{msg}
	for _, err := range errs {
		if err != nil {
			parts = append(parts, err.Error())
		}
	}
	return strings.Join(parts, ": ")
}

// writeError writes an answer outside huma's handler flow (authentication,
// unknown routes, panics), with the request id logRequests has set on the
// answer.
func writeError(w http.ResponseWriter, e *errorBody) {
	if id := w.Header().Get(requestIDHeader); id != "" {
		c := *e
		c.ErrorBody.Error.RequestID = id
		e = &c
	}
	for k, vs := range e.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.status)
	b, err := jsonMarshal(e)
	if err != nil {
		// Cannot happen for this type; keep the answer well formed anyway.
		b = []byte(fmt.Sprintf(`{"error":{"type":%q,"code":%q,"message":%q}}`, typeAPI, coffer.EInternal, internalMessage))
	}
	_, _ = w.Write(b)
}

// shapeHumaErrors is the API's transformer: huma writes the errors it
// raises itself as *huma.ErrorModel, and this turns each into Coffer's
// error body, as humaError says. huma has by then set the Content-Type an
// ErrorModel asks for (application/problem+json), which is put back to the
// negotiated application/json; and it sets the status only after
// transforming, so the status the body carries (400 where huma chose 422)
// is left with errorStatusContext for that moment. Every other value,
// Coffer's own error bodies included, passes untouched.
func shapeHumaErrors(hctx huma.Context, _ string, v any) (any, error) {
	if e, ok := v.(*errorBody); ok {
		return e.forRequest(hctx.Context()), nil
	}
	m, ok := v.(*huma.ErrorModel)
	if !ok {
		return v, nil
	}
	errs := make([]error, 0, len(m.Errors))
	for _, d := range m.Errors {
		if d != nil {
			errs = append(errs, d)
		}
	}
	e := humaError(hctx.Context(), m.Status, m.Detail, errs...)
	if _, w := humago.Unwrap(hctx); w.Header().Get("Content-Type") == "application/problem+json" {
		w.Header().Set("Content-Type", "application/json")
	}
	if sc, ok := hctx.(*errorStatusContext); ok {
		sc.status = e.GetStatus()
	}
	if eb, ok := e.(*errorBody); ok {
		return eb.forRequest(hctx.Context()), nil
	}
	return e, nil
}

// forRequest is the body with the request's id in it, as logRequests
// chose it.
func (e *errorBody) forRequest(ctx context.Context) *errorBody {
	st := stateFrom(ctx)
	if st == nil || st.requestID == "" {
		return e
	}
	c := *e
	c.ErrorBody.Error.RequestID = st.requestID
	return &c
}

// errorStatusContext is the huma.Context each operation's handler runs
// with, so that the status of an error body shapeHumaErrors made is the
// status sent.
type errorStatusContext struct {
	humaContext
	status int // set by shapeHumaErrors; 0 leaves huma's
}

// humaContext names the embedded context apart from its Context method.
type humaContext = huma.Context

func (c *errorStatusContext) SetStatus(code int) {
	if c.status != 0 {
		code, c.status = c.status, 0
	}
	c.humaContext.SetStatus(code)
}

// Unwrap gives humago.Unwrap the adapter's context beneath.
func (c *errorStatusContext) Unwrap() huma.Context { return c.humaContext }

// carryErrorStatus is the innermost middleware: the operation runs with an
// errorStatusContext.
func carryErrorStatus(hctx huma.Context, next func(huma.Context)) {
	next(&errorStatusContext{humaContext: hctx})
}
