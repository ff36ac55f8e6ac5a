// Package console is Coffer's web console: server-rendered pages for the
// operator's staff and for account owners, over the service layer only.
//
// Pages are html/template files embedded in the binary (templates/), with
// one stylesheet and a copy-button script (static/); nothing is fetched
// from elsewhere, and no page needs the script: every page works as a
// plain HTML form.
//
// Security: sessions are server-side (package service keeps only a hash
// of the cookie's secret); cookies are HttpOnly, SameSite=Lax, and Secure
// when the console is served over HTTPS or behind an https public URL.
// Every request passes the standard library's CrossOriginProtection, and
// every form of a signed-in user carries the session's token. The console
// acts for a user with the rights of its role (service.ConsoleSession),
// so it cannot do what the same person could not do through the API.
//
// README.md explains how the pages are laid out and how to add one.
package console

import (
	"embed"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cofferdev/coffer/service"
)

//go:embed templates/*.html static/*.css static/*.js
var files embed.FS

// Options configures the console.
type Options struct {
	// Logger receives the text of internal errors; nil discards it.
	Logger *slog.Logger
	// PublicURL is where people reach the server. When it is https, the
	// cookies are Secure whatever the request (TLS ends at a proxy in
	// front); otherwise they are Secure on requests that came over TLS.
	PublicURL string
}

// Console serves the web console. It is safe for concurrent use.
type Console struct {
	svc          *service.Service
	log          *slog.Logger
	secureAlways bool
	pages        *pages
	routes       []route
	mux          *http.ServeMux
}

// New returns the console's handler, to be served at /.
func New(svc *service.Service, opts Options) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Console{svc: svc, log: log, secureAlways: strings.HasPrefix(opts.PublicURL, "https://"), mux: http.NewServeMux()}
	c.pages = mustParsePages()
	for _, group := range c.pageRoutes() {
		c.routes = append(c.routes, group...)
	}
	for i := range c.routes {
		rt := &c.routes[i]
		c.mux.Handle(rt.pattern, c.serve(rt))
	}
	c.mux.Handle("GET /static/", c.static())
	c.mux.Handle("/", c.serve(&route{access: public, handle: func(q *request) error { return notFound() }}))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(c.serve(&route{access: public, handle: func(q *request) error { return crossOrigin() }}))
	return securityHeaders(cop.Handler(c.mux))
}

// securityHeaders sets what every console answer carries: a policy that
// lets a page load only the console's own files and be framed by nobody.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
