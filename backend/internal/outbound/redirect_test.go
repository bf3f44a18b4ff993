package outbound

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// redirector answers /redirect?to=URL with a 302 (or ?code=307) to URL and
// records the headers and body of any other request in last.
type redirector struct {
	last     atomic.Pointer[http.Request]
	lastBody atomic.Pointer[string]
}

func (rd *redirector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/redirect" {
		code := http.StatusFound
		if c := r.URL.Query().Get("code"); c != "" {
			code, _ = strconv.Atoi(c)
		}
		http.Redirect(w, r, r.URL.Query().Get("to"), code)
		return
	}
	body, _ := io.ReadAll(r.Body)
	s := string(body)
	rd.last.Store(r.Clone(r.Context()))
	rd.lastBody.Store(&s)
	io.WriteString(w, "final")
}

// via returns the URL on base that redirects to target.
func via(base, target string) string {
	return base + "/redirect?to=" + url.QueryEscape(target)
}

func TestRedirectCredentials(t *testing.T) {
	rdA, rdB := &redirector{}, &redirector{}
	a, b := newServer(t, rdA), newServer(t, rdB)
	allow := mustAllow(t, "127.0.0.1,localhost")
	tests := []struct {
		name  string
		start string
		final *redirector
		kept  bool
	}{
		{name: "same origin", start: via(a.URL, a.URL+"/final"), final: rdA, kept: true},
		{
			name:  "other host",
			start: via(a.URL, b.localhostURL()+"/final"),
			final: rdB,
		},
		{
			// net/http keeps credentials here, as only the port differs.
			name:  "same host other port",
			start: via(a.URL, b.URL+"/final"),
			final: rdB,
		},
		{
			name:  "back to first origin after another",
			start: via(a.URL, via(b.URL, a.URL+"/final")),
			final: rdA,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Config{Allow: allow, CredentialHeaders: []string{"X-Api-Key"}})
			tt.final.last.Store(nil)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, tt.start, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer TOKEN")
			req.Header.Set("Cookie", "session=COOKIE")
			req.Header.Set("X-Api-Key", "APIKEY")
			req.Header.Set("Accept", "application/json")

			resp, err := c.Do(req)
			if err != nil {
				t.Fatalf("GET error: %v", err)
			}
			resp.Body.Close()

			got := tt.final.last.Load()
			if got == nil {
				t.Fatal("final server got no request")
			}
			for _, h := range []string{"Authorization", "Cookie", "X-Api-Key"} {
				if has := got.Header.Get(h) != ""; has != tt.kept {
					t.Errorf("final request has %s: %v, want %v", h, has, tt.kept)
				}
			}
			if got.Header.Get("Accept") == "" {
				t.Errorf("final request lost the Accept header")
			}
			if !tt.kept && strings.Contains(got.Header.Get("Referer"), "?") {
				t.Errorf("final request Referer = %q, want no query", got.Header.Get("Referer"))
			}
		})
	}
}

func TestRedirectResendsBodyOnlyWithinOrigin(t *testing.T) {
	rdA, rdB := &redirector{}, &redirector{}
	a, b := newServer(t, rdA), newServer(t, rdB)
	allow := mustAllow(t, "127.0.0.1")
	tests := []struct {
		name       string
		target     string
		final      *redirector
		wantStatus int
	}{
		{name: "same origin", target: a.URL + "/token", final: rdA, wantStatus: http.StatusOK},
		{name: "other origin", target: b.URL + "/token", final: rdB, wantStatus: http.StatusTemporaryRedirect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Config{Allow: allow})
			tt.final.last.Store(nil)
			start := via(a.URL, tt.target) + "&code=307"
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, start,
				strings.NewReader("client_secret=SECRET"))
			if err != nil {
				t.Fatal(err)
			}

			resp, err := c.Do(req)
			if err != nil {
				t.Fatalf("POST error: %v", err)
			}
			resp.Body.Close()

			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			got := tt.final.last.Load()
			if tt.wantStatus != http.StatusOK {
				if got != nil {
					t.Errorf("other origin got a request, want none")
				}
				return
			}
			if body := *tt.final.lastBody.Load(); body != "client_secret=SECRET" {
				t.Errorf("resent body = %q, want %q", body, "client_secret=SECRET")
			}
		})
	}
}

func TestRedirectToRefusedDestination(t *testing.T) {
	srv := newServer(t, &redirector{})
	tests := []struct {
		name   string
		target string
	}{
		{name: "loopback literal", target: srv.URL + "/final"},
		{name: "private", target: "http://10.0.0.1/"},
		{name: "metadata", target: "http://169.254.169.254/latest/meta-data/iam/"},
		{name: "ipv6 loopback", target: "http://[::1]:" + srv.port() + "/final"},
		{name: "mapped loopback", target: "http://[::ffff:127.0.0.1]:" + srv.port() + "/final"},
		{name: "ftp", target: "ftp://localhost/"},
		{name: "file", target: "file:///etc/passwd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Only the name is allowed, so the redirect to an address
			// must stand on its own.
			c := New(Config{Allow: mustAllow(t, "localhost")})
			dials := countDials(c)

			resp, _, err := get(t, c, via(srv.localhostURL(), tt.target))

			blockedError(t, err)
			if resp == nil || resp.StatusCode != http.StatusFound {
				t.Errorf("response = %v, want the 302 that was not followed", resp)
			}
			if got := dials.Load(); got != 1 {
				t.Errorf("dial attempts = %d, want 1 (the allowed server)", got)
			}
		})
	}
}

func TestRedirectLimit(t *testing.T) {
	var hits atomic.Int32
	// hop answers /hop/n with a redirect to /hop/n+1 until n reaches stop.
	hop := func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		stop, _ := strconv.Atoi(r.URL.Query().Get("stop"))
		if stop > 0 && n >= stop {
			io.WriteString(w, "done")
			return
		}
		target := fmt.Sprintf("/hop/%d?%s", n+1, r.URL.RawQuery)
		http.Redirect(w, r, target, http.StatusFound)
	}
	srv := newServer(t, http.HandlerFunc(hop))
	tests := []struct {
		name     string
		max      int
		stop     int // 0: redirect forever
		wantHits int32
		wantErr  error
	}{
		{name: "within limit", max: 3, stop: 3, wantHits: 4},
		{name: "over limit", max: 3, wantHits: 4, wantErr: ErrTooManyRedirects},
		{name: "default limit", wantHits: 6, wantErr: ErrTooManyRedirects},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			c := New(Config{Allow: mustAllow(t, "127.0.0.1"), MaxRedirects: tt.max})

			_, _, err := get(t, c, srv.URL+"/hop/0?stop="+strconv.Itoa(tt.stop))

			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			if got := hits.Load(); got != tt.wantHits {
				t.Errorf("requests = %d, want %d", got, tt.wantHits)
			}
		})
	}
}

func TestWithoutRedirects(t *testing.T) {
	rd := &redirector{}
	srv := newServer(t, rd)
	c := New(Config{Allow: mustAllow(t, "127.0.0.1")})
	plain := c.WithoutRedirects()

	resp, _, err := get(t, plain, via(srv.URL, srv.URL+"/final"))

	if err != nil {
		t.Fatalf("GET error: %v", err)
	}
	if resp.StatusCode != http.StatusFound {
		t.Errorf("status = %d, want %d", resp.StatusCode, http.StatusFound)
	}
	if rd.last.Load() != nil {
		t.Errorf("redirect was followed, want it returned")
	}
	if _, _, err := get(t, c, via(srv.URL, srv.URL+"/final")); err != nil || rd.last.Load() == nil {
		t.Errorf("original client: error %v, followed %v; want nil, true", err, rd.last.Load() != nil)
	}
	if got := srv.conns.Load(); got != 1 {
		t.Errorf("server accepted %d connections, want 1 shared by both clients", got)
	}
}
