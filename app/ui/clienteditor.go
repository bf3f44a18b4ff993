package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// clientEditor changes the client id and secret of an OAuth 2.0 service,
// the only settings of a catalog service one can change.
type clientEditor struct {
	app.Compo

	Service shared.Service
	OnSaved func(ctx app.Context, svc shared.Service)
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	open     bool
	clientID string
	secret   string
	busy     bool
	fail     failure
}

// OnMount keeps the component's context.
func (c *clientEditor) OnMount(ctx app.Context) {
	c.ctx = ctx
}

// Render draws the button that opens the form, or the form.
func (c *clientEditor) Render() app.UI {
	if !c.open {
		return app.Button().
			Type("button").
			Class("button").
			OnClick(c.start).
			Text("Change client credentials")
	}
	return app.Form().
		Class("subform").
		Attr("novalidate", true).
		OnSubmit(c.save).
		Body(
			app.Div().
				Class("live").
				Role("alert").
				Body(app.If(c.fail.Message != "", func() app.UI { return noticeBox(noticeFor(c.fail)) })),
			textField(textProps{
				ID: "client-id", Label: "Client ID", Value: c.clientID, Required: true,
				Error: c.fail.Fields["client_id"], Disabled: c.busy,
				OnInput: func(ctx app.Context, v string) { c.clientID = v },
			}),
			textField(textProps{
				ID: "client-secret", Label: "Client secret", Type: "password", Value: c.secret,
				Placeholder: secretPlaceholder(c.Service.ClientSecretSet),
				Error:       c.fail.Fields["client_secret"], Disabled: c.busy,
				OnInput: func(ctx app.Context, v string) { c.secret = v },
			}),
			app.Div().
				Class("button-row").
				Body(
					app.Button().
						Type("submit").
						Class("button button-primary").
						Disabled(c.busy).
						Body(app.If(c.busy, func() app.UI { return spinner("Saving…") }).
							Else(func() app.UI { return app.Text("Save credentials") })),
					app.Button().
						Type("button").
						Class("button").
						Disabled(c.busy).
						OnClick(func(ctx app.Context, e app.Event) { c.open = false }).
						Text("Cancel"),
				),
		)
}

func (c *clientEditor) start(ctx app.Context, e app.Event) {
	c.open, c.clientID, c.secret, c.fail = true, c.Service.ClientID, "", failure{}
	focusSoon("client-id")
}

// save sends the new client; an empty secret keeps the stored one.
func (c *clientEditor) save(ctx app.Context, e app.Event) {
	e.PreventDefault()
	ctx = c.ctx
	if c.clientID == "" {
		c.fail = failure{Message: "Enter the client ID.",
			Fields: map[string]string{"client_id": "is required"}}
		return
	}
	patch := api.ServicePatch{ClientID: &c.clientID}
	if c.secret != "" {
		secret := c.secret
		patch.ClientSecret = &secret
	}
	c.busy, c.fail = true, failure{}
	id := c.Service.ID
	ctx.Async(func() {
		var svc *shared.Service
		client, err := server.Changing(ctx)
		if err == nil {
			svc, err = client.UpdateService(ctx, id, patch)
		}
		ctx.Dispatch(func(ctx app.Context) {
			c.busy = false
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					c.fail = describe(err)
				}
				return
			}
			c.open, c.secret = false, ""
			c.OnSaved(ctx, *svc)
		})
	})
}
