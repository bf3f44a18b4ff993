package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared"
)

// proxySandbox is the policy the proxy puts on every answer it relays.
const proxySandbox = "sandbox; default-src 'none'; frame-ancestors 'none'"

// TestEdgeProxyAnswerHeaders checks that a service cannot set, through
// the proxy, headers that change how a browser treats Plugboard's origin,
// and that its headers describing the body or its caching still pass.
func TestEdgeProxyAnswerHeaders(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	risky := http.Header{
		"Access-Control-Allow-Origin":      {"https://evil.example"},
		"Access-Control-Allow-Credentials": {"true"},
		"Access-Control-Allow-Headers":     {"*"},
		"Access-Control-Expose-Headers":    {"*"},
		"Clear-Site-Data":                  {`"*"`},
		"Refresh":                          {"0; url=https://evil.example"},
		"Strict-Transport-Security":        {"max-age=0"},
		"Link":                             {"<https://evil.example/x.js>; rel=preload"},
		"Service-Worker-Allowed":           {"/"},
		"Set-Cookie":                       {"pb_session=evil; Path=/"},
		"Permissions-Policy":               {"camera=*"},
		"Alt-Svc":                          {`h3=":443"`},
	}
	up := proxyNewUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
		for k, vs := range risky {
			w.Header()[k] = vs
		}
		w.Header()["X-Frame-Options"] = []string{"ALLOWALL"}
		w.Header()["Content-Security-Policy"] = []string{"default-src *", "script-src *"}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=60")
		w.Header().Set("Etag", `"v1"`)
		w.Header().Set("X-Custom", "kept")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	proxyConnected(t, pb, proxyAPIKeyService("hdr", up.URL), "hdr", nil, map[string]string{"X-Api-Key": "k"})

	a := pb.call(t, http.MethodGet, "hdr", "x", nil, nil)
	if a.status != http.StatusOK {
		t.Fatalf("got status %d (%s), want 200", a.status, a.body)
	}
	for name := range risky {
		if got := a.header.Values(name); len(got) > 0 {
			t.Errorf("answer has %s %q, want none", name, got)
		}
	}
	if got := a.header.Values("Content-Security-Policy"); len(got) != 1 || got[0] != proxySandbox {
		t.Errorf("answer has Content-Security-Policy %q, want only %q", got, proxySandbox)
	}
	if got := a.header.Values("X-Frame-Options"); len(got) != 1 || got[0] != "DENY" {
		t.Errorf("answer has X-Frame-Options %q, want only DENY", got)
	}
	kept := map[string]string{"Content-Type": "application/json", "Cache-Control": "max-age=60",
		"Etag": `"v1"`, "X-Custom": "kept"}
	for name, want := range kept {
		if got := a.header.Get(name); got != want {
			t.Errorf("answer has %s %q, want %q", name, got, want)
		}
	}
}

// TestEdgeProxyLinkNamedProxy checks that the proxied path starts after
// the route's own ".../<ref>/proxy/", even when the link name is "proxy"
// or the path itself holds "/proxy/", and stays escaped as sent.
func TestEdgeProxyLinkNamedProxy(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, nil)
	proxyConnected(t, pb, proxyAPIKeyService("px", up.URL+"/base"), "proxy", nil, map[string]string{"X-Api-Key": "k"})

	tests := []struct {
		path    string // after .../proxy/, as sent
		wantURI string
	}{
		{path: "abc", wantURI: "/base/abc"},
		{path: "proxy/abc", wantURI: "/base/proxy/abc"},
		{path: "a%2Fb/proxy/c%20d?x=1", wantURI: "/base/a%2Fb/proxy/c%20d?x=1"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if a := pb.call(t, http.MethodGet, "proxy", tt.path, nil, nil); a.status != http.StatusOK {
				t.Fatalf("got status %d (%s), want 200", a.status, a.body)
			}
			if got := up.last(t).URI; got != tt.wantURI {
				t.Errorf("upstream got request target %q, want %q", got, tt.wantURI)
			}
		})
	}
}

// TestEdgeProxyMethodRefusals checks that a CONNECT request line in
// authority form and an unknown method on the proxy get a 405 problem
// document with the security headers and the proxy's methods in Allow.
func TestEdgeProxyMethodRefusals(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, nil)
	proxyConnected(t, pb, proxyAPIKeyService("meth", up.URL), "meth", nil, map[string]string{"X-Api-Key": "k"})
	host := pb.srv.Addr()
	const proxyAllow = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"

	tests := []struct {
		name      string
		raw       string
		wantAllow string
	}{
		{name: "CONNECT authority form",
			raw: "CONNECT 127.0.0.1:18282 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
		{name: "PROPFIND on the proxy", wantAllow: proxyAllow,
			raw: "PROPFIND /api/v1/connections/meth/proxy/x HTTP/1.1\r\nHost: " + host +
				"\r\nAuthorization: Bearer " + pb.key + "\r\nConnection: close\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := edgeRaw(t, pb, tt.raw, 1)
			if len(got) == 0 {
				t.Fatal("got no answer")
			}
			a := got[0]
			if a.status != http.StatusMethodNotAllowed {
				t.Fatalf("got status %d (%.300s), want 405", a.status, a.body)
			}
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("got Content-Type %q, want application/problem+json", ct)
			}
			if p := a.problem(t); p.Code != shared.CodeMethodNotAllowed {
				t.Errorf("got code %q, want %q", p.Code, shared.CodeMethodNotAllowed)
			}
			if got := a.header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("got X-Content-Type-Options %q, want nosniff", got)
			}
			if tt.wantAllow != "" && a.header.Get("Allow") != tt.wantAllow {
				t.Errorf("got Allow %q, want %q", a.header.Get("Allow"), tt.wantAllow)
			}
			if n := len(up.requests()); n != 0 {
				t.Errorf("the service got %d requests, want none", n)
			}
		})
	}
}
