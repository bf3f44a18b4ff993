package hydratest

import (
	"fmt"
	"net/http"
	"net/url"
)

// Paths of the login and consent app, which Hydra sends the browser to.
const (
	loginPath   = "/login"
	consentPath = "/consent"
)

// redirect is Hydra's answer to accepting or rejecting a request.
type redirect struct {
	To string `json:"redirect_to"`
}

// loginConsentHandler is the login and consent app. It shows no page:
// every request is decided at once and answered with a 302 back to Hydra,
// so a real browser follows it as readily as Authorize does.
func (s *Server) loginConsentHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+loginPath, s.login)
	mux.HandleFunc("GET "+consentPath, s.consent)
	return mux
}

// login signs in the current subject, or rejects the request once after
// DenyNext.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	challenge := r.URL.Query().Get("login_challenge")
	if challenge == "" {
		http.Error(w, "missing login_challenge", http.StatusBadRequest)
		return
	}
	q := "?login_challenge=" + url.QueryEscape(challenge)

	var req struct {
		Skip    bool   `json:"skip"`
		Subject string `json:"subject"`
	}
	path := "/admin/oauth2/auth/requests/login"
	if err := s.adminRequest(r.Context(), http.MethodGet, path+q, nil, &req); err != nil {
		s.fail(w, "get login request", err)
		return
	}

	var out redirect
	var err error
	if s.deny.CompareAndSwap(true, false) {
		in := map[string]any{
			"error":             "access_denied",
			"error_description": "The person declined to sign in.",
		}
		err = s.adminRequest(r.Context(), http.MethodPut, path+"/reject"+q, in, &out)
	} else {
		subject := s.currentSubject()
		if req.Skip {
			// Hydra already knows who this is; it insists on the same
			// subject.
			subject = req.Subject
		}
		in := map[string]any{"subject": subject, "remember": false}
		err = s.adminRequest(r.Context(), http.MethodPut, path+"/accept"+q, in, &out)
	}
	if err != nil {
		s.fail(w, "answer login request", err)
		return
	}
	http.Redirect(w, r, out.To, http.StatusFound)
}

// consent grants every scope and audience the client asked for.
func (s *Server) consent(w http.ResponseWriter, r *http.Request) {
	challenge := r.URL.Query().Get("consent_challenge")
	if challenge == "" {
		http.Error(w, "missing consent_challenge", http.StatusBadRequest)
		return
	}
	q := "?consent_challenge=" + url.QueryEscape(challenge)

	var req struct {
		Scope    []string `json:"requested_scope"`
		Audience []string `json:"requested_access_token_audience"`
	}
	path := "/admin/oauth2/auth/requests/consent"
	if err := s.adminRequest(r.Context(), http.MethodGet, path+q, nil, &req); err != nil {
		s.fail(w, "get consent request", err)
		return
	}

	in := map[string]any{
		"grant_scope":                 nonNil(req.Scope),
		"grant_access_token_audience": nonNil(req.Audience),
		"remember":                    false,
	}
	var out redirect
	if err := s.adminRequest(r.Context(), http.MethodPut, path+"/accept"+q, in, &out); err != nil {
		s.fail(w, "accept consent request", err)
		return
	}
	http.Redirect(w, r, out.To, http.StatusFound)
}

// fail answers 502 and keeps the cause with Hydra's output, which the test
// prints if it fails.
func (s *Server) fail(w http.ResponseWriter, step string, err error) {
	msg := fmt.Sprintf("hydratest: %s: %v", step, err)
	fmt.Fprintln(s.output, msg)
	http.Error(w, msg, http.StatusBadGateway)
}

// nonNil turns a nil slice into an empty one, which encodes as [] rather
// than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
