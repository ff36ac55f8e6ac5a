package chart

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the charts drawn now")

// TestGolden compares every chart with its golden files: the SVG alone
// (testdata/NAME.svg) and the whole figure (testdata/NAME.html). After a
// deliberate change, rewrite them with go test ./console/chart -update
// and look at them in a browser.
func TestGolden(t *testing.T) {
	for _, c := range chartCases() {
		t.Run(c.name, func(t *testing.T) {
			f := c.draw()
			for ext, got := range map[string]string{".svg": string(f.SVG()) + "\n", ".html": string(f.HTML()) + "\n"} {
				path := filepath.Join("testdata", c.name+ext)
				if *update {
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./console/chart -update to write it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from what is drawn now; if the change is meant, run go test ./console/chart -update and look at it\n%s",
						path, firstDifference(string(want), got))
				}
			}
		})
	}
}

func firstDifference(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(i-80, 0)
	return "want …" + want[from:min(i+80, len(want))] + "…\n got …" + got[from:min(i+80, len(got))] + "…"
}

// TestWellFormed parses every chart, as a figure and as an SVG, as XML:
// it must be well-formed, an accessible image (role="img" named by its
// <title> and described by its <desc>) and carry no markup that came in
// as text.
func TestWellFormed(t *testing.T) {
	for _, c := range chartCases() {
		t.Run(c.name, func(t *testing.T) {
			f := c.draw()
			for _, doc := range []string{string(f.HTML()), string(f.SVG())} {
				els := parse(t, doc)
				svg := els.first("svg")
				if svg == nil {
					t.Fatal("no <svg>")
				}
				if svg.attr["role"] != "img" || svg.attr["xmlns"] != "http://www.w3.org/2000/svg" {
					t.Errorf("svg attributes %v", svg.attr)
				}
				title, desc := els.byID(svg.attr["aria-labelledby"]), els.byID(svg.attr["aria-describedby"])
				if title == nil || title.name != "title" || strings.TrimSpace(title.text) == "" {
					t.Errorf("aria-labelledby %q names no <title> with text", svg.attr["aria-labelledby"])
				}
				if desc == nil || desc.name != "desc" || strings.TrimSpace(desc.text) == "" {
					t.Errorf("aria-describedby %q names no <desc> with text", svg.attr["aria-describedby"])
				}
				for _, e := range els {
					if e.name == "script" || e.name == "b" || e.name == "i" {
						t.Errorf("text became markup: <%s>", e.name)
					}
					for k := range e.attr {
						if strings.HasPrefix(k, "on") {
							t.Errorf("text became an attribute: %s on <%s>", k, e.name)
						}
					}
				}
			}
		})
	}
}

type element struct {
	name string
	attr map[string]string
	text string
}

type elements []*element

func (es elements) first(name string) *element {
	for _, e := range es {
		if e.name == name {
			return e
		}
	}
	return nil
}

func (es elements) all(name string) elements {
	var out elements
	for _, e := range es {
		if e.name == name {
			out = append(out, e)
		}
	}
	return out
}

func (es elements) byID(id string) *element {
	for _, e := range es {
		if id != "" && e.attr["id"] == id {
			return e
		}
	}
	return nil
}

// parse reads doc as strict XML and lists its elements in order, each
// with the text directly inside it.
func parse(t *testing.T, doc string) elements {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader([]byte(doc)))
	d.Strict = true
	var out elements
	var open []*element
	roots := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				name := a.Name.Local
				if a.Name.Space == "" && name == "xmlns" {
					name = "xmlns"
				}
				e.attr[name] = a.Value
			}
			if len(open) == 0 {
				roots++
			}
			out = append(out, e)
			open = append(open, e)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) > 0 {
				open[len(open)-1].text += string(tok)
			} else if strings.TrimSpace(string(tok)) != "" {
				t.Fatalf("text outside the root: %q", tok)
			}
		}
	}
	if roots != 1 {
		t.Fatalf("%d root elements, want 1", roots)
	}
	return out
}
