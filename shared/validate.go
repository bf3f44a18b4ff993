package shared

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Limits on what a service or connection may hold. They keep documents
// small and stop a request from filling the database.
const (
	MaxNameLen    = 100
	MaxTextLen    = 1000
	MaxURLLen     = 2048
	MaxParams     = 20
	MaxScopes     = 200
	MaxCategories = 10
	MaxValueLen   = 4096
)

var (
	serviceIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{1,62}$`)
	// paramNameRE allows header names (RFC 9110 tokens, minus the rarer
	// symbols) and query keys.
	paramNameRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	authSchemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._~+-]{0,39}$`)
	methods      = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
)

// CheckServiceID returns what is wrong with id as a service id, or "".
func CheckServiceID(id string) string {
	if !serviceIDRE.MatchString(id) {
		return "must be 2 to 63 lower-case letters, digits, '-' or '_', " +
			"starting with a letter or digit"
	}
	return ""
}

// Normalize fills defaults that a service may leave out: the scope
// separator, the token endpoint's client authentication, the verification
// method, and a parameter's display name.
func (s *Service) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	for i := range s.Params {
		p := &s.Params[i]
		if p.DisplayName == "" {
			p.DisplayName = p.Name
		}
	}
	if s.AuthType == AuthOAuth2 {
		if s.ScopeSeparator == "" {
			s.ScopeSeparator = " "
		}
		if s.TokenAuthStyle == "" {
			s.TokenAuthStyle = TokenAuthHeader
		}
	}
	if s.Verify != nil && s.Verify.Method == "" {
		s.Verify.Method = "GET"
	}
}

// Validate checks a service definition and returns every problem found.
// Call Normalize first.
func (s *Service) Validate() FieldErrors {
	var fe FieldErrors
	if msg := CheckServiceID(s.ID); msg != "" {
		fe.Add("id", "%s", msg)
	}
	checkText(&fe, "name", s.Name, MaxNameLen, true)
	checkText(&fe, "description", s.Description, MaxTextLen, false)
	if !s.AuthType.Valid() {
		fe.Add("auth_type", "must be one of oauth2, basic, api_key")
	}
	if len(s.Categories) > MaxCategories {
		fe.Add("categories", "at most %d", MaxCategories)
	}
	for i, c := range s.Categories {
		checkText(&fe, fmt.Sprintf("categories[%d]", i), c, 40, true)
	}
	checkURL(&fe, "docs_url", s.DocsURL, false)
	s.validateParams(&fe)
	known := s.placeholderNames()
	checkTemplate(&fe, "api_base_url", s.APIBaseURL, known, s.AuthType != AuthOAuth2)
	switch s.AuthType {
	case AuthOAuth2:
		s.validateOAuth2(&fe, known)
	case AuthBasic, AuthAPIKey:
		s.validateNoOAuth2(&fe)
	}
	if s.Verify != nil {
		s.validateVerify(&fe, known)
	}
	checkHeaders(&fe, s.Headers)
	return fe
}

// reservedHeaders are set by Plugboard itself and cannot be fixed by a
// service definition.
var reservedHeaders = []string{"authorization", "cookie", "host", "content-length",
	"transfer-encoding", "connection", "proxy-authorization"}

func checkHeaders(fe *FieldErrors, h map[string]string) {
	if len(h) > MaxParams {
		fe.Add("headers", "at most %d", MaxParams)
	}
	for k, v := range h {
		f := "headers." + k
		switch {
		case !paramNameRE.MatchString(k):
			fe.Add(f, "is not a valid header name")
		case slices.Contains(reservedHeaders, strings.ToLower(k)):
			fe.Add(f, "is set by Plugboard and cannot be fixed here")
		case len(v) > MaxTextLen || strings.ContainsFunc(v, isControl):
			fe.Add(f, "must be at most %d characters without line breaks", MaxTextLen)
		}
	}
}

// placeholderNames lists what may fill a {name} in this service's URLs:
// its placeholder parameters and, for OAuth 2.0, the token response
// fields it keeps as metadata (which may also start a URL).
func (s *Service) placeholderNames() map[string]bool {
	known := map[string]bool{}
	for _, p := range s.Params {
		if p.In == InPlaceholder {
			known[p.Name] = true
		}
	}
	if s.AuthType == AuthOAuth2 && s.TokenResponse != nil {
		for _, m := range s.TokenResponse.Metadata {
			known[m] = true
			known[m+originSuffix] = true
		}
	}
	return known
}

// originSuffix marks, in the set placeholderNames returns, the names that
// may stand for a whole origin: token response fields, which hold one
// (Salesforce's instance_url). A person's value lands in a host label or
// a path segment and never may.
const originSuffix = "\x00origin"

func (s *Service) validateParams(fe *FieldErrors) {
	if len(s.Params) > MaxParams {
		fe.Add("params", "at most %d", MaxParams)
		return
	}
	seen := map[string]bool{}
	count := map[ParamIn]int{}
	for i, p := range s.Params {
		f := fmt.Sprintf("params[%d]", i)
		if !paramNameRE.MatchString(p.Name) {
			fe.Add(f+".name", "must be 1 to 64 letters, digits, '.', '-' or '_'")
		} else if seen[strings.ToLower(p.Name)] {
			fe.Add(f+".name", "%q is used twice", p.Name)
		}
		seen[strings.ToLower(p.Name)] = true
		checkText(fe, f+".display_name", p.DisplayName, MaxNameLen, true)
		checkText(fe, f+".description", p.Description, MaxTextLen, false)
		count[p.In]++
		if !s.allowsParamIn(p.In) {
			fe.Add(f+".in", "%q cannot be used by a %s service", p.In, s.AuthType.Label())
		}
		if p.In == InHeader && slices.Contains(reservedHeaders, strings.ToLower(p.Name)) && !strings.EqualFold(p.Name, "authorization") {
			fe.Add(f+".name", "%q is set by Plugboard and cannot carry a credential", p.Name)
		}
		if p.Prefix != "" && p.In != InHeader {
			fe.Add(f+".prefix", "only a header parameter can have a prefix")
		}
		checkText(fe, f+".prefix", p.Prefix, 40, false)
		if p.Pattern != "" {
			if _, err := regexp.Compile(p.Pattern); err != nil {
				fe.Add(f+".pattern", "is not a valid regular expression: %v", err)
			}
		}
		if p.Default != "" && len(p.Options) > 0 && !slices.Contains(p.Options, p.Default) {
			fe.Add(f+".default", "must be one of the options")
		}
	}
	switch s.AuthType {
	case AuthBasic:
		if count[InUsername] != 1 {
			fe.Add("params", "a Basic Auth service needs exactly one parameter with in=username")
		}
		if count[InPassword] > 1 {
			fe.Add("params", "a Basic Auth service can have at most one parameter with in=password")
		}
	case AuthAPIKey:
		if count[InHeader]+count[InQuery] == 0 {
			fe.Add("params", "an API key service needs a parameter with in=header or in=query")
		}
	}
}

func (s *Service) allowsParamIn(in ParamIn) bool {
	switch in {
	case InPlaceholder:
		return true
	case InUsername, InPassword:
		return s.AuthType == AuthBasic
	case InHeader, InQuery:
		return s.AuthType == AuthAPIKey
	}
	return false
}

func (s *Service) validateOAuth2(fe *FieldErrors, known map[string]bool) {
	checkTemplate(fe, "authorization_url", s.AuthorizationURL, known, true)
	checkTemplate(fe, "token_url", s.TokenURL, known, true)
	checkTemplate(fe, "revocation_url", s.RevocationURL, known, false)
	checkURL(fe, "issuer", s.Issuer, false)
	if len(s.Scopes) > MaxScopes {
		fe.Add("scopes", "at most %d", MaxScopes)
	}
	names := map[string]bool{}
	for i, sc := range s.Scopes {
		f := fmt.Sprintf("scopes[%d].name", i)
		switch {
		case sc.Name == "" || len(sc.Name) > 200:
			fe.Add(f, "must be 1 to 200 characters")
		case strings.ContainsAny(sc.Name, " \"\\") || strings.Contains(sc.Name, s.Separator()):
			// RFC 6749 section 3.3: a scope token has no space, '"' or '\'.
			fe.Add(f, "may not contain spaces, quotes, backslashes or the scope separator")
		case names[sc.Name]:
			fe.Add(f, "%q is listed twice", sc.Name)
		}
		names[sc.Name] = true
		checkText(fe, fmt.Sprintf("scopes[%d].description", i), sc.Description, MaxTextLen, false)
	}
	for i, d := range s.DefaultScopes {
		if !names[d] {
			fe.Add(fmt.Sprintf("default_scopes[%d]", i), "%q is not one of the service's scopes", d)
		}
	}
	if s.ScopeSeparator != " " && s.ScopeSeparator != "," && s.ScopeSeparator != "+" {
		fe.Add("scope_separator", "must be a space, ',' or '+'")
	}
	if s.TokenAuthStyle != TokenAuthHeader && s.TokenAuthStyle != TokenAuthBody {
		fe.Add("token_auth_style", "must be header or body")
	}
	if s.NoScopes && (len(s.Scopes) > 0 || len(s.DefaultScopes) > 0) {
		fe.Add("no_scopes", "a service without scopes cannot list scopes")
	}
	if s.ScopeParam != "" && !paramNameRE.MatchString(s.ScopeParam) {
		fe.Add("scope_param", "must be a parameter name")
	}
	if s.AuthScheme != "" && !authSchemeRE.MatchString(s.AuthScheme) {
		fe.Add("auth_scheme", "must be a single word such as Bearer")
	}
	checkParamMap(fe, "auth_params", s.AuthParams, reservedAuthParams)
	checkParamMap(fe, "token_params", s.TokenParams, reservedTokenParams)
	checkText(fe, "client_id", s.ClientID, 500, false)
	checkText(fe, "client_secret", s.ClientSecret, MaxValueLen, false)
	if s.TokenResponse != nil {
		for i, m := range s.TokenResponse.Metadata {
			if !validPlaceholderName(m) {
				fe.Add(fmt.Sprintf("token_response.metadata[%d]", i), "must be a field name")
			}
		}
	}
}

func (s *Service) validateNoOAuth2(fe *FieldErrors) {
	set := map[string]bool{
		"authorization_url": s.AuthorizationURL != "",
		"token_url":         s.TokenURL != "",
		"revocation_url":    s.RevocationURL != "",
		"issuer":            s.Issuer != "",
		"scopes":            len(s.Scopes) > 0,
		"default_scopes":    len(s.DefaultScopes) > 0,
		"client_id":         s.ClientID != "",
		"client_secret":     s.ClientSecret != "",
		"token_response":    s.TokenResponse != nil,
		"no_scopes":         s.NoScopes,
		"scope_param":       s.ScopeParam != "",
		"auth_scheme":       s.AuthScheme != "",
	}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		if set[k] {
			fe.Add(k, "only an OAuth 2.0 service has this field")
		}
	}
}

func (s *Service) validateVerify(fe *FieldErrors, known map[string]bool) {
	v := s.Verify
	if !slices.Contains(methods, v.Method) {
		fe.Add("verify_request.method", "must be one of %s", strings.Join(methods, ", "))
	}
	switch {
	case v.URL != "" && v.Path != "":
		fe.Add("verify_request", "give either url or path, not both")
	case v.URL != "":
		checkTemplate(fe, "verify_request.url", v.URL, known, true)
	case v.Path != "":
		if !strings.HasPrefix(v.Path, "/") {
			fe.Add("verify_request.path", "must start with '/'")
		} else if slices.ContainsFunc(strings.Split(strings.SplitN(v.Path, "?", 2)[0], "/"), isDotSegment) {
			fe.Add("verify_request.path", "may not hold \".\" or \"..\" segments")
		} else if s.APIBaseURL == "" {
			fe.Add("verify_request.path", "needs api_base_url to be set")
		}
		checkTemplate(fe, "verify_request.path", "https://h"+v.Path, known, false)
	default:
		fe.Add("verify_request", "needs a url or a path")
	}
	for i, st := range v.ExpectedStatus {
		if st < 100 || st > 599 {
			fe.Add(fmt.Sprintf("verify_request.expected_status[%d]", i), "must be an HTTP status")
		}
	}
}

// VerifyURL returns the verification request's URL template: its own URL,
// or its path joined to the API base URL.
func (s *Service) VerifyURL() string {
	if s.Verify == nil {
		return ""
	}
	if s.Verify.URL != "" {
		return s.Verify.URL
	}
	return strings.TrimSuffix(s.APIBaseURL, "/") + s.Verify.Path
}

func checkText(fe *FieldErrors, field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		fe.Add(field, "is required")
	case len(v) > max:
		fe.Add(field, "is longer than %d characters", max)
	case strings.ContainsFunc(v, IsUnsafeTextRune):
		fe.Add(field, "may not contain control or text-direction characters")
	}
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// IsUnsafeTextRune reports whether r does not belong in a name a person
// reads: a control character, or a bidirectional formatting character
// (U+202A-U+202E, U+2066-U+2069...), which makes text display differently
// from how it is stored.
func IsUnsafeTextRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// Parameters of the authorization and token requests that Plugboard sets
// itself (RFC 6749 sections 4.1.1, 4.1.3 and 6; RFC 7636). A service's
// extra parameters may not replace them: a fixed state or redirect_uri
// would undo the flow's protections.
var (
	reservedAuthParams = []string{"response_type", "client_id", "redirect_uri", "scope", "state",
		"code_challenge", "code_challenge_method"}
	reservedTokenParams = []string{"grant_type", "code", "redirect_uri", "code_verifier", "refresh_token",
		"client_id", "client_secret", "scope"}
)

func checkParamMap(fe *FieldErrors, field string, m map[string]string, reserved []string) {
	if len(m) > MaxParams {
		fe.Add(field, "at most %d entries", MaxParams)
	}
	for k, v := range m {
		if !paramNameRE.MatchString(k) {
			fe.Add(field, "%q is not a valid parameter name", k)
		}
		if slices.Contains(reserved, k) {
			fe.Add(field, "%q is set by Plugboard and cannot be given here", k)
		}
		checkText(fe, field+"."+k, v, MaxTextLen, false)
	}
}

// checkURL checks that v, when given, is an absolute http or https URL.
func checkURL(fe *FieldErrors, field, v string, required bool) {
	if v == "" {
		if required {
			fe.Add(field, "is required")
		}
		return
	}
	if len(v) > MaxURLLen {
		fe.Add(field, "is longer than %d characters", MaxURLLen)
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		fe.Add(field, "must be an absolute http or https URL")
		return
	}
	if u.User != nil {
		fe.Add(field, "may not hold a user name or password")
	}
	if u.Fragment != "" {
		fe.Add(field, "may not have a fragment")
	}
}

// checkTemplate checks a URL that may hold placeholders: each must be one
// that known lists, and with sample values filled in it must be a valid
// URL.
func checkTemplate(fe *FieldErrors, field, tmpl string, known map[string]bool, required bool) {
	if tmpl == "" {
		checkURL(fe, field, tmpl, required)
		return
	}
	names, err := Placeholders(tmpl)
	if err != nil {
		fe.Add(field, "%v", err)
		return
	}
	sample := map[string]string{}
	for _, n := range names {
		if !known[n] {
			fe.Add(field, "placeholder {%s} is not a declared parameter", n)
			return
		}
		sample[n] = "sample"
		if strings.HasPrefix(tmpl, "{"+n+"}") && !known[n+originSuffix] {
			fe.Add(field, "only a token response field can stand for the whole origin; "+
				"write the scheme and host around {%s}, as in https://{%s}.example.com", n, n)
			return
		}
		if strings.HasPrefix(tmpl, "{"+n+"}") {
			sample[n] = "https://sample.example"
		}
	}
	filled, err := FillURL(tmpl, sample)
	if err != nil {
		fe.Add(field, "%v", err)
		return
	}
	checkURL(fe, field, filled, required)
}

// isDotSegment reports whether a path segment, escaped or not, is "." or
// "..".
func isDotSegment(seg string) bool {
	if d, err := url.PathUnescape(seg); err == nil {
		seg = d
	}
	return seg == "." || seg == ".."
}
