package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

func TestHealthNeedsNoKey(t *testing.T) {
	r := call(t, http.MethodGet, "/api/v1/health", "", nil)
	wantStatus(t, r, http.StatusOK)
	if got := decodeAs[map[string]string](t, r); got["status"] != "ok" {
		t.Errorf("got %v, want status ok", got)
	}
}

// authedRoutes lists every route that needs a caller, with a body where
// it takes one.
func authedRoutes(svcID, connRef string) []struct {
	method, path string
	body         any
} {
	c := "/api/v1/connections/" + connRef
	return []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/v1/session", nil},
		{http.MethodDelete, "/api/v1/session", nil},
		{http.MethodGet, "/api/v1/meta", nil},
		{http.MethodGet, "/api/v1/services", nil},
		{http.MethodPost, "/api/v1/services", basicService(unique("anon-"))},
		{http.MethodGet, "/api/v1/services/" + svcID, nil},
		{http.MethodPatch, "/api/v1/services/" + svcID, obj{"name": "Taken over"}},
		{http.MethodDelete, "/api/v1/services/" + svcID, nil},
		{http.MethodGet, "/api/v1/connections", nil},
		{http.MethodPost, "/api/v1/connections", obj{"name": "x", "service_id": svcID, "config": obj{"subdomain": "a"}}},
		{http.MethodGet, c, nil},
		{http.MethodPatch, c, obj{"name": "Taken over"}},
		{http.MethodDelete, c, nil},
		{http.MethodGet, c + "/events", nil},
		{http.MethodPost, c + "/authorize", obj{"params": obj{"user": "u", "pass": "p"}}},
		{http.MethodPost, c + "/verify", nil},
		{http.MethodPost, c + "/revoke", nil},
		{http.MethodGet, c + "/token", nil},
		{http.MethodGet, c + "/proxy/orders", nil},
		{http.MethodPost, c + "/proxy/orders", obj{"item": 1}},
		{http.MethodGet, "/api/v1/no-such-route", nil},
	}
}

// peopleRoutes lists the routes about people, keys, the audit trail and
// sharing, with a key id, a user id and a connection ref filled in.
func peopleRoutes(keyID, userID, connRef string) []struct {
	method, path string
	body         any
} {
	c := "/api/v1/connections/" + connRef
	return []struct {
		method, path string
		body         any
	}{
		{http.MethodDelete, "/api/v1/sessions", nil},
		{http.MethodPut, "/api/v1/account/password", obj{"new_password": "a long new password"}},
		{http.MethodGet, "/api/v1/keys", nil},
		{http.MethodPost, "/api/v1/keys", obj{"name": "k", "rights": []string{"read"}}},
		{http.MethodDelete, "/api/v1/keys/" + keyID, nil},
		{http.MethodGet, "/api/v1/users", nil},
		{http.MethodPost, "/api/v1/users", obj{"username": unique("u-"), "role": "member", "password": "a long password 1"}},
		{http.MethodGet, "/api/v1/users/" + userID, nil},
		{http.MethodPatch, "/api/v1/users/" + userID, obj{"role": "member"}},
		{http.MethodDelete, "/api/v1/users/" + userID, nil},
		{http.MethodGet, "/api/v1/audit", nil},
		{http.MethodGet, c + "/shares", nil},
		{http.MethodPut, c + "/shares/" + userID, nil},
		{http.MethodDelete, c + "/shares/" + userID, nil},
	}
}

func TestRoutesNeedAKey(t *testing.T) {
	f := newFixture(t, env.key)
	before := snapshot(t, env.key, f)

	callers := []struct {
		name   string
		header map[string]string
	}{
		{name: "no credentials"},
		{name: "wrong key", header: map[string]string{"Authorization": "Bearer pb_key_not-a-real-key"}},
		{name: "another owner's key with a typo", header: map[string]string{"Authorization": "Bearer " + env.otherKey + "x"}},
		{name: "key without scheme", header: map[string]string{"Authorization": env.key}},
		{name: "basic scheme", header: map[string]string{"Authorization": "Basic " + env.key}},
		{name: "empty bearer", header: map[string]string{"Authorization": "Bearer "}},
		{name: "unknown session cookie", header: map[string]string{"Cookie": "pb_session=pb_sess_forged"}},
		{name: "key as session cookie", header: map[string]string{"Cookie": "pb_session=" + env.key}},
	}
	for _, who := range callers {
		t.Run(who.name, func(t *testing.T) {
			routes := append(authedRoutes(f.svc.ID, f.conn.ID), peopleRoutes("k0", env.otherID, f.conn.ID)...)
			for _, rt := range routes {
				r := send(t, request{method: rt.method, path: rt.path, body: rt.body, header: who.header})
				wantProblem(t, r, http.StatusUnauthorized, shared.CodeUnauthorized)
			}
		})
	}
	wantUnchanged(t, before, snapshot(t, env.key, f))
}

func TestMeta(t *testing.T) {
	r := call(t, http.MethodGet, "/api/v1/meta", env.key, nil)
	wantStatus(t, r, http.StatusOK)
	m := decodeAs[map[string]string](t, r)
	if m["public_url"] != env.url || m["callback_url"] != env.url+"/oauth/callback" {
		t.Errorf("got %v, want public_url %s and callback_url %s/oauth/callback", m, env.url, env.url)
	}
}

type sessionReply struct {
	User      shared.User `json:"user"`
	CSRFToken string      `json:"csrf_token"`
}

// signIn posts body to the session route and returns the session cookie.
func signIn(t *testing.T, body any) (*http.Cookie, sessionReply) {
	t.Helper()
	r := call(t, http.MethodPost, "/api/v1/session", "", body)
	wantStatus(t, r, http.StatusOK)
	resp := http.Response{Header: r.header}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "pb_session" {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value == "" {
		t.Fatalf("got Set-Cookie %q, want a pb_session cookie", r.header.Values("Set-Cookie"))
	}
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/" {
		t.Errorf("got cookie HttpOnly %v SameSite %v Path %q, want true Strict /",
			cookie.HttpOnly, cookie.SameSite, cookie.Path)
	}
	if !strings.Contains(r.header.Get("Cache-Control"), "no-store") {
		t.Errorf("got Cache-Control %q, want no-store", r.header.Get("Cache-Control"))
	}
	s := decodeAs[sessionReply](t, r)
	if s.CSRFToken == "" {
		t.Errorf("got no csrf_token, want one")
	}
	return &http.Cookie{Name: cookie.Name, Value: cookie.Value}, s
}

func TestSessionWithAPIKey(t *testing.T) {
	cookie, s := signIn(t, obj{"api_key": env.key})
	if s.User.ID != env.ownerID {
		t.Errorf("got user %q, want %q", s.User.ID, env.ownerID)
	}
	withCookie := func(method, path string, body any, csrf string) reply {
		rq := request{method: method, path: path, body: body, cookies: []*http.Cookie{cookie}}
		if csrf != "" {
			rq.header = map[string]string{"X-CSRF-Token": csrf}
		}
		return send(t, rq)
	}

	t.Run("GET session gives the CSRF token", func(t *testing.T) {
		r := withCookie(http.MethodGet, "/api/v1/session", nil, "")
		wantStatus(t, r, http.StatusOK)
		if got := decodeAs[sessionReply](t, r); got.CSRFToken != s.CSRFToken || got.User.ID != env.ownerID {
			t.Errorf("got csrf %q user %q, want %q %q", got.CSRFToken, got.User.ID, s.CSRFToken, env.ownerID)
		}
	})

	t.Run("reads need no CSRF token", func(t *testing.T) {
		wantStatus(t, withCookie(http.MethodGet, "/api/v1/connections", nil, ""), http.StatusOK)
	})

	svc := createService(t, env.key, basicService(unique("sess-")))
	in := obj{"name": "From the browser", "service_id": svc.ID, "config": obj{"subdomain": "a"}}
	changes := []struct {
		name   string
		csrf   string
		status int
	}{
		{name: "change without CSRF token", csrf: "", status: http.StatusForbidden},
		{name: "change with a wrong CSRF token", csrf: "not-the-token", status: http.StatusForbidden},
		{name: "change with another session's CSRF token", csrf: otherCSRF(t), status: http.StatusForbidden},
		{name: "change with the CSRF token", csrf: s.CSRFToken, status: http.StatusCreated},
	}
	for _, tt := range changes {
		t.Run(tt.name, func(t *testing.T) {
			before := decodeAs[connectionList](t, call(t, http.MethodGet, "/api/v1/connections?service_id="+svc.ID, env.key, nil))
			r := withCookie(http.MethodPost, "/api/v1/connections", in, tt.csrf)
			after := decodeAs[connectionList](t, call(t, http.MethodGet, "/api/v1/connections?service_id="+svc.ID, env.key, nil))
			if tt.status == http.StatusForbidden {
				wantProblem(t, r, tt.status, shared.CodeForbidden)
				if len(after.Connections) != len(before.Connections) {
					t.Errorf("got %d connections, want %d", len(after.Connections), len(before.Connections))
				}
				return
			}
			wantStatus(t, r, tt.status)
			if len(after.Connections) != len(before.Connections)+1 {
				t.Errorf("got %d connections, want %d", len(after.Connections), len(before.Connections)+1)
			}
		})
	}

	t.Run("sign out needs the CSRF token", func(t *testing.T) {
		r := withCookie(http.MethodDelete, "/api/v1/session", nil, "")
		wantProblem(t, r, http.StatusForbidden, shared.CodeForbidden)
		wantStatus(t, withCookie(http.MethodGet, "/api/v1/session", nil, ""), http.StatusOK)
	})

	t.Run("sign out ends the session on the server", func(t *testing.T) {
		r := withCookie(http.MethodDelete, "/api/v1/session", nil, s.CSRFToken)
		wantStatus(t, r, http.StatusNoContent)
		cleared := false
		for _, c := range (&http.Response{Header: r.header}).Cookies() {
			cleared = cleared || c.Name == "pb_session" && c.Value == "" &&
				(c.MaxAge < 0 || c.Expires.Before(time.Now()))
		}
		if !cleared {
			t.Errorf("got Set-Cookie %q, want the cookie cleared", r.header.Values("Set-Cookie"))
		}
		// The browser might keep the cookie; the server must not accept it.
		wantProblem(t, withCookie(http.MethodGet, "/api/v1/session", nil, ""), http.StatusUnauthorized, shared.CodeUnauthorized)
		wantProblem(t, withCookie(http.MethodPost, "/api/v1/connections", in, s.CSRFToken),
			http.StatusUnauthorized, shared.CodeUnauthorized)
	})
}

// otherCSRF signs in once more and returns that session's CSRF token.
func otherCSRF(t *testing.T) string {
	t.Helper()
	_, s := signIn(t, obj{"api_key": env.key})
	return s.CSRFToken
}

func TestSessionWithLoginToken(t *testing.T) {
	token := env.srv.Boot.LoginToken
	if token == "" {
		t.Fatal("got no login token from the server's start, want one")
	}
	cookie, s := signIn(t, obj{"login_token": token})
	if s.User.ID != env.ownerID {
		t.Errorf("got user %q, want the first admin %q", s.User.ID, env.ownerID)
	}
	r := send(t, request{method: http.MethodGet, path: "/api/v1/connections", cookies: []*http.Cookie{cookie}})
	wantStatus(t, r, http.StatusOK)

	r = call(t, http.MethodPost, "/api/v1/session", "", obj{"login_token": token})
	wantProblem(t, r, http.StatusUnauthorized, shared.CodeUnauthorized)
	if len(r.header.Values("Set-Cookie")) > 0 {
		t.Errorf("got Set-Cookie %q on a refused sign-in, want none", r.header.Values("Set-Cookie"))
	}
}

func TestSignInRefused(t *testing.T) {
	tests := []struct {
		name   string
		body   any
		ct     string
		status int
		code   shared.Code
	}{
		{name: "wrong key", body: obj{"api_key": "pb_key_wrong"}, status: 401, code: shared.CodeUnauthorized},
		{name: "unknown login token", body: obj{"login_token": "pb_login_wrong"}, status: 401, code: shared.CodeUnauthorized},
		{name: "both", body: obj{"api_key": env.key, "login_token": "x"}, status: 422, code: shared.CodeValidation},
		{name: "neither", body: obj{}, status: 422, code: shared.CodeValidation},
		{name: "unknown field", body: obj{"passwd": "x"}, status: 400, code: shared.CodeUnknownField},
		{name: "malformed", body: raw(`{"api_key":`), status: 400, code: shared.CodeInvalidJSON},
		{name: "empty body", body: raw(``), status: 400, code: shared.CodeInvalidJSON},
		{name: "form body", body: raw("api_key=" + env.key), ct: "application/x-www-form-urlencoded",
			status: 415, code: shared.CodeUnsupportedMedia},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, request{method: http.MethodPost, path: "/api/v1/session", body: tt.body, contentType: tt.ct})
			wantProblem(t, r, tt.status, tt.code)
			if len(r.header.Values("Set-Cookie")) > 0 {
				t.Errorf("got Set-Cookie %q, want none", r.header.Values("Set-Cookie"))
			}
		})
	}
}
