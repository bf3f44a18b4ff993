package shared

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// validBasic is a Basic Auth service that passes validation.
func validBasic() Service {
	return Service{
		ID: "shop", Name: "Shop", AuthType: AuthBasic,
		APIBaseURL: "https://{tenant}.shop.example/api",
		Params: []Param{
			{Name: "user", In: InUsername, Required: true},
			{Name: "pass", In: InPassword, Secret: true},
			{Name: "tenant", In: InPlaceholder, Required: true, Pattern: "[a-z]+"},
		},
		Verify: &VerifyRequest{Path: "/me"},
	}
}

// validOAuth is an OAuth 2.0 service that passes validation.
func validOAuth() Service {
	return Service{
		ID: "docs", Name: "Docs", AuthType: AuthOAuth2,
		OAuth2: OAuth2{
			AuthorizationURL: "https://docs.example/authorize",
			TokenURL:         "https://docs.example/token",
			Scopes:           []Scope{{Name: "read"}, {Name: "write"}},
			DefaultScopes:    []string{"read"},
		},
	}
}

// validAPIKey is an API-key service that passes validation.
func validAPIKey() Service {
	return Service{
		ID: "weather", Name: "Weather", AuthType: AuthAPIKey,
		APIBaseURL: "https://api.weather.example",
		Params:     []Param{{Name: "X-Api-Key", In: InHeader, Secret: true, Required: true}},
	}
}

func TestServiceValidate(t *testing.T) {
	tests := []struct {
		name string
		base func() Service
		edit func(*Service)
		// want lists the fields with errors, in order; empty means valid.
		want []string
	}{
		{name: "valid basic", base: validBasic, edit: func(*Service) {}},
		{name: "valid oauth2", base: validOAuth, edit: func(*Service) {}},
		{name: "valid api key", base: validAPIKey, edit: func(*Service) {}},
		{name: "origin placeholder from token metadata", base: validOAuth, edit: func(s *Service) {
			s.APIBaseURL = "{instance_url}/services"
			s.TokenResponse = &TokenShape{Metadata: []string{"instance_url"}}
		}},
		{name: "id too short", base: validBasic, edit: func(s *Service) { s.ID = "a" }, want: []string{"id"}},
		{name: "id upper case", base: validBasic, edit: func(s *Service) { s.ID = "Shop" }, want: []string{"id"}},
		{name: "blank name", base: validBasic, edit: func(s *Service) { s.Name = " " }, want: []string{"name"}},
		{name: "name with a line break", base: validBasic, edit: func(s *Service) { s.Name = "a\nb" }, want: []string{"name"}},
		{name: "unknown auth type", base: validAPIKey, edit: func(s *Service) { s.AuthType = "saml" },
			want: []string{"auth_type", "params[0].in"}},
		{name: "too many categories", base: validBasic, edit: func(s *Service) {
			s.Categories = strings.Split("a b c d e f g h i j k", " ")
		}, want: []string{"categories"}},
		{name: "docs url not http", base: validBasic, edit: func(s *Service) { s.DocsURL = "javascript:alert(1)" },
			want: []string{"docs_url"}},
		{name: "docs url with user info", base: validBasic, edit: func(s *Service) { s.DocsURL = "https://a:b@docs.example" },
			want: []string{"docs_url"}},
		{name: "bad pattern", base: validBasic, edit: func(s *Service) { s.Params[2].Pattern = "(" },
			want: []string{"params[2].pattern"}},
		{name: "parameter name with a space", base: validBasic, edit: func(s *Service) { s.Params[2].Name = "my tenant" },
			want: []string{"params[2].name", "api_base_url"}},
		{name: "parameter used twice", base: validBasic, edit: func(s *Service) { s.Params[1].Name = "USER" },
			want: []string{"params[1].name"}},
		{name: "two usernames", base: validBasic, edit: func(s *Service) { s.Params[1].In = InUsername },
			want: []string{"params"}},
		{name: "prefix outside a header", base: validBasic, edit: func(s *Service) { s.Params[0].Prefix = "x" },
			want: []string{"params[0].prefix"}},
		{name: "api key without header or query", base: validAPIKey, edit: func(s *Service) { s.Params[0].In = InPlaceholder },
			want: []string{"params"}},
		{name: "undeclared placeholder", base: validBasic, edit: func(s *Service) { s.APIBaseURL = "https://{region}.shop.example" },
			want: []string{"api_base_url"}},
		{name: "secret placeholder", base: validBasic, edit: func(s *Service) { s.APIBaseURL = "https://{pass}.shop.example" },
			want: []string{"api_base_url"}},
		{name: "unclosed placeholder", base: validBasic, edit: func(s *Service) { s.APIBaseURL = "https://{tenant.shop.example" },
			want: []string{"api_base_url"}},
		{name: "oauth2 field on basic", base: validBasic, edit: func(s *Service) { s.TokenURL = "https://x.example/t" },
			want: []string{"token_url"}},
		{name: "verify path without base url", base: validOAuth, edit: func(s *Service) {
			s.Verify = &VerifyRequest{Path: "/me"}
		}, want: []string{"verify_request.path"}},
		{name: "basic without base url", base: validBasic, edit: func(s *Service) {
			s.APIBaseURL = ""
			s.Verify = nil
		}, want: []string{"api_base_url"}},
		{name: "verify url and path", base: validBasic, edit: func(s *Service) { s.Verify.URL = "https://x.example" },
			want: []string{"verify_request"}},
		{name: "verify bad status", base: validBasic, edit: func(s *Service) { s.Verify.ExpectedStatus = []int{99} },
			want: []string{"verify_request.expected_status[0]"}},
		{name: "reserved header", base: validBasic, edit: func(s *Service) { s.Headers = map[string]string{"Host": "x"} },
			want: []string{"headers.Host"}},
		{name: "header with a line break", base: validBasic, edit: func(s *Service) {
			s.Headers = map[string]string{"X-Version": "1\r\nEvil: yes"}
		}, want: []string{"headers.X-Version"}},
		{name: "no authorization url", base: validOAuth, edit: func(s *Service) { s.AuthorizationURL = "" },
			want: []string{"authorization_url"}},
		{name: "revocation url not http", base: validOAuth, edit: func(s *Service) { s.RevocationURL = "ftp://x" },
			want: []string{"revocation_url"}},
		{name: "default scope unknown", base: validOAuth, edit: func(s *Service) { s.DefaultScopes = []string{"admin"} },
			want: []string{"default_scopes[0]"}},
		{name: "scope listed twice", base: validOAuth, edit: func(s *Service) { s.Scopes[1].Name = "read" },
			want: []string{"scopes[1].name"}},
		{name: "scope with a quote", base: validOAuth, edit: func(s *Service) { s.Scopes[1].Name = `a"b` },
			want: []string{"scopes[1].name"}},
		{name: "scope holding the separator", base: validOAuth, edit: func(s *Service) {
			s.ScopeSeparator = ","
			s.Scopes[1].Name = "a,b"
		}, want: []string{"scopes[1].name"}},
		{name: "bad separator", base: validOAuth, edit: func(s *Service) { s.ScopeSeparator = ";" },
			want: []string{"scope_separator"}},
		{name: "no scopes but scopes listed", base: validOAuth, edit: func(s *Service) { s.NoScopes = true },
			want: []string{"no_scopes"}},
		{name: "auth scheme with a space", base: validOAuth, edit: func(s *Service) { s.AuthScheme = "Bearer x" },
			want: []string{"auth_scheme"}},
		{name: "bad auth param name", base: validOAuth, edit: func(s *Service) { s.AuthParams = map[string]string{"a b": "c"} },
			want: []string{"auth_params"}},
		{name: "auth param that would fix the state", base: validOAuth,
			edit: func(s *Service) { s.AuthParams = map[string]string{"state": "fixed"} }, want: []string{"auth_params"}},
		{name: "token param that would change the grant", base: validOAuth,
			edit: func(s *Service) { s.TokenParams = map[string]string{"grant_type": "password"} }, want: []string{"token_params"}},
		{name: "username parameter", base: validOAuth, edit: func(s *Service) { s.Params = []Param{{Name: "u", In: InUsername}} },
			want: []string{"params[0].in"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.base()
			tt.edit(&s)
			s.Normalize()
			var got []string
			for _, e := range s.Validate() {
				got = append(got, e.Field)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got errors on %v, want on %v (%v)", got, tt.want, s.Validate())
			}
		})
	}
}

func TestServiceNormalize(t *testing.T) {
	s := validOAuth()
	s.Name = "  Docs  "
	s.Params = []Param{{Name: "tenant", In: InPlaceholder}}
	s.Verify = &VerifyRequest{URL: "https://docs.example/me"}
	s.Normalize()
	if s.Name != "Docs" || s.ScopeSeparator != " " || s.TokenAuthStyle != TokenAuthHeader ||
		s.Verify.Method != "GET" || s.Params[0].DisplayName != "tenant" {
		t.Errorf("got name %q separator %q style %q method %q display %q, want the defaults",
			s.Name, s.ScopeSeparator, s.TokenAuthStyle, s.Verify.Method, s.Params[0].DisplayName)
	}
}

func TestPlaceholderNames(t *testing.T) {
	tests := []struct {
		tmpl string
		want []string
		bad  bool
	}{
		{tmpl: "https://api.example.com", want: nil},
		{tmpl: "https://{a}.example.com/{b}/{a}", want: []string{"a", "b"}},
		{tmpl: "{instance_url}/x", want: []string{"instance_url"}},
		{tmpl: "https://{a.b-c_d}.example.com", want: []string{"a.b-c_d"}},
		{tmpl: "https://{}.example.com", bad: true},
		{tmpl: "https://{a b}.example.com", bad: true},
		{tmpl: "https://{a.example.com", bad: true},
		{tmpl: "https://a}.example.com", bad: true},
		{tmpl: "https://{{a}}.example.com", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl, func(t *testing.T) {
			got, err := Placeholders(tt.tmpl)
			if (err != nil) != tt.bad {
				t.Fatalf("got error %v, want error %v", err, tt.bad)
			}
			if !tt.bad && !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	svc := &Service{Params: []Param{
		{Name: "region", In: InPlaceholder, Default: "eu"},
		{Name: "tenant", In: InPlaceholder},
		{Name: "user", In: InUsername, Default: "admin"},
	}}
	got := WithDefaults(svc, map[string]string{"tenant": "acme"}, true)
	if want := map[string]string{"region": "eu", "tenant": "acme"}; !maps.Equal(got, want) {
		t.Errorf("at creation: got %v, want %v", got, want)
	}
	got = WithDefaults(svc, map[string]string{"region": "us"}, false)
	if want := map[string]string{"region": "us", "user": "admin"}; !maps.Equal(got, want) {
		t.Errorf("at authorization: got %v, want %v", got, want)
	}
}
