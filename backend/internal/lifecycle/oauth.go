package lifecycle

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// userAgent names Plugboard in the requests it sends to providers.
const userAgent = "Plugboard"

// StateTTL is how long an authorization may take, from the authorize call
// to the provider's redirect back.
const StateTTL = 10 * time.Minute

// AuthorizeResult is what starting an authorization gives: for OAuth 2.0
// the provider's address to send the person to; for Basic Auth and API
// keys the connection, already verified.
type AuthorizeResult struct {
	AuthorizeURL string             `json:"authorize_url,omitempty"`
	Connection   *shared.Connection `json:"connection,omitempty"`
	// Binding is for the browser that started an OAuth 2.0 flow to keep;
	// it is never part of the answer's body.
	Binding *Binding `json:"-"`
}

// Binding ties an OAuth 2.0 flow to the browser that started it, so that
// the provider's redirect back is accepted only from that browser (RFC
// 6749 section 10.12): a person sent someone else's authorization address
// cannot link their account into the other's connection. The browser
// keeps Value, a random secret, under Name, which tells this flow apart
// from others the browser has under way (see BindingName); only a hash of
// Value is stored. Like tokens, it cannot be printed.
type Binding struct {
	Name  string
	Value string
}

func (b Binding) String() string             { return "[binding " + b.Name + " redacted]" }
func (b Binding) GoString() string           { return b.String() }
func (b Binding) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(b.String())) }
func (b Binding) LogValue() slog.Value       { return slog.StringValue(b.String()) }

// BindingName returns the name of the binding of the flow whose state
// the provider sent back.
func BindingName(state string) string { return hashString("binding:" + state)[:16] }

// Authorize starts (OAuth 2.0) or performs (Basic Auth, API key) the
// authorization of a connection. params holds the values asked for at
// authorization; OAuth 2.0 takes none. browser says that a person's
// browser session asked: an OAuth 2.0 flow is then bound to that browser
// (see Binding). A flow a program starts with an API key has no browser
// to bind, and is not bound.
func (m *Manager) Authorize(ctx context.Context, owner, ref string, params map[string]string,
	browser bool) (AuthorizeResult, error) {
	c, err := m.owned(ctx, owner, ref, verbAuthorize)
	if err != nil {
		return AuthorizeResult{}, err
	}
	svc, _, err := m.service(ctx, owner, c.ServiceID)
	if err != nil {
		return AuthorizeResult{}, err
	}
	if svc.AuthType != shared.AuthOAuth2 {
		conn, err := m.authorizeWithParams(ctx, owner, &svc, c, params)
		if err != nil {
			return AuthorizeResult{}, err
		}
		return AuthorizeResult{Connection: &conn}, nil
	}
	if len(params) > 0 {
		return AuthorizeResult{}, fail(shared.CodeWrongAuthType,
			"OAuth 2.0 connections take no parameters here; the provider asks the person instead.")
	}
	var bind *Binding
	if browser {
		bind = &Binding{Value: randomString(32)}
	}
	u, err := m.startOAuth(ctx, owner, &svc, c, bind)
	if err != nil {
		return AuthorizeResult{}, err
	}
	return AuthorizeResult{AuthorizeURL: u, Binding: bind}, nil
}

// oauthConfig builds the x/oauth2 configuration of a connection, with its
// placeholders filled.
func (m *Manager) oauthConfig(svc *shared.Service, c shared.Connection) (*oauth2.Config, error) {
	values := placeholderValues(c)
	authURL, err := shared.FillURL(svc.AuthorizationURL, values)
	if err != nil {
		return nil, fail(shared.CodeValidation, "The authorization address cannot be formed: %v.", err)
	}
	tokenURL, err := shared.FillURL(svc.TokenURL, values)
	if err != nil {
		return nil, fail(shared.CodeValidation, "The token address cannot be formed: %v.", err)
	}
	style := oauth2.AuthStyleInHeader
	if svc.TokenAuthStyle == shared.TokenAuthBody {
		style = oauth2.AuthStyleInParams
	}
	cfg := &oauth2.Config{
		ClientID:     svc.ClientID,
		ClientSecret: svc.ClientSecret,
		RedirectURL:  m.callbackURL,
		Endpoint:     oauth2.Endpoint{AuthURL: authURL, TokenURL: tokenURL, AuthStyle: style},
	}
	// x/oauth2 joins scopes with spaces; a service with another separator
	// gets them pre-joined as one. A service that names another scope
	// parameter gets them in startOAuth instead.
	if len(c.Scopes) > 0 && svc.ScopeParameter() == "scope" {
		cfg.Scopes = []string{strings.Join(c.Scopes, svc.Separator())}
	}
	return cfg, nil
}

// startOAuth stores a new flow's state and returns the provider's
// address. When bind is not nil the flow is bound to it, and its Name is
// set.
func (m *Manager) startOAuth(ctx context.Context, owner string, svc *shared.Service, c shared.Connection,
	bind *Binding) (string, error) {
	switch c.Status {
	case shared.StatusPending, shared.StatusNeedsReauth, shared.StatusRevoked:
	default:
		return "", fail(shared.CodeWrongStatus,
			"The connection is already connected; revoke it or change its scopes to authorize it again.")
	}
	if svc.ClientID == "" {
		return "", fail(shared.CodeMissingClient,
			"Set the client id (and secret) of %s first: register %s as the redirect URI at the provider, then save its credentials on the service.",
			svc.Name, m.callbackURL)
	}
	cfg, err := m.oauthConfig(svc, c)
	if err != nil {
		return "", err
	}

	// RFC 9700 section 2.1: an unguessable, single-use state bound to
	// this flow; 32 random bytes.
	state := randomString(32)
	verifier := oauth2.GenerateVerifier()
	sealed, err := m.keys.SealString(verifier, stateAAD(hashString(state)))
	if err != nil {
		return "", fmt.Errorf("seal verifier: %w", err)
	}
	now := m.clock()
	st := store.AuthState{
		Hash:         hashString(state),
		OwnerID:      owner,
		ConnectionID: c.ID,
		Verifier:     sealed,
		Scopes:       c.Scopes,
		CreatedAt:    now,
		ExpiresAt:    now.Add(StateTTL),
	}
	if bind != nil {
		bind.Name = BindingName(state)
		st.Binding = hashString(bind.Value)
	}
	if err := m.store.InsertState(ctx, st); err != nil {
		return "", err
	}

	var opts []oauth2.AuthCodeOption
	if svc.UsesPKCE() {
		opts = append(opts, oauth2.S256ChallengeOption(verifier))
	}
	for k, v := range svc.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	if p := svc.ScopeParameter(); p != "scope" && len(c.Scopes) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam(p, strings.Join(c.Scopes, svc.Separator())))
	}
	m.record(ctx, owner, c, shared.EventAuthorizeStarted, shared.OutcomeOK,
		"Sent to "+svc.Name+" to authorize.")
	return cfg.AuthCodeURL(state, opts...), nil
}

func stateAAD(stateHash string) string { return "oauth_state:" + stateHash }

// sameBrowser reports whether the browser that brought binding back may
// finish the flow of st: any may when the flow is not bound.
func sameBrowser(st store.AuthState, binding string) bool {
	if st.Binding == "" {
		return true
	}
	return binding != "" && subtle.ConstantTimeCompare([]byte(hashString(binding)), []byte(st.Binding)) == 1
}

// CallbackResult says where the person's browser goes after the callback.
type CallbackResult struct {
	// ConnectionID is empty when the state did not lead to a connection.
	ConnectionID string
	OK           bool
	// Failure says why, when no connection could be told about it.
	Failure CallbackFailure
}

// CallbackFailure names why a callback led to no connection.
type CallbackFailure string

// The reasons a callback leads nowhere.
const (
	// StateMissing: the provider sent no state back.
	StateMissing CallbackFailure = "state_missing"
	// StateUnknown: no flow has that state, or it was already used.
	StateUnknown CallbackFailure = "state_unknown"
	// StateExpired: the flow took longer than StateTTL.
	StateExpired CallbackFailure = "state_expired"
	// ConnectionGone: the connection was deleted during the flow.
	ConnectionGone CallbackFailure = "connection_gone"
	// OtherBrowser: the flow was started in another browser (see
	// Binding); it must be started again in this one.
	OtherBrowser CallbackFailure = "other_browser"
)

// Callback finishes an OAuth 2.0 authorization from the query the
// provider redirected back with; binding is the value the browser kept
// for the flow (see Binding), or "". A bad state, or a bound flow that
// comes back in another browser, is refused before anything else
// happens; a provider error or a failed exchange leaves stored tokens as
// they were and is kept as the connection's last error.
func (m *Manager) Callback(ctx context.Context, query url.Values, binding string) (CallbackResult, error) {
	state := query.Get("state")
	if state == "" || len(state) > 512 {
		return CallbackResult{Failure: StateMissing}, nil
	}
	st, err := m.store.TakeState(ctx, hashString(state))
	if errors.Is(err, store.ErrNotFound) {
		return CallbackResult{Failure: StateUnknown}, nil
	}
	if err != nil {
		return CallbackResult{}, err
	}
	if m.clock().After(st.ExpiresAt) {
		return CallbackResult{Failure: StateExpired}, nil
	}
	if !sameBrowser(st, binding) {
		// The state is used up all the same: a flow whose address went
		// to someone else is not finished by anyone.
		return CallbackResult{Failure: OtherBrowser}, nil
	}

	ctx = m.callbackActor(ctx, st.OwnerID)
	res := CallbackResult{ConnectionID: st.ConnectionID}
	c, err := m.own(ctx, st.OwnerID, st.ConnectionID)
	if err != nil {
		return CallbackResult{Failure: ConnectionGone}, nil
	}
	svc, _, err := m.service(ctx, st.OwnerID, c.ServiceID)
	if err != nil {
		return CallbackResult{Failure: ConnectionGone}, nil
	}
	if perr := query.Get("error"); perr != "" {
		e := oauthError{Code: perr, Description: query.Get("error_description"), URI: query.Get("error_uri")}
		m.authorizeFailed(ctx, st.OwnerID, c, sentence(svc.Name+" did not authorize the connection. "+e.clean().words()))
		return res, nil
	}
	code := query.Get("code")
	if code == "" {
		m.authorizeFailed(ctx, st.OwnerID, c, svc.Name+" sent neither a code nor an error back.")
		return res, nil
	}
	verifier, err := m.keys.OpenString(st.Verifier, stateAAD(st.Hash))
	if err != nil {
		return CallbackResult{}, fmt.Errorf("open verifier: %w", err)
	}

	ans, err := m.exchange(ctx, &svc, c, code, verifier)
	if err != nil {
		m.authorizeFailed(ctx, st.OwnerID, c, sentence("Exchanging the code at "+svc.Name+" failed: "+errorWords(err)))
		return res, nil
	}
	if err := m.storeGrant(ctx, st.OwnerID, &svc, c, ans, st.Scopes); err != nil {
		return CallbackResult{}, err
	}
	res.OK = true
	return res, nil
}

// authorizeFailed records a failed authorization as the connection's last
// error without touching its status or tokens.
func (m *Manager) authorizeFailed(ctx context.Context, owner string, c shared.Connection, words string) {
	_, err := m.store.SetConnection(ctx, owner, c.ID, nil, store.Fields{
		"last_error": words, "updated_at": m.clock(),
	})
	if err != nil {
		m.log.ErrorContext(ctx, "record authorization failure", "connection", c.ID, "err", err)
	}
	m.record(ctx, owner, c, shared.EventAuthorizeFailed, shared.OutcomeFailed, words)
}

// exchange trades an authorization code for tokens (RFC 6749 section
// 4.1.3) with the PKCE verifier (RFC 7636 section 4.5).
func (m *Manager) exchange(ctx context.Context, svc *shared.Service, c shared.Connection, code, verifier string) (tokenAnswer, error) {
	cfg, err := m.oauthConfig(svc, c)
	if err != nil {
		return tokenAnswer{}, err
	}
	opts := []oauth2.AuthCodeOption{}
	if svc.UsesPKCE() {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	for k, v := range svc.TokenParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	return m.tokenRequest(ctx, svc, nil, func(ctx context.Context) error {
		_, err := cfg.Exchange(ctx, code, opts...)
		return err
	})
}

// tokenRequest runs one x/oauth2 token request through the guarded
// client, keeping the provider's raw answer, and reads it with
// readTokenAnswer. x/oauth2 sends the request and authenticates the
// client; the answer is read here so that every service's answer, nested
// or form-encoded or labelled wrongly, is read the same way.
//
// extra are form parameters added to the request where x/oauth2 offers no
// way to pass them (a refresh).
func (m *Manager) tokenRequest(ctx context.Context, svc *shared.Service, extra map[string]string,
	do func(context.Context) error) (tokenAnswer, error) {
	rec := &recorder{base: m.out.Transport(), extra: extra}
	hc := &http.Client{
		Transport: rec,
		// A token endpoint has no business redirecting; following would
		// resend the client secret.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	err := do(context.WithValue(ctx, oauth2.HTTPClient, hc))
	if rec.err != nil {
		return tokenAnswer{}, &transportError{err: rec.err}
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		pe := parseOAuthError(re.Body)
		// A provider that is failing answers 5xx or 429, often with an
		// RFC 6749 error object (server_error, temporarily_unavailable):
		// the status says the request may be sent again.
		if pe != nil && !providerFailing(rec.status) {
			return tokenAnswer{}, pe
		}
		return tokenAnswer{}, &statusError{status: rec.status, provider: pe}
	}
	if rec.body == nil {
		if err == nil {
			err = errors.New("no answer was read")
		}
		return tokenAnswer{}, fmt.Errorf("token request: %w", err)
	}
	if rec.status < 200 || rec.status > 299 {
		return tokenAnswer{}, &statusError{status: rec.status}
	}
	// Whatever x/oauth2 concluded from the body (it gives up on nested
	// or mislabelled answers), the service's shape decides.
	return readTokenAnswer(rec.body, svc.TokenResponse, svc.Separator())
}

// recorder keeps the body of the one answer it carries.
type recorder struct {
	base http.RoundTripper
	// extra are form parameters to add to the request, keeping any that
	// x/oauth2 already set.
	extra  map[string]string
	body   []byte
	status int
	err    error
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", userAgent)
	}
	if len(r.extra) > 0 {
		if err := addFormParams(req, r.extra); err != nil {
			r.err = err
			return nil, err
		}
	}
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		r.err = err
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		r.err = err
		return nil, err
	}
	r.body, r.status = body, resp.StatusCode
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// addFormParams adds params to a form-encoded request body, leaving the
// parameters it already has as they are.
func addFormParams(req *http.Request, params map[string]string) error {
	if req.Body == nil {
		return errors.New("add token parameters: the request has no body")
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return fmt.Errorf("add token parameters: %w", err)
	}
	form, err := url.ParseQuery(string(b))
	if err != nil {
		return fmt.Errorf("add token parameters: %w", err)
	}
	for k, v := range params {
		if !form.Has(k) {
			form.Set(k, v)
		}
	}
	enc := []byte(form.Encode())
	req.Body = io.NopCloser(bytes.NewReader(enc))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(enc)), nil }
	req.ContentLength = int64(len(enc))
	return nil
}

// transportError is a token request that got no answer.
type transportError struct{ err error }

func (e *transportError) Error() string { return describeOutboundError(e.err) }
func (e *transportError) Unwrap() error { return e.err }

// statusError is a token endpoint's failure answer that is not an RFC 6749
// error object, or one whose status says the provider is failing. provider
// is the error object it carried, if any.
type statusError struct {
	status   int
	provider *oauthError
}

func (e *statusError) Error() string {
	return fmt.Sprintf("the provider answered with HTTP status %d", e.status)
}

func (e *statusError) Unwrap() error {
	if e.provider == nil {
		return nil
	}
	return e.provider
}

// providerFailing reports whether a status says the provider, not the
// request, failed: a server error or too many requests.
func providerFailing(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests
}

// errorWords says what went wrong with a token request, for a person.
func errorWords(err error) string {
	var pe *oauthError
	var te *transportError
	switch {
	case errors.As(err, &pe):
		return pe.words()
	case errors.As(err, &te):
		return te.Error()
	case errors.Is(err, errNoAccessToken):
		return "the provider's answer held no access token"
	}
	var le *Error
	if errors.As(err, &le) {
		return le.Detail
	}
	return err.Error()
}

// storeGrant seals a new grant's tokens and marks the connection
// connected with its granted scopes, expiry and metadata.
func (m *Manager) storeGrant(ctx context.Context, owner string, svc *shared.Service, c shared.Connection, a tokenAnswer, requested []string) error {
	now := m.clock()
	t := tokens{AccessToken: a.AccessToken, RefreshToken: a.RefreshToken, TokenType: a.TokenType, Issued: now}
	if a.ExpiresIn > 0 {
		t.Expiry = now.Add(a.ExpiresIn)
	}
	cred, err := m.sealCredential(owner, c.ID, store.KindOAuth2, t)
	if err != nil {
		return err
	}
	err = m.withTokenLease(ctx, c.ID, func() error {
		_, err := m.store.PutCredential(ctx, cred)
		return err
	})
	if err != nil {
		return err
	}
	granted := a.Scopes
	if granted == nil {
		// RFC 6749 section 5.1: scope may be omitted when it is the
		// scope that was requested.
		granted = requested
	}
	_, err = m.store.SetConnection(ctx, owner, c.ID, nil, store.Fields{
		"status":           shared.StatusConnected,
		"granted_scopes":   nonNilStrings(granted),
		"metadata":         nonNilMap(a.Metadata),
		"token_expires_at": t.Expiry,
		"connected_at":     now,
		"last_error":       "",
		"updated_at":       now,
	})
	if err != nil {
		return err
	}
	m.record(ctx, owner, c, shared.EventAuthorized, shared.OutcomeOK,
		fmt.Sprintf("Authorized at %s with scopes: %s.", svc.Name, strings.Join(granted, " ")))
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

var zeroTime time.Time

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashString(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
