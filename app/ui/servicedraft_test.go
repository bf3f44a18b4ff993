package ui

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

func TestServiceDraftService(t *testing.T) {
	tests := []struct {
		name  string
		draft func() serviceDraft
		want  shared.Service
	}{
		{
			name: "api key in a header, with a verification path",
			draft: func() serviceDraft {
				d := newServiceDraft(shared.AuthAPIKey)
				d.Name, d.APIBaseURL, d.VerifyTarget = " Weather ", "https://api.w.test", "/me"
				return d
			},
			want: shared.Service{
				Name: "Weather", AuthType: shared.AuthAPIKey, APIBaseURL: "https://api.w.test",
				Params: []shared.Param{{Name: "Authorization", DisplayName: "API key",
					In: shared.InHeader, Secret: true, Required: true, Prefix: "Bearer "}},
				Verify: &shared.VerifyRequest{Method: "GET", Path: "/me"},
			},
		},
		{
			name: "basic auth with a subdomain and a verification URL",
			draft: func() serviceDraft {
				d := newServiceDraft(shared.AuthBasic)
				d.Name, d.VerifyTarget = "Desk", "https://{sub}.desk.test/me"
				d.AddParam(paramRow{Name: "sub", DisplayName: "Subdomain", In: shared.InPlaceholder,
					Required: true, Options: "eu, us ,", Prefix: "ignored"})
				return d
			},
			want: shared.Service{
				Name: "Desk", AuthType: shared.AuthBasic,
				Params: []shared.Param{
					{Name: "username", DisplayName: "Username", In: shared.InUsername, Required: true},
					{Name: "password", DisplayName: "Password", In: shared.InPassword, Secret: true,
						Required: true},
					{Name: "sub", DisplayName: "Subdomain", In: shared.InPlaceholder, Required: true,
						Options: []string{"eu", "us"}},
				},
				Verify: &shared.VerifyRequest{Method: "GET", URL: "https://{sub}.desk.test/me"},
			},
		},
		{
			name: "oauth2 with endpoints and scopes",
			draft: func() serviceDraft {
				d := newServiceDraft(shared.AuthOAuth2)
				d.Name, d.AuthorizationURL, d.TokenURL = "Acme", "https://a.test/auth", "https://a.test/token"
				d.ClientID, d.ClientSecret = " cid ", "sec"
				d.AddScope()
				d.Scopes[0].Name, d.Scopes[0].Description, d.Scopes[0].Default = "read", "Read", true
				d.AddScope()
				d.Scopes[1].Name = "write"
				return d
			},
			want: shared.Service{
				Name: "Acme", AuthType: shared.AuthOAuth2,
				OAuth2: shared.OAuth2{
					AuthorizationURL: "https://a.test/auth", TokenURL: "https://a.test/token",
					Scopes:        []shared.Scope{{Name: "read", Description: "Read"}, {Name: "write"}},
					DefaultScopes: []string{"read"}, ClientID: "cid", ClientSecret: "sec",
				},
			},
		},
		{
			name: "oauth2 by discovery sends only the issuer",
			draft: func() serviceDraft {
				d := newServiceDraft(shared.AuthOAuth2)
				d.Name, d.Discover, d.Issuer = "Idp", true, "https://idp.test"
				d.AuthorizationURL = "https://typed.before/switching"
				return d
			},
			want: shared.Service{
				Name: "Idp", AuthType: shared.AuthOAuth2,
				OAuth2: shared.OAuth2{Issuer: "https://idp.test"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.draft().Service()
			if !reflect.DeepEqual(got, tt.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(tt.want)
				t.Errorf("got  %s\nwant %s", g, w)
			}
		})
	}
}

func TestServiceDraftCheck(t *testing.T) {
	tests := []struct {
		name       string
		draft      func() serviceDraft
		wantFields []string
	}{
		{
			name:       "empty oauth2 form",
			draft:      func() serviceDraft { return newServiceDraft(shared.AuthOAuth2) },
			wantFields: []string{"authorization_url", "name", "token_url"},
		},
		{
			name: "discovery needs only an issuer",
			draft: func() serviceDraft {
				d := newServiceDraft(shared.AuthOAuth2)
				d.Name, d.Discover = "Idp", true
				return d
			},
			wantFields: []string{"issuer"},
		},
		{
			name: "valid discovery",
			draft: func() serviceDraft {
				d := newServiceDraft(shared.AuthOAuth2)
				d.Name, d.Discover, d.Issuer = "Idp", true, "https://idp.test"
				return d
			},
		},
		{
			name: "bad parameter row is reported by its index",
			draft: func() serviceDraft {
				d := newServiceDraft(shared.AuthAPIKey)
				d.Name = "X"
				d.AddParam(paramRow{Name: "bad name", DisplayName: "Region", In: shared.InPlaceholder})
				return d
			},
			wantFields: []string{"api_base_url", "params[1].name"},
		},
		{
			name: "verification path without a base URL",
			draft: func() serviceDraft {
				d := newServiceDraft(shared.AuthAPIKey)
				d.Name, d.VerifyTarget = "X", "/me"
				return d
			},
			wantFields: []string{"api_base_url", "verify_request.path"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := tt.draft().Check()
			var got []string
			for k := range errs {
				got = append(got, k)
			}
			slices.Sort(got)
			if !reflect.DeepEqual(got, tt.wantFields) {
				t.Errorf("got errors on %v (%v), want on %v", got, errs, tt.wantFields)
			}
		})
	}
}

func TestSetAuthTypeKeepsEditedParams(t *testing.T) {
	d := newServiceDraft(shared.AuthBasic)
	if len(d.Params) != 2 {
		t.Fatalf("basic: got %d params, want the offered 2", len(d.Params))
	}
	d.SetAuthType(shared.AuthAPIKey)
	if len(d.Params) != 1 || d.Params[0].In != shared.InHeader {
		t.Fatalf("api key: got %+v, want the offered header", d.Params)
	}
	d.Params[0].Name = "X-Key"
	d.SetAuthType(shared.AuthBasic)
	if len(d.Params) != 1 || d.Params[0].Name != "X-Key" {
		t.Errorf("after an edit: got %+v, want the edited row kept", d.Params)
	}
}

func TestRowsAreFoundByKey(t *testing.T) {
	d := newServiceDraft(shared.AuthAPIKey)
	d.AddParam(paramRow{Name: "region"})
	d.AddParam(paramRow{Name: "team"})
	first, second := d.Params[0].Key, d.Params[1].Key

	d.RemoveParam(first)
	d.updateParam(second, func(p *paramRow) { p.DisplayName = "Region" })

	if len(d.Params) != 2 || d.Params[0].Name != "region" || d.Params[0].DisplayName != "Region" {
		t.Errorf("got %+v", d.Params)
	}
	if d.Params[0].In != shared.InHeader {
		t.Errorf("a new row of an API key service goes in %q, want header", d.Params[0].In)
	}
}

func TestDraftFromServiceRoundTrip(t *testing.T) {
	pkce := false
	svc := shared.Service{
		ID: "acme", Name: "Acme", AuthType: shared.AuthOAuth2, Description: "d",
		APIBaseURL: "https://{region}.acme.test",
		Params: []shared.Param{{Name: "region", DisplayName: "Region", In: shared.InPlaceholder,
			Required: true, Options: []string{"eu", "us"}}},
		OAuth2: shared.OAuth2{AuthorizationURL: "https://a.test/auth", TokenURL: "https://a.test/t",
			RevocationURL: "https://a.test/r", Scopes: []shared.Scope{{Name: "a"}, {Name: "b"}},
			DefaultScopes: []string{"b"}, ClientID: "cid", ClientSecretSet: true, PKCE: &pkce},
		Verify: &shared.VerifyRequest{Method: "GET", Path: "/me"},
	}
	d := draftFromService(svc)
	got := d.Service()

	want := svc
	want.ID, want.ClientSecretSet, want.PKCE = "", false, nil
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("got  %s\nwant %s", g, w)
	}

	patch, _ := json.Marshal(d.Patch())
	var fields map[string]any
	json.Unmarshal(patch, &fields)
	if _, ok := fields["client_secret"]; ok {
		t.Errorf("an empty secret is sent in the patch: %s", patch)
	}
	if fields["revocation_url"] != "https://a.test/r" || fields["client_id"] != "cid" {
		t.Errorf("patch misses fields: %s", patch)
	}
}

func TestPatchClearsEmptiedLists(t *testing.T) {
	d := newServiceDraft(shared.AuthOAuth2)
	d.Name = "X"
	b, _ := json.Marshal(d.Patch())
	var fields map[string]any
	json.Unmarshal(b, &fields)
	for _, k := range []string{"scopes", "default_scopes", "params"} {
		if v, ok := fields[k]; !ok || len(v.([]any)) != 0 {
			t.Errorf("%s: got %v, want an empty list that clears it", k, v)
		}
	}
}
