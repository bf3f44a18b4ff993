package outbound

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
)

func TestLoopbackRefusedByDefault(t *testing.T) {
	srv := newServer(t, textHandler("secret internal data"))
	tests := []struct {
		name string
		url  string
	}{
		{name: "ip literal", url: srv.URL + "/admin"},
		// "localhost" is resolved by the dialer and refused in its
		// control hook, after the socket exists but before connect.
		{name: "host name", url: srv.localhostURL() + "/admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Config{})

			_, _, err := get(t, c, tt.url)

			be := blockedError(t, err)
			if be.Addr != "127.0.0.1" {
				t.Errorf("Addr = %q, want %q", be.Addr, "127.0.0.1")
			}
			if be.Reason != "loopback address" {
				t.Errorf("Reason = %q, want %q", be.Reason, "loopback address")
			}
			if IsUnreachable(err) || IsTimeout(err) {
				t.Errorf("IsUnreachable, IsTimeout = %v, %v, want false, false",
					IsUnreachable(err), IsTimeout(err))
			}
		})
	}
	if got := srv.conns.Load(); got != 0 {
		t.Errorf("server accepted %d connections, want 0", got)
	}
}

func TestAllowedLoopback(t *testing.T) {
	srv := newServer(t, textHandler("hello"))
	tests := []struct {
		name  string
		allow string
		url   string
	}{
		{name: "by ip", allow: "127.0.0.1", url: srv.URL},
		{name: "by cidr", allow: "127.0.0.0/8", url: srv.URL},
		{name: "by host name", allow: "localhost", url: srv.localhostURL()},
		{name: "by host name any case", allow: "LocalHost", url: srv.localhostURL()},
		{name: "host name by its address", allow: "127.0.0.1", url: srv.localhostURL()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Config{Allow: mustAllow(t, tt.allow)})

			resp, body, err := get(t, c, tt.url+"/x?q=1")

			if err != nil {
				t.Fatalf("GET error: %v", err)
			}
			if resp.StatusCode != http.StatusOK || body != "hello" {
				t.Errorf("got %d %q, want 200 %q", resp.StatusCode, body, "hello")
			}
		})
	}
}

func TestRefusedDestinations(t *testing.T) {
	srv := newServer(t, textHandler("hello"))
	port := srv.port()
	tests := []struct {
		name string
		url  string
		addr string
	}{
		{name: "cloud metadata", url: "http://169.254.169.254/latest/meta-data/", addr: "169.254.169.254"},
		{name: "private", url: "http://10.0.0.1/", addr: "10.0.0.1"},
		{name: "private with port", url: "https://192.168.0.10:8443/", addr: "192.168.0.10"},
		{name: "cgnat", url: "http://100.64.0.1/", addr: "100.64.0.1"},
		{name: "unspecified", url: "http://0.0.0.0:" + port + "/", addr: "0.0.0.0"},
		{name: "multicast", url: "http://224.0.0.1/", addr: "224.0.0.1"},
		{name: "ipv6 loopback", url: "http://[::1]:" + port + "/", addr: "::1"},
		{name: "mapped loopback", url: "http://[::ffff:127.0.0.1]:" + port + "/", addr: "::ffff:127.0.0.1"},
		{name: "mapped private", url: "http://[::ffff:10.0.0.1]/", addr: "::ffff:10.0.0.1"},
		{name: "ula", url: "http://[fd00::1]/", addr: "fd00::1"},
		{name: "link-local v6", url: "http://[fe80::1%25lo]/", addr: "fe80::1%lo"},
		{name: "other loopback", url: "http://127.0.0.2:" + port + "/", addr: "127.0.0.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// 127.0.0.1 is allowed: neither its IPv6 forms nor the
			// rest of 127.0.0.0/8 may ride on that.
			c := New(Config{Allow: mustAllow(t, "127.0.0.1")})
			dials := countDials(c)

			_, _, err := get(t, c, tt.url)

			be := blockedError(t, err)
			if be.Addr != tt.addr {
				t.Errorf("Addr = %q, want %q", be.Addr, tt.addr)
			}
			if got := dials.Load(); got != 0 {
				t.Errorf("dial attempts = %d, want 0", got)
			}
		})
	}
	if got := srv.conns.Load(); got != 0 {
		t.Errorf("server accepted %d connections, want 0", got)
	}
}

func TestSchemeRefused(t *testing.T) {
	tests := []struct {
		name string
		url  string
	}{
		{name: "ftp", url: "ftp://127.0.0.1/pub"},
		{name: "file", url: "file:///etc/passwd"},
		{name: "gopher", url: "gopher://127.0.0.1:70/"},
	}
	c := New(Config{Allow: mustAllow(t, "127.0.0.1")})
	dials := countDials(c)
	for _, tt := range tests {
		t.Run(tt.name+" via Do", func(t *testing.T) {
			_, _, err := get(t, c, tt.url)
			be := blockedError(t, err)
			if !strings.Contains(be.Reason, "scheme") {
				t.Errorf("Reason = %q, want it to name the scheme", be.Reason)
			}
		})
		t.Run(tt.name+" via Transport", func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Transport().RoundTrip(req)
			blockedError(t, err)
		})
	}
	if got := dials.Load(); got != 0 {
		t.Errorf("dial attempts = %d, want 0", got)
	}
}

func TestUnreachable(t *testing.T) {
	closed := newServer(t, textHandler(""))
	addr := closed.URL
	closed.Close()
	c := New(Config{Allow: mustAllow(t, "127.0.0.1")})

	_, _, err := get(t, c, addr)

	if err == nil {
		t.Fatal("GET closed port: got nil error, want one")
	}
	if !IsUnreachable(err) {
		t.Errorf("IsUnreachable(%v) = false, want true", err)
	}
	if IsTimeout(err) {
		t.Errorf("IsTimeout(%v) = true, want false", err)
	}
	var be *BlockedError
	if errors.As(err, &be) {
		t.Errorf("error %v is a *BlockedError, want none", err)
	}
}

func TestConnectionReuse(t *testing.T) {
	srv := newServer(t, textHandler("ok"))
	c := New(Config{Allow: mustAllow(t, "127.0.0.1")})

	for i := range 5 {
		if _, _, err := get(t, c, srv.URL); err != nil {
			t.Fatalf("GET %d error: %v", i, err)
		}
	}

	if got := srv.conns.Load(); got != 1 {
		t.Errorf("server accepted %d connections for 5 requests, want 1", got)
	}
}

func TestHTTP2(t *testing.T) {
	srv := httptest.NewUnstartedServer(textHandler("h2"))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := New(Config{Allow: mustAllow(t, "127.0.0.1")})
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	c.transport.base.TLSClientConfig = &tls.Config{RootCAs: roots}

	resp, body, err := get(t, c, srv.URL)

	if err != nil {
		t.Fatalf("GET error: %v", err)
	}
	if resp.ProtoMajor != 2 || body != "h2" {
		t.Errorf("got %s %q, want HTTP/2.0 %q", resp.Proto, body, "h2")
	}
}

func TestTransportGuardsReverseProxy(t *testing.T) {
	upstream := newServer(t, textHandler("from upstream"))
	tests := []struct {
		name       string
		allow      string
		wantStatus int
		wantConns  int32
	}{
		{name: "allowed upstream", allow: "127.0.0.1", wantStatus: http.StatusOK, wantConns: 1},
		{name: "refused upstream", allow: "", wantStatus: http.StatusBadGateway, wantConns: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := upstream.conns.Load()
			target, err := url.Parse(upstream.URL)
			if err != nil {
				t.Fatal(err)
			}
			c := New(Config{Allow: mustAllow(t, tt.allow), MaxResponseBytes: -1})
			proxy := httputil.NewSingleHostReverseProxy(target)
			proxy.Transport = c.Transport()
			var proxyErr error
			proxy.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, err error) {
				proxyErr = err
				w.WriteHeader(http.StatusBadGateway)
			}
			front := httptest.NewServer(proxy)
			t.Cleanup(front.Close)

			resp, err := http.Get(front.URL + "/v1/things")
			if err != nil {
				t.Fatalf("GET via proxy: %v", err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()

			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := upstream.conns.Load() - before; got != tt.wantConns {
				t.Errorf("upstream connections = %d, want %d", got, tt.wantConns)
			}
			if tt.wantStatus == http.StatusBadGateway {
				blockedError(t, proxyErr)
			}
		})
	}
}
