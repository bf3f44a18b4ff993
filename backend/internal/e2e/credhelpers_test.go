package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared"
)

// credOutboundTimeout is the outbound time limit of the servers these
// tests start: short, so that a slow service answers 504 quickly.
const credOutboundTimeout = 700 * time.Millisecond

// credPlugboard is a running Plugboard and an API client for its first
// owner.
type credPlugboard struct {
	srv     *server.Server
	dataDir string
	key     string
	once    sync.Once
}

// credStartServer starts Plugboard on a free port with an embedded
// database in a fresh folder; it is shut down when the test ends.
func credStartServer(t *testing.T) *credPlugboard {
	t.Helper()
	dir := t.TempDir()
	cfg := server.Config{
		Addr:            "127.0.0.1:0",
		DataDir:         dir,
		AllowHosts:      "127.0.0.1,localhost",
		OutboundTimeout: credOutboundTimeout,
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.Start(t.Context(), cfg, log, io.Discard)
	if err != nil {
		t.Fatalf("start plugboard: %v", err)
	}
	pb := &credPlugboard{srv: srv, dataDir: dir, key: srv.Boot.APIKey}
	t.Cleanup(func() { pb.shutdown(t) })
	return pb
}

// shutdown stops the server and closes its database; later calls do
// nothing.
func (pb *credPlugboard) shutdown(t *testing.T) {
	pb.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := pb.srv.Shutdown(ctx); err != nil {
			t.Errorf("shut down plugboard: %v", err)
		}
	})
}

// credAnswer is one answer of the Plugboard API.
type credAnswer struct {
	status int
	header http.Header
	body   []byte
}

// problem decodes the answer as a problem document.
func (a credAnswer) problem(t *testing.T) shared.Problem {
	t.Helper()
	var p shared.Problem
	if err := json.Unmarshal(a.body, &p); err != nil {
		t.Fatalf("decode problem %s: %v", a.body, err)
	}
	return p
}

// call sends a request with the owner's API key and returns the answer.
func (pb *credPlugboard) call(t *testing.T, method, path string, body any) credAnswer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, pb.srv.URL()+path, rd)
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+pb.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read answer of %s %s: %v", method, path, err)
	}
	return credAnswer{status: resp.StatusCode, header: resp.Header, body: b}
}

// mustCall is call that fails the test unless the status is want, and
// decodes the body into out when out is not nil.
func (pb *credPlugboard) mustCall(t *testing.T, method, path string, body any, want int, out any) credAnswer {
	t.Helper()
	a := pb.call(t, method, path, body)
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

// createService defines a custom service and returns its id.
func (pb *credPlugboard) createService(t *testing.T, svc shared.Service) string {
	t.Helper()
	var out shared.Service
	pb.mustCall(t, http.MethodPost, "/api/v1/services", svc, http.StatusCreated, &out)
	return out.ID
}

// createConnection adds a pending connection to a service.
func (pb *credPlugboard) createConnection(t *testing.T, serviceID, name string,
	config map[string]string) shared.Connection {
	t.Helper()
	var c shared.Connection
	in := shared.ConnectionInput{Name: name, ServiceID: serviceID, Config: config}
	pb.mustCall(t, http.MethodPost, "/api/v1/connections", in, http.StatusCreated, &c)
	return c
}

// authorize posts the parameter values of a Basic Auth or API-key
// connection.
func (pb *credPlugboard) authorize(t *testing.T, connID string, params map[string]string) credAnswer {
	t.Helper()
	return pb.call(t, http.MethodPost, "/api/v1/connections/"+connID+"/authorize",
		map[string]any{"params": params})
}

// mustAuthorize authorizes and returns the connection the answer holds.
func (pb *credPlugboard) mustAuthorize(t *testing.T, connID string, params map[string]string) shared.Connection {
	t.Helper()
	var out struct {
		Connection shared.Connection `json:"connection"`
	}
	pb.mustCall(t, http.MethodPost, "/api/v1/connections/"+connID+"/authorize",
		map[string]any{"params": params}, http.StatusOK, &out)
	return out.Connection
}

// connection reads a connection.
func (pb *credPlugboard) connection(t *testing.T, connID string) shared.Connection {
	t.Helper()
	var c shared.Connection
	pb.mustCall(t, http.MethodGet, "/api/v1/connections/"+connID, nil, http.StatusOK, &c)
	return c
}

// events reads a connection's history, newest first.
func (pb *credPlugboard) events(t *testing.T, connID string) []shared.Event {
	t.Helper()
	var out struct {
		Events []shared.Event `json:"events"`
	}
	pb.mustCall(t, http.MethodGet, "/api/v1/connections/"+connID+"/events", nil, http.StatusOK, &out)
	return out.Events
}

// credHasEvent reports whether events hold one of the given type and
// outcome.
func credHasEvent(events []shared.Event, typ shared.EventType, outcome shared.Outcome) bool {
	for _, e := range events {
		if e.Type == typ && e.Outcome == outcome {
			return true
		}
	}
	return false
}

// credSeen is what a fake service saw of one request.
type credSeen struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
}

// credFake is a local HTTP service that demands credentials the way a
// real one does: check decides, from the request, whether they are the
// right ones. It records every request it receives.
type credFake struct {
	*httptest.Server
	mu    sync.Mutex
	seen  []credSeen
	check func(r *http.Request) bool
}

// credNewFake starts a fake service; it is closed when the test ends.
func credNewFake(t *testing.T, check func(r *http.Request) bool) *credFake {
	t.Helper()
	f := &credFake{check: check}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *credFake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, credSeen{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(),
	})
	check := f.check
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	if !check(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="fake"`)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"unauthorized"}`)
		return
	}
	_, _ = io.WriteString(w, `{"id":"me"}`)
}

// setCheck replaces what the service accepts.
func (f *credFake) setCheck(check func(r *http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.check = check
}

// hits is how many requests the service received.
func (f *credFake) hits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen)
}

// last is the latest request the service received.
func (f *credFake) last(t *testing.T) credSeen {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 {
		t.Fatal("the service received no request")
	}
	return f.seen[len(f.seen)-1]
}

// credContainsAny returns the first of needles found in haystack, or "".
func credContainsAny(haystack string, needles ...string) string {
	for _, n := range needles {
		if n != "" && strings.Contains(haystack, n) {
			return n
		}
	}
	return ""
}

// credJSONText returns every string in a JSON document, decoded, one a
// line; "" when it is not JSON.
func credJSONText(body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return ""
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x)
			b.WriteByte('\n')
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				b.WriteString(k)
				b.WriteByte('\n')
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}
