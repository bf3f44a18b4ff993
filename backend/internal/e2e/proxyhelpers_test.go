package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared"
)

// proxyStart starts Plugboard on a free loopback port with cfg, filling
// the address, a fresh data folder and the loopback allow list when cfg
// leaves them empty. The server is shut down when the test ends.
func proxyStart(t testing.TB, cfg server.Config) *testPlugboard {
	t.Helper()
	return startPlugboard(t, withConfig(cfg))
}

// proxyURL is the address of a proxied path (already escaped) of a
// connection.
func (pb *testPlugboard) proxyURL(ref, path string) string {
	return pb.srv.URL() + "/api/v1/connections/" + ref + "/proxy/" + path
}

// call sends a request through the proxy of connection ref.
func (pb *testPlugboard) call(t testing.TB, method, ref, path string, body []byte, h http.Header) apiAnswer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, pb.proxyURL(ref, path), rd)
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	return pb.send(t, req)
}

// authorizeParams authorizes a Basic Auth or API-key connection with its
// values.
func (pb *testPlugboard) authorizeParams(t testing.TB, ref string, params map[string]string) {
	t.Helper()
	c := pb.mustAuthorize(t, ref, params)
	if c.Status != shared.StatusConnected {
		t.Fatalf("authorize %s: got status %q, want connected", ref, c.Status)
	}
}

// authorizeOAuth runs an OAuth 2.0 connection's authorization: consent
// plays the person at the provider, from the authorization URL to the
// redirect back to Plugboard's callback, which is then requested.
func (pb *testPlugboard) authorizeOAuth(t testing.TB, ref string, consent func(authorizeURL string) string) {
	t.Helper()
	var start struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	pb.mustCall(t, http.MethodPost, "/api/v1/connections/"+ref+"/authorize", nil, http.StatusOK, &start)
	if start.AuthorizeURL == "" {
		t.Fatalf("authorize %s: no authorize_url", ref)
	}
	callback := consent(start.AuthorizeURL)
	if !strings.HasPrefix(callback, pb.srv.URL()+"/oauth/callback?") {
		t.Fatalf("authorize %s: the provider sent the browser to %s, not to the callback", ref, callback)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, callback, nil)
	if err != nil {
		t.Fatalf("build callback request: %v", err)
	}
	resp, err := pb.http.Do(req)
	if err != nil {
		t.Fatalf("callback: %v", err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "outcome=connected") {
		t.Fatalf("callback: got redirect to %q, want a connected outcome", loc)
	}
}

// proxySeen is what an upstream service saw of one request.
type proxySeen struct {
	Method string
	// URI is the request target as sent: escaped path and raw query.
	URI    string
	Header http.Header
	Body   []byte
}

// proxyUpstream is a local service that records every request it gets
// and answers through its handler.
type proxyUpstream struct {
	*httptest.Server
	mu     sync.Mutex
	seen   []proxySeen
	handle http.HandlerFunc
}

// proxyNewUpstream starts a recording service; handle answers, or a
// small JSON body when nil. It is closed when the test ends.
func proxyNewUpstream(t testing.TB, handle http.HandlerFunc) *proxyUpstream {
	t.Helper()
	u := &proxyUpstream{handle: handle}
	if u.handle == nil {
		u.handle = proxyJSON
	}
	u.Server = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.Close)
	return u
}

// proxyJSON answers a small JSON body.
func proxyJSON(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func (u *proxyUpstream) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	u.mu.Lock()
	u.seen = append(u.seen, proxySeen{Method: r.Method, URI: r.RequestURI, Header: r.Header.Clone(), Body: body})
	handle := u.handle
	u.mu.Unlock()
	handle(w, r)
}

// setHandler replaces how the service answers.
func (u *proxyUpstream) setHandler(h http.HandlerFunc) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.handle = h
}

// requests returns what the service saw so far.
func (u *proxyUpstream) requests() []proxySeen {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]proxySeen(nil), u.seen...)
}

// last returns the latest request the service saw.
func (u *proxyUpstream) last(t testing.TB) proxySeen {
	t.Helper()
	seen := u.requests()
	if len(seen) == 0 {
		t.Fatal("the upstream service received no request")
	}
	return seen[len(seen)-1]
}

// proxyAPIKeyService is an API-key service in front of base whose key
// goes in the X-Api-Key header.
func proxyAPIKeyService(id, base string) shared.Service {
	return shared.Service{
		ID: id, Name: "Service " + id, AuthType: shared.AuthAPIKey, APIBaseURL: base,
		Params: []shared.Param{{Name: "X-Api-Key", DisplayName: "API key", In: shared.InHeader, Secret: true, Required: true}},
	}
}

// proxyConnected defines svc, adds a connection with link name link and
// authorizes it with params.
func proxyConnected(t testing.TB, pb *testPlugboard, svc shared.Service, link string, config, params map[string]string) shared.Connection {
	t.Helper()
	svc = pb.addService(t, svc)
	c := pb.addConnection(t, shared.ConnectionInput{Name: link, LinkName: link, ServiceID: svc.ID, Config: config})
	pb.authorizeParams(t, c.ID, params)
	return c
}

// asRequest rebuilds a request with the headers the service saw.
func (s proxySeen) asRequest() *http.Request {
	return &http.Request{Method: s.Method, Header: s.Header}
}
