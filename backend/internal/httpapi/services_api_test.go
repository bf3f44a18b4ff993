package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

type serviceList struct {
	Services []shared.Service `json:"services"`
}

func serviceIDs(l serviceList) []string {
	ids := make([]string, len(l.Services))
	for i, s := range l.Services {
		ids[i] = s.ID
	}
	return ids
}

func TestListServices(t *testing.T) {
	custom := createService(t, env.key, basicService(unique("listed-")))

	tests := []struct {
		name  string
		query string
		// want lists ids that must be in the answer; absent ids that
		// must not.
		want, absent []string
		// only, when set, is the auth type every answer must have.
		only shared.AuthType
	}{
		{name: "all", query: "", want: []string{"github", "youtube", custom.ID}},
		{name: "text matches name", query: "?q=GitHub", want: []string{"github"}, absent: []string{"youtube", custom.ID}},
		{name: "text matches custom id", query: "?q=" + custom.ID, want: []string{custom.ID}, absent: []string{"github"}},
		{name: "auth type basic", query: "?auth_type=basic", want: []string{custom.ID}, absent: []string{"github"}, only: shared.AuthBasic},
		{name: "auth type oauth2", query: "?auth_type=oauth2", want: []string{"github", "youtube"}, absent: []string{custom.ID}, only: shared.AuthOAuth2},
		{name: "category", query: "?category=testing", want: []string{custom.ID}, absent: []string{"github"}},
		{name: "nothing matches", query: "?q=no-such-service-anywhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, http.MethodGet, "/api/v1/services"+tt.query, env.key, nil)
			wantStatus(t, r, http.StatusOK)
			if !strings.Contains(string(r.body), `"services":[`) {
				t.Errorf("got body %s, want a services array (never null)", r.body)
			}
			l := decodeAs[serviceList](t, r)
			ids := serviceIDs(l)
			for _, id := range tt.want {
				if !slices.Contains(ids, id) {
					t.Errorf("got %v, want it to hold %q", ids, id)
				}
			}
			for _, id := range tt.absent {
				if slices.Contains(ids, id) {
					t.Errorf("got %v, want it without %q", ids, id)
				}
			}
			for _, s := range l.Services {
				if tt.only != "" && s.AuthType != tt.only {
					t.Errorf("got %s with auth type %s, want only %s", s.ID, s.AuthType, tt.only)
				}
			}
			if !slices.IsSortedFunc(l.Services, func(a, b shared.Service) int {
				return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
			}) {
				t.Errorf("got services out of name order: %v", ids)
			}
		})
	}

	t.Run("catalog has at least ten built-in services", func(t *testing.T) {
		l := decodeAs[serviceList](t, call(t, http.MethodGet, "/api/v1/services", env.key, nil))
		n := 0
		for _, s := range l.Services {
			if s.BuiltIn {
				n++
			}
		}
		if n < 10 {
			t.Errorf("got %d built-in services, want at least 10", n)
		}
	})

	t.Run("unknown auth type", func(t *testing.T) {
		r := call(t, http.MethodGet, "/api/v1/services?auth_type=saml", env.key, nil)
		p := wantProblem(t, r, http.StatusUnprocessableEntity, shared.CodeValidation)
		if !hasFieldError(p, "auth_type") {
			t.Errorf("got errors %v, want one about auth_type", p.Errors)
		}
	})
}

func TestGetService(t *testing.T) {
	custom := createService(t, env.key, basicService(unique("get-")))

	tests := []struct {
		name    string
		id      string
		status  int
		builtin bool
	}{
		{name: "built-in", id: "github", status: http.StatusOK, builtin: true},
		{name: "custom", id: custom.ID, status: http.StatusOK},
		{name: "unknown", id: "no-such-service", status: http.StatusNotFound},
		{name: "malformed id", id: "NOT%20AN%20ID", status: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, http.MethodGet, "/api/v1/services/"+tt.id, env.key, nil)
			if tt.status != http.StatusOK {
				wantProblem(t, r, tt.status, shared.CodeNotFound)
				return
			}
			wantStatus(t, r, tt.status)
			s := decodeAs[shared.Service](t, r)
			if s.ID != tt.id || s.BuiltIn != tt.builtin {
				t.Errorf("got id %q builtin %v, want %q %v", s.ID, s.BuiltIn, tt.id, tt.builtin)
			}
		})
	}
}

func TestCreateService(t *testing.T) {
	t.Run("custom basic service", func(t *testing.T) {
		id := unique("create-")
		r := call(t, http.MethodPost, "/api/v1/services", env.key, basicService(id))
		wantStatus(t, r, http.StatusCreated)
		s := decodeAs[shared.Service](t, r)
		if s.ID != id || s.BuiltIn || s.AuthType != shared.AuthBasic || s.CreatedAt.IsZero() {
			t.Errorf("got id %q builtin %v auth %s created %v, want %q false basic set",
				s.ID, s.BuiltIn, s.AuthType, s.CreatedAt, id)
		}
		if got, want := r.header.Get("Location"), "/api/v1/services/"+id; got != want {
			t.Errorf("got Location %q, want %q", got, want)
		}
		if len(s.Params) != 4 || s.Params[3].Default != "eu" {
			t.Errorf("got params %+v, want the four given", s.Params)
		}
		got := decodeAs[shared.Service](t, call(t, http.MethodGet, "/api/v1/services/"+id, env.key, nil))
		if got.Name != s.Name || got.APIBaseURL != s.APIBaseURL {
			t.Errorf("got stored %q %q, want %q %q", got.Name, got.APIBaseURL, s.Name, s.APIBaseURL)
		}
	})

	t.Run("id derived from the name", func(t *testing.T) {
		def := basicService("")
		delete(def, "id")
		def["name"] = "Derived Shop " + unique("")
		s := createService(t, env.key, def)
		if want := strings.ReplaceAll(shared.SuggestLinkName(def["name"].(string)), "_", "-"); s.ID != want {
			t.Errorf("got id %q, want %q", s.ID, want)
		}
		again := createService(t, env.key, def)
		if again.ID != s.ID+"-2" {
			t.Errorf("got second id %q, want %q", again.ID, s.ID+"-2")
		}
	})

	t.Run("name that looks like a connection id", func(t *testing.T) {
		def := basicService("")
		delete(def, "id")
		def["name"] = "abcdef0123456789abcdef02"
		s := createService(t, env.key, def)
		if shared.CheckServiceID(s.ID) != "" {
			t.Errorf("got id %q, want a valid one", s.ID)
		}
	})

	t.Run("long name used twice", func(t *testing.T) {
		def := basicService("")
		delete(def, "id")
		def["name"] = unique("Shop ") + strings.Repeat(" with a long name", 5)
		first := createService(t, env.key, def)
		second := createService(t, env.key, def)
		for _, s := range []shared.Service{first, second} {
			if msg := shared.CheckServiceID(s.ID); msg != "" {
				t.Errorf("got id %q, which %s", s.ID, msg)
			}
			r := call(t, http.MethodPatch, "/api/v1/services/"+s.ID, env.key, obj{"description": "editable"})
			wantStatus(t, r, http.StatusOK)
		}
		if first.ID == second.ID {
			t.Errorf("got the id %q twice, want two", first.ID)
		}
	})

	t.Run("name of a built-in service gets another id", func(t *testing.T) {
		def := basicService("")
		delete(def, "id")
		def["name"] = "GitHub"
		s := createService(t, env.key, def)
		if s.ID == "github" || s.BuiltIn {
			t.Errorf("got id %q builtin %v, want a custom id", s.ID, s.BuiltIn)
		}
		call(t, http.MethodDelete, "/api/v1/services/"+s.ID, env.key, nil)
	})

	t.Run("oauth2 defaults", func(t *testing.T) {
		s := createService(t, env.key, oauthService(unique("oauth-"), "s3cret-"+unique("")))
		if s.ScopeSeparator != " " || s.TokenAuthStyle != shared.TokenAuthHeader || !s.UsesPKCE() {
			t.Errorf("got separator %q style %q pkce %v, want \" \" header true",
				s.ScopeSeparator, s.TokenAuthStyle, s.UsesPKCE())
		}
		if !s.ClientSecretSet || s.ClientSecret != "" {
			t.Errorf("got secret %q set %v, want \"\" true", s.ClientSecret, s.ClientSecretSet)
		}
	})

	existing := createService(t, env.key, basicService(unique("taken-")))
	conflicts := []struct {
		name string
		id   string
	}{
		{name: "id of a built-in service", id: "github"},
		{name: "id already used", id: existing.ID},
	}
	for _, tt := range conflicts {
		t.Run(tt.name, func(t *testing.T) {
			def := basicService(tt.id)
			def["name"] = "Replacement"
			r := call(t, http.MethodPost, "/api/v1/services", env.key, def)
			wantProblem(t, r, http.StatusConflict, shared.CodeDuplicateService)
			got := decodeAs[shared.Service](t, call(t, http.MethodGet, "/api/v1/services/"+tt.id, env.key, nil))
			if got.Name == "Replacement" {
				t.Errorf("got name %q, want the service unchanged", got.Name)
			}
		})
	}

	invalid := []struct {
		name  string
		edit  func(obj)
		field string
	}{
		{name: "no name", edit: func(d obj) { d["name"] = "  " }, field: "name"},
		{name: "bad id", edit: func(d obj) { d["id"] = "Bad Id!" }, field: "id"},
		{name: "unknown auth type", edit: func(d obj) { d["auth_type"] = "saml" }, field: "auth_type"},
		{name: "bad docs url", edit: func(d obj) { d["docs_url"] = "ftp://docs.example" }, field: "docs_url"},
		{name: "bad pattern", edit: func(d obj) {
			d["params"].([]obj)[2]["pattern"] = "[a-z"
		}, field: "params[2].pattern"},
		{name: "undeclared placeholder", edit: func(d obj) {
			d["api_base_url"] = "https://{tenant}.shop.example"
		}, field: "api_base_url"},
		{name: "unclosed placeholder", edit: func(d obj) {
			d["api_base_url"] = "https://{subdomain.shop.example"
		}, field: "api_base_url"},
		{name: "basic service without a username", edit: func(d obj) {
			d["params"] = d["params"].([]obj)[1:]
		}, field: "params"},
		{name: "header parameter on a basic service", edit: func(d obj) {
			d["params"] = append(d["params"].([]obj), obj{"name": "X-Key", "in": "header"})
		}, field: "params[4].in"},
		{name: "oauth field on a basic service", edit: func(d obj) { d["client_id"] = "abc" }, field: "client_id"},
		{name: "client secret on a basic service", edit: func(d obj) { d["client_secret"] = "abc" }, field: "client_secret"},
		{name: "default not among options", edit: func(d obj) {
			d["params"].([]obj)[3]["default"] = "asia"
		}, field: "params[3].default"},
		{name: "reserved header", edit: func(d obj) {
			d["headers"] = obj{"Authorization": "x"}
		}, field: "headers"},
		{name: "name too long", edit: func(d obj) { d["name"] = strings.Repeat("n", 101) }, field: "name"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			def := basicService(unique("invalid-"))
			tt.edit(def)
			r := call(t, http.MethodPost, "/api/v1/services", env.key, def)
			p := wantProblem(t, r, http.StatusUnprocessableEntity, shared.CodeValidation)
			if !hasFieldError(p, tt.field) {
				t.Errorf("got errors %v, want one about %s", p.Errors, tt.field)
			}
			if id, ok := def["id"].(string); ok && shared.CheckServiceID(id) == "" {
				g := call(t, http.MethodGet, "/api/v1/services/"+id, env.key, nil)
				wantProblem(t, g, http.StatusNotFound, shared.CodeNotFound)
			}
		})
	}

	invalidOAuth := []struct {
		name  string
		edit  func(obj)
		field string
	}{
		{name: "no token url", edit: func(d obj) { delete(d, "token_url") }, field: "token_url"},
		{name: "default scope not a scope", edit: func(d obj) { d["default_scopes"] = []string{"delete"} }, field: "default_scopes[0]"},
		{name: "scope with a space", edit: func(d obj) {
			d["scopes"] = []obj{{"name": "read all"}}
			d["default_scopes"] = []string{}
		}, field: "scopes[0].name"},
		{name: "bad scope separator", edit: func(d obj) { d["scope_separator"] = ";" }, field: "scope_separator"},
		{name: "bad token auth style", edit: func(d obj) { d["token_auth_style"] = "jwt" }, field: "token_auth_style"},
		{name: "password parameter", edit: func(d obj) {
			d["params"] = []obj{{"name": "pw", "in": "password"}}
		}, field: "params[0].in"},
	}
	for _, tt := range invalidOAuth {
		t.Run(tt.name, func(t *testing.T) {
			def := oauthService(unique("invalid-oauth-"), "secret")
			tt.edit(def)
			r := call(t, http.MethodPost, "/api/v1/services", env.key, def)
			p := wantProblem(t, r, http.StatusUnprocessableEntity, shared.CodeValidation)
			if !hasFieldError(p, tt.field) {
				t.Errorf("got errors %v, want one about %s", p.Errors, tt.field)
			}
			g := call(t, http.MethodGet, "/api/v1/services/"+def["id"].(string), env.key, nil)
			wantProblem(t, g, http.StatusNotFound, shared.CodeNotFound)
		})
	}
}

func TestUpdateCustomService(t *testing.T) {
	svc := createService(t, env.key, oauthService(unique("patch-"), "first-secret"))
	path := "/api/v1/services/" + svc.ID

	t.Run("fields given change, others stay", func(t *testing.T) {
		r := call(t, http.MethodPatch, path, env.key, obj{
			"name": "Renamed docs", "description": "New words", "default_scopes": []string{"read", "write"},
		})
		wantStatus(t, r, http.StatusOK)
		got := decodeAs[shared.Service](t, call(t, http.MethodGet, path, env.key, nil))
		if got.Name != "Renamed docs" || got.Description != "New words" ||
			!slices.Equal(got.DefaultScopes, []string{"read", "write"}) {
			t.Errorf("got %q %q %v, want the patched values", got.Name, got.Description, got.DefaultScopes)
		}
		if got.TokenURL != svc.TokenURL || got.ClientID != svc.ClientID || !got.ClientSecretSet {
			t.Errorf("got token url %q client %q secret set %v, want them kept",
				got.TokenURL, got.ClientID, got.ClientSecretSet)
		}
		if !got.UpdatedAt.After(svc.UpdatedAt) && !got.UpdatedAt.Equal(svc.UpdatedAt) {
			t.Errorf("got updated_at %v, want at or after %v", got.UpdatedAt, svc.UpdatedAt)
		}
	})

	t.Run("null removes a field", func(t *testing.T) {
		r := call(t, http.MethodPatch, path, env.key, raw(`{"description": null}`))
		wantStatus(t, r, http.StatusOK)
		got := decodeAs[shared.Service](t, call(t, http.MethodGet, path, env.key, nil))
		if got.Description != "" {
			t.Errorf("got description %q, want none", got.Description)
		}
	})

	t.Run("client secret can be removed", func(t *testing.T) {
		other := createService(t, env.key, oauthService(unique("nosecret-"), "to-remove"))
		r := call(t, http.MethodPatch, "/api/v1/services/"+other.ID, env.key, raw(`{"client_secret": null}`))
		wantStatus(t, r, http.StatusOK)
		got := decodeAs[shared.Service](t, call(t, http.MethodGet, "/api/v1/services/"+other.ID, env.key, nil))
		if got.ClientSecretSet {
			t.Errorf("got client_secret_set true, want false")
		}
	})

	failures := []struct {
		name   string
		body   any
		status int
		code   shared.Code
		field  string
	}{
		{name: "id", body: obj{"id": "other-id"}, status: 422, code: shared.CodeValidation, field: "id"},
		{name: "auth type", body: obj{"auth_type": "basic"}, status: 422, code: shared.CodeValidation, field: "auth_type"},
		{name: "builtin flag", body: obj{"builtin": true}, status: 422, code: shared.CodeValidation, field: "builtin"},
		{name: "client_secret_set", body: obj{"client_secret_set": false}, status: 422, code: shared.CodeValidation, field: "client_secret_set"},
		{name: "unknown field", body: obj{"colour": "red"}, status: 400, code: shared.CodeUnknownField},
		{name: "wrong type", body: obj{"name": 42}, status: 422, code: shared.CodeValidation, field: "name"},
		{name: "empty name", body: obj{"name": ""}, status: 422, code: shared.CodeValidation, field: "name"},
		{name: "default scope not a scope", body: obj{"default_scopes": []string{"root"}}, status: 422, code: shared.CodeValidation, field: "default_scopes[0]"},
		{name: "bad token url", body: obj{"token_url": "not a url"}, status: 422, code: shared.CodeValidation, field: "token_url"},
		{name: "bad pattern", body: obj{"params": []obj{{"name": "tenant", "in": "placeholder", "pattern": "("}}}, status: 422, code: shared.CodeValidation, field: "params[0].pattern"},
		{name: "body not an object", body: raw(`["name"]`), status: 400, code: shared.CodeInvalidJSON},
		{name: "malformed json", body: raw(`{"name": "x"`), status: 400, code: shared.CodeInvalidJSON},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			before := call(t, http.MethodGet, path, env.key, nil)
			r := call(t, http.MethodPatch, path, env.key, tt.body)
			p := wantProblem(t, r, tt.status, tt.code)
			if tt.field != "" && !hasFieldError(p, tt.field) {
				t.Errorf("got errors %v, want one about %s", p.Errors, tt.field)
			}
			after := call(t, http.MethodGet, path, env.key, nil)
			wantUnchanged(t, string(before.body), string(after.body))
		})
	}

	t.Run("unknown service", func(t *testing.T) {
		r := call(t, http.MethodPatch, "/api/v1/services/no-such-service", env.key, obj{"name": "x"})
		wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
	})
}

func TestUpdateBuiltInService(t *testing.T) {
	// The settings are the first owner's; the second owner's view of the
	// same built-in service must not change (see TestOwnerBoundary).
	key := env.key
	path := "/api/v1/services/gitlab"
	orig := decodeAs[shared.Service](t, call(t, http.MethodGet, path, key, nil))

	t.Run("client credentials and default scopes", func(t *testing.T) {
		scopes := []string{orig.Scopes[0].Name}
		r := call(t, http.MethodPatch, path, key, obj{
			"client_id": "my-gitlab-app", "client_secret": "gitlab-secret-value", "default_scopes": scopes,
		})
		wantStatus(t, r, http.StatusOK)
		got := decodeAs[shared.Service](t, call(t, http.MethodGet, path, key, nil))
		if got.ClientID != "my-gitlab-app" || !got.ClientSecretSet || !slices.Equal(got.DefaultScopes, scopes) {
			t.Errorf("got client %q secret set %v scopes %v, want my-gitlab-app true %v",
				got.ClientID, got.ClientSecretSet, got.DefaultScopes, scopes)
		}
		if !got.BuiltIn || got.Name != orig.Name || got.TokenURL != orig.TokenURL {
			t.Errorf("got builtin %v name %q token url %q, want the catalog's", got.BuiltIn, got.Name, got.TokenURL)
		}
	})

	t.Run("empty default scopes go back to the catalog's", func(t *testing.T) {
		r := call(t, http.MethodPatch, path, key, obj{"default_scopes": []string{}})
		wantStatus(t, r, http.StatusOK)
		answered := decodeAs[shared.Service](t, r)
		stored := decodeAs[shared.Service](t, call(t, http.MethodGet, path, key, nil))
		if !slices.Equal(answered.DefaultScopes, stored.DefaultScopes) ||
			!slices.Equal(stored.DefaultScopes, orig.DefaultScopes) {
			t.Errorf("got answered %v stored %v, want both the catalog's %v",
				answered.DefaultScopes, stored.DefaultScopes, orig.DefaultScopes)
		}
		if stored.ClientID != "my-gitlab-app" || !stored.ClientSecretSet {
			t.Errorf("got client %q secret set %v, want the settings kept", stored.ClientID, stored.ClientSecretSet)
		}
	})

	failures := []struct {
		name   string
		body   any
		status int
		code   shared.Code
		field  string
	}{
		{name: "name", body: obj{"name": "My GitLab"}, status: 422, code: shared.CodeValidation, field: "name"},
		{name: "token url", body: obj{"token_url": "https://evil.example/token"}, status: 422, code: shared.CodeValidation, field: "token_url"},
		{name: "scopes", body: obj{"scopes": []obj{{"name": "x"}}}, status: 422, code: shared.CodeValidation, field: "scopes"},
		{name: "setting and a fixed field", body: obj{"client_id": "changed", "api_base_url": "https://evil.example"}, status: 422, code: shared.CodeValidation, field: "api_base_url"},
		{name: "default scope not a scope", body: obj{"default_scopes": []string{"no-such-scope"}}, status: 422, code: shared.CodeValidation, field: "default_scopes[0]"},
		{name: "client id of the wrong type", body: obj{"client_id": true}, status: 422, code: shared.CodeValidation, field: "client_id"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			before := call(t, http.MethodGet, path, key, nil)
			r := call(t, http.MethodPatch, path, key, tt.body)
			p := wantProblem(t, r, tt.status, tt.code)
			if !hasFieldError(p, tt.field) {
				t.Errorf("got errors %v, want one about %s", p.Errors, tt.field)
			}
			after := call(t, http.MethodGet, path, key, nil)
			wantUnchanged(t, string(before.body), string(after.body))
		})
	}
}

func TestDeleteService(t *testing.T) {
	t.Run("unused custom service", func(t *testing.T) {
		svc := createService(t, env.key, basicService(unique("del-")))
		path := "/api/v1/services/" + svc.ID
		wantStatus(t, call(t, http.MethodDelete, path, env.key, nil), http.StatusNoContent)
		wantProblem(t, call(t, http.MethodGet, path, env.key, nil), http.StatusNotFound, shared.CodeNotFound)
		wantProblem(t, call(t, http.MethodDelete, path, env.key, nil), http.StatusNotFound, shared.CodeNotFound)
	})

	t.Run("built-in service", func(t *testing.T) {
		r := call(t, http.MethodDelete, "/api/v1/services/github", env.key, nil)
		wantProblem(t, r, http.StatusConflict, shared.CodeBuiltInReadOnly)
		wantStatus(t, call(t, http.MethodGet, "/api/v1/services/github", env.key, nil), http.StatusOK)
	})

	t.Run("unknown service", func(t *testing.T) {
		r := call(t, http.MethodDelete, "/api/v1/services/no-such-service", env.key, nil)
		wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
	})

	t.Run("in use, then free", func(t *testing.T) {
		f := newFixture(t, env.key)
		path := "/api/v1/services/" + f.svc.ID
		r := call(t, http.MethodDelete, path, env.key, nil)
		wantProblem(t, r, http.StatusConflict, shared.CodeServiceInUse)
		wantStatus(t, call(t, http.MethodGet, path, env.key, nil), http.StatusOK)

		wantStatus(t, call(t, http.MethodDelete, "/api/v1/connections/"+f.conn.ID, env.key, nil), http.StatusNoContent)
		wantStatus(t, call(t, http.MethodDelete, path, env.key, nil), http.StatusNoContent)
	})
}
