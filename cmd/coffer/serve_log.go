package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
)

// announceServing says where the server listens: a line for people in the
// text log format (the end-to-end tests read it), a log record in the JSON
// one, where every line the process writes is JSON.
func announceServing(w io.Writer, log *slog.Logger, format, url, store string) {
	if format == "json" {
		log.Info("coffer serving", slog.String("url", url), slog.String("store", store))
		return
	}
	fmt.Fprintf(w, "coffer serving on %s (store: %s)\n", url, store)
}

// loggedError is a failure already written to the log, which main does
// not print again.
type loggedError struct{ error }

func (e loggedError) Unwrap() error { return e.error }

// logFailure writes a failure of `coffer serve` to a JSON log and marks it
// logged; in the text format main prints it as for every command.
func logFailure(log *slog.Logger, format string, err error) error {
	if err == nil || format != "json" {
		return err
	}
	log.Error("coffer serve failed", slog.String("err", err.Error()))
	return loggedError{err}
}

// alreadyLogged reports whether main must not print err.
func alreadyLogged(err error) bool {
	var le loggedError
	return errors.As(err, &le)
}
