package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared"
)

// TestProxyForwarding checks that a request reaches the service with its
// method, path, query, body and end-to-end headers as the caller sent
// them, below the service's API base URL.
func TestProxyForwarding(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, nil)
	proxyConnected(t, pb, proxyAPIKeyService("echo", up.URL+"/base"), "echo",
		nil, map[string]string{"X-Api-Key": "k-123"})

	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	tests := []struct {
		name     string
		method   string
		path     string // escaped, with the query
		body     []byte
		ctype    string
		wantURI  string
		wantBody []byte
	}{
		{name: "GET with query", method: http.MethodGet, path: "items?a=1&b=two%20words&a=2&empty=",
			wantURI: "/base/items?a=1&b=two%20words&a=2&empty="},
		{name: "POST JSON", method: http.MethodPost, path: "items", body: []byte(`{"name":"x"}`),
			ctype: "application/json", wantURI: "/base/items", wantBody: []byte(`{"name":"x"}`)},
		{name: "PUT binary", method: http.MethodPut, path: "blobs/7", body: binary,
			ctype: "application/octet-stream", wantURI: "/base/blobs/7", wantBody: binary},
		{name: "PATCH form", method: http.MethodPatch, path: "items/7?dry_run=true", body: []byte("a=1&b=%26"),
			ctype: "application/x-www-form-urlencoded", wantURI: "/base/items/7?dry_run=true",
			wantBody: []byte("a=1&b=%26")},
		{name: "DELETE", method: http.MethodDelete, path: "items/7", wantURI: "/base/items/7"},
		{name: "escaped path", method: http.MethodGet, path: "files/a%2Fb/c%20d/%C3%A9t%C3%A9/x+y",
			wantURI: "/base/files/a%2Fb/c%20d/%C3%A9t%C3%A9/x+y"},
		{name: "trailing slash", method: http.MethodGet, path: "dir/", wantURI: "/base/dir/"},
		{name: "empty path", method: http.MethodGet, path: "", wantURI: "/base/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.ctype != "" {
				h.Set("Content-Type", tt.ctype)
			}
			a := pb.call(t, tt.method, "echo", tt.path, tt.body, h)
			if a.status != http.StatusOK {
				t.Fatalf("got status %d (%s), want 200", a.status, a.body)
			}
			seen := up.last(t)
			if seen.Method != tt.method {
				t.Errorf("upstream got method %s, want %s", seen.Method, tt.method)
			}
			if seen.URI != tt.wantURI {
				t.Errorf("upstream got request target %q, want %q", seen.URI, tt.wantURI)
			}
			if !bytes.Equal(seen.Body, tt.wantBody) {
				t.Errorf("upstream got body %q, want %q", seen.Body, tt.wantBody)
			}
			if got := seen.Header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("upstream got Content-Type %q, want %q", got, tt.ctype)
			}
			if got := seen.Header.Get("X-Api-Key"); got != "k-123" {
				t.Errorf("upstream got X-Api-Key %q, want the connection's key", got)
			}
		})
	}
}

// TestProxyRequestHeaders checks which of the caller's headers reach the
// service: end-to-end ones do; the caller's own credentials, Plugboard's
// CSRF header and hop-by-hop headers (RFC 9110 section 7.6.1) do not.
func TestProxyRequestHeaders(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, nil)
	proxyConnected(t, pb, proxyAPIKeyService("hdr", up.URL), "hdr",
		nil, map[string]string{"X-Api-Key": "k-hdr"})

	h := http.Header{}
	h.Set("Accept", "application/vnd.test+json")
	h.Set("Accept-Language", "fr")
	h.Set("X-Custom", "kept")
	h.Add("X-Multi", "one")
	h.Add("X-Multi", "two")
	h.Set("If-None-Match", `"v1"`)
	h.Set("Cookie", "pb_session=secret-session")
	h.Set("X-CSRF-Token", "csrf-secret")
	h.Set("Connection", "X-Hop-Named, keep-alive")
	h.Set("X-Hop-Named", "must-not-pass")
	h.Set("Keep-Alive", "timeout=5")
	h.Set("TE", "trailers")
	h.Set("Upgrade", "h2c")
	h.Set("Proxy-Authorization", "Basic cHJveHk6c2VjcmV0")
	h.Set("Proxy-Connection", "keep-alive")
	h.Set("X-Api-Key", "caller-chosen-key")
	pb.call(t, http.MethodGet, "hdr", "who", nil, h)
	seen := up.last(t).Header

	kept := []struct{ name, want string }{
		{"Accept", "application/vnd.test+json"},
		{"Accept-Language", "fr"},
		{"X-Custom", "kept"},
		{"If-None-Match", `"v1"`},
		{"X-Api-Key", "k-hdr"},
	}
	for _, k := range kept {
		t.Run("kept "+k.name, func(t *testing.T) {
			if got := seen.Get(k.name); got != k.want {
				t.Errorf("upstream got %s %q, want %q", k.name, got, k.want)
			}
		})
	}
	t.Run("kept X-Multi", func(t *testing.T) {
		if got := strings.Join(seen.Values("X-Multi"), ","); got != "one,two" {
			t.Errorf("upstream got X-Multi %q, want %q", got, "one,two")
		}
	})
	dropped := []string{"Authorization", "Cookie", "X-Csrf-Token", "X-Hop-Named", "Keep-Alive",
		"Te", "Upgrade", "Proxy-Authorization", "Proxy-Connection"}
	for _, name := range dropped {
		t.Run("dropped "+name, func(t *testing.T) {
			if got := seen.Values(name); len(got) > 0 {
				t.Errorf("upstream got %s %q, want none", name, got)
			}
		})
	}
	t.Run("Connection", func(t *testing.T) {
		if got := seen.Get("Connection"); got != "" && !strings.EqualFold(got, "close") {
			t.Errorf("upstream got Connection %q, want none", got)
		}
	})
	for _, v := range seen {
		for _, secret := range []string{pb.key, "secret-session", "csrf-secret", "caller-chosen-key"} {
			if strings.Contains(strings.Join(v, " "), secret) {
				t.Errorf("upstream got a header holding the caller's %q", secret)
			}
		}
	}
}

// TestProxyResponse checks that the service's status, headers and body
// come back as it sent them, except cookies, which would be set on
// Plugboard's origin, and hop-by-hop headers.
func TestProxyResponse(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		switch r.URL.Path {
		case "/teapot":
			h.Set("Content-Type", "text/plain; charset=utf-8")
			h.Set("X-Upstream", "yes")
			h.Add("X-Multi", "one")
			h.Add("X-Multi", "two")
			h.Set("ETag", `"abc"`)
			h.Set("Cache-Control", "private, max-age=60")
			h.Set("Set-Cookie", "upstream_session=s3cret; Path=/")
			h.Set("Connection", "X-Hop-Named")
			h.Set("X-Hop-Named", "must-not-pass")
			h.Set("Keep-Alive", "timeout=5")
			h.Set("Proxy-Authenticate", `Basic realm="p"`)
			h.Set("Upgrade", "h2c")
			w.WriteHeader(http.StatusTeapot)
			_, _ = w.Write([]byte("short and stout\n"))
		case "/moved":
			h.Set("Location", "https://elsewhere.example/new")
			w.WriteHeader(http.StatusFound)
		case "/unchanged":
			w.WriteHeader(http.StatusNotModified)
		case "/created":
			h.Set("Content-Type", "application/json")
			h.Set("Location", "/items/9")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"id":9}`))
		case "/unauthorized":
			h.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"bad key"}`))
		case "/failing":
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("down"))
		}
	})
	proxyConnected(t, pb, proxyAPIKeyService("resp", up.URL), "resp",
		nil, map[string]string{"X-Api-Key": "k-resp"})

	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantBody   string
		wantHeader map[string]string
	}{
		{name: "teapot", method: http.MethodGet, path: "teapot", wantStatus: http.StatusTeapot,
			wantBody: "short and stout\n", wantHeader: map[string]string{
				"Content-Type": "text/plain; charset=utf-8", "X-Upstream": "yes",
				"ETag": `"abc"`, "Cache-Control": "private, max-age=60"}},
		{name: "redirect passed on", method: http.MethodGet, path: "moved", wantStatus: http.StatusFound,
			wantHeader: map[string]string{"Location": "https://elsewhere.example/new"}},
		{name: "not modified", method: http.MethodGet, path: "unchanged", wantStatus: http.StatusNotModified},
		{name: "created", method: http.MethodPost, path: "created", wantStatus: http.StatusCreated,
			wantBody: `{"id":9}`, wantHeader: map[string]string{"Location": "/items/9"}},
		{name: "service's own 401", method: http.MethodGet, path: "unauthorized",
			wantStatus: http.StatusUnauthorized, wantBody: `{"error":"bad key"}`,
			wantHeader: map[string]string{"WWW-Authenticate": `Bearer error="invalid_token"`}},
		{name: "service's 503", method: http.MethodGet, path: "failing",
			wantStatus: http.StatusServiceUnavailable, wantBody: "down"},
		{name: "HEAD", method: http.MethodHead, path: "teapot", wantStatus: http.StatusTeapot,
			wantHeader: map[string]string{"X-Upstream": "yes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := pb.call(t, tt.method, "resp", tt.path, nil, nil)
			if a.status != tt.wantStatus {
				t.Fatalf("got status %d (%s), want %d", a.status, a.body, tt.wantStatus)
			}
			if string(a.body) != tt.wantBody {
				t.Errorf("got body %q, want %q", a.body, tt.wantBody)
			}
			for k, v := range tt.wantHeader {
				if got := a.header.Get(k); got != v {
					t.Errorf("got %s %q, want %q", k, got, v)
				}
			}
			if got := a.header.Get("Content-Security-Policy"); !strings.HasPrefix(got, "sandbox") {
				t.Errorf("got Content-Security-Policy %q, want a sandbox", got)
			}
		})
	}

	t.Run("dropped", func(t *testing.T) {
		a := pb.call(t, http.MethodGet, "resp", "teapot", nil, nil)
		if got := a.header.Values("X-Multi"); strings.Join(got, ",") != "one,two" {
			t.Errorf("got X-Multi %q, want one,two", got)
		}
		for _, name := range []string{"Set-Cookie", "X-Hop-Named", "Keep-Alive", "Proxy-Authenticate", "Upgrade"} {
			if got := a.header.Values(name); len(got) > 0 {
				t.Errorf("got %s %q, want none", name, got)
			}
		}
		if got := a.header.Get("Connection"); strings.Contains(strings.ToLower(got), "x-hop-named") {
			t.Errorf("got Connection %q, want the service's tokens dropped", got)
		}
	})
}

// proxyLargeSize is the size of the large answers streamed through the
// proxy.
const proxyLargeSize = 50 << 20

// proxyPattern is an endless reader of a fixed byte pattern, so that both
// ends can produce and check a large body without holding it.
type proxyPattern struct{ off int64 }

func (p *proxyPattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte((p.off + int64(i)) % 251)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// proxyChecker counts the bytes written to it and that they follow
// proxyPattern.
type proxyChecker struct {
	n   int64
	bad int64 // offset of the first wrong byte, or -1
}

func (c *proxyChecker) Write(b []byte) (int, error) {
	for i, v := range b {
		if c.bad < 0 && v != byte((c.n+int64(i))%251) {
			c.bad = c.n + int64(i)
		}
	}
	c.n += int64(len(b))
	return len(b), nil
}

// proxyPeakHeap samples the heap until stop is closed and then sends the
// largest HeapAlloc it saw.
func proxyPeakHeap(stop <-chan struct{}, peak chan<- uint64) {
	var peakSoFar uint64
	var ms runtime.MemStats
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		runtime.ReadMemStats(&ms)
		peakSoFar = max(peakSoFar, ms.HeapAlloc)
		select {
		case <-stop:
			peak <- peakSoFar
			return
		case <-tick.C:
		}
	}
}

// TestProxyLargeResponse streams 50 MB generated on the fly through the
// proxy and checks that every byte arrives while the process's heap never
// grows by anything near the size of the body: the answer is streamed,
// not held.
func TestProxyLargeResponse(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		if r.URL.Path == "/sized" {
			w.Header().Set("Content-Length", strconv.Itoa(proxyLargeSize))
		}
		_, _ = io.Copy(w, io.LimitReader(&proxyPattern{}, proxyLargeSize))
	})
	proxyConnected(t, pb, proxyAPIKeyService("big", up.URL), "big",
		nil, map[string]string{"X-Api-Key": "k-big"})

	for _, path := range []string{"chunked", "sized"} {
		t.Run(path, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, pb.proxyURL("big", path), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+pb.key)

			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			stop, peak := make(chan struct{}), make(chan uint64, 1)
			go proxyPeakHeap(stop, peak)

			resp, err := pb.http.Do(req)
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			check := &proxyChecker{bad: -1}
			_, err = io.Copy(check, resp.Body)
			resp.Body.Close()
			close(stop)
			top := <-peak

			if err != nil {
				t.Fatalf("read body: %v", err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got status %d, want 200", resp.StatusCode)
			}
			if check.n != proxyLargeSize {
				t.Errorf("got %d bytes, want %d", check.n, proxyLargeSize)
			}
			if check.bad >= 0 {
				t.Errorf("got a wrong byte at offset %d", check.bad)
			}
			growth := int64(top) - int64(before.HeapAlloc)
			t.Logf("heap before %d KiB, peak %d KiB (growth %d KiB) for a %d KiB body",
				before.HeapAlloc>>10, top>>10, growth>>10, proxyLargeSize>>10)
			if growth > proxyLargeSize/4 {
				t.Errorf("heap grew by %d bytes while streaming %d, want under a quarter of it", growth, proxyLargeSize)
			}
		})
	}
}

// TestProxyCredentials checks that the connection's credentials reach the
// service the way its definition says, whatever the caller sends in
// their place.
func TestProxyCredentials(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, nil)
	secret := shared.Param{Secret: true, Required: true}
	param := func(name string, in shared.ParamIn, prefix string) shared.Param {
		p := secret
		p.Name, p.DisplayName, p.In, p.Prefix = name, name, in, prefix
		return p
	}

	tests := []struct {
		name   string
		svc    shared.Service
		params map[string]string
		// path is sent by the caller, with a query that may try to set
		// the credential itself.
		path      string
		callerHdr http.Header
		check     func(t *testing.T, seen proxySeen)
	}{
		{
			name: "basic",
			svc: shared.Service{AuthType: shared.AuthBasic, Params: []shared.Param{
				{Name: "username", DisplayName: "User", In: shared.InUsername, Required: true},
				param("password", shared.InPassword, ""),
			}},
			params: map[string]string{"username": "ada", "password": "p4ss:word"},
			path:   "me",
			check: func(t *testing.T, seen proxySeen) {
				want := "Basic " + base64.StdEncoding.EncodeToString([]byte("ada:p4ss:word"))
				if got := seen.Header.Get("Authorization"); got != want {
					t.Errorf("got Authorization %q, want %q", got, want)
				}
			},
		},
		{
			name: "api key in Authorization with prefix",
			svc: shared.Service{AuthType: shared.AuthAPIKey, Params: []shared.Param{
				param("Authorization", shared.InHeader, "Bearer "),
			}, Headers: map[string]string{"X-Api-Version": "2024-06-01"}},
			params: map[string]string{"Authorization": "sk-live-1"},
			path:   "me",
			check: func(t *testing.T, seen proxySeen) {
				if got := seen.Header.Values("Authorization"); len(got) != 1 || got[0] != "Bearer sk-live-1" {
					t.Errorf("got Authorization %q, want [Bearer sk-live-1]", got)
				}
				if got := seen.Header.Get("X-Api-Version"); got != "2024-06-01" {
					t.Errorf("got the service's fixed header %q, want 2024-06-01", got)
				}
			},
		},
		{
			name: "api key in own header with prefix",
			svc: shared.Service{AuthType: shared.AuthAPIKey, Params: []shared.Param{
				param("X-Api-Token", shared.InHeader, "Token "),
			}},
			params:    map[string]string{"X-Api-Token": "t-42"},
			path:      "me",
			callerHdr: http.Header{"X-Api-Token": {"caller-token"}},
			check: func(t *testing.T, seen proxySeen) {
				if got := seen.Header.Values("X-Api-Token"); len(got) != 1 || got[0] != "Token t-42" {
					t.Errorf("got X-Api-Token %q, want [Token t-42]", got)
				}
				if got := seen.Header.Get("Authorization"); got != "" {
					t.Errorf("got Authorization %q, want none", got)
				}
			},
		},
		{
			name: "api key in query",
			svc: shared.Service{AuthType: shared.AuthAPIKey, Params: []shared.Param{
				param("api_key", shared.InQuery, ""),
			}},
			params: map[string]string{"api_key": "q-secret"},
			path:   "search?q=go%20lang&api_key=caller-key&page=2",
			check: func(t *testing.T, seen proxySeen) {
				u, err := url.ParseRequestURI(seen.URI)
				if err != nil {
					t.Fatalf("parse %q: %v", seen.URI, err)
				}
				q := u.Query()
				if got := q["api_key"]; len(got) != 1 || got[0] != "q-secret" {
					t.Errorf("got api_key %q, want [q-secret]", got)
				}
				if q.Get("q") != "go lang" || q.Get("page") != "2" {
					t.Errorf("got query %q, want the caller's q and page kept", u.RawQuery)
				}
				if u.Path != "/search" {
					t.Errorf("got path %q, want /search", u.Path)
				}
				if got := seen.Header.Get("Authorization"); got != "" {
					t.Errorf("got Authorization %q, want none", got)
				}
			},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link := fmt.Sprintf("cred_%d", i)
			tt.svc.ID, tt.svc.Name, tt.svc.APIBaseURL = fmt.Sprintf("cred-%d", i), tt.name, up.URL
			proxyConnected(t, pb, tt.svc, link, nil, tt.params)
			a := pb.call(t, http.MethodGet, link, tt.path, nil, tt.callerHdr)
			if a.status != http.StatusOK {
				t.Fatalf("got status %d (%s), want 200", a.status, a.body)
			}
			seen := up.last(t)
			if strings.Contains(fmt.Sprint(seen.Header), pb.key) {
				t.Errorf("the service got the caller's Plugboard key")
			}
			tt.check(t, seen)
		})
	}
}

// TestProxyPlaceholders checks that {name} placeholders in the API base
// URL are filled from the connection's config.
func TestProxyPlaceholders(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, nil)
	svc := proxyAPIKeyService("tenanted", up.URL+"/{tenant}/api/{region}")
	svc.Params = append(svc.Params,
		shared.Param{Name: "tenant", DisplayName: "Tenant", In: shared.InPlaceholder, Required: true},
		shared.Param{Name: "region", DisplayName: "Region", In: shared.InPlaceholder, Options: []string{"eu", "us"}, Default: "eu"},
	)
	svc = pb.addService(t, svc)

	tests := []struct {
		name    string
		config  map[string]string
		wantURI string
	}{
		{name: "both given", config: map[string]string{"tenant": "acme", "region": "us"}, wantURI: "/acme/api/us/v2/items?x=1"},
		{name: "default region", config: map[string]string{"tenant": "globex"}, wantURI: "/globex/api/eu/v2/items?x=1"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link := fmt.Sprintf("tenant_%d", i)
			c := pb.addConnection(t, shared.ConnectionInput{Name: link, LinkName: link, ServiceID: svc.ID, Config: tt.config})
			pb.authorizeParams(t, c.ID, map[string]string{"X-Api-Key": "k"})
			if a := pb.call(t, http.MethodGet, link, "v2/items?x=1", nil, nil); a.status != http.StatusOK {
				t.Fatalf("got status %d (%s), want 200", a.status, a.body)
			}
			if got := up.last(t).URI; got != tt.wantURI {
				t.Errorf("upstream got %q, want %q", got, tt.wantURI)
			}
		})
	}
}

// TestProxyEncoding checks that the proxy neither asks for a content
// coding the caller did not ask for nor decodes the service's answer: a
// gzip body comes back as the same bytes, with its Content-Encoding.
func TestProxyEncoding(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	// The test's own client must leave Accept-Encoding alone too.
	pb.http.Transport = &http.Transport{DisableCompression: true}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(bytes.Repeat([]byte(`{"k":"v"}`), 100))
	zw.Close()
	up := proxyNewUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(zipped.Bytes())
	})
	proxyConnected(t, pb, proxyAPIKeyService("gz", up.URL), "gz", nil, map[string]string{"X-Api-Key": "k"})

	tests := []struct {
		name   string
		accept string
	}{
		{name: "caller asks for gzip", accept: "gzip"},
		{name: "caller says nothing", accept: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.accept != "" {
				h.Set("Accept-Encoding", tt.accept)
			}
			a := pb.call(t, http.MethodGet, "gz", "data", nil, h)
			if got := strings.Join(up.last(t).Header.Values("Accept-Encoding"), ","); got != tt.accept {
				t.Errorf("service got Accept-Encoding %q, want %q", got, tt.accept)
			}
			if got := a.header.Get("Content-Encoding"); got != "gzip" {
				t.Errorf("got Content-Encoding %q, want gzip", got)
			}
			if !bytes.Equal(a.body, zipped.Bytes()) {
				t.Errorf("got a body of %d bytes, want the service's %d gzip bytes", len(a.body), zipped.Len())
			}
		})
	}
}

// TestProxyStreamsAsItArrives checks that what the service has sent
// reaches the caller before the service has finished, as event streams
// need: the service sends a second event only once the caller has the
// first.
func TestProxyStreamsAsItArrives(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	release := make(chan struct{})
	var gaveUp atomic.Bool
	up := proxyNewUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: first\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
			gaveUp.Store(true)
		}
		_, _ = io.WriteString(w, "data: second\n\n")
	})
	proxyConnected(t, pb, proxyAPIKeyService("sse", up.URL), "sse", nil, map[string]string{"X-Api-Key": "k"})

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, pb.proxyURL("sse", "events"), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+pb.key)
	resp, err := pb.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, len("data: first\n\n"))
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatalf("read the first event: %v", err)
	}
	close(release)
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the rest: %v", err)
	}

	if gaveUp.Load() {
		t.Error("the first event reached the caller only after the service had finished")
	}
	if got := string(first) + string(rest); got != "data: first\n\ndata: second\n\n" {
		t.Errorf("got %q, want both events", got)
	}
}
