package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
)

// pages are the parsed templates: each page file with the shared layout
// and partials, by the page file's name without ".html".
type pages struct {
	byName map[string]*template.Template
	// static maps a static file's name to its URL, versioned by its
	// content so a new binary's stylesheet is never served from cache.
	static map[string]string
}

// The templates every page is parsed with.
const (
	layoutFile   = "templates/layout.html"
	partialsFile = "templates/partials.html"
)

func mustParsePages() *pages {
	p := &pages{byName: map[string]*template.Template{}, static: map[string]string{}}
	statics, err := fs.Glob(files, "static/*")
	if err != nil {
		panic(err)
	}
	for _, name := range statics {
		b, _ := fs.ReadFile(files, name)
		sum := sha256.Sum256(b)
		p.static[path.Base(name)] = "/" + name + "?v=" + hex.EncodeToString(sum[:6])
	}
	base := template.Must(template.New("layout.html").Funcs(p.funcs()).ParseFS(files, layoutFile, partialsFile))
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		if name == layoutFile || name == partialsFile {
			continue
		}
		t := template.Must(template.Must(base.Clone()).ParseFS(files, name))
		p.byName[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return p
}

// view is what every page template gets: the layout's needs, and the
// page's own data as .Page.
type view struct {
	Session *service.ConsoleSession
	Nav     []link
	Notice  string
	// Account and Tabs are set on the account's pages (accountView).
	Account *api.Account
	Tabs    []link
	Page    any
}

// link is an entry of the navigation or the account's tabs.
type link struct {
	Label, Href string
	Current     bool
}

// render answers with a page.
func (q *request) render(status int, name string, data any) error {
	return q.renderView(status, name, &view{Page: data})
}

func (q *request) renderView(status int, name string, v *view) error {
	t, ok := q.c.pages.byName[name]
	if !ok {
		return fmt.Errorf("console: no page template %q", name)
	}
	v.Session, v.Notice = q.sess, q.flash
	v.Nav = q.nav()
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := q.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	q.w.WriteHeader(status)
	_, err := q.w.Write(buf.Bytes())
	return err
}

// nav is the top navigation the session's user may follow.
func (q *request) nav() []link {
	if q.sess == nil || q.sess.User.MustChangePassword {
		return nil
	}
	var out []link
	for _, rt := range q.c.routes {
		if rt.nav != "" && rt.access.allows(q.sess) {
			href := rt.path()
			out = append(out, link{Label: rt.nav, Href: href, Current: strings.HasPrefix(q.r.URL.Path, href)})
		}
	}
	return out
}

// static serves the embedded stylesheet and other static files.
func (c *Console) static() http.Handler {
	fsrv := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A versioned URL never changes content; an unversioned one may.
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		fsrv.ServeHTTP(w, r)
	})
}
