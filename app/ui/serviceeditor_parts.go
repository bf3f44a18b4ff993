package ui

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// oauth2Part holds the endpoints, the scopes and the client.
func (e *serviceEditor) oauth2Part() app.UI {
	d := &e.draft
	return app.Div().Body(
		app.FieldSet().Body(
			app.Legend().Text("Endpoints"),
			radioGroup(radioProps{
				Name: "svc-endpoints", Legend: "How Plugboard finds them",
				Value: strconv.FormatBool(d.Discover), Disabled: e.busy,
				Options: []option{
					{Value: "false", Label: "Enter the URLs"},
					{Value: "true", Label: "Discover them from the issuer URL (RFC 8414)"},
				},
				OnChange: func(ctx app.Context, v string) { d.Discover = v == "true" },
			}),
			app.If(d.Discover, func() app.UI { return e.issuerField() }).
				Else(func() app.UI { return e.endpointFields() }),
		),
		e.scopesPart(),
		app.FieldSet().Body(
			app.Legend().Text("Client credentials"),
			app.P().
				Class("hint").
				Text("From the app you registered at the provider. You can also add them "+
					"later, when you connect."),
			textField(textProps{
				ID: "svc-client-id", Label: "Client ID (optional)", Value: d.ClientID,
				Error: e.errs["client_id"], Disabled: e.busy,
				OnInput: func(ctx app.Context, v string) { d.ClientID = v },
			}),
			textField(textProps{
				ID: "svc-client-secret", Label: "Client secret (optional)", Type: "password",
				Value: d.ClientSecret, Placeholder: secretPlaceholder(d.ClientSecretSet),
				Error: e.errs["client_secret"], Disabled: e.busy,
				OnInput: func(ctx app.Context, v string) { d.ClientSecret = v },
			}),
		),
	)
}

// secretPlaceholder tells that a secret is stored without showing it.
func secretPlaceholder(set bool) string {
	if set {
		return "Stored — leave empty to keep it"
	}
	return ""
}

func (e *serviceEditor) issuerField() app.UI {
	d := &e.draft
	return textField(textProps{
		ID: "svc-issuer", Label: "Issuer URL", Type: "url", Value: d.Issuer, Required: true,
		Placeholder: "https://login.example.com",
		Hint:        "Plugboard reads /.well-known/oauth-authorization-server below it.",
		Error:       e.errs["issuer"], Disabled: e.busy,
		OnInput: func(ctx app.Context, v string) { d.Issuer = v },
	})
}

func (e *serviceEditor) endpointFields() app.UI {
	d := &e.draft
	return app.Div().Body(
		textField(textProps{
			ID: "svc-auth-url", Label: "Authorization URL", Type: "url", Required: true,
			Value: d.AuthorizationURL, Error: e.errs["authorization_url"], Disabled: e.busy,
			OnInput: func(ctx app.Context, v string) { d.AuthorizationURL = v },
		}),
		textField(textProps{
			ID: "svc-token-url", Label: "Token URL", Type: "url", Required: true,
			Value: d.TokenURL, Error: e.errs["token_url"], Disabled: e.busy,
			OnInput: func(ctx app.Context, v string) { d.TokenURL = v },
		}),
		textField(textProps{
			ID: "svc-revoke-url", Label: "Revocation URL (optional)", Type: "url",
			Value: d.RevocationURL, Error: e.errs["revocation_url"], Disabled: e.busy,
			OnInput: func(ctx app.Context, v string) { d.RevocationURL = v },
		}),
	)
}

// scopesPart lists the scopes, one row each, with add and remove.
func (e *serviceEditor) scopesPart() app.UI {
	d := &e.draft
	return app.FieldSet().Body(
		app.Legend().Text("Scopes"),
		app.P().
			Class("hint").
			Text("The permissions the provider can grant. Ticked ones are asked for by default."),
		fieldError("svc-scopes", e.errs["scopes"]),
		app.Range(d.Scopes).Slice(func(i int) app.UI {
			return e.scopeRow(i, d.Scopes[i])
		}),
		app.Button().
			Type("button").
			Class("button").
			Disabled(e.busy).
			OnClick(func(ctx app.Context, ev app.Event) {
				d.AddScope()
				key := d.Scopes[len(d.Scopes)-1].Key
				focusSoon(scopeID(key, "name"))
			}).
			Text("Add scope"),
	)
}

func scopeID(key int, field string) string {
	return "scope-" + strconv.Itoa(key) + "-" + field
}

func (e *serviceEditor) scopeRow(i int, r scopeRow) app.UI {
	d := &e.draft
	path := "scopes[" + strconv.Itoa(i) + "]"
	key := r.Key
	return app.Div().
		Class("row-form").
		Body(
			textField(textProps{
				ID: scopeID(key, "name"), Label: "Scope name", Value: r.Name,
				Error: e.errs[path+".name"], Disabled: e.busy,
				OnInput: func(ctx app.Context, v string) {
					d.updateScope(key, func(s *scopeRow) { s.Name = v })
				},
			}),
			textField(textProps{
				ID: scopeID(key, "description"), Label: "Description", Value: r.Description,
				Error: e.errs[path+".description"], Disabled: e.busy,
				OnInput: func(ctx app.Context, v string) {
					d.updateScope(key, func(s *scopeRow) { s.Description = v })
				},
			}),
			app.Div().
				Class("row-options").
				Body(
					checkbox(checkProps{
						ID: scopeID(key, "default"), Label: "Ask by default", Checked: r.Default,
						Disabled: e.busy,
						OnChange: func(ctx app.Context, v bool) {
							d.updateScope(key, func(s *scopeRow) { s.Default = v })
						},
					}),
					app.Button().
						Type("button").
						Class("button button-danger-quiet").
						Disabled(e.busy).
						Aria("label", "Remove scope "+r.Name).
						OnClick(func(ctx app.Context, ev app.Event) { d.RemoveScope(key) },
							app.EventScope("remove-scope", key)).
						Text("Remove"),
				),
		)
}

// paramsPart lists the parameters a person gives, one row each.
func (e *serviceEditor) paramsPart() app.UI {
	d := &e.draft
	return app.FieldSet().Body(
		app.Legend().Text("Parameters"),
		app.P().
			Class("hint").
			Text(paramsHint(d.AuthType)),
		fieldError("svc-params", e.errs["params"]),
		app.Range(d.Params).Slice(func(i int) app.UI {
			return e.paramRow(i, d.Params[i])
		}),
		app.Button().
			Type("button").
			Class("button").
			Disabled(e.busy).
			OnClick(func(ctx app.Context, ev app.Event) {
				d.AddParam(paramRow{Required: true})
				key := d.Params[len(d.Params)-1].Key
				focusSoon(paramID(key, "name"))
			}).
			Text("Add parameter"),
	)
}

func paramsHint(t shared.AuthType) string {
	const names = " Each has its parameter name, as the service knows it, and a display " +
		"name: what a person is asked for."
	switch t {
	case shared.AuthBasic:
		return "The values a person gives when connecting: one goes in as the Basic Auth " +
			"user name, one as the password; others can fill {placeholders} in the URLs." + names
	case shared.AuthAPIKey:
		return "The values a person gives when connecting: the key goes in a request " +
			"header or a query parameter; others can fill {placeholders} in the URLs." + names
	}
	return "Optional values that fill {placeholders} in the URLs, such as a subdomain." + names
}

func paramID(key int, field string) string {
	return "param-" + strconv.Itoa(key) + "-" + field
}

func (e *serviceEditor) paramRow(i int, r paramRow) app.UI {
	d := &e.draft
	path := "params[" + strconv.Itoa(i) + "]"
	key := r.Key
	update := func(f func(p *paramRow)) { d.updateParam(key, f) }
	return app.Div().
		Class("row-form").
		Body(
			textField(textProps{
				ID: paramID(key, "name"), Label: "Parameter name", Value: r.Name,
				Error: e.errs[path+".name"], Disabled: e.busy,
				OnInput: func(ctx app.Context, v string) { update(func(p *paramRow) { p.Name = v }) },
			}),
			textField(textProps{
				ID: paramID(key, "display"), Label: "Display name", Value: r.DisplayName,
				Error: e.errs[path+".display_name"], Disabled: e.busy,
				OnInput: func(ctx app.Context, v string) {
					update(func(p *paramRow) { p.DisplayName = v })
				},
			}),
			selectField(selectProps{
				ID: paramID(key, "in"), Label: "Where it goes", Value: string(r.In),
				Options: placeOptions(d.AuthType), Error: e.errs[path+".in"], Disabled: e.busy,
				OnChange: func(ctx app.Context, v string) {
					update(func(p *paramRow) { p.In = shared.ParamIn(v) })
				},
			}),
			app.If(r.In == shared.InHeader, func() app.UI {
				return textField(textProps{
					ID: paramID(key, "prefix"), Label: "Value prefix (optional)", Value: r.Prefix,
					Placeholder: "Bearer ", Error: e.errs[path+".prefix"], Disabled: e.busy,
					OnInput: func(ctx app.Context, v string) {
						update(func(p *paramRow) { p.Prefix = v })
					},
				})
			}),
			app.If(r.In == shared.InPlaceholder, func() app.UI {
				return textField(textProps{
					ID: paramID(key, "options"), Label: "Allowed values (optional)",
					Value: r.Options, Hint: "Separated by commas; offered as a list.",
					Disabled: e.busy,
					OnInput: func(ctx app.Context, v string) {
						update(func(p *paramRow) { p.Options = v })
					},
				})
			}),
			app.Div().
				Class("row-options").
				Body(
					checkbox(checkProps{
						ID: paramID(key, "secret"), Label: "Secret", Checked: r.Secret,
						Disabled: e.busy,
						OnChange: func(ctx app.Context, v bool) {
							update(func(p *paramRow) { p.Secret = v })
						},
					}),
					checkbox(checkProps{
						ID: paramID(key, "required"), Label: "Required", Checked: r.Required,
						Disabled: e.busy,
						OnChange: func(ctx app.Context, v bool) {
							update(func(p *paramRow) { p.Required = v })
						},
					}),
					app.Button().
						Type("button").
						Class("button button-danger-quiet").
						Disabled(e.busy).
						Aria("label", "Remove parameter "+r.Name).
						OnClick(func(ctx app.Context, ev app.Event) { d.RemoveParam(key) },
							app.EventScope("remove-param", key)).
						Text("Remove"),
				),
		)
}

func placeOptions(t shared.AuthType) []option {
	var opts []option
	for _, in := range paramPlaces(t) {
		opts = append(opts, option{Value: string(in), Label: placeLabels[in]})
	}
	return opts
}

// verifyPart is the request that tells whether credentials work.
func (e *serviceEditor) verifyPart() app.UI {
	d := &e.draft
	target := e.errs["verify_request.path"]
	if target == "" {
		target = e.errs["verify_request.url"]
	}
	if target == "" {
		target = e.errs["verify_request"]
	}
	return app.FieldSet().Body(
		app.Legend().Text("Verification request"),
		app.P().
			Class("hint").
			Text("A cheap request, such as “who am I”, that Plugboard sends to check "+
				"credentials: a path below the API base URL, or a whole URL. Leave it "+
				"empty to skip verification."),
		app.Div().
			Class("row-form verify-row").
			Body(
				selectField(selectProps{
					ID: "svc-verify-method", Label: "Method", Value: d.VerifyMethod,
					Options: methodOptions(), Error: e.errs["verify_request.method"],
					Disabled: e.busy,
					OnChange: func(ctx app.Context, v string) { d.VerifyMethod = v },
				}),
				textField(textProps{
					ID: "svc-verify-target", Label: "Path or URL", Value: d.VerifyTarget,
					Placeholder: "/user", Error: target, Disabled: e.busy,
					OnInput: func(ctx app.Context, v string) { d.VerifyTarget = v },
				}),
			),
	)
}

func methodOptions() []option {
	var opts []option
	for _, m := range []string{"GET", "POST", "HEAD"} {
		opts = append(opts, option{Value: m, Label: m})
	}
	return opts
}

// updateScope changes the scope row with the given key.
func (d *serviceDraft) updateScope(key int, f func(*scopeRow)) {
	for i := range d.Scopes {
		if d.Scopes[i].Key == key {
			f(&d.Scopes[i])
		}
	}
}

// updateParam changes the parameter row with the given key.
func (d *serviceDraft) updateParam(key int, f func(*paramRow)) {
	for i := range d.Params {
		if d.Params[i].Key == key {
			f(&d.Params[i])
		}
	}
}
