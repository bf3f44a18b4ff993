package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared"
)

// proxyPlugboard is a running Plugboard and an API client for its first
// owner.
type proxyPlugboard struct {
	t    testing.TB
	srv  *server.Server
	cfg  server.Config
	key  string
	http *http.Client
	once sync.Once
}

// proxyStart starts Plugboard on a free loopback port with cfg, filling
// the address, a fresh data folder and the loopback allow list when cfg
// leaves them empty. The server is shut down when the test ends.
func proxyStart(t testing.TB, cfg server.Config) *proxyPlugboard {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.AllowHosts == "" {
		cfg.AllowHosts = "127.0.0.1,localhost"
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.Start(t.Context(), cfg, log, io.Discard)
	if err != nil {
		t.Fatalf("start plugboard: %v", err)
	}
	key := srv.Boot.APIKey
	if key == "" {
		key = cfg.APIKey
	}
	pb := &proxyPlugboard{
		t: t, srv: srv, cfg: cfg, key: key,
		http: &http.Client{
			Transport: &http.Transport{MaxIdleConnsPerHost: 64},
			// The proxy passes redirects through; the tests look at them.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	t.Cleanup(pb.stop)
	return pb
}

// stop shuts the server down, which writes the usage it gathered; later
// calls do nothing.
func (pb *proxyPlugboard) stop() {
	pb.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(pb.t.Context()), 20*time.Second)
		defer cancel()
		if err := pb.srv.Shutdown(ctx); err != nil {
			pb.t.Errorf("shut down plugboard: %v", err)
		}
		pb.http.CloseIdleConnections()
	})
}

// proxyAnswer is one answer of Plugboard.
type proxyAnswer struct {
	status int
	header http.Header
	body   []byte
}

// problem decodes the answer as a problem document.
func (a proxyAnswer) problem(t testing.TB) shared.Problem {
	t.Helper()
	var p shared.Problem
	if err := json.Unmarshal(a.body, &p); err != nil {
		t.Fatalf("decode problem document %q: %v", a.body, err)
	}
	return p
}

// send sends req with the owner's API key and reads the whole answer.
func (pb *proxyPlugboard) send(t testing.TB, req *http.Request) proxyAnswer {
	t.Helper()
	if req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+pb.key)
	}
	resp, err := pb.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read answer of %s %s: %v", req.Method, req.URL, err)
	}
	return proxyAnswer{status: resp.StatusCode, header: resp.Header, body: body}
}

// api calls the JSON API: in, when not nil, is sent as the JSON body;
// the answer must have status want and is decoded into out when out is
// not nil.
func (pb *proxyPlugboard) api(t testing.TB, method, path string, in any, want int, out any) proxyAnswer {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("encode body: %v", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, pb.srv.URL()+path, body)
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	a := pb.send(t, req)
	if a.status != want {
		t.Fatalf("%s %s: got status %d (%s), want %d", method, path, a.status, a.body, want)
	}
	if out != nil {
		if err := json.Unmarshal(a.body, out); err != nil {
			t.Fatalf("decode answer of %s %s: %v", method, path, err)
		}
	}
	return a
}

// proxyURL is the address of a proxied path (already escaped) of a
// connection.
func (pb *proxyPlugboard) proxyURL(ref, path string) string {
	return pb.srv.URL() + "/api/v1/connections/" + ref + "/proxy/" + path
}

// call sends a request through the proxy of connection ref.
func (pb *proxyPlugboard) call(t testing.TB, method, ref, path string, body []byte, h http.Header) proxyAnswer {
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

// service defines a custom service.
func (pb *proxyPlugboard) service(t testing.TB, svc shared.Service) shared.Service {
	t.Helper()
	var out shared.Service
	pb.api(t, http.MethodPost, "/api/v1/services", svc, http.StatusCreated, &out)
	return out
}

// connection adds a pending connection.
func (pb *proxyPlugboard) connection(t testing.TB, in shared.ConnectionInput) shared.Connection {
	t.Helper()
	var out shared.Connection
	pb.api(t, http.MethodPost, "/api/v1/connections", in, http.StatusCreated, &out)
	return out
}

// get reads a connection.
func (pb *proxyPlugboard) get(t testing.TB, ref string) shared.Connection {
	t.Helper()
	var out shared.Connection
	pb.api(t, http.MethodGet, "/api/v1/connections/"+ref, nil, http.StatusOK, &out)
	return out
}

// authorizeParams authorizes a Basic Auth or API-key connection with its
// values.
func (pb *proxyPlugboard) authorizeParams(t testing.TB, ref string, params map[string]string) {
	t.Helper()
	var out struct {
		Connection shared.Connection `json:"connection"`
	}
	pb.api(t, http.MethodPost, "/api/v1/connections/"+ref+"/authorize",
		map[string]any{"params": params}, http.StatusOK, &out)
	if out.Connection.Status != shared.StatusConnected {
		t.Fatalf("authorize %s: got status %q, want connected", ref, out.Connection.Status)
	}
}

// authorizeOAuth runs an OAuth 2.0 connection's authorization: consent
// plays the person at the provider, from the authorization URL to the
// redirect back to Plugboard's callback, which is then requested.
func (pb *proxyPlugboard) authorizeOAuth(t testing.TB, ref string, consent func(authorizeURL string) string) {
	t.Helper()
	var start struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	pb.api(t, http.MethodPost, "/api/v1/connections/"+ref+"/authorize", nil, http.StatusOK, &start)
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
func proxyConnected(t testing.TB, pb *proxyPlugboard, svc shared.Service, link string, config, params map[string]string) shared.Connection {
	t.Helper()
	svc = pb.service(t, svc)
	c := pb.connection(t, shared.ConnectionInput{Name: link, LinkName: link, ServiceID: svc.ID, Config: config})
	pb.authorizeParams(t, c.ID, params)
	return c
}

// asRequest rebuilds a request with the headers the service saw.
func (s proxySeen) asRequest() *http.Request {
	return &http.Request{Method: s.Method, Header: s.Header}
}
