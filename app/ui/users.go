package ui

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// usersPage lets an admin list, create and change users: their role,
// whether they may sign in, their password, and delete them. Members
// see only that the page is for admins.
type usersPage struct {
	app.Compo
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	status    loadStatus
	fail      failure
	forbidden bool
	me        shared.User
	users     []shared.User
	now       time.Time
	note      notice

	// busyID is the user a row action is changing, rowErr what went
	// wrong with one, by user id.
	busyID string
	rowErr map[string]string

	creating  bool
	resetting *shared.User
	deleting  *shared.User
	askBusy   bool
	askErr    string
}

func newUsersPage() *usersPage { return &usersPage{} }

// OnMount keeps the page's context.
func (p *usersPage) OnMount(ctx app.Context) {
	p.ctx = ctx
}

// OnNav loads the users.
func (p *usersPage) OnNav(ctx app.Context) {
	if app.IsServer {
		return
	}
	ctx.Page().SetTitle("Users · Plugboard")
	p.load(ctx)
}

// usersData is what the page loads. forbidden is set, and users left
// empty, when the signed-in user is not an admin.
type usersData struct {
	me        shared.User
	users     []shared.User
	forbidden bool
}

// fetchUsers loads the users, if the signed-in user is an admin.
func fetchUsers(ctx context.Context) (usersData, error) {
	s, err := server.Session(ctx)
	if err != nil {
		return usersData{}, err
	}
	d := usersData{me: s.User}
	if !s.IsAdmin() {
		d.forbidden = true
		return d, nil
	}
	d.users, err = server.client().ListUsers(ctx)
	if isForbidden(err) {
		return usersData{me: s.User, forbidden: true}, nil
	}
	return d, err
}

// isForbidden reports whether err is a 403 answer.
func isForbidden(err error) bool {
	f := describe(err)
	return err != nil && (f.Status == http.StatusForbidden || f.Code == shared.CodeForbidden)
}

func (p *usersPage) load(ctx app.Context) {
	ctx = p.ctx
	if p.status != loaded {
		p.status = loading
	}
	ctx.Async(func() {
		d, err := fetchUsers(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			p.now = time.Now()
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.status, p.fail = loadFailed, describe(err)
				}
				return
			}
			p.status, p.fail = loaded, failure{}
			p.me, p.users, p.forbidden = d.me, d.users, d.forbidden
		})
	})
}

// Render draws the page.
func (p *usersPage) Render() app.UI {
	return layout("Users", p.note,
		p.body(),
		app.If(p.creating, func() app.UI {
			return &createUserDialog{OnDone: p.userCreated,
				OnCancel: func(ctx app.Context) { p.creating = false }}
		}),
		app.If(p.resetting != nil, func() app.UI {
			return &resetPasswordDialog{User: *p.resetting, OnDone: p.passwordReset,
				OnCancel: func(ctx app.Context) { p.resetting = nil }}
		}),
		app.If(p.deleting != nil, p.deleteDialog),
	)
}

func (p *usersPage) body() app.UI {
	switch {
	case p.status == loading:
		return app.P().Body(spinner("Loading users…"))
	case p.status == loadFailed:
		return loadFailedState("The users could not be loaded.", p.fail,
			func(ctx app.Context) { p.load(ctx) })
	case p.forbidden:
		return adminsOnly("Only admins can see and manage users. Ask an admin to add someone " +
			"or to change an account.")
	}
	return app.Div().Body(
		app.Div().
			Class("toolbar").
			Body(
				app.P().
					Class("lead").
					Text("Everyone here signs in with a username and password. Admins also "+
						"manage users, read the audit trail and share their connections."),
				app.Button().
					ID("add-user").
					Type("button").
					Class("button button-primary").
					OnClick(func(ctx app.Context, e app.Event) { p.note, p.creating = notice{}, true }).
					Text("Add user"),
			),
		p.table(),
	)
}

// adminsOnly tells a member that a page is for admins.
func adminsOnly(text string) app.UI {
	return app.Div().
		Class("empty").
		Body(
			app.H2().Text("Only admins"),
			app.P().Text(text),
			app.A().
				Class("button").
				Href(pathHome).
				Text("Back to connections"),
		)
}

func (p *usersPage) table() app.UI {
	return app.Table().
		Class("data").
		Body(
			app.Caption().
				Class("visually-hidden").
				Text("Users"),
			app.THead().Body(
				app.Tr().Body(
					app.Th().Scope("col").Text("Username"),
					app.Th().Scope("col").Text("Name"),
					app.Th().Scope("col").Text("Role"),
					app.Th().Scope("col").Text("Status"),
					app.Th().Scope("col").Text("Last sign-in"),
					app.Th().Scope("col").Body(app.Span().Class("visually-hidden").Text("Actions")),
				),
			),
			app.TBody().Body(
				app.Range(p.users).Slice(func(i int) app.UI { return p.userRow(p.users[i]) }),
			),
		)
}

// userCreated lists the new user.
func (p *usersPage) userCreated(ctx app.Context, u *shared.User) {
	p.creating = false
	p.users = append(p.users, *u)
	p.note = notice{Kind: noticeSuccess, Text: u.Username + " was added. Tell them their " +
		"username and first password; they can change it on their account page."}
}

// passwordReset notes the new password.
func (p *usersPage) passwordReset(ctx app.Context, u *shared.User) {
	p.resetting = nil
	p.replace(*u)
	p.note = notice{Kind: noticeSuccess, Text: u.Username + "'s password was replaced; " +
		"their sessions were signed out."}
}

// replace puts an updated user in the list.
func (p *usersPage) replace(u shared.User) {
	for i := range p.users {
		if p.users[i].ID == u.ID {
			p.users[i] = u
		}
	}
}

func (p *usersPage) deleteDialog() app.UI {
	u := p.deleting
	return &confirmDialog{
		ID:    "confirm-dialog",
		Title: "Delete " + u.Username + "?",
		Message: u.Username + " can no longer sign in, and their API keys stop working. " +
			"This cannot be undone. To only stop them signing in, disable them instead.",
		ConfirmLabel: "Delete",
		BusyLabel:    "Deleting…",
		Danger:       true,
		Busy:         p.askBusy,
		Error:        p.askErr,
		OnConfirm:    p.deleteUser,
		OnCancel:     func(ctx app.Context) { p.deleting = nil },
		ReturnFocus:  "add-user",
	}
}

// deleteUser deletes the user the person confirmed. A user who still
// owns records is refused; the server's words say what to do.
func (p *usersPage) deleteUser(ctx app.Context) {
	ctx = p.ctx
	u := *p.deleting
	p.askBusy, p.askErr = true, ""
	ctx.Async(func() {
		client, err := server.Changing(ctx)
		if err == nil {
			err = client.DeleteUser(ctx, u.ID)
		}
		ctx.Dispatch(func(ctx app.Context) {
			p.askBusy = false
			if err != nil {
				if !signInIfNeeded(ctx, err) {
					p.askErr = describe(err).Message
				}
				return
			}
			p.deleting = nil
			p.users = slices.DeleteFunc(p.users, func(x shared.User) bool { return x.ID == u.ID })
			p.note = notice{Kind: noticeSuccess, Text: u.Username + " was deleted."}
		})
	})
}
