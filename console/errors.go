package console

import (
	"errors"
	"net/http"

	"github.com/cofferdev/coffer"
)

// The refusals of the console itself, beside the service's.

func notFound() error {
	return coffer.Errorf(coffer.ENotFound, "there is no such page")
}

func forbidden() error {
	return coffer.Errorf(coffer.EForbidden, "this page is for the operator's staff only")
}

func crossOrigin() error {
	return coffer.Errorf(coffer.EForbidden, "this form was sent from another site, so it was refused; open the console itself and send it from there")
}

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Title   string
	Message string
}

// fail answers err: an unauthenticated request is sent to sign in; a
// coffer error gets the page of its status and its own message; anything
// else is logged and answered with a 500 that says nothing of it.
func (q *request) fail(err error) {
	var e *coffer.Error
	if !errors.As(err, &e) {
		q.c.log.Error("console request failed", "method", q.r.Method, "path", q.r.URL.Path, "error", err.Error())
		e = coffer.Errorf(coffer.EInternal, "something went wrong on our side; try again in a moment")
	}
	if e.Code == coffer.EUnauthenticated {
		if err := q.toSignIn(); err == nil {
			return
		}
	}
	status := coffer.HTTPStatus(e.Code)
	title := http.StatusText(status)
	switch status {
	case http.StatusNotFound:
		title = "Page not found"
	case http.StatusForbidden:
		title = "Not allowed"
	}
	if err := q.render(status, "error", errorPage{Status: status, Title: title, Message: e.Message}); err != nil {
		q.c.log.Error("console error page failed", "error", err.Error())
		http.Error(q.w, e.Message, status)
	}
}
