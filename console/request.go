package console

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/service"
)

// request is one request to a console route: what its handler reads and
// the helpers it answers with.
type request struct {
	c     *Console
	w     http.ResponseWriter
	r     *http.Request
	route *route
	sess  *service.ConsoleSession // nil when nobody is signed in
	flash string                  // the notice a redirect left for this page
}

// Cookie names. Over a secure connection the session cookie takes the
// __Host- prefix, which browsers accept only when Secure, for path / and
// without a Domain: no subdomain or plain-http page can set or shadow it.
const (
	sessionCookie       = "coffer_session"
	secureSessionCookie = "__Host-coffer_session"
	flashCookie         = "coffer_notice"
)

// secure reports whether cookies must be Secure for this request.
func (q *request) secure() bool { return q.c.secureAlways || q.r.TLS != nil }

func (q *request) sessionCookieName() string {
	if q.secure() {
		return secureSessionCookie
	}
	return sessionCookie
}

// loadSession finds the signed-in user, if any. A cookie whose session has
// ended is cleared.
func (q *request) loadSession() error {
	if ck, err := q.r.Cookie(flashCookie); err == nil {
		q.flash, _ = url.QueryUnescape(ck.Value)
		q.setCookie(flashCookie, "", -1)
	}
	secret := q.secret()
	if secret == "" {
		return nil
	}
	s, err := q.c.svc.SessionFor(q.r.Context(), secret)
	if isCode(err, coffer.EUnauthenticated) {
		q.setCookie(q.sessionCookieName(), "", -1)
		return nil
	}
	q.sess = s
	return err
}

// secret is the session cookie's value.
func (q *request) secret() string {
	ck, err := q.r.Cookie(q.sessionCookieName())
	if err != nil {
		return ""
	}
	return ck.Value
}

// setCookie sets (maxAge 0: for the browser session) or clears (maxAge
// < 0) a cookie with the console's attributes.
func (q *request) setCookie(name, value string, maxAge int) {
	http.SetCookie(q.w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: q.secure(), SameSite: http.SameSiteLaxMode})
}

// startSession puts a new session's secret in the cookie.
func (q *request) startSession(in *service.SignedIn) {
	q.setCookie(q.sessionCookieName(), in.Secret, 0)
	q.sess = in.Session
}

// remoteAddr is the client's address without the port. A proxy in front
// is one address to the sign-in limiter; Coffer does not trust
// X-Forwarded-For, which any client can send.
func (q *request) remoteAddr() string {
	host, _, err := net.SplitHostPort(q.r.RemoteAddr)
	if err != nil {
		return q.r.RemoteAddr
	}
	return host
}

// call is the service call of a read by the signed-in user.
func (q *request) call() (service.Call, error) {
	if q.sess == nil {
		return service.Call{}, coffer.Errorf(coffer.EUnauthenticated, "sign in first")
	}
	return q.sess.Call("", "")
}

// mutation is the service call of a form's change: its Idempotency-Key is
// the form's own (a hidden field made when the form was drawn), so a form
// sent twice, by a double click or a reload, changes things once; the
// request hash covers the route and every field but the token.
func (q *request) mutation() (service.Call, error) {
	if q.sess == nil {
		return service.Call{}, coffer.Errorf(coffer.EUnauthenticated, "sign in first")
	}
	key := q.r.PostForm.Get("idempotency_key")
	if key != "" {
		key = "console_" + key
	}
	h := sha256.New()
	h.Write([]byte(q.r.Method + " " + q.r.URL.Path + "\n"))
	names := make([]string, 0, len(q.r.PostForm))
	for name := range q.r.PostForm {
		if name != "csrf_token" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range q.r.PostForm[name] {
			h.Write([]byte(url.QueryEscape(name) + "=" + url.QueryEscape(v) + "&"))
		}
	}
	return q.sess.Call(key, hex.EncodeToString(h.Sum(nil)))
}

// newFormKey is a fresh idempotency key for a form being drawn.
func newFormKey() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("console: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// redirect answers a form (303) or a page (302, 303 alike to browsers)
// by sending the browser to path, with a notice for the next page.
func (q *request) redirect(path, notice string) error {
	if notice != "" {
		q.setCookie(flashCookie, url.QueryEscape(notice), 60)
	}
	http.Redirect(q.w, q.r, path, http.StatusSeeOther)
	return nil
}

// safeNext is where a sign-in returns to: a path on this console, never
// another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
