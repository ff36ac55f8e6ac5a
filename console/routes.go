package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/service"
)

// pageRoutes lists every page's routes, one line per page or area. A new
// page adds its file (page_*.go with its routes, templates/*.html) and one
// line here.
func (c *Console) pageRoutes() [][]route {
	return [][]route{
		homeRoutes(),
		signInRoutes(),
		passwordRoutes(),
		accountsRoutes(),
		overviewRoutes(),
		creditsRoutes(),
		invoicesRoutes(),
		paymentsRoutes(),
		paymentHistoryRoutes(),
		alertsRoutes(),
		subaccountsRoutes(),
		enrollmentRoutes(),
		apiKeysRoutes(),
		webhooksRoutes(),
		programsRoutes(),
		reportsRoutes(),
	}
}

// access is who may open a route.
type access int

const (
	public   access = iota // anyone; the sign-in page
	signedIn               // any signed-in user, even one who must still change a temporary password
	member                 // a signed-in user with a password of its own: staff or owner
	staff                  // the operator's staff only; an owner gets 403
)

// route is one page or form action.
type route struct {
	// pattern is a ServeMux pattern with its method: "GET /accounts/{id}".
	pattern string
	access  access
	// nav, if set, puts the route in the top navigation under this label;
	// for GET routes without path values.
	nav string
	// tab, if set, puts the route among the account page's tabs: for GET
	// routes under /accounts/{id}.
	tab string
	// handle serves the request; an error it returns is answered by the
	// error page that fits its code (errors.go).
	handle func(*request) error
}

// path is the route's path with its values filled from vals, in order.
func (rt *route) path(vals ...string) string {
	_, p, _ := strings.Cut(rt.pattern, " ")
	for _, v := range vals {
		i, j := strings.Index(p, "{"), strings.Index(p, "}")
		if i < 0 || j < i {
			break
		}
		p = p[:i] + v + p[j+1:]
	}
	return p
}

// allows reports whether the session may open the route.
func (a access) allows(s *service.ConsoleSession) bool {
	switch a {
	case public:
		return true
	case signedIn:
		return s != nil
	case member:
		return s != nil && !s.User.MustChangePassword
	}
	return s != nil && !s.User.MustChangePassword && s.Staff()
}

// serve wraps a route's handler: it finds the session, enforces the
// route's access and the form token, and answers an error with its page.
func (c *Console) serve(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := &request{c: c, w: w, r: r, route: rt}
		if err := q.serve(); err != nil {
			q.fail(err)
		}
	})
}

func (q *request) serve() error {
	if err := q.loadSession(); err != nil {
		return err
	}
	switch rt := q.route; {
	case rt.access == public:
	case q.sess == nil:
		return q.toSignIn()
	case q.sess.User.MustChangePassword && rt.access > signedIn:
		// Temporary credentials open nothing but the password page.
		return q.redirect("/password", "")
	case !rt.access.allows(q.sess):
		return forbidden()
	}
	if q.r.Method == http.MethodPost && q.sess != nil {
		if err := q.r.ParseForm(); err != nil {
			return coffer.Errorf(coffer.EInvalid, "the form could not be read: %s", err)
		}
		if subtle.ConstantTimeCompare([]byte(q.r.PostForm.Get("csrf_token")), []byte(q.sess.CSRFToken)) != 1 {
			return badToken()
		}
	}
	return q.route.handle(q)
}

// badToken answers a form without this session's token: one from
// another site, or a page left open across a sign-in.
func badToken() error {
	return coffer.Errorf(coffer.EForbidden, "this form is out of date or did not come from this console: reload the page and send it again")
}

// toSignIn sends a visitor without a session to the sign-in page, and back
// here afterwards when this was a page (a GET) of the console.
func (q *request) toSignIn() error {
	next := ""
	if q.r.Method == http.MethodGet && q.r.URL.Path != "/" {
		next = "?next=" + url.QueryEscape(q.r.URL.RequestURI())
	}
	return q.redirect("/sign-in"+next, "")
}

// isCode reports whether err is a coffer error with the given code.
func isCode(err error, code string) bool {
	var e *coffer.Error
	return errors.As(err, &e) && e.Code == code
}
