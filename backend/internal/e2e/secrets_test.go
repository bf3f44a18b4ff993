package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/hydratest"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// TestNoSecretAnywhere seeds known secrets of every kind (passwords of
// people, API keys, a client secret, OAuth tokens and codes, Basic Auth
// passwords, API keys of services, session tokens), takes them through
// every flow that handles them, and then searches for each one in every
// answer Plugboard gave, in its debug log, in every stored document and in
// the database's files on disk. The only answers allowed to hold a secret
// are those whose job is to hand one out: a new API key, the session
// cookie of a sign-in, an access token asked for by a key with the "use"
// right, and the address that sends a person to the provider with the
// flow's state.
func TestNoSecretAnywhere(t *testing.T) {
	secrets := newOAuthSecrets()
	hydra := hydratest.Start(t)
	pb := oauthStart(t, secrets) // scans the log and the data files at the end
	env := &oauthHydraEnv{hydra: hydra, pb: pb, db: oauthDB(t, pb.srv.MongoURI()), secrets: secrets}
	rec := &answerRecorder{next: http.DefaultTransport}
	web := &secretsClient{t: t, base: pb.url, http: &http.Client{Transport: rec,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	admin := web.as(pb.key)
	// The typed client the OAuth helpers use records its answers too.
	pb.api = api.New(pb.url, api.WithAPIKey(pb.key), api.WithHTTPClient(&http.Client{Transport: rec}))

	upstream := newSecretsUpstream(t)

	// People: the first admin sets a password, signs in with it, makes a
	// member, who signs in too; a wrong password is tried on the way.
	adminPW := "admin-" + oauthRandom("pw")
	memberPW := "member-" + oauthRandom("pw")
	wrongPW := "wrong-" + oauthRandom("pw")
	secrets.add("admin password", adminPW)
	secrets.add("member password", memberPW)
	secrets.add("wrong password tried", wrongPW)
	admin.must(http.MethodPut, "/api/v1/account/password",
		shared.PasswordChange{NewPassword: adminPW}, http.StatusNoContent, nil)
	web.signIn("admin", wrongPW, http.StatusUnauthorized)
	// A password typed into the username field by mistake.
	web.signIn(adminPW, adminPW, http.StatusUnauthorized)
	adminWeb := web.signIn("admin", adminPW, http.StatusOK)
	var member shared.User
	adminWeb.must(http.MethodPost, "/api/v1/users", shared.UserInput{
		Username: "mina", Name: "Mina", Role: shared.RoleMember, Password: memberPW,
	}, http.StatusCreated, &member)
	memberWeb := web.signIn("mina", memberPW, http.StatusOK)
	memberWeb.must(http.MethodPut, "/api/v1/account/password", shared.PasswordChange{
		CurrentPassword: wrongPW, NewPassword: memberPW + "x",
	}, http.StatusUnprocessableEntity, nil)

	// API keys, made in the app and by a program.
	var useKey, memberKey shared.NewAPIKey
	adminWeb.must(http.MethodPost, "/api/v1/keys", shared.KeyInput{
		Name: "deploy", Rights: []shared.Right{shared.RightRead, shared.RightUse},
	}, http.StatusCreated, &useKey)
	secrets.add("API key with use right", useKey.Key)
	memberWeb.must(http.MethodPost, "/api/v1/keys", shared.KeyInput{
		Name: "mina's laptop", Rights: shared.AllRights,
	}, http.StatusCreated, &memberKey)
	secrets.add("member's API key", memberKey.Key)
	memberAPI := web.as(memberKey.Key)

	// OAuth 2.0 against Hydra: client secret, state, code, verifier and
	// tokens (the tap in front of Hydra adds what it sees on the wire).
	svc := env.newService(t, "secrets-hydra", 0)
	admin.must(http.MethodPatch, "/api/v1/services/"+svc.id, map[string]any{
		"api_base_url": upstream.URL + "/oauth", "client_secret": svc.client.Secret,
		"verify_request": map[string]string{"method": "GET", "path": "/profile"},
	}, http.StatusOK, nil)
	oauthConn := env.newConnection(t, svc.id, "Secrets OAuth")
	env.connect(t, oauthConn.ID)
	web.as(useKey.Key).must(http.MethodGet, "/api/v1/connections/"+oauthConn.ID+"/token", nil, http.StatusOK, nil)
	admin.proxy(oauthConn.ID, "/profile", http.StatusOK)
	admin.must(http.MethodPost, "/api/v1/connections/"+oauthConn.ID+"/verify", nil, http.StatusOK, nil)

	// Basic Auth and an API key of a service, verified, used, shared.
	basicPW := "basic-" + oauthRandom("pw")
	serviceKey := "tok_" + strings.ReplaceAll(oauthRandom("k"), "-", "")
	secrets.add("Basic Auth password", basicPW)
	secrets.add("service API key", serviceKey)
	upstream.expect(basicPW, serviceKey)
	admin.must(http.MethodPost, "/api/v1/services", credBasicService("secrets-basic", upstream.URL), http.StatusCreated, nil)
	admin.must(http.MethodPost, "/api/v1/services", credBearerService("secrets-bearer", upstream.URL), http.StatusCreated, nil)
	var basicConn, bearerConn shared.Connection
	admin.must(http.MethodPost, "/api/v1/connections", shared.ConnectionInput{
		Name: "Secrets Basic", ServiceID: "secrets-basic", Config: map[string]string{"account": "acme"},
	}, http.StatusCreated, &basicConn)
	admin.must(http.MethodPost, "/api/v1/connections", shared.ConnectionInput{
		Name: "Secrets Bearer", ServiceID: "secrets-bearer",
	}, http.StatusCreated, &bearerConn)
	admin.must(http.MethodPost, "/api/v1/connections/"+basicConn.ID+"/authorize",
		map[string]any{"params": map[string]string{"user": "ada", "pass": wrongPW}}, http.StatusUnprocessableEntity, nil)
	admin.must(http.MethodPost, "/api/v1/connections/"+basicConn.ID+"/authorize",
		map[string]any{"params": map[string]string{"user": "ada", "pass": basicPW}}, http.StatusOK, nil)
	admin.must(http.MethodPost, "/api/v1/connections/"+bearerConn.ID+"/authorize",
		map[string]any{"params": map[string]string{"Authorization": serviceKey}}, http.StatusOK, nil)
	admin.must(http.MethodPost, "/api/v1/connections/"+basicConn.ID+"/verify", nil, http.StatusOK, nil)
	admin.proxy(basicConn.ID, "/items", http.StatusOK)
	admin.proxy(bearerConn.ID, "/items", http.StatusOK)
	admin.must(http.MethodPut, "/api/v1/connections/"+basicConn.ID+"/shares/"+member.ID, nil, http.StatusOK, nil)
	memberAPI.proxy(basicConn.ID, "/items", http.StatusOK)
	memberAPI.must(http.MethodGet, "/api/v1/connections/"+basicConn.ID+"/token", nil, http.StatusForbidden, nil)

	// Everything that reads state back.
	for _, path := range []string{
		"/api/v1/session", "/api/v1/meta", "/api/v1/keys", "/api/v1/users", "/api/v1/users/" + member.ID,
		"/api/v1/audit?limit=200", "/api/v1/services", "/api/v1/services/" + svc.id,
		"/api/v1/services/secrets-basic", "/api/v1/connections",
		"/api/v1/connections/" + oauthConn.ID, "/api/v1/connections/" + oauthConn.ID + "/events",
		"/api/v1/connections/" + basicConn.ID, "/api/v1/connections/" + basicConn.ID + "/events",
		"/api/v1/connections/" + basicConn.ID + "/shares", "/api/v1/connections/" + bearerConn.ID + "/events",
	} {
		admin.must(http.MethodGet, path, nil, http.StatusOK, nil)
		adminWeb.must(http.MethodGet, path, nil, http.StatusOK, nil)
	}
	memberWeb.must(http.MethodGet, "/api/v1/connections", nil, http.StatusOK, nil)
	memberWeb.must(http.MethodGet, "/api/v1/connections/"+basicConn.ID, nil, http.StatusOK, nil)

	// Endings: revocation at Hydra, credentials dropped, keys and
	// sessions ended.
	admin.must(http.MethodPost, "/api/v1/connections/"+oauthConn.ID+"/revoke", nil, http.StatusOK, nil)
	admin.must(http.MethodPost, "/api/v1/connections/"+basicConn.ID+"/revoke", nil, http.StatusOK, nil)
	admin.must(http.MethodDelete, "/api/v1/keys/"+useKey.ID, nil, http.StatusNoContent, nil)
	memberWeb.must(http.MethodDelete, "/api/v1/sessions", nil, http.StatusNoContent, nil)
	adminWeb.must(http.MethodDelete, "/api/v1/session", nil, http.StatusNoContent, nil)
	admin.must(http.MethodGet, "/api/v1/audit?limit=200", nil, http.StatusOK, nil)

	if n := oauthScanDB(t, env.db, secrets); n == 0 {
		t.Errorf("found no stored documents; the database check would prove nothing")
	}
	rec.scan(t, secrets)
	if secrets.count() < 14 {
		t.Errorf("only %d secrets were seeded or seen, want at least 14", secrets.count())
	}
}

// answerRecorder keeps every answer Plugboard gives, headers and body,
// so that they can be searched for secrets afterwards.
type answerRecorder struct {
	next    http.RoundTripper
	mu      sync.Mutex
	answers []recordedAnswer
}

// recordedAnswer is one answer and the secrets it may hold by design.
type recordedAnswer struct {
	what    string
	text    []byte
	allowed []string
}

func (r *answerRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var head bytes.Buffer
	_ = resp.Header.Write(&head)
	a := recordedAnswer{
		what:    req.Method + " " + req.URL.Path,
		text:    append(head.Bytes(), body...),
		allowed: handedOut(req, resp, body),
	}
	r.mu.Lock()
	r.answers = append(r.answers, a)
	r.mu.Unlock()
	return resp, nil
}

// handedOut lists the secrets an answer exists to hand out: a new key,
// a new session's cookie, an access token for a key with the use right.
func handedOut(req *http.Request, resp *http.Response, body []byte) []string {
	var fields struct {
		Key          string `json:"key"`
		AccessToken  string `json:"access_token"`
		AuthorizeURL string `json:"authorize_url"`
	}
	_ = json.Unmarshal(body, &fields)
	var out []string
	switch {
	case req.Method == http.MethodPost && req.URL.Path == "/api/v1/keys":
		out = append(out, fields.Key)
	case req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/authorize"):
		// The state travels to the provider in the address the person
		// is sent to; it is stored only as a hash.
		if u, err := url.Parse(fields.AuthorizeURL); err == nil {
			out = append(out, u.Query().Get("state"))
		}
	case req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, "/token"):
		out = append(out, fields.AccessToken)
	case req.Method == http.MethodPost && req.URL.Path == "/api/v1/session":
		for _, c := range resp.Cookies() {
			out = append(out, c.Value)
		}
	}
	return out
}

// scan fails the test for every recorded answer that holds a secret it
// was not made to hand out. It first proves that it would notice: the
// answer that created a key must hold that key.
func (r *answerRecorder) scan(t *testing.T, secrets *oauthSecrets) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.answers) < 50 {
		t.Errorf("recorded %d answers, want the whole run's", len(r.answers))
	}
	sawKey := false
	for _, a := range r.answers {
		text := a.text
		for _, v := range a.allowed {
			if v == "" {
				continue
			}
			if a.what == "POST /api/v1/keys" && bytes.Contains(text, []byte(v)) && secrets.found(text) != "" {
				sawKey = true
			}
			text = bytes.ReplaceAll(text, []byte(v), []byte("[handed out]"))
		}
		secrets.assertAbsent(t, "the answer to "+a.what, text)
	}
	if !sawKey {
		t.Errorf("no answer to POST /api/v1/keys was found to hold its key; the answer check would prove nothing")
	}
}

// secretsClient calls Plugboard as one caller: an API key, or a browser
// session with its cookie and CSRF token.
type secretsClient struct {
	t      *testing.T
	base   string
	http   *http.Client
	key    string
	cookie *http.Cookie
	csrf   string
}

// as returns a client that sends key.
func (c *secretsClient) as(key string) *secretsClient {
	d := *c
	d.key, d.cookie, d.csrf = key, nil, ""
	return &d
}

// signIn signs in with a password and, when want is 200, returns a client
// for the new session.
func (c *secretsClient) signIn(username, password string, want int) *secretsClient {
	c.t.Helper()
	anon := c.as("")
	var ans struct {
		CSRFToken string `json:"csrf_token"`
	}
	resp := anon.must(http.MethodPost, "/api/v1/session",
		map[string]string{"username": username, "password": password}, want, &ans)
	if want != http.StatusOK {
		return nil
	}
	d := anon.as("")
	for _, ck := range resp.Cookies() {
		if ck.Name == "pb_session" {
			d.cookie = ck
			c.t.Logf("signed in as %s", username)
		}
	}
	if d.cookie == nil {
		c.t.Fatalf("signing in as %s set no session cookie", username)
	}
	d.csrf = ans.CSRFToken
	return d
}

// must sends a request, fails the test unless the status is want, and
// decodes a JSON answer into out when out is not nil.
func (c *secretsClient) must(method, path string, in any, want int, out any) *http.Response {
	c.t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			c.t.Fatalf("encode body: %v", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, body)
	if err != nil {
		c.t.Fatalf("build request: %v", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.authorize(req)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d (%s), want %d", method, path, resp.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("decode answer of %s %s: %v", method, path, err)
		}
	}
	return resp
}

// proxy calls path through a connection and fails unless the status is
// want.
func (c *secretsClient) proxy(ref, path string, want int) {
	c.t.Helper()
	c.must(http.MethodGet, "/api/v1/connections/"+ref+"/proxy"+path, nil, want, nil)
}

func (c *secretsClient) authorize(req *http.Request) {
	switch {
	case c.key != "":
		req.Header.Set("Authorization", "Bearer "+c.key)
	case c.cookie != nil:
		req.AddCookie(c.cookie)
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
}

// secretsUpstream is the APIs behind the test's connections: it accepts
// one Basic Auth password and one Bearer key, and answers plain data that
// holds no secret.
type secretsUpstream struct {
	*httptest.Server
	mu       sync.Mutex
	password string
	key      string
}

func newSecretsUpstream(t *testing.T) *secretsUpstream {
	u := &secretsUpstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.Close)
	return u
}

// expect sets the credentials the upstream accepts.
func (u *secretsUpstream) expect(password, key string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.password, u.key = password, key
}

func (u *secretsUpstream) serve(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	password, key := u.password, u.key
	u.mu.Unlock()
	_, pass, basic := r.BasicAuth()
	auth := r.Header.Get("Authorization")
	ok := (basic && pass == password) || auth == "Bearer "+key ||
		(strings.HasPrefix(r.URL.Path, "/oauth") && strings.HasPrefix(auth, "Bearer "))
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"bad credentials"}`))
		return
	}
	_, _ = w.Write([]byte(`{"items":[{"id":1,"at":"` + time.Now().UTC().Format(time.RFC3339) + `"}]}`))
}
