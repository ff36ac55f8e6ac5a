package console

import (
	"net/http"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/service"
)

// Signing in and out.

func signInRoutes() []route {
	return []route{
		{pattern: "GET /sign-in", access: public, handle: signInPage},
		{pattern: "POST /sign-in", access: public, handle: signIn},
		{pattern: "POST /sign-out", access: signedIn, handle: signOut},
	}
}

// signInFormID names the sign-in form, whose ids start with it.
const signInFormID = "sign-in"

type signInData struct {
	Form *form
	Next string
}

func signInPage(q *request) error {
	if q.sess != nil {
		return q.redirect(safeNext(q.r.URL.Query().Get("next")), "")
	}
	return q.render(http.StatusOK, "sign-in", signInData{Form: newForm(signInFormID, nil, "email", "password"),
		Next: safeNext(q.r.URL.Query().Get("next"))})
}

func signIn(q *request) error {
	if err := q.r.ParseForm(); err != nil {
		return coffer.Errorf(coffer.EInvalid, "the form could not be read: %s", err)
	}
	f := newForm(signInFormID, q.r.PostForm, "email", "password")
	next := safeNext(q.r.PostForm.Get("next"))
	in, err := q.c.svc.SignIn(q.r.Context(), service.SignIn{Email: f.Values.Get("email"), Password: f.Values.Get("password"),
		RemoteAddr: q.remoteAddr()})
	if err != nil {
		if !f.fail(err) {
			return err
		}
		f.Values.Del("password") // never drawn back into the page
		return q.render(coffer.HTTPStatus(coffer.ErrorCode(err)), "sign-in", signInData{Form: f, Next: next})
	}
	q.startSession(in)
	if in.Session.User.MustChangePassword {
		return q.redirect("/password", "")
	}
	return q.redirect(next, "")
}

func signOut(q *request) error {
	if err := q.c.svc.SignOut(q.r.Context(), q.secret()); err != nil {
		return err
	}
	q.setCookie(q.sessionCookieName(), "", -1)
	q.sess = nil
	return q.redirect("/sign-in", "You have signed out.")
}
