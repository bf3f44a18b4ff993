package ui

import (
	"strings"

	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// connectionDraft is the connection details form as the person fills it
// in.
type connectionDraft struct {
	Name     string
	LinkName string
	// LinkEdited is set once the person typed a link name; it then stops
	// following the name.
	LinkEdited bool
	Scopes     map[string]bool
	Config     map[string]string

	ClientID     string
	ClientSecret string
}

// newConnectionDraft returns the form for a new connection to svc, with
// the service's default scopes ticked.
func newConnectionDraft(svc shared.Service) connectionDraft {
	d := connectionDraft{
		Scopes:   map[string]bool{},
		Config:   map[string]string{},
		ClientID: svc.ClientID,
	}
	for _, s := range svc.DefaultScopes {
		d.Scopes[s] = true
	}
	return d
}

// SetName changes the name and, until the person edits the link name,
// suggests one from it.
func (d *connectionDraft) SetName(name string) {
	d.Name = name
	if d.LinkEdited {
		return
	}
	d.LinkName = ""
	if strings.TrimSpace(name) != "" {
		d.LinkName = shared.SuggestLinkName(name)
	}
}

// SetLinkName records a link name the person typed. Clearing it lets
// the suggestion come back.
func (d *connectionDraft) SetLinkName(link string) {
	d.LinkName = link
	d.LinkEdited = link != ""
}

// needsClient reports whether svc is an OAuth 2.0 service that cannot be
// authorized before someone gives it a client id and secret.
func needsClient(svc shared.Service) bool {
	return svc.AuthType == shared.AuthOAuth2 && (svc.ClientID == "" || !svc.ClientSecretSet)
}

// creationParams returns the parameters asked for when a connection to
// svc is created, such as a subdomain.
func creationParams(svc shared.Service) []shared.Param {
	var ps []shared.Param
	for _, p := range svc.Params {
		if p.AtCreation() {
			ps = append(ps, p)
		}
	}
	return ps
}

// Input returns the request that creates the connection. Scopes keep the
// service's order.
func (d connectionDraft) Input(svc shared.Service) shared.ConnectionInput {
	in := shared.ConnectionInput{
		Name:      strings.TrimSpace(d.Name),
		LinkName:  strings.TrimSpace(d.LinkName),
		ServiceID: svc.ID,
		Config:    filledValues(d.Config),
	}
	for _, s := range svc.Scopes {
		if d.Scopes[s.Name] {
			in.Scopes = append(in.Scopes, s.Name)
		}
	}
	if len(in.Config) == 0 {
		in.Config = nil
	}
	return in
}

// Check returns the form's errors by field path, as the server names
// them.
func (d connectionDraft) Check(svc shared.Service) map[string]string {
	in := d.Input(svc)
	errs := map[string]string{}
	if in.Name == "" {
		errs["name"] = "is required"
	} else if len(in.Name) > shared.MaxNameLen {
		errs["name"] = "is too long"
	}
	if msg := shared.CheckLinkName(in.LinkName); msg != "" {
		errs["link_name"] = msg
	}
	for _, fe := range shared.CheckParamValues(&svc, in.Config, true) {
		errs[fe.Field] = fe.Message
	}
	if needsClient(svc) {
		if strings.TrimSpace(d.ClientID) == "" {
			errs["client_id"] = "is required to connect to " + svc.Name
		}
		if d.ClientSecret == "" && !svc.ClientSecretSet {
			errs["client_secret"] = "is required to connect to " + svc.Name
		}
	}
	return errs
}

// ClientPatch returns the change that gives svc the client credentials
// typed in the form, or nil when the service has them already.
func (d connectionDraft) ClientPatch(svc shared.Service) *api.ServicePatch {
	if !needsClient(svc) {
		return nil
	}
	id := strings.TrimSpace(d.ClientID)
	p := &api.ServicePatch{ClientID: &id}
	if d.ClientSecret != "" {
		secret := d.ClientSecret
		p.ClientSecret = &secret
	}
	return p
}

// draftFromConnection fills the edit form from an existing connection.
func draftFromConnection(c shared.Connection) connectionDraft {
	d := connectionDraft{
		Name:       c.Name,
		LinkName:   c.LinkName,
		LinkEdited: true,
		Scopes:     map[string]bool{},
		Config:     map[string]string{},
	}
	for _, s := range c.Scopes {
		d.Scopes[s] = true
	}
	for k, v := range c.Config {
		d.Config[k] = v
	}
	return d
}

// Patch returns the change that makes a connection to svc match the
// form. Every field is sent, so emptied ones are cleared.
func (d connectionDraft) Patch(svc shared.Service) shared.ConnectionPatch {
	in := d.Input(svc)
	scopes := in.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	config := in.Config
	if config == nil {
		config = map[string]string{}
	}
	return shared.ConnectionPatch{
		Name:     &in.Name,
		LinkName: &in.LinkName,
		Scopes:   &scopes,
		Config:   &config,
	}
}
