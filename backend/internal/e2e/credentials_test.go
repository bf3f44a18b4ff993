package e2e

import (
	"encoding/base64"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// The services below are defined through the API, as a person would:
// each parameter has an actual name (sent to the service) and a display
// name (shown to the person).

// credBasicService takes a Basic Auth user name and password; its API
// lives under a per-account path given when the connection is created.
func credBasicService(id, base string) shared.Service {
	return shared.Service{
		ID:         id,
		Name:       "Fake Basic " + id,
		AuthType:   shared.AuthBasic,
		APIBaseURL: base + "/{account}",
		Params: []shared.Param{
			{Name: "account", DisplayName: "Account", In: shared.InPlaceholder, Required: true},
			{Name: "user", DisplayName: "Username", In: shared.InUsername, Required: true,
				Pattern: `[a-z][a-z.-]*`},
			{Name: "pass", DisplayName: "Password", In: shared.InPassword, Secret: true, Required: true},
		},
		Verify: &shared.VerifyRequest{Method: http.MethodGet, Path: "/me"},
	}
}

// credBearerService takes an API key in the Authorization header after
// "Bearer ".
func credBearerService(id, base string) shared.Service {
	return shared.Service{
		ID:         id,
		Name:       "Fake Bearer " + id,
		AuthType:   shared.AuthAPIKey,
		APIBaseURL: base + "/v1",
		Params: []shared.Param{
			{Name: "Authorization", DisplayName: "API token", In: shared.InHeader, Prefix: "Bearer ",
				Secret: true, Required: true, Pattern: `tok_[A-Za-z0-9]+`},
		},
		Verify: &shared.VerifyRequest{Method: http.MethodGet, URL: base + "/v1/whoami"},
	}
}

// credHeaderService takes an API key in X-Api-Key, with no prefix.
func credHeaderService(id, base string) shared.Service {
	return shared.Service{
		ID:         id,
		Name:       "Fake Header " + id,
		AuthType:   shared.AuthAPIKey,
		APIBaseURL: base,
		Params: []shared.Param{
			{Name: "X-Api-Key", DisplayName: "API key", In: shared.InHeader, Secret: true, Required: true},
		},
		Verify: &shared.VerifyRequest{Method: http.MethodGet, Path: "/v1/me"},
	}
}

// credQueryService takes an API key in the api_key query parameter; its
// verification address already has a query of its own.
func credQueryService(id, base string) shared.Service {
	return shared.Service{
		ID:         id,
		Name:       "Fake Query " + id,
		AuthType:   shared.AuthAPIKey,
		APIBaseURL: base + "/v1",
		Params: []shared.Param{
			{Name: "api_key", DisplayName: "Access key", In: shared.InQuery, Secret: true, Required: true},
		},
		Verify: &shared.VerifyRequest{Method: http.MethodGet, URL: base + "/v1/ping?format=json"},
	}
}

// credBasicAuth is the Authorization header value of RFC 7617.
func credBasicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// credVariant is one way of taking credentials, with a service that
// demands the right values and checks of exactly what was sent.
type credVariant struct {
	name    string
	service func(id, base string) shared.Service
	config  map[string]string
	right   map[string]string
	wrong   map[string]string
	// accepts is the service's check of the right values.
	accepts func(r *http.Request) bool
	// sent checks everything the service received with the right values.
	sent func(t *testing.T, s credSeen)
	// names are the display names a rejection must mention.
	names []string
	// config the connection must show once connected.
	wantConfig map[string]string
}

func credVariants() []credVariant {
	return []credVariant{
		{
			name:    "basic auth",
			service: credBasicService,
			config:  map[string]string{"account": "acme"},
			right:   map[string]string{"user": "ada", "pass": "pw-Basic-Right-1"},
			wrong:   map[string]string{"user": "eve", "pass": "pw-Basic-Wrong-1"},
			accepts: func(r *http.Request) bool {
				u, p, ok := r.BasicAuth()
				return ok && u == "ada" && p == "pw-Basic-Right-1" && r.URL.Path == "/acme/me"
			},
			sent: func(t *testing.T, s credSeen) {
				credWantRequest(t, s, "/acme/me", url.Values{}, map[string]string{
					"Authorization": credBasicAuth("ada", "pw-Basic-Right-1"),
				})
			},
			names:      []string{"Username", "Password"},
			wantConfig: map[string]string{"account": "acme", "user": "ada"},
		},
		{
			name:    "api key in header with prefix",
			service: credBearerService,
			right:   map[string]string{"Authorization": "tok_Right1"},
			wrong:   map[string]string{"Authorization": "tok_Wrong1"},
			accepts: func(r *http.Request) bool {
				return slices.Equal(r.Header.Values("Authorization"), []string{"Bearer tok_Right1"})
			},
			sent: func(t *testing.T, s credSeen) {
				credWantRequest(t, s, "/v1/whoami", url.Values{}, map[string]string{
					"Authorization": "Bearer tok_Right1",
				})
			},
			names:      []string{"API token"},
			wantConfig: map[string]string{},
		},
		{
			name:    "api key in header without prefix",
			service: credHeaderService,
			right:   map[string]string{"X-Api-Key": "hdr-Right-1"},
			wrong:   map[string]string{"X-Api-Key": "hdr-Wrong-1"},
			accepts: func(r *http.Request) bool {
				return slices.Equal(r.Header.Values("X-Api-Key"), []string{"hdr-Right-1"})
			},
			sent: func(t *testing.T, s credSeen) {
				credWantRequest(t, s, "/v1/me", url.Values{}, map[string]string{
					"X-Api-Key": "hdr-Right-1",
				})
			},
			names:      []string{"API key"},
			wantConfig: map[string]string{},
		},
		{
			name:    "api key in query",
			service: credQueryService,
			right:   map[string]string{"api_key": "q&Right=1 +/"},
			wrong:   map[string]string{"api_key": "q-Wrong-1"},
			accepts: func(r *http.Request) bool {
				return slices.Equal(r.URL.Query()["api_key"], []string{"q&Right=1 +/"})
			},
			sent: func(t *testing.T, s credSeen) {
				credWantRequest(t, s, "/v1/ping",
					url.Values{"format": {"json"}, "api_key": {"q&Right=1 +/"}}, nil)
			},
			names:      []string{"Access key"},
			wantConfig: map[string]string{},
		},
	}
}

// credWantRequest checks the path, the whole query, and the credential
// headers of a request a service received: the headers named in creds
// have exactly those values, and no other credential header was sent.
func credWantRequest(t *testing.T, s credSeen, path string, query url.Values, creds map[string]string) {
	t.Helper()
	if s.Method != http.MethodGet {
		t.Errorf("method: got %s, want GET", s.Method)
	}
	if s.Path != path {
		t.Errorf("path: got %q, want %q", s.Path, path)
	}
	if got := s.Query.Encode(); got != query.Encode() {
		t.Errorf("query: got %q, want %q", got, query.Encode())
	}
	for _, h := range []string{"Authorization", "X-Api-Key", "Cookie"} {
		want, ok := creds[h]
		got := s.Header.Values(h)
		switch {
		case ok && !slices.Equal(got, []string{want}):
			t.Errorf("header %s: got %q, want [%q]", h, got, want)
		case !ok && len(got) > 0:
			t.Errorf("header %s: got %q, want none", h, got)
		}
	}
}

// TestCredConnect checks, for each way of taking credentials, that right
// values connect and reach the service exactly as it takes them, and that
// wrong ones answer 422 and change nothing stored.
func TestCredConnect(t *testing.T) {
	pb := credStartServer(t)
	for i, v := range credVariants() {
		t.Run(v.name, func(t *testing.T) {
			fake := credNewFake(t, v.accepts)
			svcID := pb.createService(t, v.service("cred-connect-"+strconv.Itoa(i), fake.URL))
			conn := pb.createConnection(t, svcID, "Connect "+v.name, v.config)

			// Wrong values on a new connection: rejected, nothing kept.
			a := pb.authorize(t, conn.ID, v.wrong)
			credWantRejected(t, a, v.names)
			if got := fake.hits(); got != 1 {
				t.Errorf("requests after a wrong attempt: got %d, want 1", got)
			}
			got := pb.connection(t, conn.ID)
			if got.Status != shared.StatusPending || got.Verified || !got.VerifiedAt.IsZero() {
				t.Errorf("after rejection: got status %s, verified %v at %v; want pending, unverified",
					got.Status, got.Verified, got.VerifiedAt)
			}
			if got.Config["user"] != "" {
				t.Errorf("after rejection: got config user %q, want none", got.Config["user"])
			}
			verify := "/api/v1/connections/" + conn.ID + "/verify"
			if a := pb.request(t, http.MethodPost, verify, nil); a.status != http.StatusConflict {
				t.Errorf("verify after rejection: got %d (%s), want 409", a.status, a.body)
			}

			// Right values: connected and verified.
			before := time.Now().Add(-time.Second)
			c := pb.mustAuthorize(t, conn.ID, v.right)
			if c.Status != shared.StatusConnected || !c.Verified || c.VerifiedAt.Before(before) {
				t.Errorf("after right values: got status %s, verified %v at %v; want connected, verified now",
					c.Status, c.Verified, c.VerifiedAt)
			}
			if c.LastError != "" {
				t.Errorf("last_error: got %q, want none", c.LastError)
			}
			if !credSameMap(c.Config, v.wantConfig) {
				t.Errorf("config: got %v, want %v", c.Config, v.wantConfig)
			}
			v.sent(t, fake.last(t))

			// Wrong values again: rejected, the earlier ones stay.
			credWantRejected(t, pb.authorize(t, conn.ID, v.wrong), v.names)
			got = pb.connection(t, conn.ID)
			if got.Status != shared.StatusConnected || !got.Verified {
				t.Errorf("after a later rejection: got status %s, verified %v; want connected, verified",
					got.Status, got.Verified)
			}
			if !credSameMap(got.Config, v.wantConfig) {
				t.Errorf("config after a later rejection: got %v, want %v", got.Config, v.wantConfig)
			}

			// Verifying again uses the stored, earlier values.
			var out struct {
				Connection shared.Connection `json:"connection"`
			}
			pb.mustCall(t, http.MethodPost, verify, nil, http.StatusOK, &out)
			if !out.Connection.Verified || out.Connection.Status != shared.StatusConnected {
				t.Errorf("re-verify: got status %s, verified %v; want connected, verified",
					out.Connection.Status, out.Connection.Verified)
			}
			v.sent(t, fake.last(t))
		})
	}
}

// credWantRejected checks a 422 credentials_rejected answer whose message
// names every display name.
func credWantRejected(t *testing.T, a apiAnswer, names []string) {
	t.Helper()
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("status: got %d (%s), want 422", a.status, a.body)
	}
	p := a.problem(t)
	if p.Code != shared.CodeCredentialsRejected {
		t.Errorf("code: got %q, want %q", p.Code, shared.CodeCredentialsRejected)
	}
	for _, n := range names {
		if !strings.Contains(p.Detail, n) {
			t.Errorf("detail %q does not name %q", p.Detail, n)
		}
	}
}

func credSameMap(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return false
		}
	}
	return true
}

// TestCredValidation checks that values that cannot be right are refused
// with field errors before anything is sent to the service.
func TestCredValidation(t *testing.T) {
	pb := credStartServer(t)
	fake := credNewFake(t, func(*http.Request) bool { return true })
	basic := pb.createService(t, credBasicService("cred-valid-basic", fake.URL))
	bearer := pb.createService(t, credBearerService("cred-valid-bearer", fake.URL))
	header := pb.createService(t, credHeaderService("cred-valid-header", fake.URL))
	free := credBasicService("cred-valid-free", fake.URL)
	free.Params[1].Pattern = ""
	freeBasic := pb.createService(t, free)

	tests := []struct {
		name       string
		service    string
		params     map[string]string
		wantFields []string
	}{
		{name: "missing password", service: basic,
			params: map[string]string{"user": "ada"}, wantFields: []string{"params.pass"}},
		{name: "empty password", service: basic,
			params: map[string]string{"user": "ada", "pass": ""}, wantFields: []string{"params.pass"}},
		{name: "nothing given", service: basic,
			params: nil, wantFields: []string{"params.pass", "params.user"}},
		{name: "username pattern mismatch", service: basic,
			params: map[string]string{"user": "Ada!", "pass": "pw"}, wantFields: []string{"params.user"}},
		{name: "username with a colon", service: freeBasic,
			params: map[string]string{"user": "ada:x", "pass": "pw"}, wantFields: []string{"params.user"}},
		{name: "password with a control character", service: freeBasic,
			params: map[string]string{"user": "ada", "pass": "pw\x01"}, wantFields: []string{"params.pass"}},
		{name: "unknown parameter", service: basic,
			params:     map[string]string{"user": "ada", "pass": "pw", "token": "x"},
			wantFields: []string{"params.token"}},
		{name: "creation parameter at authorization", service: basic,
			params:     map[string]string{"user": "ada", "pass": "pw", "account": "other"},
			wantFields: []string{"params.account"}},
		{name: "api key pattern mismatch", service: bearer,
			params:     map[string]string{"Authorization": "not-a-token"},
			wantFields: []string{"params.Authorization"}},
		{name: "header value with line break", service: header,
			params:     map[string]string{"X-Api-Key": "k\r\nX-Evil: 1"},
			wantFields: []string{"params.X-Api-Key"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := map[string]string(nil)
			if tt.service == basic || tt.service == freeBasic {
				cfg = map[string]string{"account": "acme"}
			}
			conn := pb.createConnection(t, tt.service, "Validation "+strconv.Itoa(i), cfg)
			a := pb.authorize(t, conn.ID, tt.params)
			if a.status != http.StatusUnprocessableEntity {
				t.Fatalf("status: got %d (%s), want 422", a.status, a.body)
			}
			p := a.problem(t)
			if p.Code != shared.CodeValidation {
				t.Errorf("code: got %q, want %q", p.Code, shared.CodeValidation)
			}
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
				if leak := credContainsAny(e.Message, "not-a-token", "Ada!", "k\r\n"); leak != "" {
					t.Errorf("field message %q repeats the value %q", e.Message, leak)
				}
			}
			if !slices.Equal(fields, tt.wantFields) {
				t.Errorf("fields: got %v, want %v", fields, tt.wantFields)
			}
			if got := pb.connection(t, conn.ID).Status; got != shared.StatusPending {
				t.Errorf("status: got %s, want pending", got)
			}
		})
	}
	if got := fake.hits(); got != 0 {
		t.Errorf("requests sent to the service: got %d, want 0", got)
	}
}

// TestCredUpstreamFailures checks answers that say nothing about the
// credentials: a service that cannot be reached (502), one that does not
// answer in time (504), and one that redirects elsewhere, which is not
// followed with the credentials.
func TestCredUpstreamFailures(t *testing.T) {
	pb := credStartServer(t)

	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	slow := credNewSlow(t)
	other := credNewFake(t, func(*http.Request) bool { return true })
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)

	tests := []struct {
		name      string
		base      string
		wantCode  shared.Code
		wantState int
	}{
		{name: "unreachable", base: closed,
			wantCode: shared.CodeUpstreamUnreachable, wantState: http.StatusBadGateway},
		{name: "slow", base: slow.URL,
			wantCode: shared.CodeUpstreamTimeout, wantState: http.StatusGatewayTimeout},
		{name: "redirect 302 to another host", base: credNewRedirect(t, http.StatusFound, otherURL),
			wantCode: shared.CodeProviderError, wantState: http.StatusBadGateway},
		{name: "redirect 307 to another host", base: credNewRedirect(t, http.StatusTemporaryRedirect, otherURL),
			wantCode: shared.CodeProviderError, wantState: http.StatusBadGateway},
		{name: "redirect 308 to another host", base: credNewRedirect(t, http.StatusPermanentRedirect, otherURL),
			wantCode: shared.CodeProviderError, wantState: http.StatusBadGateway},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svcID := pb.createService(t, credHeaderService("cred-upstream-"+strconv.Itoa(i), tt.base))
			conn := pb.createConnection(t, svcID, "Upstream "+strconv.Itoa(i), nil)

			start := time.Now()
			a := pb.authorize(t, conn.ID, map[string]string{"X-Api-Key": "hdr-Upstream-1"})
			took := time.Since(start)
			if a.status != tt.wantState {
				t.Fatalf("status: got %d (%s), want %d", a.status, a.body, tt.wantState)
			}
			if p := a.problem(t); p.Code != tt.wantCode {
				t.Errorf("code: got %q, want %q", p.Code, tt.wantCode)
			}
			if took > 10*credOutboundTimeout {
				t.Errorf("answer took %v, want well under %v", took, 10*credOutboundTimeout)
			}
			got := pb.connection(t, conn.ID)
			if got.Status != shared.StatusPending {
				t.Errorf("status: got %s, want pending", got.Status)
			}
			if !credHasEvent(pb.events(t, conn.ID), shared.EventVerificationFailed, shared.OutcomeFailed) {
				t.Errorf("events: no verification_failed recorded")
			}
		})
	}
	if got := other.hits(); got != 0 {
		t.Errorf("requests that reached the redirect target: got %d, want 0", got)
	}
}

// credNewSlow starts a service that answers only after the client gave
// up.
func credNewSlow(t *testing.T) *credFake {
	f := credNewFake(t, func(r *http.Request) bool {
		select {
		case <-r.Context().Done():
		case <-time.After(20 * credOutboundTimeout):
		}
		return true
	})
	return f
}

// credNewRedirect starts a service that redirects every request to
// target with the given status.
func credNewRedirect(t *testing.T, status int, target string) string {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, status)
	}))
	t.Cleanup(s.Close)
	return s.URL
}

// TestCredNoVerifyRequest checks a service that names no verification
// request: it connects unverified, and says so when verified again.
func TestCredNoVerifyRequest(t *testing.T) {
	pb := credStartServer(t)
	fake := credNewFake(t, func(*http.Request) bool { return true })
	svc := credHeaderService("cred-noverify", fake.URL)
	svc.Verify = nil
	svcID := pb.createService(t, svc)
	conn := pb.createConnection(t, svcID, "No verify", nil)

	c := pb.mustAuthorize(t, conn.ID, map[string]string{"X-Api-Key": "hdr-NoVerify-1"})
	if c.Status != shared.StatusConnected || c.Verified || !c.VerifiedAt.IsZero() {
		t.Errorf("after authorize: got status %s, verified %v at %v; want connected, unverified",
			c.Status, c.Verified, c.VerifiedAt)
	}
	var out struct {
		Connection shared.Connection `json:"connection"`
	}
	pb.mustCall(t, http.MethodPost, "/api/v1/connections/"+conn.ID+"/verify", nil, http.StatusOK, &out)
	if out.Connection.Verified || out.Connection.Status != shared.StatusConnected {
		t.Errorf("after verify: got status %s, verified %v; want connected, unverified",
			out.Connection.Status, out.Connection.Verified)
	}
	var list struct {
		Connections []shared.Connection `json:"connections"`
	}
	pb.mustCall(t, http.MethodGet, "/api/v1/connections?service_id="+svcID, nil, http.StatusOK, &list)
	if len(list.Connections) != 1 || list.Connections[0].Verified {
		t.Errorf("list: got %+v, want one unverified connection", list.Connections)
	}
	if got := fake.hits(); got != 0 {
		t.Errorf("requests sent to the service: got %d, want 0", got)
	}
}

// TestVerifyRecordsOutcome checks POST .../verify: it records the outcome
// and time, marks a connection whose stored key the service now refuses
// as needing re-authorization, and tells an unreachable service apart.
func TestVerifyRecordsOutcome(t *testing.T) {
	pb := credStartServer(t)
	key := "tok_Verify1"
	fake := credNewFake(t, func(r *http.Request) bool {
		return r.Header.Get("Authorization") == "Bearer "+key
	})
	svcID := pb.createService(t, credBearerService("cred-verify", fake.URL))
	conn := pb.createConnection(t, svcID, "Verify", nil)
	first := pb.mustAuthorize(t, conn.ID, map[string]string{"Authorization": key})
	verifyPath := "/api/v1/connections/" + conn.ID + "/verify"
	var out struct {
		Connection shared.Connection `json:"connection"`
	}

	// Accepted: verified, time recorded.
	pb.mustCall(t, http.MethodPost, verifyPath, nil, http.StatusOK, &out)
	if !out.Connection.Verified || out.Connection.VerifiedAt.Before(first.VerifiedAt) {
		t.Errorf("verify: got verified %v at %v, want verified at or after %v",
			out.Connection.Verified, out.Connection.VerifiedAt, first.VerifiedAt)
	}
	if !credHasEvent(pb.events(t, conn.ID), shared.EventVerified, shared.OutcomeOK) {
		t.Errorf("events: no verified event recorded")
	}

	// The service stops accepting the key.
	fake.setCheck(func(*http.Request) bool { return false })
	pb.mustCall(t, http.MethodPost, verifyPath, nil, http.StatusOK, &out)
	c := out.Connection
	if c.Status != shared.StatusNeedsReauth || c.Verified {
		t.Errorf("after refusal: got status %s, verified %v; want needs_reauth, unverified",
			c.Status, c.Verified)
	}
	if !strings.Contains(c.LastError, "API token") {
		t.Errorf("last_error: got %q, want it to name the API token", c.LastError)
	}
	if c.VerifiedAt.IsZero() {
		t.Errorf("verified_at: got zero, want the time of the check")
	}
	if !credHasEvent(pb.events(t, conn.ID), shared.EventVerificationFailed, shared.OutcomeFailed) {
		t.Errorf("events: no verification_failed recorded")
	}
	if a := pb.request(t, http.MethodPost, verifyPath, nil); a.status != http.StatusConflict ||
		a.problem(t).Code != shared.CodeNeedsReauth {
		t.Errorf("verify while needing re-authorization: got %d (%s), want 409 needs_reauth", a.status, a.body)
	}

	// A new key connects it again.
	key = "tok_Verify2"
	fake.setCheck(func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+key })
	c = pb.mustAuthorize(t, conn.ID, map[string]string{"Authorization": key})
	if c.Status != shared.StatusConnected || c.LastError != "" {
		t.Errorf("after new key: got status %s, last_error %q; want connected, none", c.Status, c.LastError)
	}

	// An unreachable service is not a refusal: still connected.
	fake.Close()
	a := pb.request(t, http.MethodPost, verifyPath, nil)
	if a.status != http.StatusBadGateway || a.problem(t).Code != shared.CodeUpstreamUnreachable {
		t.Errorf("verify, service down: got %d (%s), want 502 upstream_unreachable", a.status, a.body)
	}
	if got := pb.connection(t, conn.ID).Status; got != shared.StatusConnected {
		t.Errorf("status after unreachable: got %s, want connected", got)
	}
	ev := pb.events(t, conn.ID)
	if len(ev) == 0 || ev[0].Type != shared.EventVerificationFailed {
		t.Errorf("latest event: got %+v, want verification_failed", ev)
	}
}

// TestCredLimiter checks that verification attempts are rate limited per
// connection: after a burst, 429 with Retry-After, and nothing sent.
func TestCredLimiter(t *testing.T) {
	pb := credStartServer(t)
	fake := credNewFake(t, func(r *http.Request) bool {
		return r.Header.Get("X-Api-Key") == "hdr-Limit-Right"
	})
	svcID := pb.createService(t, credHeaderService("cred-limit", fake.URL))
	conn := pb.createConnection(t, svcID, "Limited", nil)
	other := pb.createConnection(t, svcID, "Not limited", nil)

	for i := range 5 {
		a := pb.authorize(t, conn.ID, map[string]string{"X-Api-Key": "guess-" + strconv.Itoa(i)})
		if a.status != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: got %d (%s), want 422", i+1, a.status, a.body)
		}
	}
	for _, params := range []map[string]string{
		{"X-Api-Key": "guess-5"},
		{"X-Api-Key": "hdr-Limit-Right"},
	} {
		a := pb.authorize(t, conn.ID, params)
		if a.status != http.StatusTooManyRequests {
			t.Fatalf("attempt over the limit: got %d (%s), want 429", a.status, a.body)
		}
		p := a.problem(t)
		if p.Code != shared.CodeRateLimited {
			t.Errorf("code: got %q, want %q", p.Code, shared.CodeRateLimited)
		}
		secs, err := strconv.Atoi(a.header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > 60 {
			t.Errorf("Retry-After: got %q, want whole seconds between 1 and 60", a.header.Get("Retry-After"))
		}
		if p.RetryAfter != secs {
			t.Errorf("retry_after: got %d, want %d as in the header", p.RetryAfter, secs)
		}
	}
	if got := fake.hits(); got != 5 {
		t.Errorf("requests sent to the service: got %d, want 5", got)
	}

	c := pb.mustAuthorize(t, other.ID, map[string]string{"X-Api-Key": "hdr-Limit-Right"})
	if c.Status != shared.StatusConnected {
		t.Errorf("other connection: got status %s, want connected", c.Status)
	}
}

// TestCredPlaceholderValues checks that a value placed into a service's
// address cannot change its host or path, whether given at creation, in
// an edit, or at authorization.
func TestCredPlaceholderValues(t *testing.T) {
	pb := credStartServer(t)
	fake := credNewFake(t, func(*http.Request) bool { return true })
	basic := pb.createService(t, credBasicService("cred-placeholder", fake.URL))
	tenant := credHeaderService("cred-tenant", fake.URL)
	tenant.Params = append(tenant.Params, shared.Param{
		Name: "tenant", DisplayName: "Tenant key", In: shared.InPlaceholder, Secret: true, Required: true,
	})
	tenant.Verify.Path = "/t/{tenant}/me"
	tenantID := pb.createService(t, tenant)
	good := pb.createConnection(t, basic, "Placeholder good", map[string]string{"account": "acme-01.eu"})

	for i, bad := range []string{
		"evil.com/x", "a@b", "..", ".", "%2F", "a b", "a?b", "a#b", "a:8080", `a\b`, "a\tb",
		"a\u00a0b", "a\u2028b", "a\x00b",
	} {
		t.Run(strconv.Quote(bad), func(t *testing.T) {
			in := shared.ConnectionInput{Name: "Placeholder " + strconv.Itoa(i), ServiceID: basic,
				Config: map[string]string{"account": bad}}
			credWantField(t, pb.request(t, http.MethodPost, "/api/v1/connections", in), "config.account")

			patch := shared.ConnectionPatch{Config: &map[string]string{"account": bad}}
			a := pb.request(t, http.MethodPatch, "/api/v1/connections/"+good.ID, patch)
			credWantField(t, a, "config.account")
			if got := pb.connection(t, good.ID).Config["account"]; got != "acme-01.eu" {
				t.Errorf("account after a refused edit: got %q, want %q", got, "acme-01.eu")
			}

			conn := pb.createConnection(t, tenantID, "Tenant "+strconv.Itoa(i), nil)
			a = pb.authorize(t, conn.ID, map[string]string{"X-Api-Key": "hdr-Tenant-1", "tenant": bad})
			credWantField(t, a, "params.tenant")
		})
	}
	if got := fake.hits(); got != 0 {
		t.Errorf("requests sent to the service: got %d, want 0", got)
	}
	c := pb.mustAuthorize(t, good.ID, map[string]string{"user": "ada", "pass": "pw-Placeholder-1"})
	if c.Status != shared.StatusConnected {
		t.Errorf("good placeholder: got status %s, want connected", c.Status)
	}
	if got := fake.last(t).Path; got != "/acme-01.eu/me" {
		t.Errorf("path: got %q, want %q", got, "/acme-01.eu/me")
	}
}

// credWantField checks a 422 validation answer about exactly field.
func credWantField(t *testing.T, a apiAnswer, field string) {
	t.Helper()
	if a.status != http.StatusUnprocessableEntity {
		t.Errorf("status: got %d (%s), want 422", a.status, a.body)
		return
	}
	p := a.problem(t)
	if p.Code != shared.CodeValidation || len(p.Errors) != 1 || p.Errors[0].Field != field {
		t.Errorf("problem: got %s %v, want %s on %s", p.Code, p.Errors, shared.CodeValidation, field)
	}
}
