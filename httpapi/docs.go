package httpapi

import (
	"embed"
	"io/fs"
	"net/http"
)

// docsFiles is the documentation page: plain HTML, CSS and JavaScript that
// fetch /openapi.json and render it. Nothing is loaded from another origin,
// and the Content-Security-Policy below forbids it.
//
//go:embed docs
var docsFiles embed.FS

const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func registerDocs(mux *http.ServeMux) {
	sub, err := fs.Sub(docsFiles, "docs")
	if err != nil {
		panic("httpapi: " + err.Error())
	}
	files := http.FileServerFS(sub)
	secure := func(w http.ResponseWriter) {
		w.Header().Set("Content-Security-Policy", docsCSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
	}
	mux.HandleFunc("GET /docs", func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		http.ServeFileFS(w, r, sub, "index.html")
	})
	mux.Handle("GET /docs/", http.StripPrefix("/docs/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		files.ServeHTTP(w, r)
	})))
}
