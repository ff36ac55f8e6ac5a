package service

import (
	"net/mail"
	"regexp"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/store"
)

// Limits on free-form input, so no request can store unbounded text.
const (
	maxName         = 200
	maxText         = 1000
	maxEventID      = 255
	maxMetadata     = 50
	maxMetaKey      = 40
	maxMetaValue    = 500
	maxEmails       = 10
	defaultLimit    = 20
	maxLimit        = 100
	defaultPriority = 50
	maxPriority     = 1000
)

var unitName = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

func checkText(param, v string, max int) error {
	if len(v) > max {
		return coffer.Invalid(param, "is %d characters long; at most %d are allowed", len(v), max)
	}
	return nil
}

func checkEmail(param, v string) error {
	if v == "" {
		return nil
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v {
		return coffer.Invalid(param, "%q is not an email address such as \"billing@example.com\"", v)
	}
	return nil
}

func checkEmails(param string, vs []string) error {
	if len(vs) > maxEmails {
		return coffer.Invalid(param, "has %d addresses; at most %d are allowed", len(vs), maxEmails)
	}
	for _, v := range vs {
		if v == "" {
			return coffer.Invalid(param, "contains an empty address")
		}
		if err := checkEmail(param, v); err != nil {
			return err
		}
	}
	return nil
}

// checkMetadata checks a metadata map; prefix places it within a batch
// ("debits[3].").
func checkMetadata(prefix string, md map[string]string) error {
	param := prefix + "metadata"
	if len(md) > maxMetadata {
		return coffer.Invalid(param, "has %d keys; at most %d are allowed", len(md), maxMetadata)
	}
	for k, v := range md {
		if k == "" || len(k) > maxMetaKey {
			return coffer.Invalid(param, "keys must be 1 to %d characters long, got %q", maxMetaKey, k)
		}
		if len(v) > maxMetaValue {
			return coffer.Invalid(param+"."+k, "is longer than %d characters", maxMetaValue)
		}
	}
	return nil
}

// checkEventTypes checks a list of event types or patterns ("account.*").
func checkEventTypes(param string, types []string) error {
	if len(types) > maxEndpointTypes {
		return coffer.Invalid(param, "lists %d types; at most %d", len(types), maxEndpointTypes)
	}
	for _, t := range types {
		if t == "" || len(t) > 100 || strings.ContainsAny(t, " \t\n") {
			return coffer.Invalid(param, "%q is not an event type such as \"balance.alert_triggered\" or \"account.*\"", t)
		}
	}
	return nil
}

func checkUnit(param, u string) error {
	if !unitName.MatchString(u) {
		return coffer.Invalid(param, "%q is not a unit name: use lower-case letters, digits, '_', '.' or '-', starting with a letter (as \"api_call\")", u)
	}
	return nil
}

func checkEventID(param, id string, required bool) error {
	if id == "" && required {
		return coffer.Invalid(param, "is required: the id of the usage event, so a retried debit is applied once")
	}
	return checkText(param, id, maxEventID)
}

// page validates list parameters and fills in the default limit.
func page(p store.Page, prefix string) (store.Page, error) {
	switch {
	case p.Limit == 0:
		p.Limit = defaultLimit
	case p.Limit < 0 || p.Limit > maxLimit:
		return p, coffer.Invalid("limit", "must be between 1 and %d", maxLimit)
	}
	if p.StartingAfter != "" {
		if err := coffer.CheckID("starting_after", prefix, p.StartingAfter); err != nil {
			return p, err
		}
	}
	return p, nil
}
