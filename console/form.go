package console

import (
	"errors"
	"net/url"
	"slices"

	"github.com/cofferdev/coffer"
)

// form is a form being drawn: its values, and the errors of its last
// sending, each next to the field it concerns. Field names are the API's
// (amount, expires_at, reason, …), so a service error's param names the
// field to put its message beside, in the service's own words.
type form struct {
	// ID prefixes the ids of the form's elements, so two forms on one
	// page (a void form per grant) never share one.
	ID     string
	Values url.Values
	Errors map[string]string
	// Error is a refusal that concerns no one field of the form.
	Error string
	// Key is the form's idempotency key (request.mutation).
	Key    string
	fields []string
}

// newForm makes a form with the given fields and values.
func newForm(id string, values url.Values, fields ...string) *form {
	if values == nil {
		values = url.Values{}
	}
	return &form{ID: id, Values: values, Errors: map[string]string{}, Key: newFormKey(), fields: fields}
}

// fail records a refusal: beside its field when the form has one of that
// name, else for the whole form. It reports false, recording nothing,
// for an error that is not the form's to show, which the caller returns
// instead: a failure of Coffer's, or a session that ended (answered by
// sending the user to sign in), except on the sign-in form itself, where
// "unauthenticated" is wrong credentials.
func (f *form) fail(err error) bool {
	var e *coffer.Error
	if !errors.As(err, &e) || e.Code == coffer.EInternal || e.Code == coffer.EUnauthenticated && f.ID != signInFormID {
		return false
	}
	if e.Param != "" && slices.Contains(f.fields, e.Param) {
		f.Errors[e.Param] = e.Message
	} else {
		f.Error = e.Message
	}
	return true
}

// failed reports whether the form has any error to show.
func (f *form) failed() bool { return f.Error != "" || len(f.Errors) > 0 }

// field is one labelled input as the "field" template draws it.
type field struct {
	ID, Name, Label, Type, Value, Error, Hint string
	Options                                   []option
	Required                                  bool
	Attrs                                     map[string]string
}

type option struct{ Value, Label string }

// Input is a text-like input (type text, number, date, password, email).
func (f *form) Input(name, label, typ string) field {
	return field{ID: f.ID + "-" + name, Name: name, Label: label, Type: typ, Value: f.Values.Get(name), Error: f.Errors[name]}
}

// Select is a select of value/label pairs.
func (f *form) Select(name, label string, pairs ...string) field {
	fl := f.Input(name, label, "select")
	for i := 0; i+1 < len(pairs); i += 2 {
		fl.Options = append(fl.Options, option{Value: pairs[i], Label: pairs[i+1]})
	}
	return fl
}

// The field modifiers templates pipe a field through:
// {{template "field" (.Form.Input "amount" "Amount" "text" | hint "As 25.00" | required)}}.

func withHint(h string, f field) field { f.Hint = h; return f }
func withRequired(f field) field       { f.Required = true; return f }
func withAttr(k, v string, f field) field {
	m := map[string]string{k: v}
	for a, b := range f.Attrs {
		m[a] = b
	}
	f.Attrs = m
	return f
}
