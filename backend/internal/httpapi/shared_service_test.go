package httpapi_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	validator "github.com/pb33f/libopenapi-validator"

	"github.com/plugboard/plugboard/shared"
)

// TestSharedConnectionNamesOwnersService checks that a user a connection
// is shared with reads a summary of the owner's service with it, in the
// list and by id or link name, even when a service of their own has the
// same id; and that the owner reads no summary.
func TestSharedConnectionNamesOwnersService(t *testing.T) {
	viewerID, viewerKey := newUser(t, "viewer-")
	secret := unique("owner-client-secret-")
	custom := unique("same-id-")
	owners := oauthService(custom, secret)
	owners["docs_url"] = "https://docs.example/api"
	createService(t, env.key, owners)
	impostor := basicService(custom)
	impostor["name"], impostor["api_base_url"] = "Viewer's own", "https://viewer.example"
	createService(t, viewerKey, impostor)
	templated := createService(t, env.key, basicService(unique("shop-")))
	github := mustBuiltIn(t, "github")
	v := answerValidator(t)

	for _, tc := range []struct {
		name, serviceID string
		config          obj
		want            shared.ServiceSummary
	}{
		{"custom service whose id the viewer also uses", custom, nil, shared.ServiceSummary{
			ID: custom, Name: "Docs " + custom, AuthType: shared.AuthOAuth2,
			APIBaseURL: "https://api.docs.example", DocsURL: "https://docs.example/api",
		}},
		{"base URL with a placeholder", templated.ID, obj{"subdomain": "acme"}, shared.ServiceSummary{
			ID: templated.ID, Name: templated.Name, AuthType: shared.AuthBasic,
			APIBaseURL: "https://{subdomain}.shop.example/api",
		}},
		{"built-in service", github.ID, nil, shared.SummaryOf(github)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := createConnection(t, env.key, obj{"name": unique("Shared "),
				"service_id": tc.serviceID, "config": tc.config})
			share(t, "/api/v1/connections/"+c.ID, viewerID)

			for _, r := range sharedAnswers(t, viewerKey, c) {
				got := connectionIn(t, r, c.ID)
				if got.Service == nil || *got.Service != tc.want {
					t.Errorf("%s: got service %+v, want %+v", r, got.Service, tc.want)
				}
				for _, s := range []string{secret, "client-" + custom, "Viewer's own", "viewer.example"} {
					if bytes.Contains(r.body, []byte(s)) {
						t.Errorf("%s: the answer holds %q", r, s)
					}
				}
				wantDescribed(t, v, r)
			}
			for _, r := range sharedAnswers(t, env.key, c) {
				if got := connectionIn(t, r, c.ID); got.Service != nil || got.SharedBy != "" {
					t.Errorf("%s: got service %+v shared by %q in the owner's answer, want neither",
						r, got.Service, got.SharedBy)
				}
			}
		})
	}
}

// mustBuiltIn reads a catalog service as the first owner sees it.
func mustBuiltIn(t *testing.T, id string) shared.Service {
	t.Helper()
	r := call(t, http.MethodGet, "/api/v1/services/"+id, env.key, nil)
	wantStatus(t, r, http.StatusOK)
	s := decodeAs[shared.Service](t, r)
	if !s.BuiltIn || s.Icon == "" {
		t.Fatalf("got %+v, want a built-in service with an icon", s)
	}
	return s
}

// sharedAnswers are the answers that show c to the owner of key: the
// list, and c read by id and by link name.
func sharedAnswers(t *testing.T, key string, c shared.Connection) []reply {
	t.Helper()
	var out []reply
	for _, p := range []string{"", "/" + c.ID, "/" + c.LinkName} {
		r := call(t, http.MethodGet, "/api/v1/connections"+p, key, nil)
		wantStatus(t, r, http.StatusOK)
		out = append(out, r)
	}
	return out
}

// connectionIn finds the connection with id in an answer that is either
// one connection or a list of them.
func connectionIn(t *testing.T, r reply, id string) shared.Connection {
	t.Helper()
	if !strings.HasSuffix(r.path, "/connections") {
		return decodeAs[shared.Connection](t, r)
	}
	for _, c := range decodeAs[connectionList](t, r).Connections {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("%s: got no connection %s in the list", r, id)
	return shared.Connection{}
}

// answerValidator checks answers against openapi.json.
func answerValidator(t *testing.T) validator.Validator {
	t.Helper()
	_, doc, _ := oaLoad(t)
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("build a validator: %v", errs)
	}
	return v
}

// wantDescribed checks a successful answer against openapi.json.
func wantDescribed(t *testing.T, v validator.Validator, r reply) {
	t.Helper()
	req, err := http.NewRequest(r.method, r.path, nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	resp := &http.Response{StatusCode: r.status, Header: r.header,
		Body: io.NopCloser(bytes.NewReader(r.body)), Request: req}
	if ok, verrs := v.ValidateHttpResponse(req, resp); !ok {
		for _, e := range verrs {
			t.Errorf("%s: not as %s describes: %s", r, oaDocFile, oaDescribe(e))
		}
	}
}
