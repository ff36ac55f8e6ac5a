package httpapi

import (
	"bytes"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer"
)

// unexpectedBody refuses a body sent to an operation that declares none,
// such as closing an account or releasing a hold. huma ignores a body no
// input field reads, so without this check `POST /v1/accounts/{id}/close`
// with `{"amount":` closed the account: a client that sends a body to such
// a route meant something else (the wrong route, a truncated request), and
// acting on it would hide the mistake behind a change that cannot be
// undone. An empty body, whitespace, or an empty object `{}`, which many
// clients send by habit with every POST, is accepted. It keys on the
// operation having no body schema, so a route added later is covered
// without code of its own.
func unexpectedBody(op *huma.Operation, body []byte) *errorBody {
	if op == nil || op.RequestBody != nil || isEmptyBody(body) {
		return nil
	}
	return newErrorBody(coffer.EInvalid,
		op.Method+" "+op.Path+" takes no request body; send none (or {})", "", nil)
}

// isEmptyBody reports whether body is empty, JSON whitespace, or {} with
// only whitespace inside and around it.
func isEmptyBody(body []byte) bool {
	const ws = " \t\r\n" // JSON's whitespace, not Unicode's
	b := bytes.Trim(body, ws)
	if len(b) == 0 {
		return true
	}
	inner, ok := bytes.CutPrefix(b, []byte("{"))
	if !ok {
		return false
	}
	inner, ok = bytes.CutSuffix(inner, []byte("}"))
	return ok && len(bytes.Trim(inner, ws)) == 0
}
