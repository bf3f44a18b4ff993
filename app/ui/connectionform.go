package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// connectionForm is the Connection Details step: the connection's name
// and link name, the scopes to grant, the values the service needs at
// creation and, when the service lacks them, its client credentials.
// Its button creates the connection and starts authorizing it.
type connectionForm struct {
	app.Compo

	Service shared.Service
	OnBack  func(ctx app.Context)
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	draft    connectionDraft
	draftFor string
	meta     *api.Meta
	busy     bool
	stage    string
	errs     map[string]string
	fail     failure
	note     notice
	created  *shared.Connection
	dialog   bool
}

// OnInit starts the form for the service.
func (f *connectionForm) OnInit() {
	f.reset()
}

// OnUpdate starts over when another service is chosen.
func (f *connectionForm) OnUpdate(ctx app.Context) {
	if f.draftFor != f.Service.ID {
		f.reset()
	}
}

func (f *connectionForm) reset() {
	f.draft = newConnectionDraft(f.Service)
	f.draftFor = f.Service.ID
	f.errs, f.fail, f.created, f.note = nil, failure{}, nil, notice{}
}

// OnMount puts the focus on the first field and loads the callback URL
// for OAuth 2.0 services.
func (f *connectionForm) OnMount(ctx app.Context) {
	f.ctx = ctx
	focusSoon("conn-name")
	if f.Service.AuthType != shared.AuthOAuth2 {
		return
	}
	ctx.Async(func() {
		m, err := server.Meta(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				signInIfNeeded(ctx, err)
				return
			}
			f.meta = m
		})
	})
}

// Render draws the form.
func (f *connectionForm) Render() app.UI {
	svc := f.Service
	return app.Form().
		Class("card connection-form").
		Attr("novalidate", true).
		OnSubmit(f.submit).
		Body(
			f.serviceHeader(),
			app.Div().
				Class("live").
				Role("alert").
				Body(
					app.If(f.fail.Message != "", func() app.UI { return noticeBox(noticeFor(f.fail)) }),
					app.If(f.note.Text != "", func() app.UI { return noticeBox(f.note) }),
				),
			f.nameFields(),
			app.If(len(svc.Scopes) > 0, func() app.UI { return f.scopeFields() }),
			app.If(len(creationParams(svc)) > 0, func() app.UI { return f.configFields() }),
			app.If(needsClient(svc), func() app.UI { return f.clientFields() }),
			app.Div().
				Class("button-row").
				Body(
					app.Button().
						ID("conn-submit").
						Type("submit").
						Class("button button-primary").
						Disabled(f.busy).
						Body(f.submitLabel()),
				),
			app.If(f.dialog && f.created != nil, func() app.UI {
				return &authorizeDialog{
					Connection:  *f.created,
					Service:     svc,
					OnDone:      f.authorized,
					OnCancel:    f.dialogCancelled,
					ReturnFocus: "conn-submit",
				}
			}),
		)
}

func (f *connectionForm) serviceHeader() app.UI {
	svc := f.Service
	return app.Div().
		Class("service-header").
		Body(
			serviceIcon(svc.Icon, svc.Name),
			app.Div().Body(
				app.H2().Text(svc.Name),
				app.Span().
					Class("auth-type").
					Text(svc.AuthType.Label()),
			),
			app.If(f.created == nil, func() app.UI {
				return app.Button().
					Type("button").
					Class("button button-quiet").
					Disabled(f.busy).
					OnClick(func(ctx app.Context, e app.Event) { f.OnBack(ctx) }).
					Text("Choose another service")
			}),
		)
}

func (f *connectionForm) submitLabel() app.UI {
	switch {
	case f.busy:
		return spinner(f.stage)
	case f.created != nil:
		return app.Text("Connect")
	}
	return app.Text("Create and connect")
}

// locked tells whether the fields can no longer change: while working,
// and once the connection exists.
func (f *connectionForm) locked() bool {
	return f.busy || f.created != nil
}

func (f *connectionForm) nameFields() app.UI {
	d := &f.draft
	return app.Div().Body(
		textField(textProps{
			ID: "conn-name", Label: "Connection name", Value: d.Name, Required: true,
			Placeholder: f.Service.Name + " (work)", Error: f.errs["name"], Disabled: f.locked(),
			OnInput: func(ctx app.Context, v string) { d.SetName(v) },
		}),
		textField(textProps{
			ID: "conn-link", Label: "Link name", Value: d.LinkName, Required: true,
			Hint: "Your code names the connection by this. Lower-case letters, digits " +
				"and underscores; suggested from the name until you edit it.",
			Error: f.errs["link_name"], Disabled: f.locked(),
			OnInput: func(ctx app.Context, v string) { d.SetLinkName(v) },
		}),
	)
}

// scopeFields offers the service's scopes, the defaults ticked.
func (f *connectionForm) scopeFields() app.UI {
	d := &f.draft
	scopes := f.Service.Scopes
	return app.FieldSet().Body(
		app.Legend().Text("Scopes to grant"),
		fieldError("conn-scopes", f.errs["scopes"]),
		app.Range(scopes).Slice(func(i int) app.UI {
			s := scopes[i]
			return checkbox(checkProps{
				ID: fieldID("conn-scope-", s.Name) + "-" + itoa(i), Label: s.Name,
				Hint: s.Description, Checked: d.Scopes[s.Name], Disabled: f.locked(),
				OnChange: func(ctx app.Context, v bool) { d.Scopes[s.Name] = v },
			})
		}),
	)
}

// configFields asks for the values the service needs at creation, such
// as a subdomain.
func (f *connectionForm) configFields() app.UI {
	d := &f.draft
	params := creationParams(f.Service)
	return app.FieldSet().Body(
		app.Legend().Text("Settings"),
		app.Range(params).Slice(func(i int) app.UI {
			p := params[i]
			return paramInput(paramInputProps{
				ID: fieldID("config-", p.Name), Param: p, Value: d.Config[p.Name],
				Error: f.errs["config."+p.Name], Disabled: f.locked(),
				OnChange: func(ctx app.Context, v string) { d.Config[p.Name] = v },
			})
		}),
	)
}

// clientFields asks for the OAuth 2.0 client of a service that has none,
// with the callback URL to register at the provider.
func (f *connectionForm) clientFields() app.UI {
	d := &f.draft
	return app.FieldSet().Body(
		app.Legend().Text("Client credentials"),
		app.P().
			Class("hint").
			Text("Register an app at "+f.Service.Name+" with the callback URL below, then "+
				"enter the client ID and secret it gives you. They are saved with the service."),
		app.If(f.meta != nil, func() app.UI {
			return &copyField{ID: "callback-url", Label: "Callback URL", Value: f.meta.CallbackURL}
		}).Else(func() app.UI {
			return app.P().Body(spinner("Loading the callback URL…"))
		}),
		textField(textProps{
			ID: "conn-client-id", Label: "Client ID", Value: d.ClientID, Required: true,
			Error: f.errs["client_id"], Disabled: f.locked(),
			OnInput: func(ctx app.Context, v string) { d.ClientID = v },
		}),
		textField(textProps{
			ID: "conn-client-secret", Label: "Client secret", Type: "password",
			Value: d.ClientSecret, Required: !f.Service.ClientSecretSet,
			Placeholder: secretPlaceholder(f.Service.ClientSecretSet),
			Error:       f.errs["client_secret"], Disabled: f.locked(),
			OnInput: func(ctx app.Context, v string) { d.ClientSecret = v },
		}),
	)
}
