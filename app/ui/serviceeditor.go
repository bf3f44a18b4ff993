package ui

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// serviceEditor is the custom service form. With an Existing service it
// edits that one; otherwise it creates a new one. OnSaved receives the
// service as the server stored it.
type serviceEditor struct {
	app.Compo

	Existing *shared.Service
	OnSaved  func(ctx app.Context, svc shared.Service)
	OnCancel func(ctx app.Context)
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	draft  serviceDraft
	ready  bool
	busy   bool
	errs   map[string]string
	fail   failure
	status string
}

// OnInit fills the form from the service being edited.
func (e *serviceEditor) OnInit() {
	if e.ready {
		return
	}
	e.ready = true
	if e.Existing != nil {
		e.draft = draftFromService(*e.Existing)
		return
	}
	e.draft = newServiceDraft(shared.AuthOAuth2)
}

// OnMount keeps the component's context.
func (e *serviceEditor) OnMount(ctx app.Context) {
	e.ctx = ctx
}

// Render draws the form.
func (e *serviceEditor) Render() app.UI {
	d := &e.draft
	return app.Form().
		Class("service-form").
		Attr("novalidate", true).
		OnSubmit(e.save).
		Body(
			e.summary(),
			e.basics(),
			app.If(d.AuthType == shared.AuthOAuth2, func() app.UI { return e.oauth2Part() }),
			e.paramsPart(),
			e.verifyPart(),
			app.Div().
				Class("button-row").
				Body(
					app.Button().
						Type("submit").
						Class("button button-primary").
						Disabled(e.busy).
						Body(e.saveLabel()),
					app.If(e.OnCancel != nil, func() app.UI {
						return app.Button().
							Type("button").
							Class("button").
							Disabled(e.busy).
							OnClick(func(ctx app.Context, ev app.Event) { e.OnCancel(ctx) }).
							Text("Cancel")
					}),
				),
		)
}

func (e *serviceEditor) saveLabel() app.UI {
	if e.busy {
		return spinner(e.status)
	}
	if e.Existing != nil {
		return app.Text("Save service")
	}
	return app.Text("Save and continue")
}

// summary shows the form's failure and the errors that have no input of
// their own, in an alert so they are read out.
func (e *serviceEditor) summary() app.UI {
	var loose []string
	placed := e.placedKeys()
	for k, msg := range e.errs {
		if !placed[k] {
			loose = append(loose, k+": "+msg)
		}
	}
	return app.Div().
		ID("svc-errors").
		Class("live").
		Role("alert").
		TabIndex(-1).
		Body(
			app.If(e.fail.Message != "", func() app.UI {
				return noticeBox(noticeFor(e.fail))
			}),
			app.If(len(loose) > 0, func() app.UI {
				return app.Ul().
					Class("field-error").
					Body(app.Range(loose).Slice(func(i int) app.UI {
						return app.Li().Text(loose[i])
					}))
			}),
		)
}

// placedKeys lists the error keys shown next to an input.
func (e *serviceEditor) placedKeys() map[string]bool {
	keys := map[string]bool{}
	for _, k := range []string{"name", "description", "api_base_url", "issuer",
		"authorization_url", "token_url", "revocation_url", "client_id", "client_secret",
		"verify_request", "verify_request.method", "verify_request.url", "verify_request.path"} {
		keys[k] = true
	}
	for i := range e.draft.Params {
		for _, f := range []string{"name", "display_name", "in", "prefix"} {
			keys["params["+strconv.Itoa(i)+"]."+f] = true
		}
	}
	for i := range e.draft.Scopes {
		keys["scopes["+strconv.Itoa(i)+"].name"] = true
		keys["scopes["+strconv.Itoa(i)+"].description"] = true
	}
	return keys
}

func (e *serviceEditor) basics() app.UI {
	d := &e.draft
	return app.FieldSet().
		Body(
			app.Legend().Text("Service"),
			textField(textProps{
				ID: "svc-name", Label: "Service name", Value: d.Name, Required: true,
				Error: e.errs["name"], Disabled: e.busy,
				OnInput: func(ctx app.Context, v string) { d.Name = v },
			}),
			radioGroup(radioProps{
				Name: "svc-auth", Legend: "Authentication type", Value: string(d.AuthType),
				Options: authTypeOptions(), Disabled: e.busy || e.Existing != nil,
				Error: e.errs["auth_type"],
				OnChange: func(ctx app.Context, v string) {
					d.SetAuthType(shared.AuthType(v))
				},
			}),
			textField(textProps{
				ID: "svc-description", Label: "Description (optional)", Value: d.Description,
				Error: e.errs["description"], Disabled: e.busy,
				OnInput: func(ctx app.Context, v string) { d.Description = v },
			}),
			textField(textProps{
				ID: "svc-api-base", Label: apiBaseLabel(d.AuthType), Type: "url",
				Value: d.APIBaseURL, Required: d.AuthType != shared.AuthOAuth2,
				Placeholder: "https://api.example.com",
				Hint: "Requests your code sends through Plugboard, and a verification path, " +
					"go below this address. It may hold {placeholders} of the parameters.",
				Error: e.errs["api_base_url"], Disabled: e.busy,
				OnInput: func(ctx app.Context, v string) { d.APIBaseURL = v },
			}),
		)
}

// apiBaseLabel labels the API base URL, which only OAuth 2.0 services may
// leave out.
func apiBaseLabel(t shared.AuthType) string {
	if t == shared.AuthOAuth2 {
		return "API base URL (optional)"
	}
	return "API base URL"
}

func authTypeOptions() []option {
	var opts []option
	for _, t := range shared.AuthTypes {
		opts = append(opts, option{Value: string(t), Label: t.Label()})
	}
	return opts
}

func (e *serviceEditor) saveFailed(ctx app.Context, err error) {
	if signInIfNeeded(ctx, err) {
		return
	}
	e.fail = describe(err)
	e.errs = e.fail.Fields
	focusSoon("svc-errors")
}

// save checks the form, then creates or updates the service.
func (e *serviceEditor) save(ctx app.Context, ev app.Event) {
	ev.PreventDefault()
	ctx = e.ctx
	if e.busy {
		return
	}
	e.fail = failure{}
	if e.errs = e.draft.Check(); len(e.errs) > 0 {
		e.fail = failure{Message: "Some fields need attention: see the messages next to them."}
		focusSoon("svc-errors")
		return
	}
	e.busy = true
	e.status = "Saving…"
	if e.draft.Discover && e.Existing == nil {
		e.status = "Discovering the endpoints…"
	}
	d, existing := e.draft, e.Existing
	ctx.Async(func() {
		var svc *shared.Service
		client, err := server.Changing(ctx)
		if err == nil && existing != nil {
			svc, err = client.UpdateService(ctx, existing.ID, d.Patch())
		} else if err == nil {
			svc, err = client.CreateService(ctx, d.Service())
		}
		ctx.Dispatch(func(ctx app.Context) {
			e.busy = false
			if err != nil {
				e.saveFailed(ctx, err)
				return
			}
			e.draft.ClientSecret = ""
			e.draft.ClientSecretSet = svc.ClientSecretSet
			e.OnSaved(ctx, *svc)
		})
	})
}
