package console

import (
	"net/http"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/service"
)

// Changing one's password; the only page open to a user who signed in
// with temporary credentials.

func passwordRoutes() []route {
	return []route{
		{pattern: "GET /password", access: signedIn, handle: passwordPage},
		{pattern: "POST /password", access: signedIn, handle: changePassword},
	}
}

type passwordData struct {
	Form      *form
	MinLength int
	Forced    bool // the user signed in with a temporary password
}

func passwordForm(q *request) *form {
	return newForm("password", nil, "current_password", "new_password", "confirm_password")
}

func passwordPage(q *request) error {
	return q.render(http.StatusOK, "password", passwordData{Form: passwordForm(q), MinLength: service.MinPasswordLength,
		Forced: q.sess.User.MustChangePassword})
}

func changePassword(q *request) error {
	f := passwordForm(q)
	in, err := q.c.svc.ChangePassword(q.r.Context(), q.sess, service.PasswordChange{Current: q.r.PostForm.Get("current_password"),
		New: q.r.PostForm.Get("new_password"), Confirm: q.r.PostForm.Get("confirm_password")})
	if err != nil {
		if !f.fail(err) {
			return err
		}
		return q.render(coffer.HTTPStatus(coffer.ErrorCode(err)), "password", passwordData{Form: f, MinLength: service.MinPasswordLength,
			Forced: q.sess.User.MustChangePassword})
	}
	q.startSession(in)
	return q.redirect(homePath(in.Session), "Your password has been changed.")
}
