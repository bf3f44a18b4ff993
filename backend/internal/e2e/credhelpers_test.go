package e2e

import (
	"encoding/json"
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

// credOutboundTimeout is the outbound time limit of the servers these
// tests start: short, so that a slow service answers 504 quickly.
const credOutboundTimeout = 700 * time.Millisecond

// credStartServer starts Plugboard on a free port with an embedded
// database in a fresh folder; it is shut down when the test ends.
func credStartServer(t *testing.T) *testPlugboard {
	t.Helper()
	return startPlugboard(t, withOutboundTimeout(credOutboundTimeout))
}

// createService defines a custom service and returns its id.
func (pb *testPlugboard) createService(t *testing.T, svc shared.Service) string {
	t.Helper()
	return pb.addService(t, svc).ID
}

// createConnection adds a pending connection to a service.
func (pb *testPlugboard) createConnection(t *testing.T, serviceID, name string,
	config map[string]string) shared.Connection {
	t.Helper()
	return pb.addConnection(t, shared.ConnectionInput{Name: name, ServiceID: serviceID, Config: config})
}

// authorize posts the parameter values of a Basic Auth or API-key
// connection.
func (pb *testPlugboard) authorize(t *testing.T, connID string, params map[string]string) apiAnswer {
	t.Helper()
	return pb.request(t, http.MethodPost, "/api/v1/connections/"+connID+"/authorize",
		map[string]any{"params": params})
}

// events reads a connection's history, newest first.
func (pb *testPlugboard) events(t *testing.T, connID string) []shared.Event {
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
