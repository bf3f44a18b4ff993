package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// userRow draws one user and the buttons that change them. Admins cannot
// disable or delete themselves, so their own row offers neither.
func (p *usersPage) userRow(u shared.User) app.UI {
	self := u.ID == p.me.ID
	return app.Tr().
		Class(classIf(u.Disabled, "row-disabled")).
		Body(
			app.Th().
				Scope("row").
				DataSet("label", "Username").
				Body(
					app.Code().Text(u.Username),
					app.If(self, func() app.UI {
						return app.Span().
							Class("you").
							Text(" (you)")
					}),
				),
			app.Td().
				DataSet("label", "Name").
				Text(displayName(u)),
			app.Td().
				DataSet("label", "Role").
				Body(app.Span().
					Class("role role-"+string(u.Role)).
					Text(roleLabel(u.Role))),
			app.Td().
				DataSet("label", "Status").
				Text(userStatus(u)),
			app.Td().
				DataSet("label", "Last sign-in").
				Text(lastSignIn(p, u)),
			app.Td().
				Class("cell-actions").
				Body(p.userActions(u, self)),
		)
}

// userStatus says whether a user may sign in.
func userStatus(u shared.User) string {
	switch {
	case u.Disabled:
		return "Disabled"
	case !u.HasPassword:
		return "Active, no password"
	}
	return "Active"
}

func lastSignIn(p *usersPage, u shared.User) string {
	if u.LastSignInAt.IsZero() {
		return "Never"
	}
	return relativeTime(p.now, u.LastSignInAt)
}

// userActions are a row's buttons and what went wrong with the last one.
func (p *usersPage) userActions(u shared.User, self bool) app.UI {
	busy := p.busyID != ""
	roleTo, roleText := shared.RoleAdmin, "Make admin"
	if u.Role == shared.RoleAdmin {
		roleTo, roleText = shared.RoleMember, "Make member"
	}
	return app.Div().
		Class("row-buttons").
		Body(
			app.If(p.busyID == u.ID, func() app.UI { return spinner("Saving…") }),
			app.Button().
				Type("button").
				Class("button").
				Disabled(busy).
				Aria("label", roleText+": "+u.Username).
				OnClick(func(ctx app.Context, e app.Event) {
					p.patch(ctx, u, shared.UserPatch{Role: &roleTo})
				}, app.EventScope("role", u.ID, u.Role)).
				Text(roleText),
			app.If(!self, func() app.UI { return p.disableButton(u, busy) }),
			app.Button().
				Type("button").
				Class("button").
				Disabled(busy).
				Aria("label", "Reset password: "+u.Username).
				OnClick(func(ctx app.Context, e app.Event) { p.note, p.resetting = notice{}, &u },
					app.EventScope("reset", u.ID)).
				Text("Reset password"),
			app.If(!self, func() app.UI {
				return app.Button().
					Type("button").
					Class("button button-danger-quiet").
					Disabled(busy).
					Aria("label", "Delete "+u.Username).
					OnClick(func(ctx app.Context, e app.Event) { p.askDelete(u) },
						app.EventScope("delete", u.ID)).
					Text("Delete")
			}),
			app.If(p.rowErr[u.ID] != "", func() app.UI {
				return app.P().
					Class("field-error row-error").
					Role("alert").
					Text(p.rowErr[u.ID])
			}),
		)
}

func (p *usersPage) disableButton(u shared.User, busy bool) app.UI {
	off, text := !u.Disabled, "Disable"
	if u.Disabled {
		text = "Enable"
	}
	return app.Button().
		Type("button").
		Class("button").
		Disabled(busy).
		Aria("label", text+" "+u.Username).
		OnClick(func(ctx app.Context, e app.Event) {
			p.patch(ctx, u, shared.UserPatch{Disabled: &off})
		}, app.EventScope("disable", u.ID, u.Disabled)).
		Text(text)
}

func (p *usersPage) askDelete(u shared.User) {
	p.note = notice{}
	p.deleting, p.askErr = &u, ""
}

// patch changes a user from their row. The server's refusal (the last
// admin, say) shows in the row.
func (p *usersPage) patch(ctx app.Context, u shared.User, patch shared.UserPatch) {
	ctx = p.ctx
	p.note = notice{}
	p.busyID = u.ID
	p.setRowErr(u.ID, "")
	ctx.Async(func() {
		var updated *shared.User
		client, err := server.Changing(ctx)
		if err == nil {
			updated, err = client.UpdateUser(ctx, u.ID, patch)
		}
		ctx.Dispatch(func(ctx app.Context) {
			p.busyID = ""
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.setRowErr(u.ID, describe(err).Message)
				}
				return
			}
			p.replace(*updated)
			p.note = notice{Kind: noticeSuccess, Text: patchDone(*updated, patch)}
			if updated.ID == p.me.ID {
				p.refreshMe(ctx)
			}
		})
	})
}

// refreshMe reads the session again after admins changed themselves (a
// demoted admin no longer sees the list), then reloads the page.
func (p *usersPage) refreshMe(ctx app.Context) {
	ctx = p.ctx
	ctx.Async(func() {
		_, err := server.Refresh(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if err == nil || !signInIfNeeded(ctx, err) {
				p.load(ctx)
			}
		})
	})
}

func (p *usersPage) setRowErr(id, msg string) {
	if p.rowErr == nil {
		p.rowErr = map[string]string{}
	}
	if msg == "" {
		delete(p.rowErr, id)
		return
	}
	p.rowErr[id] = msg
}

// patchDone words what a row action changed.
func patchDone(u shared.User, patch shared.UserPatch) string {
	switch {
	case patch.Role != nil:
		return u.Username + " is now " + map[shared.Role]string{
			shared.RoleAdmin: "an admin", shared.RoleMember: "a member"}[u.Role] + "."
	case patch.Disabled != nil && u.Disabled:
		return u.Username + " was disabled: they cannot sign in, and their API keys stop working."
	case patch.Disabled != nil:
		return u.Username + " was enabled and can sign in again."
	}
	return u.Username + " was changed."
}
