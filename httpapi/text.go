package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
)

// Text a store cannot hold is refused here, at the edge, for every route
// and field alike: PostgreSQL's text holds neither the NUL character nor
// bytes that are not UTF-8, where SQLite stores both as given, so without
// this check the same request would be a 500 on one store and accepted on
// the other. A JSON body is decoded as UTF-8 already (invalid bytes become
// U+FFFD), so only NUL can reach the service through it; path, query and
// header values arrive as raw bytes and are checked for both. Other control
// characters are stored as given on both stores, and so are accepted.

const (
	msgNUL  = `contains the NUL character (\u0000), which Coffer cannot store`
	msgUTF8 = "is not valid UTF-8"
)

// maxTextErrors bounds the errors one request collects: a body with a
// thousand NULs needs no thousand-line answer.
const maxTextErrors = 10

// maxWalkDepth stops the search for NULs in bodies nested deeper than
// encoding/json accepts; huma refuses those itself.
const maxWalkDepth = 10_000

// textProblem says what is wrong with s as stored text, or "".
func textProblem(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return msgNUL
	case !utf8.ValidString(s):
		return msgUTF8
	}
	return ""
}

// checkRequestText refuses a request whose path parameters, query
// parameters, declared headers or JSON body hold text a store cannot, naming
// each field at fault as the client spelled it. body is nil for requests
// whose body is not read here.
func checkRequestText(hctx huma.Context, r *http.Request, body []byte) *errorBody {
	var errs []error
	add := func(loc, msg string) {
		if len(errs) < maxTextErrors {
			errs = append(errs, &huma.ErrorDetail{Location: loc, Message: msg})
		}
	}
	if op := hctx.Operation(); op != nil {
		for _, p := range op.Parameters {
			switch p.In {
			case "path":
				if m := textProblem(hctx.Param(p.Name)); m != "" {
					add("path."+p.Name, m)
				}
			case "header":
				for _, v := range r.Header.Values(p.Name) {
					if m := textProblem(v); m != "" {
						add("header."+p.Name, m)
					}
				}
			}
		}
	}
	// Every query parameter, documented or not: an unknown one is refused
	// later by name, and its name is only printable once its value is.
	var query map[string][]string // parsing an empty query would still make a map
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	for name, vs := range query {
		if m := textProblem(name); m != "" {
			add("query."+quoted(name), "the parameter name "+m)
			continue
		}
		for _, v := range vs {
			if m := textProblem(v); m != "" {
				add("query."+name, m)
			}
		}
	}
	for _, e := range bodyNULs(body, maxTextErrors-len(errs)) {
		errs = append(errs, e)
	}
	if len(errs) == 0 {
		return nil
	}
	return validationError("", errs)
}

// bodyNULs returns, for a JSON body, an error for each string or object key
// holding NUL, at most max of them, located as huma locates body fields
// ("body.debits[3].event_id", "body.metadata.foo"). A body that is not
// JSON yields none: huma refuses it with a better message.
func bodyNULs(body []byte, max int) []error {
	// JSON can only spell NUL as this escape, so most bodies skip the walk.
	if max <= 0 || !bytes.Contains(body, []byte(`\u0000`)) {
		return nil
	}
	type frame struct {
		object  bool
		key     string
		index   int
		wantKey bool
	}
	var (
		stack []frame
		errs  []error
	)
	path := func(last string) string {
		var b strings.Builder
		b.WriteString("body")
		for _, f := range stack {
			if f.object {
				if f.wantKey {
					break
				}
				b.WriteString("." + f.key)
			} else {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			}
		}
		if last != "" {
			b.WriteString("." + last)
		}
		return b.String()
	}
	done := func() { // a value ended: the enclosing container moves on
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for len(errs) < max {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) && len(stack) == 0 {
				return errs
			}
			return nil // not JSON, or cut short: huma says where
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			k, isKey := tok.(string)
			if !isKey { // the object's closing brace
				stack = stack[:n-1]
				done()
				continue
			}
			if strings.IndexByte(k, 0) >= 0 {
				errs = append(errs, &huma.ErrorDetail{Location: path(quoted(k)), Message: "the field name " + msgNUL})
			}
			stack[n-1].key, stack[n-1].wantKey = k, false
			continue
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if len(stack) >= maxWalkDepth {
					return nil
				}
				stack = append(stack, frame{object: v == '{', wantKey: v == '{'})
			default: // an array's closing bracket
				stack = stack[:len(stack)-1]
				done()
			}
			continue
		case string:
			if strings.IndexByte(v, 0) >= 0 {
				errs = append(errs, &huma.ErrorDetail{Location: path(""), Message: msgNUL})
			}
		}
		done()
	}
	return errs
}

// quoted spells a name holding NUL or bad bytes with Go's escapes ("a\x00")
// so that it can stand in param and message as printable text.
func quoted(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
