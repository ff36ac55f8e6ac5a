package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/store"
)

// API keys, for staff: the list, a form to create one (its secret shown
// on that answer only), a key's page with rotation, and revocation after
// a confirmation. The service allows all of it to admin callers only.

func apiKeysRoutes() []route {
	return []route{
		{pattern: "GET /api-keys", access: staff, nav: "API keys", handle: apiKeysPage},
		{pattern: "POST /api-keys", access: staff, handle: createAPIKey},
		{pattern: "GET /api-keys/{key}", access: staff, handle: apiKeyPage},
		{pattern: "POST /api-keys/{key}/rotate", access: staff, handle: rotateAPIKey},
		{pattern: "GET /api-keys/{key}/revoke", access: staff, handle: confirmRevokeAPIKey},
		{pattern: "POST /api-keys/{key}/revoke", access: staff, handle: revokeAPIKey},
	}
}

type apiKeysData struct {
	Create *form
	// Created is the key this answer made, by creation or rotation. Its
	// Secret is set only on the answer that made it; a form sent again
	// gets the key without it.
	Created     *api.APIKey
	RotatedFrom string // the key a rotation succeeded, when it was one
	Keys        []*api.APIKey
	Next, First string
}

const apiKeyFields = "role account_id name expires_at"

func apiKeyForm(values url.Values) *form {
	if values == nil {
		values = url.Values{"role": {"account"}}
	}
	return newForm("key", values, strings.Fields(apiKeyFields)...)
}

func apiKeysPage(q *request) error {
	return q.renderAPIKeys(http.StatusOK, &apiKeysData{Create: apiKeyForm(nil)})
}

func (q *request) renderAPIKeys(status int, d *apiKeysData) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	qv := q.r.URL.Query()
	list, err := q.c.svc.ListAPIKeys(q.r.Context(), call, store.Page{Limit: pageSize, StartingAfter: qv.Get("starting_after")})
	if err != nil {
		return err
	}
	d.Keys = list.Data
	last := ""
	if n := len(list.Data); n > 0 {
		last = list.Data[n-1].ID
	}
	d.Next, d.First = pagerLinks(qv, list.HasMore, last)
	return q.render(status, "apikeys", d)
}

func createAPIKey(q *request) error {
	f := apiKeyForm(q.r.PostForm)
	in, err := apiKeyInput(f.Values)
	if err == nil {
		var call service.Call
		if call, err = q.mutation(); err == nil {
			var k *api.APIKey
			k, err = service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.APIKey, error) {
				return q.c.svc.CreateAPIKeyCall(ctx, call, in)
			})
			if err == nil {
				// The secret is on this answer only, never in a redirect.
				return q.renderAPIKeys(http.StatusCreated, &apiKeysData{Create: apiKeyForm(nil), Created: k})
			}
		}
	}
	if !f.fail(err) {
		return err
	}
	return q.renderAPIKeys(coffer.HTTPStatus(coffer.ErrorCode(err)), &apiKeysData{Create: f})
}

// apiKeyInput reads the create form into the API's request; the service
// checks the role and account. An expiry day is the start of that day,
// UTC, as a grant's is.
func apiKeyInput(v url.Values) (api.APIKeyCreate, error) {
	in := api.APIKeyCreate{Role: v.Get("role"), AccountID: strings.TrimSpace(v.Get("account_id")), Name: strings.TrimSpace(v.Get("name"))}
	exp, err := parseDay("expires_at", v.Get("expires_at"), 0)
	if err != nil {
		return in, err
	}
	if !exp.IsZero() {
		in.ExpiresAt = &exp
	}
	return in, nil
}

type apiKeyData struct {
	Key    *api.APIKey
	Rotate *form // nil once the key is no longer active or was rotated
}

func rotateForm(values url.Values) *form {
	if values == nil {
		values = url.Values{"overlap": {"24h"}}
	}
	return newForm("rotate", values, "overlap", "name")
}

func apiKeyPage(q *request) error {
	return q.renderAPIKey(http.StatusOK, rotateForm(nil))
}

func (q *request) renderAPIKey(status int, rotate *form) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	k, err := q.c.svc.GetAPIKey(q.r.Context(), call, q.r.PathValue("key"))
	if err != nil {
		return err
	}
	d := &apiKeyData{Key: k}
	if k.Status == "active" && k.ReplacedBy == "" {
		d.Rotate = rotate
	}
	return q.render(status, "apikey", d)
}

func rotateAPIKey(q *request) error {
	f := rotateForm(q.r.PostForm)
	call, err := q.mutation()
	if err != nil {
		return err
	}
	id := q.r.PathValue("key")
	next, err := service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.APIKey, error) {
		return q.c.svc.RotateAPIKey(ctx, call, id, api.APIKeyRotate{Overlap: strings.TrimSpace(f.Values.Get("overlap")),
			Name: strings.TrimSpace(f.Values.Get("name"))})
	})
	if err == nil {
		return q.renderAPIKeys(http.StatusCreated, &apiKeysData{Create: apiKeyForm(nil), Created: next, RotatedFrom: id})
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	return q.renderAPIKey(coffer.HTTPStatus(coffer.ErrorCode(err)), f)
}

func confirmRevokeAPIKey(q *request) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	k, err := q.c.svc.GetAPIKey(q.r.Context(), call, q.r.PathValue("key"))
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "confirm-removal", &removalData{
		Title:  "Revoke API key " + apiKeyLabel(k) + "?",
		Lead:   "Every request made with it is refused from now on, on every Coffer process within about a second. A revoked key cannot be restored; create a new one instead.",
		Action: "/api-keys/" + k.ID + "/revoke",
		Button: "Revoke key",
		Back:   "/api-keys/" + k.ID,
		Form:   newForm("revoke", nil),
	})
}

// apiKeyLabel names a key in a sentence: its name, or its id.
func apiKeyLabel(k *api.APIKey) string {
	if k.Name != "" {
		return k.Name
	}
	return k.ID
}

func revokeAPIKey(q *request) error {
	call, err := q.mutation()
	if err != nil {
		return err
	}
	k, err := service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.APIKey, error) {
		return q.c.svc.RevokeAPIKey(ctx, call, q.r.PathValue("key"))
	})
	if err != nil {
		return err
	}
	return q.redirect("/api-keys", "Revoked API key "+apiKeyLabel(k)+".")
}
