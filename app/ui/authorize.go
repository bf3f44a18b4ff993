package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// authorizeOAuth2 asks the server for the provider's authorization page
// of connection ref and sends the browser there. The provider sends the
// person back through the server's callback. When that fails, failed is
// called on the UI goroutine.
func authorizeOAuth2(ctx app.Context, ref string, failed func(ctx app.Context, f failure)) {
	ctx.Async(func() {
		client, err := server.Changing(ctx)
		if err == nil {
			var res *api.AuthorizeResult
			res, err = client.Authorize(ctx, ref, nil)
			if err == nil && res.AuthorizeURL != "" {
				goExternal(res.AuthorizeURL)
				return
			}
		}
		ctx.Dispatch(func(ctx app.Context) {
			if err == nil {
				failed(ctx, failure{Message: "The server gave no authorization address."})
				return
			}
			if !signInIfNeeded(ctx, err) {
				failed(ctx, describe(err))
			}
		})
	})
}

// authorizeParams returns the parameters a person gives when authorizing
// a connection to svc: its credentials and any secret placeholders.
func authorizeParams(svc shared.Service) []shared.Param {
	var ps []shared.Param
	for _, p := range svc.Params {
		if !p.AtCreation() {
			ps = append(ps, p)
		}
	}
	return ps
}

// filledValues returns the values that are not empty.
func filledValues(values map[string]string) map[string]string {
	out := make(map[string]string, len(values))
	for k, v := range values {
		if strings.TrimSpace(v) != "" {
			out[k] = v
		}
	}
	return out
}

// fieldID turns a parameter's name into part of an element id.
func fieldID(prefix, name string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// authorizeDialog asks for the credentials of a Basic Auth or API key
// connection, each by its display name, and has the server verify them.
// The parent renders it while it is open.
type authorizeDialog struct {
	app.Compo

	Connection shared.Connection
	Service    shared.Service
	// OnDone receives the connection once the service accepted the
	// credentials.
	OnDone   func(ctx app.Context, c *shared.Connection)
	OnCancel func(ctx app.Context)
	// ReturnFocus is the id of the element that gets the focus when the
	// dialog closes, if the one that opened it cannot.
	ReturnFocus string
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	values map[string]string
	busy   bool
	fail   failure
	focus  modalFocus
}

const authorizeDialogID = "authorize-dialog"

// OnMount opens the dialog.
func (d *authorizeDialog) OnMount(ctx app.Context) {
	d.ctx = ctx
	d.values = map[string]string{}
	d.focus.open(ctx, authorizeDialogID)
}

// OnDismount gives the focus back.
func (d *authorizeDialog) OnDismount() {
	d.focus.restore(d.ReturnFocus)
}

// Render draws the form.
func (d *authorizeDialog) Render() app.UI {
	params := authorizeParams(d.Service)
	return app.Dialog().
		ID(authorizeDialogID).
		Class("modal").
		Aria("labelledby", authorizeDialogID+"-title").
		On("cancel", onCancel(func() bool { return d.busy })).
		On("close", d.closed).
		Body(
			app.Form().
				OnSubmit(d.submit).
				Body(
					app.H2().
						ID(authorizeDialogID+"-title").
						Text("Connect "+d.Service.Name),
					app.P().
						Class("hint").
						Text("Plugboard checks these with "+d.Service.Name+
							" before it keeps them, sealed. They are never shown again."),
					app.Range(params).Slice(func(i int) app.UI {
						return d.paramField(params[i])
					}),
					app.Div().
						Class("live").
						Role("alert").
						Body(
							app.If(d.fail.Message != "", func() app.UI {
								return noticeBox(noticeFor(d.fail))
							}),
						),
					app.Div().
						Class("dialog-actions").
						Body(
							app.Button().
								Type("button").
								Class("button").
								Disabled(d.busy).
								OnClick(func(ctx app.Context, e app.Event) { d.cancel(ctx) }).
								Text("Cancel"),
							app.Button().
								Type("submit").
								Class("button button-primary").
								Disabled(d.busy).
								Body(d.submitLabel()),
						),
				),
		)
}

func (d *authorizeDialog) submitLabel() app.UI {
	if d.busy {
		return spinner("Verifying…")
	}
	return app.Text("Connect")
}

// paramField renders the input of one credential.
func (d *authorizeDialog) paramField(p shared.Param) app.UI {
	id := fieldID("auth-", p.Name)
	msg := d.fail.Fields["params."+p.Name]
	return paramInput(paramInputProps{
		ID:       id,
		Param:    p,
		Value:    d.values[p.Name],
		Error:    msg,
		Disabled: d.busy,
		OnChange: func(ctx app.Context, v string) { d.values[p.Name] = v },
	})
}

// submit sends the credentials. On refusal the dialog stays open with
// the server's message and the values kept for correction.
func (d *authorizeDialog) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	ctx = d.ctx
	if d.busy {
		return
	}
	if fe := shared.CheckParamValues(&d.Service, filledValues(d.values), false); len(fe) > 0 {
		d.fail = describe(&shared.Problem{Errors: fe, Detail: "Some values are missing or invalid."})
		return
	}
	d.busy = true
	d.fail = failure{}
	ref := d.Connection.ID
	values := filledValues(d.values)
	ctx.Async(func() {
		client, err := server.Changing(ctx)
		var res *api.AuthorizeResult
		if err == nil {
			res, err = client.Authorize(ctx, ref, values)
		}
		ctx.Dispatch(func(ctx app.Context) {
			d.busy = false
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					d.fail = describe(err)
				}
				return
			}
			conn := res.Connection
			if conn == nil {
				conn = &d.Connection
			}
			d.OnDone(ctx, conn)
		})
	})
}

// closed handles the dialog closing by itself (Escape). While the
// credentials are being verified it opens again: the answer belongs here.
func (d *authorizeDialog) closed(ctx app.Context, e app.Event) {
	if d.busy {
		d.focus.open(ctx, authorizeDialogID)
		return
	}
	d.cancel(ctx)
}

func (d *authorizeDialog) cancel(ctx app.Context) {
	if !d.busy && d.OnCancel != nil {
		d.OnCancel(ctx)
	}
}
