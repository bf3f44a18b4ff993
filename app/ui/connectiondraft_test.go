package ui

import (
	"reflect"
	"slices"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

var zendesk = shared.Service{
	ID: "zendesk", Name: "Zendesk", AuthType: shared.AuthBasic,
	Params: []shared.Param{
		{Name: "subdomain", DisplayName: "Subdomain", In: shared.InPlaceholder, Required: true},
		{Name: "dc", DisplayName: "Data center", In: shared.InPlaceholder,
			Options: []string{"eu", "us"}},
		{Name: "email", DisplayName: "Email", In: shared.InUsername, Required: true},
		{Name: "token", DisplayName: "API token", In: shared.InPassword, Secret: true},
	},
}

var github = shared.Service{
	ID: "github", Name: "GitHub", AuthType: shared.AuthOAuth2,
	OAuth2: shared.OAuth2{
		Scopes:        []shared.Scope{{Name: "repo"}, {Name: "read:user"}, {Name: "gist"}},
		DefaultScopes: []string{"read:user"},
	},
}

func TestLinkNameFollowsTheName(t *testing.T) {
	d := newConnectionDraft(github)

	d.SetName("My GitHub (work)")
	if d.LinkName != "my_github_work" {
		t.Fatalf("suggested: got %q, want my_github_work", d.LinkName)
	}
	d.SetName("")
	if d.LinkName != "" {
		t.Errorf("no name: got link %q, want none", d.LinkName)
	}
	d.SetLinkName("gh")
	d.SetName("Other")
	if d.LinkName != "gh" {
		t.Errorf("after an edit: got %q, want gh kept", d.LinkName)
	}
	d.SetLinkName("")
	d.SetName("Other name")
	if d.LinkName != "other_name" {
		t.Errorf("after clearing: got %q, want the suggestion back", d.LinkName)
	}
}

func TestConnectionInput(t *testing.T) {
	d := newConnectionDraft(github)
	d.SetName(" GitHub ")
	d.Scopes["gist"] = true
	d.Scopes["unknown"] = true

	got := d.Input(github)
	want := shared.ConnectionInput{
		Name: "GitHub", LinkName: "github", ServiceID: "github",
		Scopes: []string{"read:user", "gist"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestConnectionDraftCheck(t *testing.T) {
	tests := []struct {
		name  string
		svc   shared.Service
		setup func(d *connectionDraft)
		want  []string
	}{
		{
			name:  "everything missing",
			svc:   zendesk,
			setup: func(d *connectionDraft) {},
			want:  []string{"config.subdomain", "link_name", "name"},
		},
		{
			name: "bad link name and option",
			svc:  zendesk,
			setup: func(d *connectionDraft) {
				d.SetName("Desk")
				d.SetLinkName("Desk!")
				d.Config["subdomain"] = "acme"
				d.Config["dc"] = "mars"
			},
			want: []string{"config.dc", "link_name"},
		},
		{
			name: "a subdomain that would move the request",
			svc:  zendesk,
			setup: func(d *connectionDraft) {
				d.SetName("Desk")
				d.Config["subdomain"] = "evil.test/x"
			},
			want: []string{"config.subdomain"},
		},
		{
			name: "oauth2 without a client",
			svc:  github,
			setup: func(d *connectionDraft) {
				d.SetName("GitHub")
			},
			want: []string{"client_id", "client_secret"},
		},
		{
			name: "oauth2 with a client typed in",
			svc:  github,
			setup: func(d *connectionDraft) {
				d.SetName("GitHub")
				d.ClientID, d.ClientSecret = "id", "secret"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newConnectionDraft(tt.svc)
			tt.setup(&d)
			errs := d.Check(tt.svc)
			var got []string
			for k := range errs {
				got = append(got, k)
			}
			slices.Sort(got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got errors on %v (%v), want on %v", got, errs, tt.want)
			}
		})
	}
}

func TestClientPatch(t *testing.T) {
	withClient := github
	withClient.ClientID, withClient.ClientSecretSet = "id", true
	onlyID := github
	onlyID.ClientID = "id"

	tests := []struct {
		name       string
		svc        shared.Service
		id, secret string
		wantNil    bool
		wantSecret bool
	}{
		{name: "service has a client", svc: withClient, wantNil: true},
		{name: "basic auth needs none", svc: zendesk, wantNil: true},
		{name: "both typed", svc: github, id: " id ", secret: "s", wantSecret: true},
		{name: "secret missing on the service", svc: onlyID, id: "id", secret: "s", wantSecret: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newConnectionDraft(tt.svc)
			d.ClientID, d.ClientSecret = tt.id, tt.secret
			p := d.ClientPatch(tt.svc)
			if (p == nil) != tt.wantNil {
				t.Fatalf("got patch %v, want nil: %v", p, tt.wantNil)
			}
			if p == nil {
				return
			}
			if *p.ClientID != "id" || (p.ClientSecret != nil) != tt.wantSecret {
				t.Errorf("got id %q, secret set %v", *p.ClientID, p.ClientSecret != nil)
			}
		})
	}
}

func TestConnectionPatchSendsEveryField(t *testing.T) {
	c := shared.Connection{Name: "Desk", LinkName: "desk", Scopes: []string{"a"},
		Config: map[string]string{"subdomain": "acme"}}
	d := draftFromConnection(c)
	d.Config["subdomain"] = ""

	p := d.Patch(zendesk)
	if *p.Name != "Desk" || *p.LinkName != "desk" {
		t.Errorf("got name %q, link %q", *p.Name, *p.LinkName)
	}
	if len(*p.Scopes) != 0 || len(*p.Config) != 0 {
		t.Errorf("got scopes %v, config %v; want both emptied", *p.Scopes, *p.Config)
	}
}

func TestFirstErrorField(t *testing.T) {
	errs := map[string]string{"client_id": "x", "config.subdomain": "y"}
	if got := firstErrorField(errs, zendesk); got != "config-subdomain" {
		t.Errorf("got %q, want config-subdomain", got)
	}
	if got := firstErrorField(nil, zendesk); got != "" {
		t.Errorf("no errors: got %q", got)
	}
}

func TestParamGroups(t *testing.T) {
	var created, authorized []string
	for _, p := range creationParams(zendesk) {
		created = append(created, p.Name)
	}
	for _, p := range authorizeParams(zendesk) {
		authorized = append(authorized, p.Name)
	}
	if !reflect.DeepEqual(created, []string{"subdomain", "dc"}) {
		t.Errorf("at creation: got %v", created)
	}
	if !reflect.DeepEqual(authorized, []string{"email", "token"}) {
		t.Errorf("at authorization: got %v", authorized)
	}
}
