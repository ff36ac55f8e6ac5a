package invoicedoc

import (
	"bytes"
	"embed"
	"fmt"
	"io"
)

//go:embed invoice.html.tmpl
var templates embed.FS

// HTML writes the document as one self-contained page: inline CSS, no
// scripts, images or other requests, so it can be saved, mailed or
// printed as it is. Nothing is written if rendering fails.
func (r *Renderer) HTML(w io.Writer, d Doc) error {
	v, err := newView(d)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := r.html.Execute(&buf, v); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	_, err = buf.WriteTo(w)
	return err
}
