package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	oaerrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/paths"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/plugboard/plugboard/backend/internal/httpapi"
	"github.com/plugboard/plugboard/shared"
)

// oaAuth is how a request in TestOpenAPIDescribesAnswers authenticates.
type oaAuth int

const (
	oaKey        oaAuth = iota // the owner's API key
	oaNone                     // nothing
	oaBasic                    // an Authorization header of the wrong scheme
	oaCookie                   // the session cookie without its CSRF token
	oaCookieCSRF               // the session cookie and its CSRF token
	oaAdmin                    // the first owner's API key, an admin's
)

// oaStep is one real request and what the server must answer.
type oaStep struct {
	name         string
	auth         oaAuth
	method, path string
	// body is sent as it is, as JSON unless contentType says otherwise.
	body        string
	contentType string
	status      int
	// code is the problem's code, for error answers.
	code shared.Code
	// offContract marks a request that breaks the description on purpose
	// (no key, a value out of range): only the answer is checked.
	offContract bool
	// untilStatus repeats the request until status comes, checking every
	// answer on the way.
	untilStatus bool
}

// oaSteps walks through the API as a person's program would, with the
// mistakes such programs make. upstream is a fake API-key service.
func oaSteps(upstream string) []oaStep {
	service := fmt.Sprintf(`{"id":"oa-api","name":"OpenAPI probe","auth_type":"api_key",
		"api_base_url":%q,"verify_request":{"path":"/me"},
		"params":[{"name":"key","display_name":"API key","in":"query",
			"secret":true,"required":true}]}`,
		upstream+"/v1")
	conn := func(name, link, svc string) string {
		return fmt.Sprintf(`{"name":%q,"link_name":%q,"service_id":%q}`, name, link, svc)
	}
	const (
		goodKey  = `{"params":{"key":"good-key"}}`
		badKey   = `{"params":{"key":"wrong-key"}}`
		svcs     = "/api/v1/services"
		keys     = "/api/v1/keys"
		conns    = "/api/v1/connections"
		probe    = conns + "/oa_main"
		tube     = conns + "/oa_tube"
		users    = "/api/v1/users"
		person   = `{"username":"oa-person","role":"member","password":"oa person password"}`
		password = "/api/v1/account/password"
	)
	get, post, patch, del := http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	return []oaStep{
		{name: "health", auth: oaNone, method: get, path: "/api/v1/health", status: 200},
		{name: "description", auth: oaNone, method: get, path: "/api/v1/openapi.json", status: 200},
		{name: "meta without key", auth: oaNone, method: get, path: "/api/v1/meta",
			status: 401, code: shared.CodeUnauthorized, offContract: true},
		{name: "meta with basic auth", auth: oaBasic, method: get, path: "/api/v1/meta",
			status: 401, code: shared.CodeUnauthorized, offContract: true},
		{name: "meta", method: get, path: "/api/v1/meta", status: 200},
		{name: "session of a key", method: get, path: "/api/v1/session", status: 200},

		{name: "sign in with a wrong key", auth: oaNone, method: post, path: "/api/v1/session",
			body: `{"api_key":"pb_wrong"}`, status: 401, code: shared.CodeUnauthorized},
		{name: "sign in with two credentials", auth: oaNone, method: post, path: "/api/v1/session",
			body: `{"api_key":"a","login_token":"b"}`, status: 422, code: shared.CodeValidation,
			offContract: true},
		{name: "sign in", auth: oaNone, method: post, path: "/api/v1/session",
			body: `{"api_key":"$KEY"}`, status: 200},
		{name: "session of a cookie", auth: oaCookie, method: get, path: "/api/v1/session",
			status: 200},
		{name: "change without CSRF token", auth: oaCookie, method: post, path: conns,
			body: conn("No", "no_csrf", "youtube"), status: 403, code: shared.CodeForbidden,
			offContract: true},

		{name: "create key", method: post, path: keys,
			body: `{"name":"Reader","rights":["read"]}`, status: 201},
		{name: "create key without rights", method: post, path: keys,
			body: `{"name":"None","rights":[]}`, status: 422, code: shared.CodeValidation,
			offContract: true},
		{name: "create key with unknown field", method: post, path: keys,
			body: `{"name":"X","rights":["use"],"expires":"never"}`, status: 400,
			code: shared.CodeUnknownField, offContract: true},
		{name: "list keys", method: get, path: keys, status: 200},
		{name: "delete key", method: del, path: keys + "/$KEYID", status: 204},
		{name: "delete key again", method: del, path: keys + "/$KEYID", status: 404,
			code: shared.CodeNotFound},

		{name: "list services", method: get, path: svcs + "?auth_type=oauth2&q=you", status: 200},
		{name: "list services of a bad type", method: get, path: svcs + "?auth_type=saml",
			status: 422, code: shared.CodeValidation, offContract: true},
		{name: "get built-in service", method: get, path: svcs + "/youtube", status: 200},
		{name: "get unknown service", method: get, path: svcs + "/nope", status: 404,
			code: shared.CodeNotFound},
		{name: "create service", auth: oaCookieCSRF, method: post, path: svcs,
			body: service, status: 201},
		{name: "create service twice", method: post, path: svcs, body: service,
			status: 409, code: shared.CodeDuplicateService},
		{name: "create service with unknown field", method: post, path: svcs,
			body: `{"name":"X","auth_type":"api_key","colour":"red"}`, status: 400,
			code: shared.CodeUnknownField, offContract: true},
		{name: "create service from text", method: post, path: svcs,
			body: `name=X`, contentType: "text/plain", status: 415,
			code: shared.CodeUnsupportedMedia, offContract: true},
		{name: "create service without name", method: post, path: svcs,
			body: `{"name":"","auth_type":"api_key"}`, status: 422, code: shared.CodeValidation},
		{name: "change service", method: patch, path: svcs + "/oa-api",
			body: `{"description":"Answers like a real API.","docs_url":null}`, status: 200},
		{name: "rename built-in service", method: patch, path: svcs + "/youtube",
			body: `{"name":"MyTube"}`, status: 422, code: shared.CodeValidation},
		{name: "delete built-in service", method: del, path: svcs + "/youtube",
			status: 409, code: shared.CodeBuiltInReadOnly},

		{name: "create connection", method: post, path: conns,
			body: conn("Probe", "oa_main", "oa-api"), status: 201},
		{name: "create connection twice", method: post, path: conns,
			body: conn("Probe", "oa_main", "oa-api"), status: 409,
			code: shared.CodeDuplicateLinkName},
		{name: "create connection to nothing", method: post, path: conns,
			body: conn("Lost", "oa_lost", "nope"), status: 422, code: shared.CodeValidation},
		{name: "list connections", method: get, path: conns + "?status=pending&q=probe",
			status: 200},
		{name: "list connections of a bad status", method: get, path: conns + "?status=gone",
			status: 422, code: shared.CodeValidation, offContract: true},
		{name: "get connection", method: get, path: probe, status: 200},
		{name: "get unknown connection", method: get, path: conns + "/oa_none",
			status: 404, code: shared.CodeNotFound},
		{name: "rename connection", method: patch, path: probe,
			body: `{"name":"Probe (main)"}`, status: 200},
		{name: "events", method: get, path: probe + "/events", status: 200},
		{name: "token of an API key", method: get, path: probe + "/token",
			status: 409, code: shared.CodeWrongAuthType},
		{name: "verify before authorizing", method: post, path: probe + "/verify",
			status: 409, code: shared.CodeNotConnected},
		{name: "revoke before authorizing", method: post, path: probe + "/revoke",
			status: 409, code: shared.CodeWrongStatus},
		{name: "proxy before authorizing", method: get, path: probe + "/proxy/items",
			status: 409, code: shared.CodeNotConnected},
		{name: "authorize with a wrong key", method: post, path: probe + "/authorize",
			body: badKey, status: 422, code: shared.CodeCredentialsRejected},
		{name: "authorize", method: post, path: probe + "/authorize",
			body: goodKey, status: 200},
		{name: "verify", method: post, path: probe + "/verify", status: 200},
		{name: "proxy GET", method: get, path: probe + "/proxy/items?limit=2",
			status: 200},
		{name: "proxy POST", method: post, path: probe + "/proxy/items",
			body: `{"title":"new"}`, status: 201},
		{name: "delete service in use", method: del, path: svcs + "/oa-api",
			status: 409, code: shared.CodeServiceInUse},
		{name: "revoke", method: post, path: probe + "/revoke", status: 200},
		{name: "proxy after revoking", method: get, path: probe + "/proxy/items",
			status: 409, code: shared.CodeNotConnected},

		{name: "create OAuth connection", method: post, path: conns,
			body: conn("YouTube", "oa_tube", "youtube"), status: 201},
		{name: "authorize without client", method: post, path: tube + "/authorize",
			status: 409, code: shared.CodeMissingClient},
		{name: "set client", method: patch, path: svcs + "/youtube",
			body: `{"client_id":"oa-client","client_secret":"oa-secret"}`, status: 200},
		{name: "authorize OAuth", method: post, path: tube + "/authorize",
			status: 200},
		{name: "token before authorizing", method: get, path: tube + "/token",
			status: 409, code: shared.CodeNotConnected},
		{name: "callback of unknown state", auth: oaNone, method: get,
			path: "/oauth/callback?state=unknown-state-123&code=abc", status: 303},

		{name: "create connection to guess with", method: post, path: conns,
			body: conn("Guess", "oa_guess", "oa-api"), status: 201},
		{name: "guess keys", method: post, path: conns + "/oa_guess/authorize",
			body: badKey, status: 429, code: shared.CodeRateLimited, untilStatus: true},

		{name: "read the audit trail", auth: oaAdmin, method: get,
			path: "/api/v1/audit?action=connection_authorized&limit=2", status: 200},
		{name: "read the audit trail as a member", method: get, path: "/api/v1/audit",
			status: 403, code: shared.CodeForbidden},
		{name: "read the audit trail with a bad action", auth: oaAdmin, method: get,
			path: "/api/v1/audit?action=exploded", status: 422, code: shared.CodeValidation,
			offContract: true},
		{name: "create connection to share", auth: oaAdmin, method: post, path: conns,
			body: conn("Shared", "oa_shared", "youtube"), status: 201},
		{name: "share connection", auth: oaAdmin, method: http.MethodPut,
			path: conns + "/oa_shared/shares/" + env.otherID, status: 200},
		{name: "share connection with its owner", auth: oaAdmin, method: http.MethodPut,
			path: conns + "/oa_shared/shares/" + env.ownerID, status: 422, code: shared.CodeValidation},
		{name: "share as a member", method: http.MethodPut, path: probe + "/shares/" + env.ownerID,
			status: 403, code: shared.CodeForbidden},
		{name: "list shares", auth: oaAdmin, method: get, path: conns + "/oa_shared/shares",
			status: 200},
		{name: "unshare connection", auth: oaAdmin, method: del,
			path: conns + "/oa_shared/shares/" + env.otherID, status: 204},
		{name: "unshare connection again", auth: oaAdmin, method: del,
			path: conns + "/oa_shared/shares/" + env.otherID, status: 404, code: shared.CodeNotFound},
		{name: "delete shared connection", auth: oaAdmin, method: del, path: conns + "/oa_shared",
			status: 204},

		{name: "delete connection", auth: oaCookieCSRF, method: del, path: probe,
			status: 204},
		{name: "delete connection again", method: del, path: probe,
			status: 404, code: shared.CodeNotFound},
		{name: "delete guessing connection", method: del, path: conns + "/oa_guess",
			status: 204},
		{name: "delete service", method: del, path: svcs + "/oa-api", status: 204},
		{name: "sign out", auth: oaCookieCSRF, method: del, path: "/api/v1/session", status: 204},
		{name: "session after signing out", auth: oaCookie, method: get, path: "/api/v1/session",
			status: 401, code: shared.CodeUnauthorized},

		{name: "list users", auth: oaAdmin, method: get, path: users, status: 200},
		{name: "list users as a member", method: get, path: users, status: 403,
			code: shared.CodeForbidden},
		{name: "create user", auth: oaAdmin, method: post, path: users, body: person, status: 201},
		{name: "create user twice", auth: oaAdmin, method: post, path: users, body: person,
			status: 409, code: shared.CodeDuplicateUsername},
		{name: "create user with a short password", auth: oaAdmin, method: post, path: users,
			body: `{"username":"oa-short","role":"member","password":"short"}`, status: 422,
			code: shared.CodeValidation, offContract: true},
		{name: "get user", auth: oaAdmin, method: get, path: users + "/$USERID", status: 200},
		{name: "get unknown user", auth: oaAdmin, method: get, path: users + "/nobody",
			status: 404, code: shared.CodeNotFound},
		{name: "change user", auth: oaAdmin, method: patch, path: users + "/$USERID",
			body: `{"name":"OA Person","role":"admin","disabled":true}`, status: 200},
		{name: "disable yourself", auth: oaAdmin, method: patch, path: users + "/" + env.ownerID,
			body: `{"disabled":true}`, status: 422, code: shared.CodeValidation},
		{name: "delete user", auth: oaAdmin, method: del, path: users + "/$USERID", status: 204},
		{name: "delete user again", auth: oaAdmin, method: del, path: users + "/$USERID",
			status: 404, code: shared.CodeNotFound},

		{name: "set a first password", method: http.MethodPut, path: password,
			body: `{"new_password":"oa member password"}`, status: 204},
		{name: "sign in with a wrong password", auth: oaNone, method: post, path: "/api/v1/session",
			body: `{"username":"openapi","password":"not the password"}`, status: 401,
			code: shared.CodeUnauthorized},
		{name: "sign in with a password", auth: oaNone, method: post, path: "/api/v1/session",
			body: `{"username":"openapi","password":"oa member password"}`, status: 200},
		{name: "change password with a wrong one", auth: oaCookieCSRF, method: http.MethodPut,
			path: password, body: `{"current_password":"wrong","new_password":"oa newer password"}`,
			status: 422, code: shared.CodeValidation},
		{name: "sign out everywhere", auth: oaCookieCSRF, method: del, path: "/api/v1/sessions",
			status: 204},
		{name: "session after signing out everywhere", auth: oaCookie, method: get,
			path: "/api/v1/session", status: 401, code: shared.CodeUnauthorized},
	}
}

// oaUpstream is a fake API-key service: GET /v1/me accepts the key
// "good-key" given as ?key=, and /v1/items lists or adds items.
func oaUpstream(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/me", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("key") != "good-key" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid key"}`)
			return
		}
		io.WriteString(w, `{"id":"me"}`)
	})
	mux.HandleFunc("GET /v1/items", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"items":[{"id":1},{"id":2}]}`)
	})
	mux.HandleFunc("POST /v1/items", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		io.Copy(w, r.Body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// oaRun holds what the steps share: the validator, the caller's
// credentials, and which described operations were exercised.
type oaRun struct {
	raw   []byte
	model *v3.Document
	v     validator.Validator
	key   string
	// keyID is the id of the key the steps created, for "$KEYID".
	keyID string
	// userID is the id of the user the steps created, for "$USERID".
	userID string
	cookie string
	csrf   string
	seen   map[string]bool
}

// oaClient never follows redirects: the OAuth callback's is an answer.
var oaClient = &http.Client{
	Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// TestOpenAPIDescribesAnswers sends real requests to the server that
// TestMain starts (env) and checks every answer, error or not, against
// the description: status, content type and body, with formats such as
// date-time asserted. Every described operation, the proxy's methods
// aside, must be exercised.
func TestOpenAPIDescribesAnswers(t *testing.T) {
	raw, doc, model := oaLoad(t)
	v, errs := validator.NewValidator(doc,
		config.WithFormatAssertions(), config.WithStrictRejectWriteOnly())
	if len(errs) > 0 {
		t.Fatalf("build a validator: %v", errs)
	}
	// A separate owner keeps these steps from meeting other tests' records.
	_, key, err := env.srv.CreateOwner(context.Background(), "openapi")
	if err != nil {
		t.Fatalf("create owner: %v", err)
	}
	run := &oaRun{raw: raw, model: model, v: v, key: key, seen: map[string]bool{}}

	for _, s := range oaSteps(oaUpstream(t).URL) {
		if !t.Run(s.name, func(t *testing.T) { run.step(t, s) }) {
			t.Fatalf("step %q failed; later steps depend on it", s.name)
		}
	}

	for _, op := range slices.Sorted(maps.Keys(oaOperations(model))) {
		if !run.seen[op] && !strings.Contains(op, "/proxy/") {
			t.Errorf("no step exercises %s", op)
		}
	}
}

// step sends s (again, until its status comes, when it asks to) and
// checks each answer.
func (r *oaRun) step(t *testing.T, s oaStep) {
	for try := 1; ; try++ {
		req, resp, body := r.send(t, s)
		final := !s.untilStatus || resp.StatusCode == s.status || try == 20
		if final && resp.StatusCode != s.status {
			t.Errorf("got status %d, want %d; body %s", resp.StatusCode, s.status, body)
		}
		r.validate(t, s, req, resp, body)
		if final {
			r.remember(t, s, resp, body)
			return
		}
	}
}

// newRequest builds the request of s; body is read from scratch each time.
func (r *oaRun) newRequest(t *testing.T, s oaStep, base string) *http.Request {
	t.Helper()
	body := strings.ReplaceAll(s.body, "$KEY", r.key)
	path := strings.ReplaceAll(s.path, "$KEYID", r.keyID)
	path = strings.ReplaceAll(path, "$USERID", r.userID)
	req, err := http.NewRequest(s.method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	} else {
		ct := s.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	switch s.auth {
	case oaKey:
		req.Header.Set("Authorization", "Bearer "+r.key)
	case oaBasic:
		req.SetBasicAuth("someone", "secret")
	case oaAdmin:
		req.Header.Set("Authorization", "Bearer "+env.key)
	case oaCookieCSRF:
		req.Header.Set(httpapi.CSRFHeader, r.csrf)
		fallthrough
	case oaCookie:
		req.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: r.cookie})
	}
	return req
}

// send makes the request of s and reads the whole answer.
func (r *oaRun) send(t *testing.T, s oaStep) (*http.Request, *http.Response, []byte) {
	t.Helper()
	resp, err := oaClient.Do(r.newRequest(t, s, env.url))
	if err != nil {
		t.Fatalf("%s %s: %v", s.method, s.path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read answer: %v", s.method, s.path, err)
	}
	// The validator matches paths against the description's servers,
	// which name no host.
	return r.newRequest(t, s, ""), resp, body
}

// validate checks an answer against the description and, for problem
// documents, that they agree with the answer's status.
func (r *oaRun) validate(t *testing.T, s oaStep, req *http.Request, resp *http.Response,
	body []byte) {
	t.Helper()
	_, _, tmpl := paths.FindPath(req, r.model, nil)
	if tmpl != "" {
		r.seen[s.method+" "+tmpl] = true
	}

	resp.Body = io.NopCloser(bytes.NewReader(body))
	var (
		ok   bool
		errs []*oaerrors.ValidationError
	)
	if s.offContract {
		ok, errs = r.v.ValidateHttpResponse(req, resp)
	} else {
		ok, errs = r.v.ValidateHttpRequestResponse(req, resp)
	}
	if !ok {
		for _, e := range errs {
			t.Errorf("%s %s answered %d, which %s does not describe: %s\nbody: %.1000s",
				s.method, s.path, resp.StatusCode, oaDocFile, oaDescribe(e), body)
		}
	}

	if resp.StatusCode < 400 {
		return
	}
	var p shared.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("decode problem: %v; body %s", err, body)
	}
	if p.Status != resp.StatusCode {
		t.Errorf("got problem status %d in an answer of %d", p.Status, resp.StatusCode)
	}
	if s.code != "" && resp.StatusCode == s.status && p.Code != s.code {
		t.Errorf("got code %q, want %q", p.Code, s.code)
	}
}

// remember keeps what later steps need from an answer: the session
// cookie and CSRF token, and checks the description served is the file.
func (r *oaRun) remember(t *testing.T, s oaStep, resp *http.Response, body []byte) {
	t.Helper()
	switch {
	case s.path == "/api/v1/openapi.json" && !bytes.Equal(body, r.raw):
		t.Errorf("the served description differs from %s", oaDocFile)
	case s.method == http.MethodPost && s.path == "/api/v1/keys" && resp.StatusCode == 201:
		var k struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(body, &k); err != nil || k.ID == "" {
			t.Fatalf("got no key id (%v) in %s", err, body)
		}
		r.keyID = k.ID
	case s.method == http.MethodPost && s.path == "/api/v1/users" && resp.StatusCode == 201:
		var u struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(body, &u); err != nil || u.ID == "" {
			t.Fatalf("got no user id (%v) in %s", err, body)
		}
		r.userID = u.ID
	case s.method == http.MethodPost && s.path == "/api/v1/session" && resp.StatusCode == 200:
		var sess struct {
			CSRFToken string `json:"csrf_token"`
		}
		if err := json.Unmarshal(body, &sess); err != nil || sess.CSRFToken == "" {
			t.Fatalf("got no CSRF token (%v) in %s", err, body)
		}
		r.csrf = sess.CSRFToken
		for _, c := range resp.Cookies() {
			if c.Name == httpapi.SessionCookie {
				r.cookie = c.Value
			}
		}
		if r.cookie == "" {
			t.Fatalf("got no %s cookie", httpapi.SessionCookie)
		}
	}
}
