package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// oauthFakeAnswer is how the fake token endpoint answers one request.
type oauthFakeAnswer struct {
	Status      int
	ContentType string
	Body        string
	// Location is sent with a redirect.
	Location string
	// Delay holds the answer back, as a slow provider does.
	Delay time.Duration
}

// oauthFakeRequest is what the fake provider saw of one request.
type oauthFakeRequest struct {
	Path   string
	Form   url.Values
	Header http.Header
}

// oauthFake is an OAuth 2.0 provider that answers its token endpoint
// with the bodies a test queues, byte for byte, so that the shapes real
// providers send can be replayed. Its authorization endpoint approves
// every request at once; any other path is its API.
type oauthFake struct {
	*httptest.Server
	secrets *oauthSecrets
	mu      sync.Mutex
	answers []oauthFakeAnswer
	tokens  []oauthFakeRequest
	calls   []oauthFakeRequest
	// revoke is how the revocation endpoint answers; 200 when zero.
	revoke  oauthFakeAnswer
	revokes []oauthFakeRequest
}

// oauthNewFake starts a fake provider; it is closed when the test ends.
func oauthNewFake(t testing.TB, secrets *oauthSecrets) *oauthFake {
	t.Helper()
	f := &oauthFake{secrets: secrets}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", f.authorize)
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("POST /revoke", f.revocation)
	mux.HandleFunc("/", f.api)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// queue adds answers for the next token requests. When the queue is
// empty the token endpoint answers 500.
func (f *oauthFake) queue(answers ...oauthFakeAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = append(f.answers, answers...)
}

// authorize approves the request and sends the browser back with a code.
func (f *oauthFake) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || q.Get("state") == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	code := oauthRandom("code-")
	f.secrets.add("authorization code", code)
	v := url.Values{"code": {code}, "state": {q.Get("state")}}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (f *oauthFake) token(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	f.tokens = append(f.tokens, oauthFakeRequest{Path: r.URL.Path, Form: form, Header: r.Header.Clone()})
	a := oauthFakeAnswer{Status: http.StatusInternalServerError, ContentType: "text/plain", Body: "no answer queued"}
	if len(f.answers) > 0 {
		a, f.answers = f.answers[0], f.answers[1:]
	}
	f.mu.Unlock()

	time.Sleep(a.Delay)
	w.Header().Set("Content-Type", a.ContentType)
	w.WriteHeader(a.Status)
	_, _ = io.WriteString(w, a.Body)
}

// revocation records an RFC 7009 request and answers as set.
func (f *oauthFake) revocation(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	f.revokes = append(f.revokes, oauthFakeRequest{Path: r.URL.Path, Form: form, Header: r.Header.Clone()})
	a := f.revoke
	f.mu.Unlock()
	if a.Status == 0 {
		return
	}
	if a.ContentType != "" {
		w.Header().Set("Content-Type", a.ContentType)
	}
	if a.Location != "" {
		w.Header().Set("Location", a.Location)
	}
	w.WriteHeader(a.Status)
	_, _ = io.WriteString(w, a.Body)
}

// setRevoke sets how the revocation endpoint answers.
func (f *oauthFake) setRevoke(a oauthFakeAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoke = a
}

// revocations returns the revocation requests, oldest first.
func (f *oauthFake) revocations() []oauthFakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]oauthFakeRequest(nil), f.revokes...)
}

func (f *oauthFake) api(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls = append(f.calls, oauthFakeRequest{Path: r.URL.Path, Header: r.Header.Clone()})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

// tokenRequests returns the token requests of a grant type, oldest first.
func (f *oauthFake) tokenRequests(grantType string) []oauthFakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []oauthFakeRequest
	for _, r := range f.tokens {
		if r.Form.Get("grant_type") == grantType {
			out = append(out, r)
		}
	}
	return out
}

// apiCalls returns the API requests, oldest first.
func (f *oauthFake) apiCalls() []oauthFakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]oauthFakeRequest(nil), f.calls...)
}

// oauthFakeService is a custom service for a fake provider with the
// scopes read, write and admin, read and write requested by default.
func oauthFakeService(id string, f *oauthFake) shared.Service {
	return shared.Service{
		ID:       id,
		Name:     "Fake " + id,
		AuthType: shared.AuthOAuth2,
		OAuth2: shared.OAuth2{
			AuthorizationURL: f.URL + "/authorize",
			TokenURL:         f.URL + "/token",
			RevocationURL:    f.URL + "/revoke",
			Scopes:           []shared.Scope{{Name: "read"}, {Name: "write"}, {Name: "admin"}},
			DefaultScopes:    []string{"read", "write"},
			ClientID:         "client-" + id,
			ClientSecret:     "client-secret-" + id + "-" + oauthRandom(""),
		},
	}
}

// oauthFakeConnect defines svc, creates a connection to it and runs the
// authorization through the fake provider. It returns the connection and
// where Plugboard sent the browser at the end.
func oauthFakeConnect(t *testing.T, pb *oauthPlugboard, secrets *oauthSecrets, svc shared.Service) (shared.Connection, string) {
	t.Helper()
	secrets.add("client secret", svc.ClientSecret)
	if _, err := pb.api.CreateService(t.Context(), svc); err != nil {
		t.Fatalf("create service: %v", err)
	}
	conn, err := pb.api.CreateConnection(t.Context(), shared.ConnectionInput{Name: svc.ID, ServiceID: svc.ID})
	if err != nil {
		t.Fatalf("create connection: %v", err)
	}
	location := oauthFakeAuthorize(t, pb, secrets, conn.ID)
	got, err := pb.api.GetConnection(t.Context(), conn.ID)
	if err != nil {
		t.Fatalf("get connection: %v", err)
	}
	return *got, location
}

// oauthFakeAuthorize runs a connection's authorization through the fake
// provider and returns where Plugboard sent the browser at the end.
func oauthFakeAuthorize(t *testing.T, pb *oauthPlugboard, secrets *oauthSecrets, connID string) string {
	t.Helper()
	res, err := pb.api.Authorize(t.Context(), connID, nil)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, res.AuthorizeURL, nil)
	if err != nil {
		t.Fatalf("build authorize request: %v", err)
	}
	resp, err := oauthBrowser.Do(req)
	if err != nil {
		t.Fatalf("visit provider: %v", err)
	}
	resp.Body.Close()
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(cb.String(), pb.callbackURL()+"?") {
		t.Fatalf("provider redirected to %q, want the callback %s", resp.Header.Get("Location"), pb.callbackURL())
	}
	secrets.add("state", cb.Query().Get("state"))

	_, location := oauthDeliver(t, cb, "")
	return location
}
