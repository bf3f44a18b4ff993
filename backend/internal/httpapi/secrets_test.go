package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// TestSecretsNeverAnswered sends client secrets and connection passwords
// through every route that takes them, and checks that no answer, to
// any route, holds one: reads say client_secret_set instead.
func TestSecretsNeverAnswered(t *testing.T) {
	secrets := []string{
		"cs-created-" + unique(""), "cs-patched-" + unique(""), "cs-builtin-" + unique(""),
		"cs-refused-" + unique(""), "pw-basic-" + unique(""),
	}
	var replies []reply
	keep := func(r reply) reply {
		replies = append(replies, r)
		return r
	}

	svc := createService(t, env.key, oauthService(unique("secret-"), secrets[0]))
	path := "/api/v1/services/" + svc.ID
	if !svc.ClientSecretSet || svc.ClientSecret != "" {
		t.Errorf("got secret %q set %v on create, want \"\" true", svc.ClientSecret, svc.ClientSecretSet)
	}
	wantStatus(t, keep(call(t, http.MethodPatch, path, env.key, obj{"name": "Renamed"})), http.StatusOK)
	wantStatus(t, keep(call(t, http.MethodPatch, path, env.key, obj{"client_secret": secrets[1]})), http.StatusOK)
	wantStatus(t, keep(call(t, http.MethodPatch, "/api/v1/services/dropbox", env.key,
		obj{"client_id": "dbx-app", "client_secret": secrets[2]})), http.StatusOK)
	wantProblem(t, keep(call(t, http.MethodPatch, path, env.key,
		obj{"client_secret": secrets[3], "token_url": "not a url"})), http.StatusUnprocessableEntity, shared.CodeValidation)
	wantProblem(t, keep(call(t, http.MethodPatch, path, env.key,
		obj{"client_secret": secrets[3], "colour": "red"})), http.StatusBadRequest, shared.CodeUnknownField)
	wantProblem(t, keep(call(t, http.MethodPatch, path, env.key,
		raw(`{"client_secret": "`+secrets[3]+`",}`))), http.StatusBadRequest, shared.CodeInvalidJSON)
	def := basicService(unique("secret-basic-"))
	def["client_secret"] = secrets[3]
	wantProblem(t, keep(call(t, http.MethodPost, "/api/v1/services", env.key, def)),
		http.StatusUnprocessableEntity, shared.CodeValidation)

	f := newFixture(t, env.key)
	wantStatus(t, keep(call(t, http.MethodPost, "/api/v1/connections/"+f.conn.ID+"/authorize", env.key,
		obj{"params": obj{"user": "u", "pass": secrets[4]}})), http.StatusOK)
	wantProblem(t, keep(call(t, http.MethodPost, "/api/v1/connections/"+f.conn.ID+"/authorize", env.key,
		obj{"params": obj{"user": "u", "pass": secrets[4], "extra": secrets[4]}})),
		http.StatusUnprocessableEntity, shared.CodeValidation)

	for _, p := range []string{
		"/api/v1/services", "/api/v1/services?q=" + svc.ID, path,
		"/api/v1/services/dropbox", "/api/v1/services?q=dropbox",
		"/api/v1/connections", "/api/v1/connections/" + f.conn.ID,
		"/api/v1/connections/" + f.conn.ID + "/events",
	} {
		wantStatus(t, keep(call(t, http.MethodGet, p, env.key, nil)), http.StatusOK)
	}

	for _, r := range replies {
		for _, s := range secrets {
			if strings.Contains(string(r.body), s) {
				t.Errorf("%s %s: got the secret %q in the answer %s", r.method, r.path, s, r.body)
			}
		}
		if strings.Contains(string(r.body), `"client_secret":`) {
			t.Errorf("%s %s: got a client_secret field in %s, want only client_secret_set", r.method, r.path, r.body)
		}
		if strings.Contains(string(r.body), env.key) {
			t.Errorf("%s %s: got the API key in the answer", r.method, r.path)
		}
	}

	for _, p := range []string{path, "/api/v1/services/dropbox"} {
		s := decodeAs[shared.Service](t, call(t, http.MethodGet, p, env.key, nil))
		if !s.ClientSecretSet {
			t.Errorf("GET %s: got client_secret_set false, want true", p)
		}
	}
}
