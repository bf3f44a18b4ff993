package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// proxyMethods are the methods the proxy forwards, for its Allow header.
var proxyMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// TestEdgeUnknownMethods sends methods the router does not know: each
// gets a 405 problem document that lists the methods the path takes.
func TestEdgeUnknownMethods(t *testing.T) {
	pb := startPlugboard(t)
	tests := []struct {
		method, path string
		wantAllow    string
	}{
		{method: "PROPFIND", path: "/api/v1/keys", wantAllow: "GET, POST"},
		// The proxy takes every method the router knows.
		{method: "MKCOL", path: "/api/v1/connections/x/proxy/dir", wantAllow: strings.Join(proxyMethods, ", ")},
		{method: "get", path: "/api/v1/health", wantAllow: "GET"},
		{method: "BREW", path: "/", wantAllow: "GET, HEAD"},
		{method: "PROPFIND", path: "/oauth/callback", wantAllow: "GET, HEAD"},
		{method: "PROPFIND", path: "/api/v1/no-such-route"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, pb.srv.URL()+tt.path,
				strings.NewReader(`{"name":"x"}`))
			if err != nil {
				t.Fatal(err)
			}
			a := pb.send(t, req)
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, shared.ProblemContentType) {
				t.Fatalf("got %d with Content-Type %q (%.200s), want a problem document", a.status, ct, a.body)
			}
			p := a.problem(t)
			wantStatus, wantCode := http.StatusMethodNotAllowed, shared.CodeMethodNotAllowed
			if tt.wantAllow == "" {
				wantStatus, wantCode = http.StatusNotFound, shared.CodeNotFound
			}
			if a.status != wantStatus || p.Code != wantCode || p.Status != wantStatus || p.Detail == "" {
				t.Errorf("got %d %s (status %d, detail %q), want %d %s with a detail",
					a.status, p.Code, p.Status, p.Detail, wantStatus, wantCode)
			}
			if got := a.header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("got Allow %q, want %q", got, tt.wantAllow)
			}
		})
	}
}
