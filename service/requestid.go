package service

import (
	"context"
	"log/slog"
)

// requestIDKey is the context key of the id of the API request being
// served.
type requestIDKey struct{}

// WithRequestID returns ctx carrying the id of the API request it serves,
// so that what the service logs while serving it names the request.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the id of the API request ctx serves, or "" outside one
// (the jobs, the CLI).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestIDHandler adds the request id of a record's context, when it has
// one, as the attribute request_id: a line the service logs while serving
// a request (with the *Context logging calls) can be found beside the
// request's access-log line.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := RequestID(ctx); id != "" {
			r.AddAttrs(slog.String("request_id", id))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// withRequestIDs is log with the request id of each record's context added.
func withRequestIDs(log *slog.Logger) *slog.Logger {
	if log == nil {
		return nil
	}
	return slog.New(requestIDHandler{log.Handler()})
}
