package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/service"
)

// maxIdempotencyKey is the longest Idempotency-Key accepted.
const maxIdempotencyKey = 255

// securitySchemes names the two ways to authenticate in the OpenAPI
// document; every /v1 operation accepts either.
var securitySchemes = map[string]*huma.SecurityScheme{
	"apiKey": {
		Type:        "http",
		Scheme:      "bearer",
		Description: "An API key: admin, usage, or scoped to one account.",
	},
	"subaccount": {
		Type:        "http",
		Scheme:      "basic",
		Description: "A subaccount's auth id as the user name and its auth token as the password.",
	},
}

var operationSecurity = []map[string][]string{{"apiKey": {}}, {"subaccount": {}}}

// authenticate runs before huma reads the request: it establishes the
// caller, and for a mutation checks the Idempotency-Key and hashes the
// request. Anything it refuses is answered here, before the body is
// decoded, so an unauthenticated client learns nothing about the schema.
func (h *handler) authenticate(hctx huma.Context, next func(huma.Context)) {
	r, w := humago.Unwrap(hctx)
	ctx := r.Context()
	st := stateFrom(ctx)
	if st == nil { // logRequests puts it there; without it the call would have no caller
		writeError(w, errorFor(ctx, errors.New("request state missing")))
		return
	}

	caller, errb := h.identify(ctx, r)
	if errb != nil {
		writeError(w, errb)
		return
	}
	st.caller = caller
	if h.limits != nil {
		if wait, ok := h.limits.allow(caller); !ok {
			writeError(w, rateLimited(caller, wait))
			return
		}
	}

	if isMutation(r.Method) {
		key := r.Header.Get("Idempotency-Key")
		if len(key) > maxIdempotencyKey {
			writeError(w, newErrorBody(coffer.EInvalid,
				"Idempotency-Key must be at most 255 characters", "Idempotency-Key", nil))
			return
		}
		body, errb := readBody(hctx, r)
		if errb == nil {
			// Checked here, where the body has just been read within its
			// limits, and after authentication, like every other refusal
			// that concerns the request's shape.
			errb = unexpectedBody(hctx.Operation(), body)
		}
		if errb != nil {
			writeError(w, errb)
			return
		}
		if errb := checkRequestText(hctx, r, body); errb != nil {
			writeError(w, errb)
			return
		}
		// huma reads the body next; give it the bytes just read.
		rb := &replayBody{}
		rb.Reset(body)
		r.Body = rb
		st.idemKey = key
		// The hash is only ever compared under an Idempotency-Key: a
		// request without one (every debit the Go client sends) skips
		// the SHA-256 of its body.
		if key != "" {
			st.hash = requestHash(r.Method, r.URL.RequestURI(), body)
		}
		st.svc = h.svc
	} else if errb := checkRequestText(hctx, r, nil); errb != nil {
		writeError(w, errb)
		return
	}
	next(hctx)
}

// identify resolves the Authorization header to a caller.
func (h *handler) identify(ctx context.Context, r *http.Request) (*service.Caller, *errorBody) {
	authz := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(authz, " ")
	var (
		caller *service.Caller
		err    error
	)
	switch strings.ToLower(scheme) {
	case "":
		return nil, unauthenticated("no credentials: send Authorization: Bearer <api key>, or HTTP Basic with a subaccount's auth id and token")
	case "bearer":
		token := strings.TrimSpace(cred)
		if token == "" {
			return nil, unauthenticated("the bearer token is empty")
		}
		caller, err = h.auth.Authenticate(ctx, token)
	case "basic":
		authID, token, ok := r.BasicAuth()
		if !ok || authID == "" || token == "" {
			return nil, unauthenticated("malformed HTTP Basic credentials: expected a subaccount's auth id and token")
		}
		// No auth id holds such text, and looking one up would make the
		// store fail instead of simply not find it.
		if textProblem(authID) != "" || textProblem(token) != "" {
			return nil, unauthenticated("invalid credentials")
		}
		caller, err = h.auth.AuthenticateSubaccount(ctx, authID, token)
	default:
		return nil, unauthenticated("unsupported authorization scheme " + scheme + ": use Bearer or Basic")
	}
	if err != nil {
		var ce *coffer.Error
		if errors.As(err, &ce) {
			switch ce.Code {
			case coffer.EUnauthenticated:
				return nil, newErrorBody(coffer.EUnauthenticated, ce.Message, "", nil)
			case coffer.ENotFound, coffer.EInvalid:
				// Whether a key or auth id exists is not the caller's business.
				return nil, unauthenticated("invalid credentials")
			}
		}
		return nil, errorFor(ctx, err)
	}
	if caller == nil {
		return nil, errorFor(ctx, errors.New("authentication returned no caller"))
	}
	return caller, nil
}

func unauthenticated(msg string) *errorBody {
	return newErrorBody(coffer.EUnauthenticated, msg, "", nil)
}

func isMutation(method string) bool {
	return method == http.MethodPost || method == http.MethodPatch || method == http.MethodPut || method == http.MethodDelete
}

// readBody reads the whole request body within the operation's size and
// time limits.
func readBody(hctx huma.Context, r *http.Request) ([]byte, *errorBody) {
	limit := int64(maxBodyBytes)
	timeout := 5 * time.Second
	if op := hctx.Operation(); op != nil {
		if op.MaxBodyBytes > 0 {
			limit = op.MaxBodyBytes
		}
		if op.BodyReadTimeout > 0 {
			timeout = op.BodyReadTimeout
		}
	}
	if r.Body == nil {
		return nil, nil
	}
	_ = hctx.SetReadDeadline(time.Now().Add(timeout)) // socket deadlines are on the wall clock by definition
	defer func() { _ = hctx.SetReadDeadline(time.Time{}) }()
	// huma refuses a body of exactly the limit; read one byte more to match.
	body, err := readAtMost(r.Body, limit, r.ContentLength)
	_ = r.Body.Close()
	if int64(len(body)) >= limit {
		e := newErrorBody(coffer.EInvalid, "request body is too large", "", nil)
		e.status = http.StatusRequestEntityTooLarge
		return nil, e
	}
	if err != nil {
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			e := newErrorBody(coffer.EInvalid, "timed out reading the request body", "", nil)
			e.status = http.StatusRequestTimeout
			return nil, e
		}
		e := newErrorBody(coffer.EInvalid, "cannot read the request body", "", nil)
		return nil, e
	}
	return body, nil
}

// requestHash identifies a request for the idempotency check: the same key
// sent with a different method, path, query or body is a different
// request. It is the hex SHA-256 of method, "\n", path with query, "\n",
// and the raw body bytes.
func requestHash(method, uri string, body []byte) string {
	sum := sha256.New()
	sum.Write([]byte(method))
	sum.Write([]byte("\n"))
	sum.Write([]byte(uri))
	sum.Write([]byte("\n"))
	sum.Write(body)
	var digest [sha256.Size]byte
	var text [2 * sha256.Size]byte
	hex.Encode(text[:], sum.Sum(digest[:0]))
	return string(text[:])
}

// callFrom returns what the service needs to know about the request.
func callFrom(ctx context.Context) service.Call {
	st := stateFrom(ctx)
	if st == nil {
		return service.Call{}
	}
	return service.Call{Caller: st.caller, IdempotencyKey: st.idemKey, RequestHash: st.hash}
}
