package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared"
)

// edgeSession signs in with the owner's API key and returns the session
// cookie and CSRF token.
func edgeSession(t *testing.T, pb *testPlugboard) (*http.Cookie, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"api_key": pb.key})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, pb.srv.URL()+"/api/v1/session",
		bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := pb.http.Do(req)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	defer resp.Body.Close()
	var ans struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || ans.CSRFToken == "" {
		t.Fatalf("sign in: status %d, csrf %q, %v", resp.StatusCode, ans.CSRFToken, err)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "pb_session" {
			return c, ans.CSRFToken
		}
	}
	t.Fatal("sign in set no session cookie")
	return nil, ""
}

// TestEdgeProxyAddressClaims checks that the caller's claims about
// addresses and the original request, the browser's Origin and Referer,
// and method overrides (which could turn a request into one the proxy
// refuses) never reach the service: Plugboard is the service's client,
// and a service may trust these headers.
func TestEdgeProxyAddressClaims(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, nil)
	proxyConnected(t, pb, proxyAPIKeyService("fwd", up.URL), "fwd", nil, map[string]string{"X-Api-Key": "k"})

	claims := map[string]string{
		"X-Forwarded-For":          "10.0.0.1",
		"X-Forwarded-Host":         "admin.internal",
		"X-Forwarded-Proto":        "https",
		"X-Forwarded-Port":         "443",
		"X-Forwarded-Prefix":       "/admin",
		"Forwarded":                "for=10.0.0.1;host=admin.internal;proto=https",
		"X-Real-Ip":                "10.0.0.1",
		"X-Client-Ip":              "10.0.0.1",
		"True-Client-Ip":           "10.0.0.1",
		"X-Original-Url":           "/admin",
		"X-Rewrite-Url":            "/admin",
		"Cf-Connecting-Ip":         "10.0.0.1",
		"Client-Ip":                "10.0.0.1",
		"Fastly-Client-Ip":         "10.0.0.1",
		"X-Cluster-Client-Ip":      "10.0.0.1",
		"X-Envoy-External-Address": "10.0.0.1",
		"X-Forwarded-Server":       "admin.internal",
		"X-Forwarded-Uri":          "/admin",
		"X-Host":                   "admin.internal",
		"X-Original-Host":          "admin.internal",
		"Via":                      "1.1 admin.internal",
		"X-Http-Method-Override":   "TRACE",
		"X-Http-Method":            "TRACE",
		"X-Method-Override":        "TRACE",
		"Origin":                   "https://evil.example",
		"Referer":                  "https://evil.example/page",
	}
	h := http.Header{}
	for k, v := range claims {
		h.Set(k, v)
	}
	h.Set("X-Custom", "kept")
	if a := pb.call(t, http.MethodGet, "fwd", "who", nil, h); a.status != http.StatusOK {
		t.Fatalf("got status %d (%s), want 200", a.status, a.body)
	}
	seen := up.last(t).Header
	for name := range claims {
		if got := seen.Values(name); len(got) > 0 {
			t.Errorf("upstream got %s %q, want none", name, got)
		}
	}
	if got := seen.Get("X-Custom"); got != "kept" {
		t.Errorf("upstream got X-Custom %q, want %q", got, "kept")
	}
}

// TestEdgeProxyBackslashes checks that a backslash counts as a slash
// when the proxied path is checked for "." and ".." segments, since some
// servers read it as one, and that a path parameter cannot hide a "..".
func TestEdgeProxyBackslashes(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, nil)
	proxyConnected(t, pb, proxyAPIKeyService("bs", up.URL+"/base"), "bs", nil, map[string]string{"X-Api-Key": "k"})
	host := pb.srv.Addr()

	tests := []struct {
		name    string
		target  string // request target after .../proxy/, as sent
		refused bool
	}{
		{name: "escaped backslashes", target: "..%5c..%5cadmin", refused: true},
		{name: "escaped backslash, upper case", target: "items/..%5Cadmin", refused: true},
		{name: "raw backslashes", target: `..\..\admin`, refused: true},
		{name: "dot between backslashes", target: `a\.\b`, refused: true},
		{name: "dots with a path parameter", target: "..;/admin", refused: true},
		{name: "backslash in a name", target: `files/a%5cb`, refused: false},
		{name: "dots inside a name", target: `files/a..b`, refused: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(up.requests())
			got := edgeRaw(t, pb, "GET /api/v1/connections/bs/proxy/"+tt.target+" HTTP/1.1\r\nHost: "+host+
				"\r\nAuthorization: Bearer "+pb.key+"\r\nConnection: close\r\n\r\n", 1)
			if len(got) == 0 {
				t.Fatal("got no answer")
			}
			calls := len(up.requests()) - before
			if !tt.refused {
				if got[0].status != http.StatusOK || calls != 1 {
					t.Errorf("got %d (%.200s) and %d upstream requests, want 200 and 1", got[0].status, got[0].body, calls)
				}
				return
			}
			if got[0].status != http.StatusUnprocessableEntity {
				t.Fatalf("got status %d (%.300s), want 422", got[0].status, got[0].body)
			}
			if p := got[0].problem(t); p.Code != shared.CodeValidation || p.Detail == "" {
				t.Errorf("got code %q with detail %q, want %q with a detail", p.Code, p.Detail, shared.CodeValidation)
			}
			if calls != 0 {
				t.Errorf("upstream got %d requests, want none", calls)
			}
		})
	}
}

// TestEdgeProxyCSRF checks that a browser session's requests through the
// proxy carry the CSRF token for every method but GET and HEAD.
func TestEdgeProxyCSRF(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, nil)
	proxyConnected(t, pb, proxyAPIKeyService("csrf", up.URL), "csrf", nil, map[string]string{"X-Api-Key": "k"})
	cookie, token := edgeSession(t, pb)

	tests := []struct {
		method string
		csrf   string
		want   int
	}{
		{method: http.MethodGet, want: http.StatusOK},
		{method: http.MethodHead, want: http.StatusOK},
		{method: http.MethodOptions, want: http.StatusForbidden},
		{method: http.MethodOptions, csrf: "wrong", want: http.StatusForbidden},
		{method: http.MethodOptions, csrf: token, want: http.StatusOK},
		{method: http.MethodPost, want: http.StatusForbidden},
		{method: http.MethodPost, csrf: token, want: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.method+" csrf="+tt.csrf, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, pb.proxyURL("csrf", "x"), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.AddCookie(cookie)
			if tt.csrf != "" {
				req.Header.Set("X-CSRF-Token", tt.csrf)
			}
			before := len(up.requests())
			// Not pb.send, which would add the API key.
			resp, err := pb.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("got status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want == http.StatusForbidden && len(up.requests()) != before {
				t.Errorf("upstream got the refused request")
			}
		})
	}
}

// TestEdgeProxyCompressedBody checks that a compressed request body
// reaches the service as the caller sent it, with its Content-Encoding,
// instead of being expanded on the way.
func TestEdgeProxyCompressedBody(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, nil)
	proxyConnected(t, pb, proxyAPIKeyService("gz", up.URL), "gz", nil, map[string]string{"X-Api-Key": "k"})
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(bytes.Repeat([]byte(`{"a":1}`), 1000))
	_ = zw.Close()

	h := http.Header{"Content-Encoding": {"gzip"}, "Content-Type": {"application/json"}}
	if a := pb.call(t, http.MethodPost, "gz", "upload", zipped.Bytes(), h); a.status != http.StatusOK {
		t.Fatalf("got status %d (%s), want 200", a.status, a.body)
	}
	seen := up.last(t)
	if !bytes.Equal(seen.Body, zipped.Bytes()) {
		t.Errorf("upstream got a body of %d bytes, want the caller's %d gzip bytes", len(seen.Body), zipped.Len())
	}
	if got := seen.Header.Get("Content-Encoding"); got != "gzip" {
		t.Errorf("upstream got Content-Encoding %q, want gzip", got)
	}
}

// TestEdgeProxyTraceRefused checks that TRACE and CONNECT never reach the
// service: a TRACE answer echoes the request with the credentials
// Plugboard added, and CONNECT would open a tunnel.
func TestEdgeProxyTraceRefused(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, nil)
	proxyConnected(t, pb, proxyAPIKeyService("trace", up.URL), "trace", nil, map[string]string{"X-Api-Key": "k"})

	for _, method := range []string{http.MethodTrace, http.MethodConnect} {
		a := pb.call(t, method, "trace", "echo", nil, nil)
		if a.status != http.StatusMethodNotAllowed {
			t.Errorf("%s: got status %d (%s), want 405", method, a.status, a.body)
			continue
		}
		if p := a.problem(t); p.Code != shared.CodeMethodNotAllowed {
			t.Errorf("%s: got code %q, want %q", method, p.Code, shared.CodeMethodNotAllowed)
		}
	}
	if n := len(up.requests()); n != 0 {
		t.Errorf("the service got %d requests, want none", n)
	}
}
