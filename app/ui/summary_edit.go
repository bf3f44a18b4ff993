package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// startEdit opens the connection's edit form.
func (p *summaryPage) startEdit(ctx app.Context, e app.Event) {
	p.editing = true
	p.edit = draftFromConnection(p.conn)
	p.editErrs, p.editFail = nil, failure{}
	focusSoon("edit-name")
}

// editCard is the form that changes the connection's name, link name,
// scopes and settings.
func (p *summaryPage) editCard() app.UI {
	d := &p.edit
	busy := p.busy != ""
	scopes := p.svc.Scopes
	params := creationParams(p.svc)
	return app.Section().
		Class("card").
		Aria("labelledby", "edit-title").
		Body(
			app.H2().
				ID("edit-title").
				Text("Edit connection"),
			app.Form().
				Attr("novalidate", true).
				OnSubmit(p.saveEdit).
				Body(
					app.Div().
						Class("live").
						Role("alert").
						Body(app.If(p.editFail.Message != "", func() app.UI {
							return noticeBox(noticeFor(p.editFail))
						})),
					textField(textProps{
						ID: "edit-name", Label: "Connection name", Value: d.Name, Required: true,
						Error: p.editErrs["name"], Disabled: busy,
						OnInput: func(ctx app.Context, v string) { d.Name = v },
					}),
					textField(textProps{
						ID: "edit-link", Label: "Link name", Value: d.LinkName, Required: true,
						Hint:  "Code that uses the old link name stops finding the connection.",
						Error: p.editErrs["link_name"], Disabled: busy,
						OnInput: func(ctx app.Context, v string) { d.LinkName = v },
					}),
					app.If(len(scopes) > 0, func() app.UI {
						return app.FieldSet().Body(
							app.Legend().Text("Scopes"),
							app.P().
								Class("hint").
								Text("Changing the scopes asks for a new authorization."),
							app.Range(scopes).Slice(func(i int) app.UI {
								s := scopes[i]
								return checkbox(checkProps{
									ID: fieldID("edit-scope-", s.Name) + "-" + itoa(i), Label: s.Name,
									Hint: s.Description, Checked: d.Scopes[s.Name], Disabled: busy,
									OnChange: func(ctx app.Context, v bool) { d.Scopes[s.Name] = v },
								})
							}),
						)
					}),
					app.Range(params).Slice(func(i int) app.UI {
						prm := params[i]
						return paramInput(paramInputProps{
							ID: fieldID("edit-config-", prm.Name), Param: prm,
							Value: d.Config[prm.Name], Error: p.editErrs["config."+prm.Name],
							Disabled: busy,
							OnChange: func(ctx app.Context, v string) { d.Config[prm.Name] = v },
						})
					}),
					app.Div().
						Class("button-row").
						Body(
							app.Button().
								Type("submit").
								Class("button button-primary").
								Disabled(busy).
								Text("Save"),
							app.Button().
								Type("button").
								Class("button").
								Disabled(busy).
								OnClick(func(ctx app.Context, e app.Event) { p.editing = false }).
								Text("Cancel"),
						),
				),
		)
}

// editErrors checks the edit form; client credentials are not part of it.
func (p *summaryPage) editErrors() map[string]string {
	errs := p.edit.Check(p.svc)
	delete(errs, "client_id")
	delete(errs, "client_secret")
	return errs
}

// saveEdit sends the changes.
func (p *summaryPage) saveEdit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	ctx = p.ctx
	if p.busy != "" {
		return
	}
	p.editFail = failure{}
	if p.editErrs = p.editErrors(); len(p.editErrs) > 0 {
		p.editFail = failure{Message: "Some fields need attention: see the messages next to them."}
		return
	}
	p.busy = "Saving…"
	id, patch := p.conn.ID, p.edit.Patch(p.svc)
	ctx.Async(func() {
		var c *shared.Connection
		client, err := server.Changing(ctx)
		if err == nil {
			c, err = client.UpdateConnection(ctx, id, patch)
		}
		ctx.Dispatch(func(ctx app.Context) {
			p.busy = ""
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.editFail = describe(err)
					p.editErrs = p.editFail.Fields
				}
				return
			}
			p.conn, p.editing = *c, false
			p.note = notice{Kind: noticeSuccess, Text: "Saved."}
			p.reload(ctx)
		})
	})
}
