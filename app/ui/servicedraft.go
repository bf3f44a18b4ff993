package ui

import (
	"strings"

	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// serviceDraft is the custom service form as the person fills it in.
// Rows are never dropped, so row i is params[i] or scopes[i] in the
// service it becomes, and errors about either land next to it.
type serviceDraft struct {
	Name        string
	AuthType    shared.AuthType
	Description string
	APIBaseURL  string

	// Discover fills the OAuth 2.0 endpoints from Issuer's metadata
	// (RFC 8414) instead of taking them from the form.
	Discover         bool
	Issuer           string
	AuthorizationURL string
	TokenURL         string
	RevocationURL    string
	Scopes           []scopeRow
	ClientID         string
	ClientSecret     string
	// ClientSecretSet tells, when editing, that a secret is stored; an
	// empty ClientSecret then keeps it.
	ClientSecretSet bool

	Params []paramRow

	VerifyMethod string
	// VerifyTarget is a path below the API base URL ("/user") or a
	// whole URL.
	VerifyTarget string

	nextKey int
}

// scopeRow is one scope of an OAuth 2.0 service. Key identifies the row
// while rows are added and removed.
type scopeRow struct {
	Key         int
	Name        string
	Description string
	Default     bool
}

// paramRow is one parameter the service needs from a person.
type paramRow struct {
	Key         int
	Name        string
	DisplayName string
	In          shared.ParamIn
	Secret      bool
	Required    bool
	Prefix      string
	// Options is a comma-separated list of the allowed values.
	Options string
}

// newServiceDraft returns an empty form for a service of type t.
func newServiceDraft(t shared.AuthType) serviceDraft {
	d := serviceDraft{VerifyMethod: "GET"}
	d.SetAuthType(t)
	return d
}

// SetAuthType switches the form to t and, when the parameters were left
// untouched, offers those a service of that type usually has.
func (d *serviceDraft) SetAuthType(t shared.AuthType) {
	d.AuthType = t
	if d.paramsTouched() {
		return
	}
	d.Params = nil
	switch t {
	case shared.AuthBasic:
		d.AddParam(paramRow{Name: "username", DisplayName: "Username", In: shared.InUsername, Required: true})
		d.AddParam(paramRow{Name: "password", DisplayName: "Password", In: shared.InPassword,
			Secret: true, Required: true})
	case shared.AuthAPIKey:
		d.AddParam(paramRow{Name: "Authorization", DisplayName: "API key", In: shared.InHeader,
			Secret: true, Required: true, Prefix: "Bearer "})
	}
}

// paramsTouched reports whether the parameter rows differ from the ones
// SetAuthType offers.
func (d *serviceDraft) paramsTouched() bool {
	offered := map[string]bool{"username": true, "password": true, "Authorization": true}
	for _, p := range d.Params {
		if !offered[p.Name] {
			return true
		}
	}
	return false
}

// AddParam appends a parameter row.
func (d *serviceDraft) AddParam(p paramRow) {
	d.nextKey++
	p.Key = d.nextKey
	if p.In == "" {
		p.In = paramPlaces(d.AuthType)[0]
	}
	d.Params = append(d.Params, p)
}

// AddScope appends an empty scope row.
func (d *serviceDraft) AddScope() {
	d.nextKey++
	d.Scopes = append(d.Scopes, scopeRow{Key: d.nextKey})
}

// RemoveParam drops the parameter row with the given key.
func (d *serviceDraft) RemoveParam(key int) {
	for i, p := range d.Params {
		if p.Key == key {
			d.Params = append(d.Params[:i:i], d.Params[i+1:]...)
			return
		}
	}
}

// RemoveScope drops the scope row with the given key.
func (d *serviceDraft) RemoveScope(key int) {
	for i, s := range d.Scopes {
		if s.Key == key {
			d.Scopes = append(d.Scopes[:i:i], d.Scopes[i+1:]...)
			return
		}
	}
}

// paramPlaces lists where a parameter of a service of type t can go,
// the most usual first.
func paramPlaces(t shared.AuthType) []shared.ParamIn {
	switch t {
	case shared.AuthBasic:
		return []shared.ParamIn{shared.InUsername, shared.InPassword, shared.InPlaceholder}
	case shared.AuthAPIKey:
		return []shared.ParamIn{shared.InHeader, shared.InQuery, shared.InPlaceholder}
	}
	return []shared.ParamIn{shared.InPlaceholder}
}

// placeLabels name the places a parameter can go.
var placeLabels = map[shared.ParamIn]string{
	shared.InUsername:    "Basic Auth user name",
	shared.InPassword:    "Basic Auth password",
	shared.InHeader:      "Request header",
	shared.InQuery:       "Query parameter",
	shared.InPlaceholder: "{placeholder} in the URLs",
}

// Service returns the service the form describes.
func (d serviceDraft) Service() shared.Service {
	svc := shared.Service{
		Name:        strings.TrimSpace(d.Name),
		AuthType:    d.AuthType,
		Description: strings.TrimSpace(d.Description),
		APIBaseURL:  strings.TrimSpace(d.APIBaseURL),
		Params:      d.params(),
		Verify:      d.verify(),
	}
	if d.AuthType == shared.AuthOAuth2 {
		svc.OAuth2 = d.oauth2()
	}
	return svc
}

func (d serviceDraft) params() []shared.Param {
	var ps []shared.Param
	for _, r := range d.Params {
		p := shared.Param{
			Name:        strings.TrimSpace(r.Name),
			DisplayName: strings.TrimSpace(r.DisplayName),
			In:          r.In,
			Secret:      r.Secret,
			Required:    r.Required,
			Options:     splitList(r.Options),
		}
		if r.In == shared.InHeader {
			p.Prefix = r.Prefix
		}
		ps = append(ps, p)
	}
	return ps
}

func (d serviceDraft) oauth2() shared.OAuth2 {
	o := shared.OAuth2{
		Issuer:       strings.TrimSpace(d.Issuer),
		ClientID:     strings.TrimSpace(d.ClientID),
		ClientSecret: d.ClientSecret,
	}
	if !d.Discover {
		o.AuthorizationURL = strings.TrimSpace(d.AuthorizationURL)
		o.TokenURL = strings.TrimSpace(d.TokenURL)
		o.RevocationURL = strings.TrimSpace(d.RevocationURL)
	}
	for _, r := range d.Scopes {
		name := strings.TrimSpace(r.Name)
		o.Scopes = append(o.Scopes, shared.Scope{Name: name, Description: strings.TrimSpace(r.Description)})
		if r.Default {
			o.DefaultScopes = append(o.DefaultScopes, name)
		}
	}
	return o
}

func (d serviceDraft) verify() *shared.VerifyRequest {
	target := strings.TrimSpace(d.VerifyTarget)
	if target == "" {
		return nil
	}
	v := &shared.VerifyRequest{Method: d.VerifyMethod}
	if strings.HasPrefix(target, "/") {
		v.Path = target
	} else {
		v.URL = target
	}
	return v
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// Check returns the form's errors by field path, as the server would
// name them, before anything is sent. The server derives the id, and
// finds the endpoints itself when asked to discover them.
func (d serviceDraft) Check() map[string]string {
	svc := d.Service()
	svc.Normalize()
	skip := map[string]bool{"id": true}
	if d.Discover {
		skip["authorization_url"], skip["token_url"] = true, true
	}
	errs := map[string]string{}
	for _, fe := range svc.Validate() {
		if _, seen := errs[fe.Field]; !skip[fe.Field] && !seen {
			errs[fe.Field] = fe.Message
		}
	}
	if d.AuthType == shared.AuthOAuth2 && d.Discover && svc.Issuer == "" {
		errs["issuer"] = "is required to discover the endpoints"
	}
	return errs
}

// Patch returns the change that makes an existing custom service match
// the form. An empty client secret keeps the stored one.
func (d serviceDraft) Patch() api.ServicePatch {
	svc := d.Service()
	p := api.ServicePatch{
		Name:        &svc.Name,
		Description: &svc.Description,
		APIBaseURL:  &svc.APIBaseURL,
		Params:      ptrOrEmpty(svc.Params),
		Verify:      svc.Verify,
	}
	if d.AuthType != shared.AuthOAuth2 {
		return p
	}
	o := svc.OAuth2
	p.Issuer = &o.Issuer
	if !d.Discover {
		p.AuthorizationURL, p.TokenURL = &o.AuthorizationURL, &o.TokenURL
		p.RevocationURL = &o.RevocationURL
	}
	p.Scopes = ptrOrEmpty(o.Scopes)
	p.DefaultScopes = ptrOrEmpty(o.DefaultScopes)
	p.ClientID = &o.ClientID
	if o.ClientSecret != "" {
		p.ClientSecret = &o.ClientSecret
	}
	return p
}

// ptrOrEmpty points at s, or at an empty list when s is nil, so that a
// patch clears the field instead of leaving it.
func ptrOrEmpty[T any](s []T) *[]T {
	if s == nil {
		s = []T{}
	}
	return &s
}

// draftFromService fills the form from an existing custom service.
func draftFromService(svc shared.Service) serviceDraft {
	d := serviceDraft{
		Name:             svc.Name,
		AuthType:         svc.AuthType,
		Description:      svc.Description,
		APIBaseURL:       svc.APIBaseURL,
		Issuer:           svc.Issuer,
		AuthorizationURL: svc.AuthorizationURL,
		TokenURL:         svc.TokenURL,
		RevocationURL:    svc.RevocationURL,
		ClientID:         svc.ClientID,
		ClientSecretSet:  svc.ClientSecretSet,
		VerifyMethod:     "GET",
	}
	defaults := map[string]bool{}
	for _, s := range svc.DefaultScopes {
		defaults[s] = true
	}
	for _, s := range svc.Scopes {
		d.nextKey++
		d.Scopes = append(d.Scopes, scopeRow{Key: d.nextKey, Name: s.Name,
			Description: s.Description, Default: defaults[s.Name]})
	}
	for _, p := range svc.Params {
		d.AddParam(paramRow{Name: p.Name, DisplayName: p.DisplayName, In: p.In, Secret: p.Secret,
			Required: p.Required, Prefix: p.Prefix, Options: strings.Join(p.Options, ", ")})
	}
	if v := svc.Verify; v != nil {
		d.VerifyMethod = v.Method
		d.VerifyTarget = v.URL + v.Path
	}
	return d
}
