package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// edgeBindingPrefix starts the name of the cookie that binds an OAuth 2.0
// flow to the browser that started it.
const edgeBindingPrefix = "pb_oauth_"

// edgeStart starts a connection's authorization as a browser session
// would, and returns the provider's redirect back to the callback and the
// cookies Plugboard set.
func edgeStart(t *testing.T, pb *oauthPlugboard, secrets *oauthSecrets, connID string,
	session *http.Cookie, csrf string) (*url.URL, []*http.Cookie) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
		pb.url+"/api/v1/connections/"+connID+"/authorize", nil)
	if err != nil {
		t.Fatal(err)
	}
	if session != nil {
		req.AddCookie(session)
		req.Header.Set("X-CSRF-Token", csrf)
	} else {
		req.Header.Set("Authorization", "Bearer "+pb.key)
	}
	resp, err := oauthBrowser.Do(req)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	defer resp.Body.Close()
	var res struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || res.AuthorizeURL == "" {
		t.Fatalf("authorize: status %d, %v", resp.StatusCode, err)
	}
	for _, c := range resp.Cookies() {
		secrets.add("browser binding", c.Value)
	}
	return edgeConsent(t, pb, secrets, res.AuthorizeURL), resp.Cookies()
}

// edgeConsent plays the person at the fake provider and returns where it
// sends the browser back to.
func edgeConsent(t *testing.T, pb *oauthPlugboard, secrets *oauthSecrets, authorizeURL string) *url.URL {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, authorizeURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := oauthBrowser.Do(req)
	if err != nil {
		t.Fatalf("visit provider: %v", err)
	}
	resp.Body.Close()
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(cb.String(), pb.callbackURL()+"?") {
		t.Fatalf("provider redirected to %q, want the callback", resp.Header.Get("Location"))
	}
	secrets.add("state", cb.Query().Get("state"))
	return cb
}

// edgeDeliver requests the callback with cookies and returns Plugboard's
// status, Location and the cookies it set.
func edgeDeliver(t *testing.T, cb *url.URL, cookies ...*http.Cookie) (int, string, []*http.Cookie) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, cb.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := oauthBrowser.Do(req)
	if err != nil {
		t.Fatalf("GET callback: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), resp.Cookies()
}

// edgeBinding returns the binding cookie among cookies, or nil.
func edgeBinding(cookies []*http.Cookie) *http.Cookie {
	for _, c := range cookies {
		if strings.HasPrefix(c.Name, edgeBindingPrefix) {
			return c
		}
	}
	return nil
}

// TestEdgeOAuthBrowserBinding checks that an authorization started in a
// browser finishes only in that browser (RFC 6749 section 10.12): the
// provider's redirect back, delivered by another browser, is refused
// before any code is exchanged.
func TestEdgeOAuthBrowserBinding(t *testing.T) {
	secrets := newOAuthSecrets()
	pb := oauthStart(t, secrets)
	f := oauthNewFake(t, secrets)
	svc := oauthFakeService("bound", f)
	secrets.add("client secret", svc.ClientSecret)
	if _, err := pb.api.CreateService(t.Context(), svc); err != nil {
		t.Fatalf("create service: %v", err)
	}
	session, csrf := edgeSession(t, pb.testPlugboard)
	secrets.add("session cookie", session.Value)
	secrets.add("CSRF token", csrf)

	newConn := func(t *testing.T, name string) string {
		t.Helper()
		c, err := pb.api.CreateConnection(t.Context(), shared.ConnectionInput{Name: name, ServiceID: svc.ID})
		if err != nil {
			t.Fatalf("create connection: %v", err)
		}
		return c.ID
	}
	exchanges := func() int { return len(f.tokenRequests("authorization_code")) }

	t.Run("cookie set", func(t *testing.T) {
		_, cookies := edgeStart(t, pb, secrets, newConn(t, "cookie"), session, csrf)
		c := edgeBinding(cookies)
		if c == nil {
			t.Fatalf("got cookies %v, want one named %s...", cookies, edgeBindingPrefix)
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/oauth/callback" {
			t.Errorf("got HttpOnly=%v SameSite=%v Path=%q, want HttpOnly, Lax, /oauth/callback",
				c.HttpOnly, c.SameSite, c.Path)
		}
		if c.MaxAge <= 0 || c.MaxAge > 600 || len(c.Value) < 32 {
			t.Errorf("got Max-Age %d and a value of %d characters, want at most 600 s and a random value",
				c.MaxAge, len(c.Value))
		}
	})

	t.Run("another browser", func(t *testing.T) {
		jars := []struct {
			name   string
			cookie func(mine *http.Cookie) *http.Cookie
		}{
			{name: "no cookie", cookie: func(*http.Cookie) *http.Cookie { return nil }},
			{name: "another value", cookie: func(mine *http.Cookie) *http.Cookie {
				return &http.Cookie{Name: mine.Name, Value: strings.Repeat("A", len(mine.Value))}
			}},
		}
		for _, jar := range jars {
			t.Run(jar.name, func(t *testing.T) {
				id := newConn(t, "other-browser-"+strings.ReplaceAll(jar.name, " ", "-"))
				cb, cookies := edgeStart(t, pb, secrets, id, session, csrf)
				mine := edgeBinding(cookies)
				if mine == nil {
					t.Fatal("got no binding cookie")
				}
				before := exchanges()
				var sent []*http.Cookie
				if c := jar.cookie(mine); c != nil {
					sent = append(sent, c)
				}
				status, location, _ := edgeDeliver(t, cb, sent...)
				oauthWantRedirect(t, status, location, "/oauth/failed?code=other_browser")
				if n := exchanges() - before; n != 0 {
					t.Errorf("the provider got %d code exchanges, want none", n)
				}
				c, err := pb.api.GetConnection(t.Context(), id)
				if err != nil {
					t.Fatal(err)
				}
				if c.Status != shared.StatusPending || c.LastError != "" {
					t.Errorf("got status %s, last error %q, want pending and none", c.Status, c.LastError)
				}
				// The refused redirect used up the state: it cannot be
				// tried again, not even from the browser that started it.
				status, location, _ = edgeDeliver(t, cb, mine)
				oauthWantRedirect(t, status, location, "/oauth/failed?code=state_unknown")
			})
		}
	})

	t.Run("same browser", func(t *testing.T) {
		id := newConn(t, "same-browser")
		cb, cookies := edgeStart(t, pb, secrets, id, session, csrf)
		f.queue(oauthFakeAnswer{Status: http.StatusOK, ContentType: "application/json",
			Body: `{"access_token":"` + oauthRandom("at-") + `","token_type":"Bearer","expires_in":3600}`})
		status, location, set := edgeDeliver(t, cb, cookies...)
		oauthWantRedirect(t, status, location, "/connections/"+id+"?outcome=connected")
		if c := edgeBinding(set); c == nil || !edgeExpired(c) {
			t.Errorf("got cookies %v, want the binding cookie cleared", set)
		}
	})

	t.Run("two flows in one browser", func(t *testing.T) {
		first, cookies1 := edgeStart(t, pb, secrets, newConn(t, "tab-one"), session, csrf)
		second, cookies2 := edgeStart(t, pb, secrets, newConn(t, "tab-two"), session, csrf)
		jar := append(append([]*http.Cookie{}, cookies1...), cookies2...)
		for _, cb := range []*url.URL{second, first} {
			f.queue(oauthFakeAnswer{Status: http.StatusOK, ContentType: "application/json",
				Body: `{"access_token":"` + oauthRandom("at-") + `","token_type":"Bearer"}`})
			_, location, _ := edgeDeliver(t, cb, jar...)
			if !strings.HasSuffix(location, "?outcome=connected") {
				t.Errorf("callback sent the browser to %q, want a connected outcome", location)
			}
		}
	})

	t.Run("started with an API key", func(t *testing.T) {
		id := newConn(t, "program")
		cb, cookies := edgeStart(t, pb, secrets, id, nil, "")
		if c := edgeBinding(cookies); c != nil {
			t.Errorf("got a binding cookie %s for a flow an API key started, want none", c.Name)
		}
		f.queue(oauthFakeAnswer{Status: http.StatusOK, ContentType: "application/json",
			Body: `{"access_token":"` + oauthRandom("at-") + `","token_type":"Bearer"}`})
		status, location, _ := edgeDeliver(t, cb)
		oauthWantRedirect(t, status, location, "/connections/"+id+"?outcome=connected")
	})
}

// edgeExpired reports whether a Set-Cookie deletes its cookie.
func edgeExpired(c *http.Cookie) bool {
	return c.MaxAge < 0 || !c.Expires.IsZero() && c.Expires.Before(time.Now())
}
