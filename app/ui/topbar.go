package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/plugboard/plugboard/shared"
)

// topBar is the header of every signed-in page: the product's name, the
// links to the pages the signed-in user may open, who they are and the
// sign-out button.
type topBar struct {
	app.Compo
	// ctx is the component's own context, kept from OnMount: API results
	// are applied through it, since the element whose event started the
	// call may be gone from the page when the answer comes.
	ctx app.Context

	user       shared.User
	path       string
	signingOut bool
	err        string
}

func newTopBar() *topBar { return &topBar{} }

// OnMount asks for the session, which also fetches the CSRF token the
// app needs for changes. An ended session leads to the sign-in page.
func (t *topBar) OnMount(ctx app.Context) {
	t.ctx = ctx
	ctx.Async(func() {
		s, err := server.Session(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				signInIfNeeded(ctx, err)
				return
			}
			t.user = s.User
		})
	})
}

// OnNav notes the page shown, which its link marks as current, and the
// user, whom a page may have changed (their role, say).
func (t *topBar) OnNav(ctx app.Context) {
	t.path = ctx.Page().URL().Path
	if s, err := server.cachedSession(); err == nil {
		t.user = s.User
	}
}

// navLink is one link of the main navigation.
type navLink struct {
	Path  string
	Label string
	// Admin links show only to admins.
	Admin bool
}

// navLinks are the links of the main navigation, in order.
var navLinks = []navLink{
	{Path: pathHome, Label: "Connections"},
	{Path: pathNewConnection, Label: "Add connection"},
	{Path: pathKeys, Label: "API keys"},
	{Path: pathUsers, Label: "Users", Admin: true},
	{Path: pathAudit, Label: "Audit", Admin: true},
	{Path: pathAccount, Label: "Account"},
}

// Render draws the bar.
func (t *topBar) Render() app.UI {
	return app.Header().
		Class("topbar").
		Body(
			app.A().
				Class("brand").
				Href(pathHome).
				Body(
					app.Img().
						Src("/web/icons/app.svg").
						Alt("").
						Width(28).
						Height(28),
					app.Span().Text("Plugboard"),
				),
			t.nav(),
			app.Div().
				Class("account").
				Body(
					app.If(t.user.ID != "", t.who),
					app.Button().
						Type("button").
						Class("button button-quiet").
						Disabled(t.signingOut).
						OnClick(t.signOut).
						Text(signOutLabel(t.signingOut)),
					app.If(t.err != "", func() app.UI {
						return app.Span().
							Class("field-error").
							Role("alert").
							Text(t.err)
					}),
				),
		)
}

// nav lists the links the user may follow; the current page's link says
// so to assistive technology.
func (t *topBar) nav() app.UI {
	admin := t.user.Role == shared.RoleAdmin
	var links []navLink
	for _, l := range navLinks {
		if !l.Admin || admin {
			links = append(links, l)
		}
	}
	return app.Nav().
		Aria("label", "Main").
		Body(
			app.Range(links).Slice(func(i int) app.UI {
				l := links[i]
				a := app.A().
					Href(l.Path).
					Text(l.Label)
				if l.Path == t.path {
					a = a.Aria("current", "page")
				}
				return a
			}),
		)
}

// who names the signed-in user and their role.
func (t *topBar) who() app.UI {
	return app.A().
		Class("owner").
		Href(pathAccount).
		Title("Your account").
		Body(
			app.Span().
				Class("owner-name").
				Text(displayName(t.user)),
			app.Span().
				Class("role role-"+string(t.user.Role)).
				Text(roleLabel(t.user.Role)),
		)
}

func signOutLabel(busy bool) string {
	if busy {
		return "Signing out…"
	}
	return "Sign out"
}

// signOut ends the session on the server, then shows the sign-in page.
func (t *topBar) signOut(ctx app.Context, e app.Event) {
	ctx = t.ctx
	t.signingOut = true
	t.err = ""
	ctx.Async(func() {
		client, err := server.Changing(ctx)
		if err == nil {
			err = client.SignOut(ctx)
		}
		ctx.Dispatch(func(ctx app.Context) {
			t.signingOut = false
			if err != nil && !signInIfNeeded(ctx, err) {
				t.err = describe(err).Message
				return
			}
			signedOut(ctx)
		})
	})
}
